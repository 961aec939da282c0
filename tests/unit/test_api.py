"""newsdesk.api: the typed queries downstream code imports, on moto."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from newsdesk.api import ArticleStoreAPI
from newsdesk.article import Article, content_hash
from newsdesk.storage.dynamodb import MAX_INLINE_BODY_BYTES
from newsdesk.storage.s3 import article_key


def _article(article_id: str, body: str, version: int = 1) -> Article:
    return Article(
        id=article_id,
        url=f"https://example.org/{article_id}",
        canonical_url=f"https://example.org/c/{article_id}",
        source="kyiv",
        title=f"Title {article_id}",
        authors=["Ann Example"],
        section="War",
        tags=["POW"],
        published_at=datetime(2025, 11, 11, 9, tzinfo=UTC),
        body_text=body,
        body_markdown=body,
        word_count=len(body.split()),
        reading_time_minutes=1,
        content_hash=content_hash(body),
        parser_version="test",
        version=version,
        ingested_at=datetime(2025, 11, 12, version, tzinfo=UTC),
    )


@pytest.fixture
def api(aws: None) -> ArticleStoreAPI:
    from newsdesk.local.aws import ensure_stack

    stack = ensure_stack()
    return ArticleStoreAPI.from_names(stack.name("ArticlesTable"), stack.name("ArticlesBucket"))


def _store(api: ArticleStoreAPI, article: Article) -> None:
    key = api.store.put(article_key(article), article)
    api.table.store_version(article, key, api.table.head_state(article.id))


def test_every_question_through_the_api(api: ArticleStoreAPI) -> None:
    big = "word " * (MAX_INLINE_BODY_BYTES // 4)
    _store(api, _article("big", big.strip()))
    _store(api, _article("small", "First text."))
    _store(api, _article("small", "Corrected text.", version=2))

    assert api.article("big") == _article("big", big.strip())  # body read back from S3
    latest = api.article("small")
    assert latest is not None and (latest.body_text, latest.version) == ("Corrected text.", 2)
    old = api.version("small", 1)
    assert old is not None and old.body_text == "First text."
    assert [v.version for v in api.versions("small")] == [1, 2]
    assert api.article("nothing") is None

    assert {s.id for s in api.by_source("kyiv").items} == {"big", "small"}
    assert {s.id for s in api.by_author("ann example").items} == {"big", "small"}
    assert {s.id for s in api.by_section("WAR").items} == {"big", "small"}
    assert {s.id for s in api.by_tag("pow", since=datetime(2025, 11, 11, tzinfo=UTC)).items} == {
        "big",
        "small",
    }
    assert [s.id for s in api.by_url("https://example.org/small")] == ["small"]
    assert [s.id for s in api.by_canonical_url("https://example.org/c/big")] == ["big"]
    caught_up = api.ingested_since(
        datetime(2025, 11, 12, 1, 30, tzinfo=UTC), until=datetime(2025, 11, 13, tzinfo=UTC)
    )
    assert [(s.id, s.version) for s in caught_up.items] == [("small", 2)]
    assert api.parse_failures() == []
    assert boto3.client("s3").list_objects_v2(Bucket=api.store.bucket)["KeyCount"] == 3
