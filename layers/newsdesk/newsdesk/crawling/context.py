"""The state one run shares across its stages, and fetching with politeness."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence

from newsdesk.crawling.hosts import HostSlots
from newsdesk.crawling.model import (
    HOST_BUSY_STATUSES,
    CrawlOptions,
    CrawlReport,
    HostBackedOffError,
    RawPageSink,
    StoppedError,
)
from newsdesk.fetching.clock import Clock
from newsdesk.fetching.errors import (
    FetchError,
    HttpStatusError,
    RobotsDisallowedError,
    RobotsUnavailableError,
)
from newsdesk.fetching.http import FetchResponse, HttpClient
from newsdesk.fetching.retries import RetryPolicy, retry_after_of, with_retries
from newsdesk.fetching.robots import RobotsCache, fetch_robots_txt
from newsdesk.fetching.safety import AddressPolicy
from newsdesk.storage.crawl_state import CrawlState
from newsdesk.urls import origin_of

logger = logging.getLogger(__name__)


class CrawlContext:
    """One run's shared parts: stores, clients, counters, and polite fetching (robots.txt, host slots,
    host backoff, retries) that every stage uses."""

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
            raise HostBackedOffError(origin)
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
        return fetch_robots_txt(self.client, url)

    def _polite_get(
        self,
        url: str,
        *,
        allowed_hosts: Sequence[str],
        headers: dict[str, str] | None = None,
        accept_content: Callable[[str | None], bool] | None = None,
        max_body_bytes: int | None = None,
    ) -> FetchResponse:
        """robots.txt, Crawl-delay, per-host interval, retries: everything but the state.

        A host whose address may not be fetched fails here with BlockedAddressError (from the
        robots.txt lookup), not as "robots.txt unavailable".
        """
        rules = self.robots.rules_for(url, self._robots_fetch)
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
                raise StoppedError
            try:
                return self.client.get(
                    url,
                    headers=headers,
                    allowed_hosts=allowed_hosts,
                    accept_content=accept_content,
                    max_body_bytes=max_body_bytes,
                )
            except HttpStatusError as error:
                if error.status in HOST_BUSY_STATUSES:
                    self._back_off_host(origin, error)
                raise

        def on_retry(error: FetchError, wait: float) -> None:
            logger.info("retrying %s in %.1fs after %s", url, wait, error.reason)
            self._count("retries")

        return with_retries(
            attempt, policy=self.retry, clock=self.clock, should_stop=self.should_stop, on_retry=on_retry
        )
