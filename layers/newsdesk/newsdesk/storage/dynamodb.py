"""DynamoDB adapter for the articles table: one item per article, queryable by source and date."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key

from newsdesk.article import Article

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import DynamoDBServiceResource

SOURCE_INDEX = "BySourcePublished"
UNKNOWN_SOURCE = "_unknown"
# DynamoDB items are capped at 400 KB; bodies bigger than this stay only in the S3 JSON.
MAX_INLINE_BODY_BYTES = 100_000
_KEY_ONLY = ("article_key", "published_key", "body_in_s3")


@dataclass(frozen=True)
class ArticleRecord:
    """An article item: the Article (body possibly absent) and where its full JSON lives."""

    article: dict[str, Any]
    article_key: str
    body_in_s3: bool


def published_key(article: Article) -> str:
    """Sort key: publication (else fetch) time in UTC, then the id to keep keys unique."""
    when = article.published_instant or article.fetched_at
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else "0000-00-00T00:00:00Z"
    return f"{stamp}#{article.id}"


def _boundary(value: datetime, *, upper: bool) -> str:
    stamp = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # '#' < '~': an upper bound with '~' takes every id at that second.
    return f"{stamp}{'#~' if upper else '#'}"


class ArticleTable:
    def __init__(self, table_name: str, resource: DynamoDBServiceResource) -> None:
        self.table = resource.Table(table_name)

    def put(self, article: Article, article_key: str) -> None:
        item: dict[str, Any] = article.model_dump(mode="json")
        item["source"] = article.source or UNKNOWN_SOURCE
        item["article_key"] = article_key
        item["published_key"] = published_key(article)
        body_size = len(article.body_text.encode("utf-8")) + len(article.body_markdown.encode("utf-8"))
        item["body_in_s3"] = body_size > MAX_INLINE_BODY_BYTES
        if item["body_in_s3"]:
            del item["body_text"], item["body_markdown"]
        self.table.put_item(Item=item)

    def get(self, article_id: str) -> ArticleRecord | None:
        item = self.table.get_item(Key={"id": article_id}).get("Item")
        return _record(item) if item else None

    def query(
        self,
        *,
        source: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
    ) -> list[ArticleRecord]:
        """Newest first. With a source this is a Query on the index; without one, a Scan."""
        low = _boundary(since, upper=False) if since else "0"
        high = _boundary(until, upper=True) if until else "~"
        if source is not None:
            items = self._query_source(source, low, high, limit)
        else:
            items = sorted(self._scan(low, high), key=lambda i: str(i["published_key"]), reverse=True)
        return [_record(i) for i in items[:limit]]

    def _query_source(self, source: str, low: str, high: str, limit: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "IndexName": SOURCE_INDEX,
            "KeyConditionExpression": Key("source").eq(source) & Key("published_key").between(low, high),
            "ScanIndexForward": False,
        }
        while len(items) < limit:
            page = self.table.query(**kwargs, Limit=limit - len(items))
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return items

    def _scan(self, low: str, high: str) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {"FilterExpression": Attr("published_key").between(low, high)}
        while True:
            page = self.table.scan(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _plain(value: Any) -> Any:
    # boto3 returns numbers as Decimal; the Article model wants ints.
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    return value


def _record(item: dict[str, Any]) -> ArticleRecord:
    plain = _plain(item)
    article = {k: v for k, v in plain.items() if k not in _KEY_ONLY}
    if article.get("source") == UNKNOWN_SOURCE:
        article["source"] = None
    return ArticleRecord(
        article=article, article_key=str(plain["article_key"]), body_in_s3=bool(plain.get("body_in_s3"))
    )
