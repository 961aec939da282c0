"""The parser's domain (parse_raw_page) on moto, without Lambda: outcomes, versions, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from newsdesk.article_events import ArticleEvent
from newsdesk.parsing import Outcome, ParserStores, parse_raw_page
from newsdesk.rawpage import RawPage
from newsdesk.storage.dynamodb import ArticleTable
from newsdesk.storage.eventbus import MemoryPublisher
from newsdesk.storage.parse_failures import ParseFailureLog
from newsdesk.storage.s3 import ArticleStore, RawPageStore

PAGE = Path(__file__).parents[1] / "golden/kyiv-independent-umerov-turkey.html"


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 11, 12, 15, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def stores(aws: None) -> ParserStores:
    from newsdesk.local.aws import ensure_stack

    stack = ensure_stack()
    s3 = boto3.client("s3")
    dynamodb = boto3.resource("dynamodb")
    return ParserStores(
        raw_pages=RawPageStore(stack.name("RawBucket"), s3),
        articles=ArticleStore(stack.name("ArticlesBucket"), s3),
        table=ArticleTable(stack.name("ArticlesTable"), dynamodb),
        failures=ParseFailureLog(stack.name("ArticlesTable"), dynamodb),
        events=MemoryPublisher(),
        clock=_Clock(),
    )


def _raw(stores: ParserStores, body: bytes, day: int = 11) -> str:
    return stores.raw_pages.put(
        RawPage(
            source="kyiv-independent",
            id="abc",
            url="https://kyivindependent.com/abc/",
            final_url="https://kyivindependent.com/abc/",
            status=200,
            body=body,
            fetched_at=datetime(2025, 11, day, tzinfo=UTC),
            encoding="utf-8",
        )
    )


def _events(stores: ParserStores) -> list[ArticleEvent]:
    assert isinstance(stores.events, MemoryPublisher)
    return stores.events.events


def test_first_parse_stores_version_one_and_announces_it(stores: ParserStores) -> None:
    key = _raw(stores, PAGE.read_bytes())
    result = parse_raw_page(key, stores)
    assert (result.outcome, result.version, result.events_published) == (Outcome.STORED, 1, 1)
    (event,) = _events(stores)
    assert event.detail_type == "ArticleIngested" and event.detail.article_key == result.article_key
    stored = stores.articles.get(str(result.article_key))
    assert (stored.version, stored.previous_hash, stored.raw_key) == (1, None, key)
    assert stored.ingested_at == datetime(2025, 11, 12, 15, 0, 1, tzinfo=UTC)


def test_a_refetch_with_the_same_content_writes_and_announces_nothing(stores: ParserStores) -> None:
    parse_raw_page(_raw(stores, PAGE.read_bytes(), day=11), stores)
    head_before = stores.table.table.get_item(Key={"id": "abc"})["Item"]

    again = parse_raw_page(_raw(stores, PAGE.read_bytes(), day=12), stores)

    assert (again.outcome, again.version, again.events_published) == (Outcome.UNCHANGED, 1, 0)
    assert len(_events(stores)) == 1
    assert stores.table.table.get_item(Key={"id": "abc"})["Item"] == head_before


def test_a_page_that_is_not_an_article_is_a_recorded_permanent_failure(stores: ParserStores) -> None:
    key = _raw(stores, b"<html><body><p>Subscribe!</p></body></html>")
    result = parse_raw_page(key, stores)
    assert (result.outcome, result.reason) == (Outcome.FAILED, "not_an_article")
    parse_raw_page(key, stores)  # redelivered: still one record, two attempts
    (failure,) = stores.failures.list()
    assert (failure.raw_key, failure.attempts, failure.article_id) == (key, 2, "abc")
    assert _events(stores) == []
    # A fixed page (or parser) clears it.
    stores.raw_pages.client.put_object(Bucket=stores.raw_pages.bucket, Key=key, Body=b"")
    _raw(stores, PAGE.read_bytes())
    assert parse_raw_page(key, stores).outcome == Outcome.STORED
    assert stores.failures.list() == []


def test_a_missing_raw_page_is_a_permanent_failure_not_a_retry(stores: ParserStores) -> None:
    result = parse_raw_page("kyiv-independent/2025/11/11/gone.html.gz", stores)
    assert (result.outcome, result.reason, result.article_id) == (
        Outcome.FAILED,
        "raw_page_unavailable",
        "gone",
    )
    assert stores.failures.list(source="kyiv-independent")[0].raw_key.endswith("gone.html.gz")
    assert stores.failures.list(source="other") == []


def test_an_unavailable_event_bus_leaves_the_version_stored_and_the_event_pending(
    stores: ParserStores,
) -> None:
    class Down:
        def publish(self, event: ArticleEvent) -> None:
            raise ConnectionError("EventBridge unreachable")

    working = stores.events
    stores.events = Down()
    key = _raw(stores, PAGE.read_bytes())
    with pytest.raises(ConnectionError):
        parse_raw_page(key, stores)
    head = stores.table.head_state("abc")
    assert head is not None and head.events_pending

    stores.events = working
    retry = parse_raw_page(key, stores)

    assert (retry.outcome, retry.events_published) == (Outcome.UNCHANGED, 1)
    (event,) = _events(stores)
    assert event.detail.event_id == "abc:v1"
    head = stores.table.head_state("abc")
    assert head is not None and not head.events_pending
