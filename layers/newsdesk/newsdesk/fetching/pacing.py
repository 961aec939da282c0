"""Per-host pacing: at most one request per host every `interval` seconds, across threads."""

from __future__ import annotations

import threading

from newsdesk.fetching.clock import Clock


class HostPacer:
    """Hands out request slots per host; callers sleep (on the injected clock) until their slot.

    Slots are reserved under a lock, so two threads fetching from one host are still spaced out,
    while threads on different hosts never wait for each other.
    """

    def __init__(self, clock: Clock, min_interval: float) -> None:
        self._clock = clock
        self._min_interval = min_interval
        self._next_slot: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, interval: float | None = None) -> float:
        """Block until `host` may be requested again; returns the seconds waited."""
        spacing = max(self._min_interval, interval or 0.0)
        with self._lock:
            now = self._clock.time()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + spacing
        delay = slot - now
        if delay > 0:
            self._clock.sleep(delay)
        return delay
