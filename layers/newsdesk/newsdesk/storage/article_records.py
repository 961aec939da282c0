"""What the articles table's items read back as: typed records, summaries, pages and cursors."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from newsdesk.errors import StorageError
from newsdesk.storage.article_items import ITEM_ONLY_FIELDS, UNKNOWN_SOURCE


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
class Cursor:
    key: dict[str, Any] | None
    day: str | None = None


def encode_cursor(key: dict[str, Any] | None, day: str | None = None) -> str | None:
    if key is None and day is None:
        return None
    data = json.dumps({"k": python_values(key), "d": day}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii")


def decode_cursor(cursor: str | None) -> Cursor:
    if not cursor:
        return Cursor(key=None)
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        return Cursor(key=data["k"], day=data["d"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise StorageError(f"not a cursor this table gave out: {cursor!r}") from exc


def python_values(value: Any) -> Any:
    # boto3 returns numbers as Decimal; the Article model wants ints.
    if isinstance(value, dict):
        return {k: python_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [python_values(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    return value


def record_of(item: dict[str, Any]) -> ArticleRecord:
    plain = python_values(item)
    article = {k: v for k, v in plain.items() if k not in ITEM_ONLY_FIELDS}
    if article.get("source") == UNKNOWN_SOURCE:
        article["source"] = None
    return ArticleRecord(
        article=article, article_key=str(plain["article_key"]), body_in_s3=bool(plain.get("body_in_s3"))
    )


def summary_of(data: dict[str, Any]) -> ArticleSummary:
    """An ArticleSummary from a head item or an entry's summary map."""
    plain = python_values(data)
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


def version_of(item: dict[str, Any]) -> VersionRecord:
    plain = python_values(item)
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
