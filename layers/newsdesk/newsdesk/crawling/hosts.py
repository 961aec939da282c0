"""Per-host request slots shared by every thread and every worker: pacing and host backoff.

A host's next free slot is one number. Reserving a slot moves it on by the host's spacing (the
configured interval, or robots.txt's Crawl-delay if longer), so two sources on one host, or two
workers on one source, are spaced out as one client would be. Backing a host off moves the same
number into the future: a host answering 429/503 to everything is left alone as a whole, while
other hosts' slots are untouched.
"""

from __future__ import annotations

import threading
from typing import Protocol


class HostSlots(Protocol):
    def reserve(self, host: str, *, now: float, spacing: float, max_wait: float) -> float | None:
        """The time of the slot taken for `host`, or None (nothing taken) if the next free slot is
        more than `max_wait` seconds away: the host is backed off, or too busy for this run."""
        ...

    def back_off(self, host: str, *, until: float) -> None:
        """No slot for `host` before `until` (never moves a slot earlier)."""
        ...


class MemoryHostSlots:
    """Slots within one process (tests, one-off runs); `DynamoHostSlots` shares them across workers."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, host: str, *, now: float, spacing: float, max_wait: float) -> float | None:
        with self._lock:
            slot = max(now, self._next.get(host, now))
            if slot - now > max_wait:
                return None
            self._next[host] = slot + spacing
            return slot

    def back_off(self, host: str, *, until: float) -> None:
        with self._lock:
            self._next[host] = max(until, self._next.get(host, until))
