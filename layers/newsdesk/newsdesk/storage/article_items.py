"""The articles table's item shapes and keys, decided here and nowhere else (docs/data-model.md).

One table, hash key `id`, four kinds of item:

- the head `{article id}`: the latest version of the article (the Article's fields, the body
  inline when it fits), in `BySourcePublished` and `ByIngestedDay`;
- a version `{article id}#v000002`: what one stored version was and where its JSON lives, in
  `ByLookup` under `versions#{article id}`;
- an entry `{article id}#author#{name}` (also `tag`, `section`, `url`, `canonical`): one per
  value of a multi-valued attribute, carrying a summary of the article, in `ByLookup` under
  `author#{name}` sorted by publication time;
- a parse failure `parse-failure#{raw key}`, in `ByLookup` under `parse-failures`.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from typing import Any

from newsdesk.article import STORE_FIELDS, Article

SOURCE_INDEX = "BySourcePublished"
LOOKUP_INDEX = "ByLookup"
INGESTED_INDEX = "ByIngestedDay"
UNKNOWN_SOURCE = "_unknown"

# DynamoDB caps an item at 400 KB. Bodies over this stay only in the S3 JSON, and an item that
# is still too big after that loses its longest text fields too (readers then go to S3).
MAX_INLINE_BODY_BYTES = 100_000
MAX_ITEM_BYTES = 300_000
# Bounds the index entries of one article, so one version's writes fit in one transaction.
MAX_INDEXED_AUTHORS = 20
MAX_INDEXED_TAGS = 30
# Values longer than this are indexed by a hash (key attributes are capped at 1-2 KB).
MAX_PLAIN_KEY_CHARS = 200
SUMMARY_TEXT_CHARS = 500

# Fields outside the article's content: a change to them alone is not a new version.
_NOT_CONTENT = frozenset({"fetched_at", "raw_key", "parser_version", "url"}) | STORE_FIELDS
SUMMARY_FIELDS = (
    "id",
    "source",
    "url",
    "canonical_url",
    "title",
    "section",
    "authors",
    "tags",
    "published_at",
    "language",
    "version",
    "ingested_at",
)
ITEM_ONLY_FIELDS = frozenset(
    {
        "kind",
        "article_key",
        "published_key",
        "body_in_s3",
        "fingerprint",
        "entries",
        "events_pending",
        "ingested_day",
        "ingested_key",
        "lookup",
        "lookup_sort",
        "summary",
        "article_id",
    }
)


def stamp(value: datetime | date | None) -> str:
    """A sortable UTC stamp; a date-only value counts as midnight UTC."""
    if value is None:
        return "0000-00-00T00:00:00Z"
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def published_key(article: Article) -> str:
    """Sort key: publication (else fetch) time in UTC, then the id to keep keys unique."""
    return f"{stamp(article.published_instant or article.fetched_at)}#{article.id}"


def boundary(value: datetime, *, upper: bool) -> str:
    # '#' < '~': an upper bound with '~' takes every id at that second.
    return f"{stamp(value)}{'#~' if upper else '#'}"


def fingerprint(article: Article) -> str:
    """What decides "this is a new version": every extracted field, not the fetch's details."""
    content = {k: v for k, v in article.model_dump(mode="json").items() if k not in _NOT_CONTENT}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


def normalise(value: str) -> str:
    """How a name, tag or section is matched: case-folded, whitespace collapsed, long ones hashed."""
    plain = re.sub(r"\s+", " ", value).strip().casefold()
    if len(plain) > MAX_PLAIN_KEY_CHARS:
        return "sha256:" + hashlib.sha256(plain.encode("utf-8")).hexdigest()
    return plain


def url_lookup(url: str) -> str:
    # URLs may be 2,000+ characters and need no prefix search: a digest keys them.
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]


def lookup_key(kind: str, value: str) -> str:
    """The `lookup` value for a kind ('author', 'tag', 'section', 'url', 'canonical') and value."""
    return f"{kind}#{url_lookup(value) if kind in {'url', 'canonical'} else normalise(value)}"


def version_id(article_id: str, version: int) -> str:
    return f"{article_id}#v{version:06d}"


def versions_lookup(article_id: str) -> str:
    return f"versions#{article_id}"


