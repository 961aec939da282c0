"""DynamoDB adapter for the articles table: every question a Query or a GetItem, never a Scan.

The item shapes are in `article_items`; the table design and its access patterns in
docs/data-model.md.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from newsdesk.article import Article
from newsdesk.errors import ConflictError, StorageError
from newsdesk.storage import article_items as items
from newsdesk.storage.article_items import (
    INGESTED_INDEX,
    LOOKUP_INDEX,
    MAX_INLINE_BODY_BYTES,
    SOURCE_INDEX,
    UNKNOWN_SOURCE,
    published_key,
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


@dataclass(frozen=True)
class ArticleRecord:
    """An article item: the Article (body possibly absent) and where its full JSON lives."""

    article: dict[str, Any]
    article_key: str
    body_in_s3: bool


@dataclass(frozen=True)
class ArticleSummary:
    """What a listing needs without reading S3; `article_key` names the complete JSON."""

    id: str
    source: str | None
    title: str | None
    url: str | None
    canonical_url: str | None
    published_at: str | None
    section: str | None
    authors: list[str]
    tags: list[str]
    version: int
    article_key: str
    raw_key: str | None
    ingested_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class VersionRecord:
    article_id: str
    version: int
    article_key: str
    content_hash: str
    previous_hash: str | None
    raw_key: str | None
    parser_version: str | None
    ingested_at: str | None
    title: str | None


@dataclass(frozen=True)
class HeadState:
    """What the parser needs to decide whether a parse is a new version."""

    article_id: str
    version: int
    fingerprint: str
    content_hash: str
    entries: list[str]
    events_pending: bool


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    cursor: str | None = None


@dataclass(frozen=True)
class _Cursor:
    key: dict[str, Any] | None
    day: str | None = None


def _encode_cursor(key: dict[str, Any] | None, day: str | None = None) -> str | None:
    if key is None and day is None:
        return None
    data = json.dumps({"k": _plain(key), "d": day}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii")


def _decode_cursor(cursor: str | None) -> _Cursor:
    if not cursor:
        return _Cursor(key=None)
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        return _Cursor(key=data["k"], day=data["d"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise StorageError(f"not a cursor this table gave out: {cursor!r}") from exc


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
    article = {k: v for k, v in plain.items() if k not in items.ITEM_ONLY_FIELDS}
    if article.get("source") == UNKNOWN_SOURCE:
        article["source"] = None
    return ArticleRecord(
        article=article, article_key=str(plain["article_key"]), body_in_s3=bool(plain.get("body_in_s3"))
    )


def summary_of(data: dict[str, Any]) -> ArticleSummary:
    """An ArticleSummary from a head item or an entry's summary map."""
    plain = _plain(data)
    source = plain.get("source")
    return ArticleSummary(
        id=str(plain.get("id") or plain.get("article_id")),
        source=None if source in (None, UNKNOWN_SOURCE) else source,
        title=plain.get("title"),
        url=plain.get("url"),
        canonical_url=plain.get("canonical_url"),
        published_at=plain.get("published_at"),
        section=plain.get("section"),
        authors=list(plain.get("authors") or []),
        tags=list(plain.get("tags") or []),
        version=int(plain.get("version") or 1),
        article_key=str(plain["article_key"]),
        raw_key=plain.get("raw_key"),
        ingested_at=plain.get("ingested_at"),
    )


def _version(item: dict[str, Any]) -> VersionRecord:
    plain = _plain(item)
    return VersionRecord(
        article_id=str(plain["article_id"]),
        version=int(plain["version"]),
        article_key=str(plain["article_key"]),
        content_hash=str(plain["content_hash"]),
        previous_hash=plain.get("previous_hash"),
        raw_key=plain.get("raw_key"),
        parser_version=plain.get("parser_version"),
        ingested_at=plain.get("ingested_at"),
        title=plain.get("title"),
    )


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
            head_condition = {
                "ConditionExpression": "version = :v",
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
        return _record(item) if item and item.get("kind", "article") == "article" else None

    def head_state(self, article_id: str) -> HeadState | None:
        item = self.table.get_item(
            Key={"id": article_id},
            ProjectionExpression="id, version, fingerprint, content_hash, entries, events_pending, kind",
        ).get("Item")
        if not item or item.get("kind", "article") != "article":
            return None
        plain = _plain(item)
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
        return _version(item) if item else None

    def versions(self, article_id: str) -> list[VersionRecord]:
        """Every stored version of an article, oldest first."""
        return [
            _version(i)
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
            _decode_cursor(cursor).key,
            IndexName=SOURCE_INDEX,
            KeyConditionExpression=Key("source").eq(source) & Key("published_key").between(low, high),
            ScanIndexForward=False,
        )
        return Page([_record(i) for i in found], _encode_cursor(last))

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
            _decode_cursor(cursor).key,
            IndexName=LOOKUP_INDEX,
            KeyConditionExpression=Key("lookup").eq(items.lookup_key(kind, value))
            & Key("lookup_sort").between(low, high),
            ScanIndexForward=False,
        )
        return Page([summary_of(i["summary"]) for i in found], _encode_cursor(last))

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
        state = _decode_cursor(cursor)
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
                return Page([summary_of(i) for i in found], _encode_cursor(last, day))
            if len(found) >= limit:
                following = days[days.index(day) + 1 :]
                next_cursor = _encode_cursor(None, following[0]) if following else None
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
