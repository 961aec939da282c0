"""DynamoDB adapter for the articles table: every question a Query or a GetItem, never a Scan.

The item shapes are in `article_items`; the table design and its access patterns in
docs/data-model.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from newsdesk.article import Article
from newsdesk.errors import ConflictError
from newsdesk.storage import article_items as items
from newsdesk.storage.article_items import (
    INGESTED_INDEX,
    LOOKUP_INDEX,
    MAX_INLINE_BODY_BYTES,
    SOURCE_INDEX,
    published_key,
)
from newsdesk.storage.article_records import (
    ArticleRecord,
    ArticleSummary,
    HeadState,
    Page,
    VersionRecord,
    decode_cursor,
    encode_cursor,
    python_values,
    record_of,
    summary_of,
    version_of,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import DynamoDBServiceResource

__all__ = [
    "MAX_INLINE_BODY_BYTES",
    "SOURCE_INDEX",
    "ArticleRecord",
    "ArticleSummary",
    "ArticleTable",
    "HeadState",
    "Page",
    "VersionRecord",
    "published_key",
]

LOOKUP_KINDS = ("author", "tag", "section")
# How far back "newest across all sources" looks when no date is given.
RECENT_DAYS = 31


def _range(since: datetime | None, until: datetime | None) -> tuple[str, str]:
    low = items.boundary(since, upper=False) if since else "0"
    high = items.boundary(until, upper=True) if until else "~"
    return low, high


class ArticleTable:
    def __init__(self, table_name: str, resource: DynamoDBServiceResource) -> None:
        self.table = resource.Table(table_name)
        self.client = resource.meta.client

    # --- writes -------------------------------------------------------------------------------

    def store_version(self, article: Article, article_key: str, previous: HeadState | None) -> None:
        """Write version `article.version` atomically: its version item, the head, its entries.

        Raises ConflictError when another writer stored a version first (a retry sees it).
        """
        entries = items.entry_items(article, article_key)
        entry_ids = [e["id"] for e in entries]
        head = items.head_item(article, article_key, entries=entry_ids, events_pending=True)
        head_condition: dict[str, Any]
        if previous is None:
            head_condition = {"ConditionExpression": "attribute_not_exists(id)"}
        else:
            # A head written before versions existed has no `version`: it counts as version 1.
            legacy = " OR attribute_not_exists(version)" if previous.version == 1 else ""
            head_condition = {
                "ConditionExpression": "version = :v" + legacy,
                "ExpressionAttributeValues": {":v": previous.version},
            }
        writes: list[dict[str, Any]] = [
            {"Put": {**self._put(items.version_item(article, article_key)), **_not_exists()}},
            {"Put": {**self._put(head), **head_condition}},
            *({"Put": self._put(entry)} for entry in entries),
        ]
        try:
            self.client.transact_write_items(TransactItems=writes)  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                raise ConflictError(
                    f"article {article.id} v{article.version} was stored concurrently"
                ) from exc
            raise
        stale = set(previous.entries if previous else []) - set(entry_ids)
        if stale:
            with self.table.batch_writer() as batch:
                for item_id in sorted(stale):
                    batch.delete_item(Key={"id": item_id})

    def _put(self, item: dict[str, Any]) -> dict[str, Any]:
        # The resource's client serialises Python values itself, as Table methods do.
        return {"TableName": self.table.name, "Item": item}

    def clear_events_pending(self, article_id: str, version: int) -> None:
        try:
            self.table.update_item(
                Key={"id": article_id},
                UpdateExpression="REMOVE events_pending",
                ConditionExpression=Attr("version").eq(version),
            )
        except ClientError as exc:
            # A newer version landed meanwhile: it carries its own flag.
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    # --- single items -------------------------------------------------------------------------

    def get(self, article_id: str) -> ArticleRecord | None:
        item = self.table.get_item(Key={"id": article_id}).get("Item")
        return record_of(item) if item and item.get("kind", "article") == "article" else None

    def head_state(self, article_id: str) -> HeadState | None:
        item = self.table.get_item(
            Key={"id": article_id},
            ProjectionExpression="id, version, fingerprint, content_hash, entries, events_pending, kind",
        ).get("Item")
        if not item or item.get("kind", "article") != "article":
            return None
        plain = python_values(item)
        return HeadState(
            article_id=article_id,
            version=int(plain.get("version") or 1),
            fingerprint=str(plain.get("fingerprint") or ""),
            content_hash=str(plain.get("content_hash") or ""),
            entries=list(plain.get("entries") or []),
            events_pending=bool(plain.get("events_pending")),
        )

    def get_version(self, article_id: str, version: int) -> VersionRecord | None:
        item = self.table.get_item(Key={"id": items.version_id(article_id, version)}).get("Item")
        return version_of(item) if item else None

    def versions(self, article_id: str) -> list[VersionRecord]:
        """Every stored version of an article, oldest first."""
        return [
            version_of(i)
            for i in self._query_all(
                IndexName=LOOKUP_INDEX,
                KeyConditionExpression=Key("lookup").eq(items.versions_lookup(article_id)),
            )
        ]

    # --- listings -----------------------------------------------------------------------------

    def query_source(
        self,
        source: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[ArticleRecord]:
        """A source's articles by publication time, newest first."""
        low, high = _range(since, until)
        found, last = self._query_page(
            limit,
            decode_cursor(cursor).key,
            IndexName=SOURCE_INDEX,
            KeyConditionExpression=Key("source").eq(source) & Key("published_key").between(low, high),
            ScanIndexForward=False,
        )
        return Page([record_of(i) for i in found], encode_cursor(last))

    def query_lookup(
        self,
        kind: str,
        value: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[ArticleSummary]:
        """An author's, tag's or section's articles by publication time, newest first."""
        if kind not in LOOKUP_KINDS:
            raise ValueError(f"lookup kind must be one of {LOOKUP_KINDS}, not {kind!r}")
        low, high = _range(since, until)
        found, last = self._query_page(
            limit,
            decode_cursor(cursor).key,
            IndexName=LOOKUP_INDEX,
            KeyConditionExpression=Key("lookup").eq(items.lookup_key(kind, value))
            & Key("lookup_sort").between(low, high),
            ScanIndexForward=False,
        )
        return Page([summary_of(i["summary"]) for i in found], encode_cursor(last))

    def by_url(self, url: str, *, canonical: bool = False) -> list[ArticleSummary]:
        """Articles fetched from `url` (or declaring it canonical, with `canonical=True`)."""
        lookup = items.lookup_key("canonical" if canonical else "url", url)
        found = self._query_all(IndexName=LOOKUP_INDEX, KeyConditionExpression=Key("lookup").eq(lookup))
        # A digest names the URL: keep only exact matches.
        field_name = "canonical_url" if canonical else "url"
        return [summary_of(i["summary"]) for i in found if i["summary"].get(field_name) == url]

    def ingested_since(
        self,
        since: datetime,
        *,
        until: datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
        newest_first: bool = False,
    ) -> Page[ArticleSummary]:
        """Articles whose latest version was stored in [since, until], across all sources.

        One Query per UTC day of `ByIngestedDay`; oldest first unless `newest_first`.
        """
        end = until or datetime.now(UTC)
        days = _days(since, end)
        if newest_first:
            days.reverse()
        state = decode_cursor(cursor)
        if state.day is not None:
            days = days[days.index(state.day) :] if state.day in days else []
        low, high = items.boundary(since, upper=False), items.boundary(end, upper=True)
        found: list[dict[str, Any]] = []
        start_key = state.key
        for day in days:
            page, last = self._query_page(
                limit - len(found),
                start_key,
                IndexName=INGESTED_INDEX,
                KeyConditionExpression=Key("ingested_day").eq(day) & Key("ingested_key").between(low, high),
                ScanIndexForward=not newest_first,
            )
            start_key = None
            found.extend(page)
            if last is not None:
                return Page([summary_of(i) for i in found], encode_cursor(last, day))
            if len(found) >= limit:
                following = days[days.index(day) + 1 :]
                next_cursor = encode_cursor(None, following[0]) if following else None
                return Page([summary_of(i) for i in found], next_cursor)
        return Page([summary_of(i) for i in found], None)

    def recent(self, limit: int = 20, *, now: datetime | None = None) -> list[ArticleSummary]:
        """The most recently stored articles of every source (the last RECENT_DAYS days)."""
        end = now or datetime.now(UTC)
        return self.ingested_since(
            end - timedelta(days=RECENT_DAYS), until=end, limit=limit, newest_first=True
        ).items

    # --- paging helpers -----------------------------------------------------------------------

    def _query_page(
        self, limit: int, start_key: dict[str, Any] | None, **kwargs: Any
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Up to `limit` items and the key to continue from (None when the range is exhausted)."""
        found: list[dict[str, Any]] = []
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        while len(found) < limit:
            page = self.table.query(**kwargs, Limit=limit - len(found))
            found.extend(page.get("Items", []))
            last = page.get("LastEvaluatedKey")
            if last is None:
                return found, None
            kwargs["ExclusiveStartKey"] = last
        return found, kwargs.get("ExclusiveStartKey")

    def _query_all(self, **kwargs: Any) -> list[dict[str, Any]]:
        return list(self._iter_query(**kwargs))

    def _iter_query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = self.table.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _not_exists() -> dict[str, str]:
    return {"ConditionExpression": "attribute_not_exists(id)"}


def _days(since: datetime, until: datetime) -> list[str]:
    first = since.astimezone(UTC).date()
    last = until.astimezone(UTC).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
