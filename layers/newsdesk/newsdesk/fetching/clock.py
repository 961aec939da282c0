"""Time as the fetcher sees it: injectable so that tests never really sleep for backoffs or crawl delays."""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch (wall clock: stored in state, compared across runs)."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ManualClock:
    """A clock that only moves when slept on or advanced; thread-safe, records every sleep."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def time(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            if seconds > 0:
                self._now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


# How far ahead any stored time may lie. Times come partly from servers (Retry-After, feed dates):
# a hostile 1e20 stored as a next-attempt time once made every later status listing overflow.
# A year covers every TTL and backoff the crawl state uses.
MAX_AHEAD_SECONDS = 366 * 24 * 3600.0
# The largest epoch every platform's datetime.fromtimestamp accepts (9999-12-31).
MAX_EPOCH = 253_402_300_799.0


def clamp_time(when: float, now: float, *, max_ahead: float = MAX_AHEAD_SECONDS) -> float:
    """`when` bounded to [0, now + max_ahead]: the one clamp for every time the crawl state stores.

    Not a number (NaN) counts as "as late as allowed": an absurd value becomes the longest wait,
    never an immediate retry.
    """
    latest = min(max(now, 0.0) + max_ahead, MAX_EPOCH)
    if math.isnan(when):
        return latest
    return min(max(when, 0.0), latest)


def utc_datetime(epoch: float) -> datetime:
    """The UTC datetime of an epoch, never raising: out-of-range values land on the nearest end."""
    if math.isnan(epoch):
        epoch = MAX_EPOCH
    return datetime.fromtimestamp(min(max(epoch, 0.0), MAX_EPOCH), tz=UTC)
