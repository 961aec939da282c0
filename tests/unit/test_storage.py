"""The S3 and DynamoDB adapters against moto."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from newsdesk.article import Article, LeadImage, content_hash
from newsdesk.errors import StorageError
from newsdesk.rawpage import RawPage, article_key_for
from newsdesk.storage.dynamodb import MAX_INLINE_BODY_BYTES, ArticleTable
from newsdesk.storage.s3 import ArticleStore, RawPageStore


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
    # The table exactly as template.yaml declares it (index included), through moto's CloudFormation.
    from newsdesk.local.aws import ensure_stack

    stack = ensure_stack()
    return ArticleTable(stack.name("ArticlesTable"), boto3.resource("dynamodb"))


@pytest.mark.usefixtures("aws")
def test_article_table_queries_a_source_newest_first_within_dates() -> None:
    table = _table()
    for day in (10, 11, 12, 13):
        table.put(_article(f"k{day}", "kyiv", datetime(2025, 11, day, 9, tzinfo=UTC)), f"kyiv/k{day}.json")
    table.put(_article("other", "gazette", datetime(2025, 11, 12, tzinfo=UTC)), "gazette/other.json")
    records = table.query(
        source="kyiv",
        since=datetime(2025, 11, 11, tzinfo=UTC),
        until=datetime(2025, 11, 12, 23, tzinfo=UTC),
        limit=10,
    )
    assert [r.article["id"] for r in records] == ["k12", "k11"]
    assert Article.model_validate(records[0].article).lead_image == LeadImage(
        url="https://example.org/a.jpg", caption="A cat."
    )
    everything = table.query(limit=3)
    assert [r.article["id"] for r in everything] == ["k13", "k12", "other"]


@pytest.mark.usefixtures("aws")
def test_big_bodies_stay_in_s3_and_are_read_back_from_there() -> None:
    table = _table()
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="articles")
    store = ArticleStore("articles", s3)
    body = "word " * (MAX_INLINE_BODY_BYTES // 4)
    article = _article("big", "kyiv", None, body=body.strip())
    key = store.put(article_key_for("kyiv/2025/11/12/big.html.gz"), article)
    assert key == "kyiv/2025/11/12/big.json"
    table.put(article, key)
    (record,) = table.query(source="kyiv")
    assert record.body_in_s3 and "body_text" not in record.article
    assert store.get(record.article_key) == article
