"""Fetching: claim each queued URL, fetch it politely, store the raw page, record the outcome."""

from __future__ import annotations

import logging

from newsdesk.crawling.context import CrawlContext
from newsdesk.crawling.model import HTML_TYPES, HostBackedOffError, StoppedError, Work, needs_fetch
from newsdesk.errors import StorageError
from newsdesk.fetching.clock import clamp_time, utc_datetime
from newsdesk.fetching.encoding import binary_kind, detect_encoding
from newsdesk.fetching.errors import FetchError, HostNotAllowedError, HttpStatusError
from newsdesk.fetching.http import UnwantedContentTypeError
from newsdesk.fetching.retries import retry_after_of
from newsdesk.rawpage import RawPage
from newsdesk.storage.crawl_state import UrlRecord, Validators

logger = logging.getLogger(__name__)

DEQUEUE_BATCH = 25  # BatchWriteItem's limit


class FetchingStage(CrawlContext):
    def fetch_host(self, items: list[Work]) -> None:
        # Queue entries of fetched URLs, dropped in batches rather than one call per article.
        settled: list[Work] = []
        try:
            self._fetch_items(items, settled)
        finally:
            self._dequeue(settled)

    def _fetch_items(self, items: list[Work], settled: list[Work]) -> None:
        for index, item in enumerate(items):
            if self._stop_requested():
                self._count("deferred", n=len(items) - index)
                return
            try:
                self.fetch_article(item, settled)
            except StoppedError:
                self._count("deferred", n=len(items) - index)
                return
            except HostBackedOffError as exc:
                self._host_deferred(exc.origin)
                self._count("deferred", n=len(items) - index)
                return
            except Exception as exc:  # one bad URL must never end the run
                logger.exception("unexpected error fetching %s", item.url)
                self._count("failed", "internal_error")
                self._error(f"{item.url}: internal error: {exc}")
            if len(settled) >= DEQUEUE_BATCH:
                self._dequeue(settled)

    def _dequeue(self, settled: list[Work]) -> None:
        by_source: dict[str, list[str]] = {}
        for work in settled:
            by_source.setdefault(work.source.id, []).append(work.url_id)
        settled.clear()
        for source, url_ids in by_source.items():
            try:
                self.state.dequeue_many(source, url_ids)
            except StorageError as exc:
                # Stale entries only: the next run finds those URLs settled and drops them.
                self._error(f"{source}: {len(url_ids)} queue entries not dropped: {exc}")

    def fetch_article(self, item: Work, settled: list[Work]) -> None:
        now = self.clock.time()
        source = item.source
        record = self.state.claim(
            source.id,
            item.url_id,
            item.url,
            owner=self.owner,
            now=now,
            lease_seconds=self.options.lease_seconds,
            changed_at=item.changed_at,
        )
        if record is None:
            # Another run holds it, or fetched it since we looked: its outcome is recorded there.
            self._count("skipped", "claimed_elsewhere")
            current = self.state.get_records(source.id, [item.url_id]).get(item.url_id)
            if (
                current is not None
                and current.lease_owner is None
                and not needs_fetch(current, item.changed_at)
            ):
                self.state.dequeue(source.id, item.url_id)  # a stale queue entry: the work is done
            return
        try:
            self._fetch_claimed(item, record, settled)
        except (StoppedError, HostBackedOffError):
            self.state.release(source.id, item.url_id, owner=self.owner)
            raise
        except Exception as exc:  # storage trouble or a bug: fail this URL, keep the run going
            logger.exception("unexpected error fetching %s", item.url)
            self._error(f"{item.url}: {type(exc).__name__}: {exc}")
            self._record_failure(item, record, "internal_error")

    def _fetch_claimed(self, item: Work, record: UrlRecord, settled: list[Work]) -> None:
        source = item.source
        headers: dict[str, str] = {}
        if record.status == "fetched":  # a changed article: ask for it conditionally
            headers = Validators(record.etag, record.last_modified).request_headers()
        try:
            response = self._polite_get(
                item.url,
                allowed_hosts=source.article_hosts(),
                headers=headers,
                accept_content=lambda media: media is None or media in HTML_TYPES,
            )
        except UnwantedContentTypeError as exc:
            self._count("skipped", exc.reason)
            reason = f"{exc.reason} ({exc.content_type})" if exc.content_type else exc.reason
            self.state.mark_skipped(
                source.id, item.url_id, owner=self.owner, now=self.clock.time(), reason=reason
            )
            return
        except FetchError as exc:
            if exc.reason == "robots":
                self._count("skipped_robots")
                self.state.mark_skipped(
                    source.id, item.url_id, owner=self.owner, now=self.clock.time(), reason="robots"
                )
                return
            if exc.retryable and self.should_stop():
                # Out of time while retrying: not the URL's fault, it stays queued as it was.
                raise StoppedError from exc
            self._record_failure(item, record, exc.reason, exc)
            return
        now = self.clock.time()
        if response.status == 304:
            if not record.raw_key:
                # "Not modified" for a page never stored: nothing to keep, and asking again won't help.
                error = HttpStatusError(304, url=response.final_url)
                self._record_failure(item, record, error.reason, error)
                return
            self._count("not_modified")
            self.state.mark_fetched(
                source.id,
                item.url_id,
                owner=self.owner,
                now=now,
                raw_key=record.raw_key,
                changed_at=item.changed_at,
                validators=Validators(record.etag, record.last_modified),
            )
            return
        # Binary content is skipped whatever its Content-Type says: the parser, which shares this
        # check, would refuse it anyway.
        if binary_kind(response.body) is not None:
            self._count("skipped", "non_html")
            self.state.mark_skipped(source.id, item.url_id, owner=self.owner, now=now, reason="non_html")
            return
        encoding = detect_encoding(response.body, response.charset)
        page = RawPage(
            source=source.id,
            id=item.url_id,
            url=item.url,
            final_url=response.final_url,
            status=response.status,
            body=response.body,
            fetched_at=utc_datetime(now),
            content_type=response.headers.get("content-type"),
            encoding=encoding.encoding,
            declared_encoding=encoding.declared,
            etag=response.etag,
            last_modified=response.last_modified,
        )
        key = self.sink.put(page)
        self.state.mark_fetched(
            source.id,
            item.url_id,
            owner=self.owner,
            now=now,
            raw_key=key,
            changed_at=item.changed_at,
            validators=Validators(response.etag, response.last_modified),
            dequeue=False,
        )
        settled.append(item)
        # One line per article carrying the ids the parser logs too: grep one id across both.
        logger.info(
            "raw page stored",
            extra={"source": source.id, "url": item.url, "article_id": item.url_id, "raw_key": key},
        )
        with self._lock:
            self.report.fetched += 1
            self.report.stored_keys.append(key)

    def _record_failure(
        self, item: Work, record: UrlRecord, reason: str, error: FetchError | None = None
    ) -> None:
        now = self.clock.time()
        attempts = record.attempts + 1
        self._count("failed", reason)
        retry_at: float | None = None
        if (error is None or error.retryable) and attempts < self.options.max_failed_runs:
            delay = self.options.retry_delay_seconds * 2 ** (attempts - 1)
            retry_after = retry_after_of(error, now) if error is not None else None
            # Capped: a Retry-After of 1e20 seconds is a hostile or broken server, not a plan; the
            # clamp also keeps a NaN or negative time out of the crawl state.
            retry_at = clamp_time(
                now + min(max(delay, retry_after or 0.0), self.options.max_retry_delay_seconds), now
            )
        if error is not None and not isinstance(error, (HttpStatusError, HostNotAllowedError)):
            logger.info("fetch of %s failed: %s", item.url, error)
        self.state.mark_failed(
            item.source.id,
            item.url_id,
            owner=self.owner,
            now=now,
            reason=reason,
            attempts=attempts,
            retry_at=retry_at,
        )
