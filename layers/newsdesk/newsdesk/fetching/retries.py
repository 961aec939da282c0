"""Retries with exponential backoff and jitter, and what a server's Retry-After asks for."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from newsdesk.fetching.clock import Clock
from newsdesk.fetching.errors import FetchError, HttpStatusError

# Longest Retry-After honoured. Anything longer (or absurd: 99999999999999999999) is read as this:
# the server asked for a long pause, and a day is long for news, short enough to recover from.
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0
_DELTA_SECONDS = re.compile(r"[0-9]+")


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header, at most MAX_RETRY_AFTER_SECONDS; None if absent/bad.

    RFC 9110 allows delta-seconds or an HTTP date. A malformed value is None: the caller's own
    bounded backoff applies, as if the server had said nothing.
    """
    if not value:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        # Compared as text first: int() of a 5,000-digit header would itself be an attack.
        if len(value) > len(str(int(MAX_RETRY_AFTER_SECONDS))):
            return MAX_RETRY_AFTER_SECONDS
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(0.0, float(when.timestamp()) - now), MAX_RETRY_AFTER_SECONDS)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter for connection errors, timeouts, 429 and 5xx; others fail at once.

    A Retry-After longer than `max_wait` is not slept on: the URL is failed for this run and the
    crawl state schedules it for after that time.
    """

    max_attempts: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    max_wait: float = 60.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling: float = min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def retry_after_of(error: FetchError, now: float) -> float | None:
    if isinstance(error, HttpStatusError):
        return parse_retry_after(error.retry_after_header, now)
    return None


def with_retries[T](
    action: Callable[[], T],
    *,
    policy: RetryPolicy,
    clock: Clock,
    rng: random.Random | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    on_retry: Callable[[FetchError, float], None] | None = None,
) -> T:
    rng = rng or random.Random()
    attempt = 1
    while True:
        try:
            return action()
        except FetchError as error:
            if not error.retryable or attempt >= policy.max_attempts or should_stop():
                raise
            wait = policy.delay(attempt, rng)
            retry_after = retry_after_of(error, clock.time())
            if retry_after is not None:
                if retry_after > policy.max_wait:
                    raise
                wait = max(wait, retry_after)
            if on_retry is not None:
                on_retry(error, wait)
            clock.sleep(wait)
            attempt += 1
