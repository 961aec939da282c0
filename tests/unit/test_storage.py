"""The S3 and DynamoDB adapters against moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from newsdesk.article import Article, LeadImage, content_hash
from newsdesk.errors import StorageError
from newsdesk.rawpage import RawPage
from newsdesk.storage.article_items import MAX_ITEM_BYTES
from newsdesk.storage.dynamodb import MAX_INLINE_BODY_BYTES, ArticleTable
from newsdesk.storage.s3 import ArticleStore, RawPageStore, article_key


def _article(article_id: str, source: str, published: datetime | None, body: str = "One.\n\nTwo.") -> Article:
    return Article(
        id=article_id,
        url=f"https://example.org/{article_id}",
        source=source,
        title=f"Title {article_id}",
        authors=["Ann Example"],
        published_at=published,
        body_text=body,
        body_markdown=body,
        word_count=len(body.split()),
        reading_time_minutes=1,
        content_hash=content_hash(body),
        parser_version="test",
        lead_image=LeadImage(url="https://example.org/a.jpg", caption="A cat."),
        fetched_at=datetime(2025, 11, 12, tzinfo=UTC),
        raw_key=f"{source}/2025/11/12/{article_id}.html.gz",
    )


@pytest.mark.usefixtures("aws")
def test_raw_page_round_trips_bytes_and_metadata_including_non_ascii_urls() -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="raw")
    store = RawPageStore("raw", s3)
    body = "<html><p>Привіт, світ</p></html>".encode("windows-1251")
    page = RawPage(
        source="kyiv",
        id="abc123",
        url="https://example.org/новини/1?a=b c",
        final_url="https://example.org/n/1",
        status=200,
        body=body,
        fetched_at=datetime(2025, 11, 11, 12, 0, tzinfo=UTC),
        content_type="text/html; charset=windows-1251",
        encoding="windows-1251",
        etag='"v1"',
    )
    key = store.put(page)
    assert key == "kyiv/2025/11/11/abc123.html.gz"
    assert s3.head_object(Bucket="raw", Key=key)["ContentType"] == "application/gzip"
    again = store.get(key)
    assert again == page


@pytest.mark.usefixtures("aws")
def test_missing_raw_page_is_a_storage_error() -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="raw")
    with pytest.raises(StorageError, match="does not exist"):
        RawPageStore("raw", s3).get("nope.html.gz")


def _table() -> ArticleTable:
    # The table exactly as template.yaml declares it (indexes included), through moto's CloudFormation.
    from newsdesk.local.aws import ensure_stack

    stack = ensure_stack()
    return ArticleTable(stack.name("ArticlesTable"), boto3.resource("dynamodb"))


def _store(
    table: ArticleTable, article: Article, *, version: int = 1, ingested: datetime | None = None
) -> str:
    stored = article.model_copy(
        update={"version": version, "ingested_at": ingested or datetime(2025, 11, 13, 8, tzinfo=UTC)}
    )
    key = article_key(stored)
    table.store_version(stored, key, table.head_state(article.id))
    return key


class _NoScan:
    """Fails the test if anything scans: every access pattern must be a Query or a GetItem."""

    def __init__(self, table: ArticleTable) -> None:
        self.calls: list[str] = []
        table.table.meta.client.meta.events.register("before-call.dynamodb.*", self._seen)

    def _seen(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)
        assert model.name != "Scan", "an access pattern scanned the table"


@pytest.mark.usefixtures("aws")
def test_a_source_s_articles_newest_first_within_dates() -> None:
    table = _table()
    for day in (10, 11, 12, 13):
        _store(table, _article(f"k{day}", "kyiv", datetime(2025, 11, day, 9, tzinfo=UTC)))
    _store(table, _article("other", "gazette", datetime(2025, 11, 12, tzinfo=UTC)))
    calls = _NoScan(table)
    page = table.query_source(
        "kyiv",
        since=datetime(2025, 11, 11, tzinfo=UTC),
        until=datetime(2025, 11, 12, 23, tzinfo=UTC),
        limit=10,
    )
    assert [r.article["id"] for r in page.items] == ["k12", "k11"]
    assert Article.model_validate(page.items[0].article).lead_image == LeadImage(
        url="https://example.org/a.jpg", caption="A cat."
    )
    assert set(calls.calls) == {"Query"}


@pytest.mark.usefixtures("aws")
def test_pages_continue_with_the_cursor_until_the_range_is_exhausted() -> None:
    table = _table()
    for day in range(1, 8):
        _store(table, _article(f"d{day}", "kyiv", datetime(2025, 11, day, tzinfo=UTC)))
    seen: list[str] = []
    cursor = None
    while True:
        page = table.query_source("kyiv", limit=3, cursor=cursor)
        seen += [r.article["id"] for r in page.items]
        cursor = page.cursor
        if cursor is None:
            break
    assert seen == [f"d{day}" for day in range(7, 0, -1)]
    with pytest.raises(StorageError, match="cursor"):
        table.query_source("kyiv", cursor="not-a-cursor")


@pytest.mark.usefixtures("aws")
def test_article_by_id_and_by_fetch_and_canonical_url() -> None:
    table = _table()
    first = _article("a1", "kyiv", datetime(2025, 11, 10, tzinfo=UTC)).model_copy(
        update={"canonical_url": "https://kyiv.example/story"}
    )
    mirror = _article("a2", "gazette", datetime(2025, 11, 11, tzinfo=UTC)).model_copy(
        update={"canonical_url": "https://kyiv.example/story"}
    )
    key = _store(table, first)
    _store(table, mirror)
    calls = _NoScan(table)

    record = table.get("a1")
    assert record is not None and record.article_key == key and record.article["title"] == "Title a1"
    assert record.article["raw_key"] == "kyiv/2025/11/12/a1.html.gz"
    assert [s.id for s in table.by_url("https://example.org/a1")] == ["a1"]
    assert {s.id for s in table.by_url("https://kyiv.example/story", canonical=True)} == {"a1", "a2"}
    assert table.by_url("https://example.org/nothing") == []
    assert table.get("a1#v000001") is None  # a version item is not an article
    assert set(calls.calls) <= {"GetItem", "Query"}


@pytest.mark.usefixtures("aws")
def test_an_author_s_articles_newest_first_matched_case_insensitively() -> None:
    table = _table()
    _store(table, _article("old", "kyiv", datetime(2025, 11, 1, tzinfo=UTC)))
    _store(table, _article("new", "gazette", datetime(2025, 11, 20, tzinfo=UTC)))
    _store(
        table,
        _article("else", "kyiv", datetime(2025, 11, 21, tzinfo=UTC)).model_copy(update={"authors": ["Bo"]}),
    )
    calls = _NoScan(table)
    page = table.query_lookup("author", "  ann   EXAMPLE ")
    assert [s.id for s in page.items] == ["new", "old"]
    assert page.items[0].title == "Title new" and page.items[0].source == "gazette"
    assert page.items[0].article_key.startswith("articles/source=gazette/dt=2025-11-20/new.v0001")
    assert set(calls.calls) == {"Query"}


@pytest.mark.usefixtures("aws")
def test_a_section_s_and_a_tag_s_articles_in_a_date_range() -> None:
    table = _table()
    for day, section, tags in ((3, "War", ["POW", "Turkey"]), (5, "War", ["POW"]), (9, "Business", ["POW"])):
        _store(
            table,
            _article(f"s{day}", "kyiv", datetime(2025, 11, day, tzinfo=UTC)).model_copy(
                update={"section": section, "tags": tags}
            ),
        )
    in_range = {"since": datetime(2025, 11, 4, tzinfo=UTC), "until": datetime(2025, 11, 30, tzinfo=UTC)}
    assert [s.id for s in table.query_lookup("section", "war", **in_range).items] == ["s5"]
    assert [s.id for s in table.query_lookup("tag", "pow", **in_range).items] == ["s9", "s5"]
    assert [s.id for s in table.query_lookup("tag", "Turkey").items] == ["s3"]


@pytest.mark.usefixtures("aws")
def test_articles_ingested_since_a_time_across_sources_oldest_first_over_several_days() -> None:
    table = _table()
    _store(table, _article("before", "kyiv", None), ingested=datetime(2025, 11, 9, 23, tzinfo=UTC))
    _store(table, _article("first", "kyiv", None), ingested=datetime(2025, 11, 10, 1, tzinfo=UTC))
    _store(table, _article("second", "gazette", None), ingested=datetime(2025, 11, 10, 5, tzinfo=UTC))
    _store(table, _article("third", "kyiv", None), ingested=datetime(2025, 11, 12, 7, tzinfo=UTC))
    calls = _NoScan(table)
    since, until = datetime(2025, 11, 10, tzinfo=UTC), datetime(2025, 11, 13, tzinfo=UTC)
    page = table.ingested_since(since, until=until, limit=2)
    assert [s.id for s in page.items] == ["first", "second"]
    rest = table.ingested_since(since, until=until, limit=2, cursor=page.cursor)
    assert [s.id for s in rest.items] == ["third"] and rest.cursor is None
    assert set(calls.calls) == {"Query"}
    assert [s.id for s in table.recent(2, now=until)] == ["third", "second"]


@pytest.mark.usefixtures("aws")
def test_a_changed_author_list_drops_the_old_author_s_entry() -> None:
    table = _table()
    first = _article("moved", "kyiv", datetime(2025, 11, 1, tzinfo=UTC))
    _store(table, first)
    _store(table, first.model_copy(update={"authors": ["Bo Other"], "title": "Fixed"}), version=2)
    assert table.query_lookup("author", "Ann Example").items == []
    (entry,) = table.query_lookup("author", "bo other").items
    assert (entry.title, entry.version) == ("Fixed", 2)
    assert [v.version for v in table.versions("moved")] == [1, 2]


@pytest.mark.usefixtures("aws")
def test_a_second_writer_of_the_same_version_is_refused() -> None:
    from newsdesk.errors import ConflictError

    table = _table()
    article = _article("race", "kyiv", None)
    _store(table, article)
    with pytest.raises(ConflictError):
        # Both read "no head" and both try to store version 1.
        table.store_version(article, "k", None)


@pytest.mark.usefixtures("aws")
def test_items_stay_well_under_400_kb_whatever_the_article_s_size() -> None:
    table = _table()
    huge = "word " * 150_000
    article = _article("huge", "kyiv", None, body=huge.strip()).model_copy(
        update={
            "description": "d" * 350_000,
            "tags": [f"tag {n}" for n in range(3000)],
            "authors": [f"Author {n}" for n in range(500)],
        }
    )
    _store(table, article)
    raw = table.table.get_item(Key={"id": "huge"})["Item"]
    assert len(json.dumps(raw, default=str).encode()) < MAX_ITEM_BYTES
    assert raw["body_in_s3"] is True
    assert len(table.query_lookup("tag", "tag 1").items) == 1
    assert table.query_lookup("tag", "tag 2999").items == []  # only the first tags are indexed


@pytest.mark.usefixtures("aws")
def test_big_bodies_stay_in_s3_and_are_read_back_from_there() -> None:
    table = _table()
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="articles")
    store = ArticleStore("articles", s3)
    body = "word " * (MAX_INLINE_BODY_BYTES // 4)
    article = _article("big", "kyiv", None, body=body.strip())
    key = store.put(article_key(article), article)
    assert key == "articles/source=kyiv/dt=2025-11-12/big.v0001.json"
    table.store_version(article, key, None)
    (record,) = table.query_source("kyiv").items
    assert record.body_in_s3 and "body_text" not in record.article
    assert store.get(record.article_key) == article
    # One JSON object per line: what Athena's JSON SerDe reads.
    assert s3.get_object(Bucket="articles", Key=key)["Body"].read().count(b"\n") == 1


@pytest.mark.usefixtures("aws")
def test_a_head_written_before_versions_existed_takes_a_new_version() -> None:
    table = _table()
    legacy = _article("legacy", "kyiv", datetime(2025, 11, 1, tzinfo=UTC))
    # What the first release wrote: the Article's fields, no version, fingerprint or entries.
    table.table.put_item(Item={**legacy.model_dump(mode="json", exclude={"version"}), "article_key": "k"})
    head = table.head_state("legacy")
    assert head is not None and head.version == 1

    _store(table, legacy.model_copy(update={"title": "Re-parsed"}), version=2)

    record = table.get("legacy")
    assert record is not None and (record.article["version"], record.article["title"]) == (2, "Re-parsed")
    assert [s.id for s in table.query_lookup("author", "Ann Example").items] == ["legacy"]
