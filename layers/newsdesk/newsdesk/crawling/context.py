"""The state one run shares across its stages, and fetching with politeness."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from newsdesk.crawling.hosts import ACQUIRE_AHEAD_SECONDS, HostSlots, take_turn
from newsdesk.crawling.model import (
    HOST_BUSY_STATUSES,
    CrawlOptions,
    CrawlReport,
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
from newsdesk.fetching.robots import RobotsCache, crawl_delay_in, fetch_robots_txt
from newsdesk.fetching.safety import AddressPolicy
from newsdesk.storage.crawl_state import CrawlState
from newsdesk.urls import origin_of

logger = logging.getLogger(__name__)

# A turn outlives the request's own timeout by this much (the store's round trips, a slow thread).
HOLD_SLACK_SECONDS = 5.0


@dataclass
class _Turn:
    sent: bool = False  # a request went out: the next one waits `spacing` after its answer
    not_before: float | None = None  # the host answered 429/503: no request before then
    spacing: float | None = None  # learnt from the answer itself (a robots.txt's Crawl-delay)


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

    def _turn_options(self, crawl_delay: float | None) -> tuple[float, float, float]:
        spacing = max(self.options.min_host_interval_seconds, crawl_delay or 0.0)
        # Waiting out the host's own spacing (a long Crawl-delay) is pacing, not a backed-off host.
        max_wait = max(self.options.max_host_wait_seconds, spacing)
        # The turn outlives the longest request (the client's total timeout bounds it): a worker
        # that dies holding it blocks the host only until then.
        hold = ACQUIRE_AHEAD_SECONDS + self.options.total_timeout + HOLD_SLACK_SECONDS
        return spacing, max_wait, hold

    @contextmanager
    def _host_turn(self, origin: str, crawl_delay: float | None = None) -> Iterator[_Turn]:
        """Hold `origin`'s turn across one request (shared with every other worker): wait for it,
        send within it, and give it back with the next slot `spacing` after the answer arrived.

        Raises HostBackedOffError when the turn is too far away: the host's URLs stay queued.
        """
        spacing, max_wait, hold = self._turn_options(crawl_delay)
        # One holder per turn, not per run: two threads of one run are two requests.
        owner = f"{self.owner}/{uuid.uuid4().hex[:8]}"
        take_turn(
            self.hosts,
            origin,
            owner=owner,
            clock=self.clock,
            spacing=spacing,
            max_wait=max_wait,
            hold_seconds=hold,
        )
        turn = _Turn()
        try:
            yield turn
        finally:
            # From the answer (or the failure), not from the slot: the server has received the
            # request by the time anything comes back, so its next request is `spacing` later at
            # the server too, however late this one went out.
            next_slot = None
            if turn.sent:
                after = max(spacing, turn.spacing or 0.0)
                next_slot = max(self.clock.time() + after, turn.not_before or 0.0)
            self.hosts.release(origin, owner=owner, next_slot=next_slot)

    def _backoff_until(self, origin: str, error: HttpStatusError) -> float:
        with self._lock:
            strikes = self._host_strikes[origin] = self._host_strikes.get(origin, 0) + 1
        now = self.clock.time()
        delay = self.options.host_backoff_base_seconds * 2 ** (strikes - 1)
        retry_after = retry_after_of(error, now)
        if retry_after is not None:
            delay = max(delay, retry_after)
        delay = float(min(delay, self.options.host_backoff_max_seconds))
        logger.info("backing off %s for %.0fs after HTTP %s", origin, delay, error.status)
        return now + delay

    def _robots_fetch(self, url: str) -> FetchResponse:
        with self._host_turn(origin_of(url)) as turn:
            turn.sent = True
            response = fetch_robots_txt(self.client, url)
            delay = crawl_delay_in(response, self.options.user_agent)
            if delay is not None:
                turn.spacing = min(delay, self.options.max_crawl_delay_seconds)
            return response

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
            with self._host_turn(origin, delay) as turn:
                # The wait may have used up the time budget: do not start a fetch that cannot finish.
                if self._stop_requested():
                    raise StoppedError
                turn.sent = True
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
                        turn.not_before = self._backoff_until(origin, error)
                    raise

        def on_retry(error: FetchError, wait: float) -> None:
            logger.info("retrying %s in %.1fs after %s", url, wait, error.reason)
            self._count("retries")

        return with_retries(
            attempt, policy=self.retry, clock=self.clock, should_stop=self.should_stop, on_retry=on_retry
        )
