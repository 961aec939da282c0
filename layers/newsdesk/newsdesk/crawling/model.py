"""What the fetcher's stages share: options, the report, the work items and the rules about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from newsdesk.discovery import DiscoveredUrl
from newsdesk.fetching.safety import Resolver
from newsdesk.rawpage import MAX_PAGE_BYTES, RawPage
from newsdesk.sources import Source
from newsdesk.storage.crawl_state import UrlRecord, Validators

if TYPE_CHECKING:
    from newsdesk.settings import FetcherSettings


HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
# Host backoff is for statuses that speak for the whole host, not for one page.
HOST_BUSY_STATUSES = frozenset({429, 503})


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
class Discovery:
    found: list[DiscoveredUrl] = field(default_factory=list)
    validated: dict[str, Validators] = field(default_factory=dict)  # parsed documents' validators


@dataclass(frozen=True)
class Work:
    source: Source
    url_id: str
    url: str
    changed_at: float | None


class StoppedError(Exception):
    """should_stop() said so: leave the rest for the next run."""


class HostBackedOffError(Exception):
    """The host's next slot is too far away (backed off or busy): leave its URLs queued."""

    def __init__(self, origin: str) -> None:
        super().__init__(f"{origin} is backed off")
        self.origin = origin


def changed_at_of(found: DiscoveredUrl) -> float | None:
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
