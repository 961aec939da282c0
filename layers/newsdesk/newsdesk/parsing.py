"""The parser's job, independent of Lambda: raw page in S3 -> a stored article version and its event.

Outcomes:
- `stored`: a new version (the first, or one whose content differs from the latest) was
  written (JSON object, version item, head, index entries) and its event published;
- `unchanged`: the latest version already has this content: nothing is written or published
  (apart from finishing an event a crashed delivery left pending);
- `failed`: the page can never become an article (not an article, too large, undecodable,
  the raw page gone): recorded in the failure log, not retried.
Anything else (throttling, a network error, a concurrent writer) raises: the queue retries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from newsdesk.article import SCHEMA_VERSION, Article
from newsdesk.article_events import EventPublisher, event_for
from newsdesk.errors import ExtractionError, StorageError
from newsdesk.storage.article_items import fingerprint
from newsdesk.storage.dynamodb import ArticleTable, HeadState
from newsdesk.storage.parse_failures import ParseFailureLog
from newsdesk.storage.s3 import ArticleStore, RawPageStore, article_key

RAW_PAGE_UNAVAILABLE = "raw_page_unavailable"


class Outcome(StrEnum):
    STORED = "stored"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class ParseResult:
    outcome: Outcome
    raw_key: str
    article_id: str | None = None
    source: str | None = None
    url: str | None = None
    version: int | None = None
    article_key: str | None = None
    reason: str | None = None
    message: str | None = None
    events_published: int = 0


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ParserStores:
    """Everything the parser reads and writes; adapters in production, moto in tests."""

    raw_pages: RawPageStore
    articles: ArticleStore
    table: ArticleTable
    failures: ParseFailureLog
    events: EventPublisher
    clock: Callable[[], datetime] = field(default=_utc_now)


def ids_from_raw_key(raw_key: str) -> tuple[str | None, str | None]:
    """(source, article id) from `{source}/{yyyy}/{mm}/{dd}/{id}.html.gz`, for log correlation."""
    parts = raw_key.split("/")
    if len(parts) < 2:
        return None, None
    return parts[0], parts[-1].split(".", 1)[0] or None


def parse_raw_page(raw_key: str, stores: ParserStores) -> ParseResult:
    """Extract the article of one stored raw page and store it as a version if it is new."""
    source, page_id = ids_from_raw_key(raw_key)
    try:
        page = stores.raw_pages.get(raw_key)
    except StorageError as exc:
        return _failed(
            stores,
            raw_key,
            reason=RAW_PAGE_UNAVAILABLE,
            message=str(exc),
            source=source,
            url=None,
            article_id=page_id,
        )
    # The extraction stack (lxml, trafilatura, readability, htmldate) is imported by the first page
    # that gets this far, not by the handler's import: see docs/benchmarks.md (bench-coldstart).
    from newsdesk.extraction import extract

    try:
        article = extract(
            page.body,
            page.url,
            encoding=page.encoding,
            source=page.source,
            raw_key=raw_key,
            fetched_at=page.fetched_at,
            # The fetcher's id (canonical URL under the source's slash policy) names the article
            # everywhere: `newsdesk parse` computes the same one.
            article_id=page.id,
        )
    except ExtractionError as exc:
        return _failed(
            stores,
            raw_key,
            reason=exc.reason,
            message=str(exc),
            source=page.source,
            url=page.url,
            article_id=page.id,
        )
    result = store_article(article, stores)
    stores.failures.clear(raw_key)
    return result


def store_article(article: Article, stores: ParserStores) -> ParseResult:
    """Store `article` as the next version unless the latest version has the same content."""
    head = stores.table.head_state(article.id)
    published = 0
    if head is not None and head.events_pending:
        # A delivery stored this head but died before its event went out: finish that first.
        published += _publish_pending(head, stores)
    if head is not None and head.fingerprint == fingerprint(article):
        return _result(Outcome.UNCHANGED, article, head.version, None, published)
    stored = article.model_copy(
        update={
            "schema_version": SCHEMA_VERSION,
            "version": head.version + 1 if head else 1,
            "previous_hash": head.content_hash if head else None,
            "ingested_at": stores.clock(),
        }
    )
    key = article_key(stored)
    # The object first: an item never points at JSON that is not there.
    stores.articles.put(key, stored)
    stores.table.store_version(stored, key, head)
    stores.events.publish(event_for(stored, bucket=stores.articles.bucket, article_key=key))
    stores.table.clear_events_pending(stored.id, stored.version)
    return _result(Outcome.STORED, stored, stored.version, key, published + 1)


def _publish_pending(head: HeadState, stores: ParserStores) -> int:
    version = stores.table.get_version(head.article_id, head.version)
    if version is None:  # written in the head's transaction: absent only if the item was edited by hand
        return 0
    # The event describes the stored version exactly as its JSON does (a rare path: one extra read).
    stored = stores.articles.get(version.article_key)
    stores.events.publish(event_for(stored, bucket=stores.articles.bucket, article_key=version.article_key))
    stores.table.clear_events_pending(head.article_id, head.version)
    return 1


def _result(outcome: Outcome, article: Article, version: int, key: str | None, published: int) -> ParseResult:
    return ParseResult(
        outcome=outcome,
        raw_key=article.raw_key or "",
        article_id=article.id,
        source=article.source,
        url=article.url,
        version=version,
        article_key=key,
        events_published=published,
    )


def _failed(
    stores: ParserStores,
    raw_key: str,
    *,
    reason: str,
    message: str,
    source: str | None,
    url: str | None,
    article_id: str | None,
) -> ParseResult:
    stores.failures.record(
        raw_key,
        reason=reason,
        message=message,
        source=source,
        url=url,
        article_id=article_id,
        now=stores.clock(),
    )
    return ParseResult(
        outcome=Outcome.FAILED,
        raw_key=raw_key,
        article_id=article_id,
        source=source,
        url=url,
        reason=reason,
        message=message,
    )
