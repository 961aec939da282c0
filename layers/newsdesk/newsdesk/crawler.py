"""The fetcher's domain entry point: discover new article URLs per source, fetch them, store raw pages.

Plain Python: the Lambda handler builds the state, the sink and the options and calls `run_crawl`.

A run: (1) per source (sources in parallel), read the feeds, sitemaps and archive pages (conditional
GETs for feeds and sitemaps) and compare what they list with the crawl state; (2) put every URL that
needs fetching in the source's queue in the state table before fetching anything, and only then
store the documents' ETag/Last-Modified; (3) fetch the queue, oldest first,
one thread per host at a time under a global concurrency limit, each URL claimed with a
conditional write first; (4) record each outcome and remove it from the queue. Whatever is left
when `should_stop()` says time is up stays queued, and the next run starts with it.
"""

from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from newsdesk.crawling.hosts import HostSlots, MemoryHostSlots
from newsdesk.discovery import DiscoveredUrl, DiscoveryError
from newsdesk.discovery.archives import parse_archive_page
from newsdesk.discovery.feeds import parse_feed
from newsdesk.discovery.sitemaps import parse_sitemap
from newsdesk.errors import StorageError
from newsdesk.fetching.clock import Clock, SystemClock, clamp_time, utc_datetime
from newsdesk.fetching.encoding import binary_kind, detect_encoding
from newsdesk.fetching.errors import (
    BlockedAddressError,
    FetchError,
    HostNotAllowedError,
    HttpStatusError,
    RobotsDisallowedError,
    RobotsUnavailableError,
    UrlTooLongError,
)
from newsdesk.fetching.http import FetchResponse, HttpClient, UnwantedContentTypeError
from newsdesk.fetching.retries import RetryPolicy, retry_after_of, with_retries
from newsdesk.fetching.robots import RobotsCache, fetch_robots_txt
from newsdesk.fetching.safety import AddressPolicy, Resolver
from newsdesk.rawpage import MAX_PAGE_BYTES, RawPage
from newsdesk.sources import ArchivePage, Source
from newsdesk.storage.crawl_state import CrawlState, QueueItem, UrlRecord, Validators
from newsdesk.urls import MAX_URL_LENGTH, canonicalize_url, check_url_length, host_matches, host_of, origin_of

if TYPE_CHECKING:
    from newsdesk.settings import FetcherSettings

logger = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
# Host backoff is for statuses that speak for the whole host, not for one page.
_HOST_BUSY_STATUSES = frozenset({429, 503})

__all__ = ["Clock", "CrawlOptions", "CrawlReport", "RawPageSink", "run_crawl"]


@dataclass(frozen=True)
class CrawlOptions:
    user_agent: str
    allow_private_networks: bool = False
    max_concurrency: int = 8
    max_body_bytes: int = MAX_PAGE_BYTES
    min_host_interval_seconds: float = 1.0
    max_attempts: int = 4  # tries per URL within one run (connection errors, timeouts, 429, 5xx)
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    # Optional, with defaults:
    # The whole response, however slowly it trickles in: keep it under the handler's time margin.
    total_timeout: float = 25.0
    max_redirects: int = 5
    # `host:port` pairs exempt from the private-address check (tests); the default refuses loopback.
    allowed_private_hosts: frozenset[str] = field(default_factory=frozenset)
    resolver: Resolver | None = None
    robots_ttl_seconds: float = 3600.0
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 30.0
    max_retry_wait_seconds: float = 60.0  # a longer Retry-After fails the URL for this run instead
    max_failed_runs: int = 5  # runs a URL may fail in (retryable reasons) before it is marked gave_up
    retry_delay_seconds: float = 900.0  # before the first retry in a later run; doubles each time
    lease_seconds: float = 900.0  # a claim outlives any Lambda invocation
    # Crawl-delay is honoured up to this many seconds: a run lives minutes, not hours, and the
    # should_stop() check after each wait keeps a long delay from overrunning the time budget.
    max_crawl_delay_seconds: float = 60.0
    max_sitemap_children: int = 20
    max_sitemap_depth: int = 2
    max_sitemap_bytes: int = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
    # A host's next slot further away than this (backed off, or busy with other workers): its
    # URLs stay queued for the next run rather than hold a worker.
    max_host_wait_seconds: float = 30.0
    # After a 429/503 the host gets no request for base * 2^(n-1) seconds (n: such answers in
    # this run), or for its Retry-After, each capped at host_backoff_max_seconds.
    host_backoff_base_seconds: float = 10.0
    host_backoff_max_seconds: float = 3600.0
    # Any stored next-attempt time is at most this far ahead (an absurd Retry-After included).
    max_retry_delay_seconds: float = 7 * 86400.0

    @classmethod
    def from_settings(cls, settings: FetcherSettings) -> CrawlOptions:
        return cls(
            user_agent=settings.user_agent,
            allow_private_networks=settings.allow_private_networks,
            max_concurrency=settings.max_concurrency,
            max_body_bytes=settings.max_body_bytes,
            min_host_interval_seconds=settings.min_host_interval_seconds,
            max_attempts=settings.max_attempts,
            total_timeout=settings.total_timeout_seconds,
            read_timeout=settings.read_timeout_seconds,
        )