def ingested_day(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d")


def _summary(article: Article, article_key: str) -> dict[str, Any]:
    data = article.model_dump(mode="json")
    summary = {k: data[k] for k in SUMMARY_FIELDS if data.get(k) is not None}
    summary["source"] = article.source or UNKNOWN_SOURCE
    summary["authors"] = [a[:SUMMARY_TEXT_CHARS] for a in article.authors[:MAX_INDEXED_AUTHORS]]
    summary["tags"] = [t[:SUMMARY_TEXT_CHARS] for t in article.tags[:MAX_INDEXED_TAGS]]
    if article.title:
        summary["title"] = article.title[:SUMMARY_TEXT_CHARS]
    summary["article_key"] = article_key
    if article.raw_key:
        summary["raw_key"] = article.raw_key
    return summary


def entry_items(article: Article, article_key: str) -> list[dict[str, Any]]:
    """One item per indexed value: authors, tags, section, fetch URL and canonical URL."""
    values: list[tuple[str, str]] = [("author", a) for a in article.authors[:MAX_INDEXED_AUTHORS]]
    values += [("tag", t) for t in article.tags[:MAX_INDEXED_TAGS]]
    if article.section:
        values.append(("section", article.section))
    if article.url:
        values.append(("url", article.url))
    if article.canonical_url:
        values.append(("canonical", article.canonical_url))
    summary = _summary(article, article_key)
    sort = published_key(article)
    items: dict[str, dict[str, Any]] = {}
    for kind, value in values:
        lookup = lookup_key(kind, value)
        item_id = f"{article.id}#{lookup}"
        items[item_id] = {
            "id": item_id,
            "kind": "entry",
            "article_id": article.id,
            "lookup": lookup,
            "lookup_sort": sort,
            "summary": summary,
        }
    return list(items.values())


def _size(item: dict[str, Any]) -> int:
    return len(json.dumps(item, ensure_ascii=False).encode("utf-8"))


def head_item(
    article: Article, article_key: str, *, entries: list[str], events_pending: bool
) -> dict[str, Any]:
    """The latest version, with the body inline only when the item stays well under 400 KB."""
    item: dict[str, Any] = article.model_dump(mode="json")
    item["kind"] = "article"
    item["source"] = article.source or UNKNOWN_SOURCE
    item["article_key"] = article_key
    item["published_key"] = published_key(article)
    item["fingerprint"] = fingerprint(article)
    item["entries"] = entries
    if events_pending:
        item["events_pending"] = True
    ingested = article.ingested_at or datetime.now(UTC)
    item["ingested_day"] = ingested_day(ingested)
    item["ingested_key"] = f"{stamp(ingested)}#{article.id}"
    body_size = len(article.body_text.encode("utf-8")) + len(article.body_markdown.encode("utf-8"))
    item["body_in_s3"] = body_size > MAX_INLINE_BODY_BYTES
    if item["body_in_s3"]:
        del item["body_text"], item["body_markdown"]
    if _size(item) > MAX_ITEM_BYTES:
        # A hostile page (a huge description, thousands of tags) still gets a storable item.
        item["body_in_s3"] = True
        item.pop("body_text", None)
        item.pop("body_markdown", None)
        item["description"] = (article.description or "")[:SUMMARY_TEXT_CHARS] or None
        item["authors"] = item["authors"][:MAX_INDEXED_AUTHORS]
        item["tags"] = item["tags"][:MAX_INDEXED_TAGS]
        item["title"] = (article.title or "")[:SUMMARY_TEXT_CHARS] or None
    return {k: v for k, v in item.items() if v is not None}


def version_item(article: Article, article_key: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": version_id(article.id, article.version),
        "kind": "version",
        "article_id": article.id,
        "lookup": versions_lookup(article.id),
        "lookup_sort": f"v{article.version:06d}",
        "version": article.version,
        "article_key": article_key,
        "content_hash": article.content_hash,
        "fingerprint": fingerprint(article),
        "previous_hash": article.previous_hash,
        "raw_key": article.raw_key,
        "parser_version": article.parser_version,
        "ingested_at": article.model_dump(mode="json")["ingested_at"],
        "modified_at": article.model_dump(mode="json")["modified_at"],
        "title": (article.title or "")[:SUMMARY_TEXT_CHARS] or None,
    }
    return {k: v for k, v in item.items() if v is not None}


def failure_id(raw_key: str) -> str:
    return f"parse-failure#{raw_key}"


FAILURES_LOOKUP = "parse-failures"
