"""Host turns on a manual clock: the interval holds between actual sends, whatever the delays."""

from __future__ import annotations

import pytest

from newsdesk.crawling.hosts import ACQUIRE_AHEAD_SECONDS, MemoryHostSlots, take_turn
from newsdesk.crawling.model import HostBackedOffError
from newsdesk.fetching.clock import ManualClock

HOST = "http://a.test"


def _turn(slots: MemoryHostSlots, clock: ManualClock, owner: str, *, max_wait: float = 30.0) -> float:
    return take_turn(slots, HOST, owner=owner, clock=clock, spacing=1.0, max_wait=max_wait, hold_seconds=30.0)


def test_a_late_send_pushes_the_next_one_back(clock: ManualClock) -> None:
    slots = MemoryHostSlots()
    start = clock.time()
    assert _turn(slots, clock, "a") == start
    clock.advance(0.7)  # a loaded worker: its request leaves 0.7 s after it got the turn
    sent_a = clock.time()
    clock.advance(0.1)  # the answer
    slots.release(HOST, owner="a", next_slot=clock.time() + 1.0)
    # The next worker goes 1 s after the answer, not 1 s after a's turn began (which would put
    # 0.3 s between the two requests at the server).
    sent_b = _turn(slots, clock, "b")
    assert sent_b - sent_a >= 1.0
    assert clock.time() == sent_b


def test_a_held_turn_keeps_others_waiting_until_it_is_given_back(clock: ManualClock) -> None:
    slots = MemoryHostSlots()
    assert slots.try_acquire(HOST, owner="a", now=clock.time(), hold_until=clock.time() + 30).granted
    before = clock.time()
    # b polls while a's request is in flight; a's turn lapses after 30 s (a died holding it).
    sent_b = _turn(slots, clock, "b", max_wait=60.0)
    assert sent_b >= before + 30.0
    assert all(s > 0 for s in clock.sleeps)


def test_a_turn_beyond_max_wait_is_refused_and_nothing_is_held(clock: ManualClock) -> None:
    slots = MemoryHostSlots()
    assert _turn(slots, clock, "a") == clock.time()
    slots.release(HOST, owner="a", next_slot=clock.time() + 3600.0)  # backed off after a 429
    with pytest.raises(HostBackedOffError):
        _turn(slots, clock, "b")
    # b holds nothing: a third worker sees the host as free once its slot comes.
    clock.advance(3600.0 - ACQUIRE_AHEAD_SECONDS)
    assert slots.try_acquire(HOST, owner="c", now=clock.time(), hold_until=clock.time() + 30).granted


def test_the_turn_is_taken_ahead_but_the_request_waits_for_the_slot(clock: ManualClock) -> None:
    slots = MemoryHostSlots()
    slots.try_acquire(HOST, owner="a", now=clock.time(), hold_until=clock.time() + 30)
    slot = clock.time() + 1.0
    slots.release(HOST, owner="a", next_slot=slot)
    assert _turn(slots, clock, "b") == slot
    assert clock.time() == slot