@dataclass
class CrawlReport:
    discovered: int = 0
    new: int = 0
    fetched: int = 0
    not_modified: int = 0
    skipped_robots: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    deferred: int = 0
    stored_keys: list[str] = field(default_factory=list)
    retries: int = 0  # extra attempts made within this run
    stopped_early: bool = False  # should_stop() cut the run short
    discovery_complete: bool = True  # False: a continuation must read the feeds again
    backed_off_hosts: list[str] = field(default_factory=list)  # URLs left queued for these
    errors: list[str] = field(default_factory=list)  # discovery problems, one line each, for logs

    def as_dict(self) -> dict[str, object]:
        return {
            "discovered": self.discovered,
            "new": self.new,
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "skipped_robots": self.skipped_robots,
            "skipped": dict(sorted(self.skipped.items())),
            "failed": dict(sorted(self.failed.items())),
            "deferred": self.deferred,
            "stored_keys": list(self.stored_keys),
            "retries": self.retries,
            "stopped_early": self.stopped_early,
            "discovery_complete": self.discovery_complete,
            "backed_off_hosts": sorted(self.backed_off_hosts),
            "errors": list(self.errors),
        }


class RawPageSink(Protocol):
    def put(self, page: RawPage) -> str: ...


@dataclass
class _Discovery:
    found: list[DiscoveredUrl] = field(default_factory=list)
    validated: dict[str, Validators] = field(default_factory=dict)  # parsed documents' validators


@dataclass(frozen=True)
class _Work:
    source: Source
    url_id: str
    url: str
    changed_at: float | None


class _StoppedError(Exception):
    """should_stop() said so: leave the rest for the next run."""


class _HostBackedOffError(Exception):
    """The host's next slot is too far away (backed off or busy): leave its URLs queued."""

    def __init__(self, origin: str) -> None:
        super().__init__(f"{origin} is backed off")
        self.origin = origin


def _changed_at(found: DiscoveredUrl) -> float | None:
    when = found.changed_at
    return when.timestamp() if when is not None else None


def needs_fetch(record: UrlRecord | None, changed_at: float | None) -> bool:
    """Never fetched, or fetched before the date its feed/sitemap now gives."""
    if record is None or record.status == "pending":
        return True
    if record.status in {"gave_up", "skipped"}:
        return False
    if record.status == "failed":
        return record.next_attempt_at is None
    if changed_at is None:
        return False
    previous = record.seen_lastmod or record.fetched_at
    return previous is None or previous.timestamp() < changed_at


def article_hosts(source: Source) -> list[str]:
    return source.article_hosts()


def _document_hosts(source: Source) -> set[str]:
    return source.document_hosts()


