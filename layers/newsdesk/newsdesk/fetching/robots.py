"""robots.txt per origin via protego, cached with a TTL, with Crawl-delay and Sitemap: lines.

RFC 9309: a 4xx robots.txt means no restrictions; a 5xx or an unreachable one means the whole
site is off limits for now (cached for a short time only, so the next run tries again). A file
over the parsing limit is cut there and its prefix parsed, as the RFC allows. A host whose
address may not be fetched at all is not "robots unavailable": that BlockedAddressError (final,
not retried) reaches the caller as it is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from protego import Protego

from newsdesk.fetching.clock import Clock
from newsdesk.fetching.errors import BlockedAddressError, FetchError, HttpStatusError
from newsdesk.fetching.http import FetchResponse, HttpClient
from newsdesk.urls import origin_of

logger = logging.getLogger(__name__)

MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309 asks crawlers to parse at least 500 KiB


@dataclass(frozen=True)
class RobotsRules:
    origin: str
    parser: Protego | None  # None: no robots.txt, everything allowed
    unavailable: bool = False  # 5xx or unreachable: nothing may be fetched until it answers

    def can_fetch(self, url: str, user_agent: str) -> bool:
        if self.unavailable:
            return False
        return True if self.parser is None else bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None

    @property
    def sitemaps(self) -> list[str]:
        return [] if self.parser is None else list(self.parser.sitemaps)


RobotsFetcher = Callable[[str], FetchResponse]


def fetch_robots_txt(client: HttpClient, url: str) -> FetchResponse:
    """GET a robots.txt, cut at MAX_ROBOTS_BYTES rather than refused when longer."""
    return client.get(
        url, headers={"Accept": "text/plain,*/*;q=0.5"}, max_body_bytes=MAX_ROBOTS_BYTES, truncate=True
    )


def crawl_delay_in(response: FetchResponse, user_agent: str) -> float | None:
    """The Crawl-delay a robots.txt response asks of `user_agent`, if any (for pacing the very
    request after it: the cache parses the same body again for everything else)."""
    if response.status != 200:
        return None
    text = response.body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
    return RobotsRules("", Protego.parse(text)).crawl_delay(user_agent)


class RobotsCache:
    """Rules per origin (`scheme://host[:port]`); fetched once per TTL however many threads ask.

    Keep one at module level in a long-lived process (a warm Lambda) to reuse it across runs; the
    fetch function is passed per call so each run fetches with its own client and pacing.
    """

    def __init__(
        self,
        *,
        user_agent: str,
        clock: Clock,
        ttl_seconds: float = 3600.0,
        error_ttl_seconds: float = 300.0,
    ) -> None:
        self.user_agent = user_agent
        self._clock = clock
        self._ttl = ttl_seconds
        self._error_ttl = error_ttl_seconds
        self._entries: dict[str, tuple[float, RobotsRules]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def rules_for(self, url: str, fetch: RobotsFetcher) -> RobotsRules:
        origin = origin_of(url)
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            cached = self._entries.get(origin)
            if cached is not None and cached[0] > self._clock.time():
                return cached[1]
            rules, ttl = self._load(origin, fetch)
            self._entries[origin] = (self._clock.time() + ttl, rules)
            return rules

    def _load(self, origin: str, fetch: RobotsFetcher) -> tuple[RobotsRules, float]:
        robots_url = origin + "/robots.txt"
        try:
            response = fetch(robots_url)
        except HttpStatusError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                return RobotsRules(origin, None), self._ttl
            logger.warning("robots.txt %s: %s; treating the site as disallowed for now", robots_url, exc)
            return RobotsRules(origin, None, unavailable=True), self._error_ttl
        except BlockedAddressError:
            raise
        except FetchError as exc:
            logger.warning("robots.txt %s: %s; treating the site as disallowed for now", robots_url, exc)
            return RobotsRules(origin, None, unavailable=True), self._error_ttl
        body = response.body[:MAX_ROBOTS_BYTES]
        if response.truncated or len(response.body) > MAX_ROBOTS_BYTES:
            # The cut may fall inside a rule: a half-read "Allow: /news/world" must not become
            # "Allow: /n", so the last, incomplete line is dropped.
            body = body[: body.rfind(b"\n") + 1]
            logger.warning("robots.txt %s is over %d bytes; parsing its start", robots_url, MAX_ROBOTS_BYTES)
        text = body.decode("utf-8", errors="replace")
        return RobotsRules(origin, Protego.parse(text)), self._ttl
