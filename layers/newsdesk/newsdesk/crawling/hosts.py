"""Per-host turns shared by every thread and every worker: pacing and host backoff.

A host is requested by one worker at a time, and never sooner than its spacing (the configured
interval, or robots.txt's Crawl-delay if longer) after it ANSWERED the previous request. A worker
takes the host's turn (a lease) right before it sends, holds it across the request, and gives it
back with the host's next free slot computed from the time the answer arrived. So the interval
holds between the requests the server actually receives, whatever delays a loaded worker has
between deciding to send and sending: a request that went out late pushes the next slot later,
instead of the next worker sending early against a slot that was reserved ahead of time.

(The previous design reserved slot t, then t + spacing for the next worker, from the reservation
rather than the send: a worker that reserved t and sent at t + 0.5 left a 0.5 s gap at the server.)

A turn may be taken a little ahead of the slot (`ACQUIRE_AHEAD_SECONDS`) so that the round trip
to the store overlaps the wait; the request itself still waits for the slot. Backing a host off
(429/503) is the holder giving the turn back with a next slot further in the future: the host is
left alone as a whole, while other hosts are untouched.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from newsdesk.crawling.model import HostBackedOffError
from newsdesk.fetching.clock import Clock

# How long before its slot a worker may take a host's turn: long enough to hide a store round trip
# behind the wait, short enough that a worker waiting for a turn is not shut out for long.
ACQUIRE_AHEAD_SECONDS = 0.25
# A worker that finds the host in another's hands asks again after at most this long.
MAX_POLL_SECONDS = 1.0
MIN_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class TurnState:
    """What a store answers to a request for a host's turn."""

    granted: bool
    next_slot: float | None = None  # the host's next free slot as stored (None: never requested)
    held_until: float | None = None  # refused because another worker holds it, at most until then


class HostSlots(Protocol):
    def try_acquire(self, host: str, *, owner: str, now: float, hold_until: float) -> TurnState:
        """Take `host`'s turn for `owner` if nobody else holds a live one and its next slot is at
        most `ACQUIRE_AHEAD_SECONDS` away; the turn lapses at `hold_until` if never given back."""
        ...

    def release(self, host: str, *, owner: str, next_slot: float | None) -> None:
        """Give the turn back; `next_slot` (answer time + spacing, or a backoff) is when the host may
        be requested again (None: unchanged, nothing was sent). Nothing happens if the turn lapsed."""
        ...


def _grantable(next_slot: float | None, now: float) -> bool:
    return next_slot is None or next_slot <= now + ACQUIRE_AHEAD_SECONDS


class MemoryHostSlots:
    """Turns within one process (tests, one-off runs); `DynamoHostSlots` shares them across workers."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._holder: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def try_acquire(self, host: str, *, owner: str, now: float, hold_until: float) -> TurnState:
        with self._lock:
            next_slot = self._next.get(host)
            holder = self._holder.get(host)
            if holder is not None and holder[0] != owner and holder[1] >= now:
                return TurnState(False, next_slot, holder[1])
            if not _grantable(next_slot, now):
                return TurnState(False, next_slot)
            self._holder[host] = (owner, hold_until)
            return TurnState(True, next_slot)

    def release(self, host: str, *, owner: str, next_slot: float | None) -> None:
        with self._lock:
            holder = self._holder.get(host)
            if holder is None or holder[0] != owner:
                return
            del self._holder[host]
            if next_slot is not None:
                self._next[host] = next_slot


def take_turn(
    slots: HostSlots,
    host: str,
    *,
    owner: str,
    clock: Clock,
    spacing: float,
    max_wait: float,
    hold_seconds: float,
) -> float:
    """Wait for and take `host`'s turn; returns the time the request may go (already reached).

    Raises HostBackedOffError, holding nothing, when the turn cannot come within `max_wait` seconds.
    """
    deadline = clock.time() + max_wait
    while True:
        now = clock.time()
        state = slots.try_acquire(host, owner=owner, now=now, hold_until=now + hold_seconds)
        if state.granted:
            send_at = max(now, state.next_slot or now)
            while (now := clock.time()) < send_at:
                clock.sleep(send_at - now)
            return send_at
        if state.held_until is not None:
            # Another worker's request is in flight: its answer moves the slot at least `spacing`
            # past now, so there is no point asking before then (nor after its lease lapses).
            earliest = now + spacing
            ask_at = min(
                state.held_until,
                now + min(MAX_POLL_SECONDS, max(spacing - ACQUIRE_AHEAD_SECONDS, MIN_POLL_SECONDS)),
            )
        else:
            earliest = state.next_slot if state.next_slot is not None else now
            ask_at = earliest - ACQUIRE_AHEAD_SECONDS
        if earliest > deadline:
            raise HostBackedOffError(host)
        clock.sleep(max(ask_at - now, MIN_POLL_SECONDS))