class _Crawl:
    def __init__(
        self,
        *,
        state: CrawlState,
        sink: RawPageSink,
        options: CrawlOptions,
        should_stop: Callable[[], bool],
        clock: Clock,
        robots: RobotsCache | None,
        hosts: HostSlots,
    ) -> None:
        self.state = state
        self.hosts = hosts
        self.sink = sink
        self.options = options
        self.should_stop = should_stop
        self.clock = clock
        self.owner = f"run-{uuid.uuid4().hex[:12]}"
        self.report = CrawlReport()
        self._lock = threading.Lock()
        policy = AddressPolicy.build(
            allow_private_networks=options.allow_private_networks,
            allowed_private_hosts=options.allowed_private_hosts,
            resolver=options.resolver,
        )
        self.client = HttpClient(
            user_agent=options.user_agent,
            policy=policy,
            max_body_bytes=options.max_body_bytes,
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            total_timeout=options.total_timeout,
            max_redirects=options.max_redirects,
            pool_size=options.max_concurrency,
        )
        self.retry = RetryPolicy(
            max_attempts=options.max_attempts,
            backoff_base=options.backoff_base_seconds,
            backoff_max=options.backoff_max_seconds,
            max_wait=options.max_retry_wait_seconds,
        )
        self._blocked_origins: set[str] = set()  # robots.txt unreachable because the address is
        self._host_strikes: dict[str, int] = {}  # 429/503 answers per origin in this run
        self._incomplete_plans: set[str] = set()  # sources with a URL the state refused
        self.robots = robots or RobotsCache(
            user_agent=options.user_agent, clock=clock, ttl_seconds=options.robots_ttl_seconds
        )

    # -- counting ------------------------------------------------------------------------------------

    def _count(self, bucket: str, reason: str | None = None, n: int = 1) -> None:
        with self._lock:
            if reason is None:
                setattr(self.report, bucket, getattr(self.report, bucket) + n)
            else:
                counts: dict[str, int] = getattr(self.report, bucket)
                counts[reason] = counts.get(reason, 0) + n

    def _error(self, message: str) -> None:
        logger.warning("%s", message)
        with self._lock:
            self.report.errors.append(message)

    def _truncated(self, url: str, dropped: int) -> None:
        """A discovery document listed more than a run takes from it: count what was left out."""
        if dropped > 0:
            self._count("skipped", "over_document_cap", n=dropped)
            self._error(f"{url}: {dropped} entries over the per-document cap left out")

    def _host_deferred(self, origin: str) -> None:
        with self._lock:
            if origin not in self.report.backed_off_hosts:
                self.report.backed_off_hosts.append(origin)

    def _stop_requested(self) -> bool:
        if self.should_stop():
            with self._lock:
                self.report.stopped_early = True
            return True
        return False

    # -- fetching with politeness ------------------------------------------------------------------

    def _pace(self, origin: str, crawl_delay: float | None = None) -> None:
        """Wait for this host's next slot (shared with every other worker), or give up on the host."""
        spacing = max(self.options.min_host_interval_seconds, crawl_delay or 0.0)
        now = self.clock.time()
        # Waiting out the host's own spacing (a long Crawl-delay) is pacing, not a backed-off host.
        max_wait = max(self.options.max_host_wait_seconds, spacing)
        slot = self.hosts.reserve(origin, now=now, spacing=spacing, max_wait=max_wait)
        if slot is None:
            raise _HostBackedOffError(origin)
        if slot > now:
            self.clock.sleep(slot - now)

    def _back_off_host(self, origin: str, error: HttpStatusError) -> None:
        with self._lock:
            strikes = self._host_strikes[origin] = self._host_strikes.get(origin, 0) + 1
        now = self.clock.time()
        delay = self.options.host_backoff_base_seconds * 2 ** (strikes - 1)
        retry_after = retry_after_of(error, now)
        if retry_after is not None:
            delay = max(delay, retry_after)
        delay = min(delay, self.options.host_backoff_max_seconds)
        logger.info("backing off %s for %.0fs after HTTP %s", origin, delay, error.status)
        self.hosts.back_off(origin, until=now + delay)

    def _robots_fetch(self, url: str) -> FetchResponse:
        self._pace(origin_of(url))
        try:
            return fetch_robots_txt(self.client, url)
        except BlockedAddressError:
            # Remembered so the URL's own failure says why, instead of "robots.txt unavailable".
            with self._lock:
                self._blocked_origins.add(origin_of(url))
            raise

    def _polite_get(
        self,
        url: str,
        *,
        allowed_hosts: Sequence[str],
        headers: dict[str, str] | None = None,
        accept_content: Callable[[str | None], bool] | None = None,
        max_body_bytes: int | None = None,
    ) -> FetchResponse:
        """robots.txt, Crawl-delay, per-host interval, retries: everything but the state."""
        rules = self.robots.rules_for(url, self._robots_fetch)
        if rules.unavailable and rules.origin in self._blocked_origins:
            raise BlockedAddressError(f"{url} resolves to a blocked address", url=url)
        if rules.unavailable:
            raise RobotsUnavailableError(f"robots.txt of {rules.origin} is unavailable; try later", url=url)
        if not rules.can_fetch(url, self.options.user_agent):
            raise RobotsDisallowedError(f"robots.txt disallows {url}", url=url)
        delay = rules.crawl_delay(self.options.user_agent)
        if delay is not None:
            delay = min(delay, self.options.max_crawl_delay_seconds)
        origin = origin_of(url)

        def attempt() -> FetchResponse:
            self._pace(origin, delay)
            # The wait may have used up the time budget: do not start a fetch that cannot finish.
            if self._stop_requested():
                raise _StoppedError
            try:
                return self.client.get(
                    url,
                    headers=headers,
                    allowed_hosts=allowed_hosts,
                    accept_content=accept_content,
                    max_body_bytes=max_body_bytes,
                )
            except HttpStatusError as error:
                if error.status in _HOST_BUSY_STATUSES:
                    self._back_off_host(origin, error)
                raise

        def on_retry(error: FetchError, wait: float) -> None:
            logger.info("retrying %s in %.1fs after %s", url, wait, error.reason)
            self._count("retries")

        return with_retries(
            attempt, policy=self.retry, clock=self.clock, should_stop=self.should_stop, on_retry=on_retry
        )

    # -- discovery ---------------------------------------------------------------------------------

    def discover(self, source: Source) -> _Discovery:
        allowed = sorted(set(article_hosts(source)) | _document_hosts(source))
        result = _Discovery()
        found = result.found
        for feed in source.feeds:
            if self._stop_requested():
                return result
            fetched = self._fetch_document(feed, allowed)
            if fetched is None:
                continue
            body, validators = fetched
            document = self._parse(feed, functools.partial(parse_feed, body, feed))
            if document is not None:
                result.validated[feed] = validators
                found.extend(document.urls)
                self._truncated(feed, document.truncated)
        sitemaps = list(source.sitemaps)
        if source.robots_sitemaps:
            own_urls = [*source.feeds, *source.sitemaps, *(a.url for a in source.archives)]
            for origin in sorted({origin_of(u) for u in own_urls}):
                try:
                    rules = self.robots.rules_for(origin + "/", self._robots_fetch)
                except _HostBackedOffError:
                    self._host_deferred(origin)
                    continue
                except FetchError as exc:  # a blocked address: reported as what it is
                    self._count("failed", exc.reason)
                    self._error(f"{origin}/robots.txt: {exc}")
                    continue
                sitemaps.extend(s for s in rules.sitemaps if s not in sitemaps)
        for sitemap in sitemaps:
            found.extend(self._discover_sitemap(sitemap, allowed, result, depth=0, seen=set()))
        if self.report.stopped_early:
            return result
        for archive in source.archives:
            found.extend(self._discover_archive(archive, allowed))
        return result

    def _parse[T](self, url: str, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except (DiscoveryError, FetchError) as exc:
            self._count("failed", exc.reason)
            self._error(f"{url}: {exc}")
            return None
        except Exception as exc:  # a parser bug on one odd document must not end the run
            logger.exception("unexpected error parsing %s", url)
            self._count("failed", "parse_error")
            self._error(f"{url}: {type(exc).__name__}: {exc}")
            return None

    def _fetch_document(
        self, url: str, allowed: Sequence[str], *, max_body_bytes: int | None = None
    ) -> tuple[bytes, Validators] | None:
        """Body and validators of a feed or sitemap; None when unchanged (304) or unavailable (counted)."""
        try:
            # Before the state lookup: the URL keys the validators item, and DynamoDB refuses
            # a key over 2,048 bytes with an error that would end the run.
            check_url_length(url)
        except UrlTooLongError as exc:
            self._count("skipped", exc.reason)
            self._error(f"{url[:200]}...: {exc}")
            return None
        validators = self.state.get_validators(url)
        try:
            response = self._polite_get(
                url,
                allowed_hosts=allowed,
                headers={"Accept": XML_ACCEPT, **(validators.request_headers() if validators else {})},
                max_body_bytes=max_body_bytes,
            )
        except _StoppedError:
            self._error(f"{url}: left for the next run: out of time")
            return None
        except _HostBackedOffError as exc:
            self._host_deferred(exc.origin)
            self._error(f"{url}: left for the next run: {exc}")
            return None
        except FetchError as exc:
            if exc.reason == "robots":
                self._count("skipped_robots")
            else:
                self._count("failed", exc.reason)
            self._error(f"{url}: {exc}")
            return None
        if response.status == 304:
            self._count("not_modified")
            return None
        return response.body, Validators(response.etag, response.last_modified)

    def _discover_sitemap(
        self, url: str, allowed: Sequence[str], result: _Discovery, *, depth: int, seen: set[str]
    ) -> list[DiscoveredUrl]:
        if url in seen or self._stop_requested():
            return []
        seen.add(url)
        # A sitemap may be as large as its protocol allows, not just as large as a page.
        fetched = self._fetch_document(url, allowed, max_body_bytes=self.options.max_sitemap_bytes)
        if fetched is None:
            return []
        body, validators = fetched
        document = self._parse(
            url, lambda: parse_sitemap(body, url, max_bytes=self.options.max_sitemap_bytes)
        )
        if document is None:
            return []
        self._truncated(url, document.truncated)
        if not document.is_index:
            result.validated[url] = validators
            return document.urls
        # An index is always fetched in full (it is small): a 304 on it would hide a changed child,
        # so only its children, which hold the article URLs, are asked for conditionally.
        if depth + 1 > self.options.max_sitemap_depth:
            self._error(f"{url}: sitemap index nested deeper than {self.options.max_sitemap_depth}; ignored")
            return []
        children = [c for c in document.sitemaps if any(host_matches(host_of(c.url), a) for a in allowed)]
        too_long = [c for c in children if len(c.url) > MAX_URL_LENGTH]
        if too_long:
            self._count("skipped", "url_too_long", n=len(too_long))
            children = [c for c in children if len(c.url) <= MAX_URL_LENGTH]
        # Newest children first: for news, the recent sitemaps are the ones with new articles.
        children.sort(key=lambda c: c.modified_at.timestamp() if c.modified_at else 0.0, reverse=True)
        self._truncated(url, len(children) - self.options.max_sitemap_children)
        found: list[DiscoveredUrl] = []
        for child in children[: self.options.max_sitemap_children]:
            found.extend(self._discover_sitemap(child.url, allowed, result, depth=depth + 1, seen=seen))
        return found

    def _discover_archive(self, archive: ArchivePage, allowed: Sequence[str]) -> list[DiscoveredUrl]:
        found: list[DiscoveredUrl] = []
        page_url: str | None = archive.url
        visited: set[str] = set()
        while page_url and len(visited) < archive.max_pages and page_url not in visited:
            if self._stop_requested():
                break
            visited.add(page_url)
            try:
                response = self._polite_get(page_url, allowed_hosts=allowed)
            except _StoppedError:
                self._error(f"{page_url}: left for the next run: out of time")
                break
            except _HostBackedOffError as exc:
                self._host_deferred(exc.origin)
                self._error(f"{page_url}: left for the next run: {exc}")
                break
            except FetchError as exc:
                self._count("skipped_robots") if exc.reason == "robots" else self._count("failed", exc.reason)
                self._error(f"{page_url}: {exc}")
                break
            encoding = detect_encoding(response.body, response.charset).encoding
            listing = self._parse(
                page_url,
                functools.partial(
                    parse_archive_page, response.body, page_url, archive.link_selector, encoding=encoding
                ),
            )
            if listing is None:
                break
            found.extend(listing.urls)
            page_url = listing.next_page
        return found

    # -- planning ----------------------------------------------------------------------------------

    def plan(self, source: Source, discovered: list[DiscoveredUrl]) -> list[_Work]:
        now = self.clock.time()
        hosts = article_hosts(source)
        unique: dict[str, tuple[str, float | None]] = {}
        for item in discovered:
            try:
                canonical = canonicalize_url(item.url, trailing_slash=source.trailing_slash)
            except UrlTooLongError as exc:
                self._count("skipped", exc.reason)
                continue
            key = source.article_id(item.url)
            changed = _changed_at(item)
            if key in unique:
                previous = unique[key][1]
                if changed is not None and (previous is None or changed > previous):
                    unique[key] = (unique[key][0], changed)
                continue
            unique[key] = (canonical, changed)
        self._count("discovered", n=len(unique))

        queue = self.state.queued(source.id)
        queued_ids = {q.url_id for q in queue}
        records = self._records(source, [k for k in unique if k not in queued_ids])
        work = [
            _Work(source, q.url_id, q.url, q.changed_at)
            for q in queue
            if q.next_attempt_at is None or q.next_attempt_at <= now
        ]
        fresh: list[QueueItem] = []
        for key, (canonical, changed) in unique.items():
            if key in queued_ids:
                continue
            if not any(host_matches(host_of(canonical), allowed) for allowed in hosts):
                self._count("skipped", "host_not_allowed")
                continue
            if needs_fetch(records.get(key), changed):
                # queued_at keeps discovery order within the run (feeds list newest first).
                fresh.append(QueueItem(key, canonical, now + len(fresh) * 1e-3, changed))
        fresh = self._enqueue(source, fresh, now)
        self._count("new", n=len(fresh))
        work.extend(_Work(source, q.url_id, q.url, q.changed_at) for q in fresh)
        over = len(work) - source.max_articles_per_run
        if over > 0:
            self._count("deferred", n=over)
            work = work[: source.max_articles_per_run]
        return work

    def _records(self, source: Source, url_ids: list[str]) -> dict[str, UrlRecord]:
        try:
            return self.state.get_records(source.id, url_ids)
        except StorageError as exc:
            # One bad key must not hide the rest: ask again one by one and lose only that one.
            logger.warning("batch read of %s records failed (%s); reading them one by one", source.id, exc)
        found: dict[str, UrlRecord] = {}
        for url_id_ in url_ids:
            try:
                found.update(self.state.get_records(source.id, [url_id_]))
            except StorageError as exc:
                self._count("failed", "storage_error")
                self._error(f"{source.id}/{url_id_}: {exc}")
                with self._lock:
                    self._incomplete_plans.add(source.id)
        return found

    def _enqueue(self, source: Source, fresh: list[QueueItem], now: float) -> list[QueueItem]:
        """Queue the new URLs; returns those queued (an item the table refuses is counted, not fatal)."""
        if not fresh:
            return fresh
        try:
            self.state.enqueue(source.id, fresh, now=now)
            return fresh
        except StorageError as exc:
            logger.warning("batch enqueue for %s failed (%s); queueing one by one", source.id, exc)
        queued = []
        for item in fresh:
            try:
                self.state.enqueue(source.id, [item], now=now)
                queued.append(item)
            except StorageError as exc:
                self._count("failed", "storage_error")
                self._error(f"{item.url[:200]}: not queued: {exc}")
                with self._lock:
                    self._incomplete_plans.add(source.id)
        return queued

    # -- fetching articles -------------------------------------------------------------------------

    def fetch_host(self, items: list[_Work]) -> None:
        for index, item in enumerate(items):
            if self._stop_requested():
                self._count("deferred", n=len(items) - index)
                return
            try:
                self.fetch_article(item)
            except _StoppedError:
                self._count("deferred", n=len(items) - index)
                return
            except _HostBackedOffError as exc:
                self._host_deferred(exc.origin)
                self._count("deferred", n=len(items) - index)
                return
            except Exception as exc:  # one bad URL must never end the run
                logger.exception("unexpected error fetching %s", item.url)
                self._count("failed", "internal_error")
                self._error(f"{item.url}: internal error: {exc}")

    def fetch_article(self, item: _Work) -> None:
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
            self._fetch_claimed(item, record)
        except (_StoppedError, _HostBackedOffError):
            self.state.release(source.id, item.url_id, owner=self.owner)
            raise
        except Exception as exc:  # storage trouble or a bug: fail this URL, keep the run going
            logger.exception("unexpected error fetching %s", item.url)
            self._error(f"{item.url}: {type(exc).__name__}: {exc}")
            self._record_failure(item, record, "internal_error")

    def _fetch_claimed(self, item: _Work, record: UrlRecord) -> None:
        source = item.source
        headers: dict[str, str] = {}
        if record.status == "fetched":  # a changed article: ask for it conditionally
            headers = Validators(record.etag, record.last_modified).request_headers()
        try:
            response = self._polite_get(
                item.url,
                allowed_hosts=article_hosts(source),
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
                raise _StoppedError from exc
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
        )
        # One line per article carrying the ids the parser logs too: grep one id across both.
        logger.info(
            "raw page stored",
            extra={"source": source.id, "url": item.url, "article_id": item.url_id, "raw_key": key},
        )
        with self._lock:
            self.report.fetched += 1
            self.report.stored_keys.append(key)

    def _record_failure(
        self, item: _Work, record: UrlRecord, reason: str, error: FetchError | None = None
    ) -> None:
        now = self.clock.time()
        attempts = record.attempts + 1
        self._count("failed", reason)
        retry_at: float | None = None
        if (error is None or error.retryable) and attempts < self.options.max_failed_runs:
            delay = self.options.retry_delay_seconds * 2 ** (attempts - 1)
            retry_after = retry_after_of(error, now) if error is not None else None
            # Capped: a Retry-After of 1e20 seconds is a hostile or broken server, not a plan.
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

    # -- the run -----------------------------------------------------------------------------------

    def run(self, sources: Sequence[Source], *, discover: bool = True) -> CrawlReport:
        # Each source goes from discovery to fetching on its own: a slow feed delays only its source.
        # Two sources on one host still share that host's slots.
        if sources:
            workers = max(1, min(self.options.max_concurrency, len(sources)))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="source") as pool:
                for future in [pool.submit(self.run_source, s, discover=discover) for s in sources]:
                    future.result()
        return self.report

    def run_source(self, source: Source, *, discover: bool = True) -> None:
        discovery = self.discover(source) if discover else _Discovery()
        if self.report.stopped_early:
            with self._lock:
                self.report.discovery_complete = False
        # Even a discovery cut short is planned: what it found is queued for the next run.
        work = self.plan(source, discovery.found)
        # Validators only once the URLs are queued: a 304 next run must never hide URLs
        # this run read but did not record.
        with self._lock:
            validated = {} if source.id in self._incomplete_plans else discovery.validated
        for url, validators in validated.items():
            if validators.etag or validators.last_modified:
                try:
                    self.state.put_validators(url, validators, now=self.clock.time())
                except StorageError as exc:  # costs one unconditional GET next run, nothing more
                    self._error(f"{url}: validators not stored: {exc}")
        if self.report.stopped_early:
            self._count("deferred", n=len(work))
            return
        by_host: dict[str, list[_Work]] = defaultdict(list)
        for item in work:
            by_host[origin_of(item.url)].append(item)
        if not by_host:
            return
        workers = max(1, min(self.options.max_concurrency, len(by_host)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            for future in [pool.submit(self.fetch_host, items) for items in by_host.values()]:
                future.result()


def run_crawl(
    sources: Sequence[Source],
    *,
    state: CrawlState,
    sink: RawPageSink,
    options: CrawlOptions,
    should_stop: Callable[[], bool] = lambda: False,
    clock: Clock | None = None,
    robots: RobotsCache | None = None,
    hosts: HostSlots | None = None,
    discover: bool = True,
) -> CrawlReport:
    """Discover and fetch what is new for each source; see the module docstring for the steps.

    `hosts` shares per-host slots with other workers (default: this run's own); `discover=False`
    continues a run cut short after its discovery: it fetches what the source has queued.
    """
    crawl = _Crawl(
        state=state,
        sink=sink,
        options=options,
        should_stop=should_stop,
        clock=clock or SystemClock(),
        robots=robots,
        hosts=hosts or MemoryHostSlots(),
    )
    try:
        report = crawl.run(sources, discover=discover)
    finally:
        crawl.client.close()
    logger.info("crawl finished: %s", {k: v for k, v in report.as_dict().items() if k != "stored_keys"})
    return report
