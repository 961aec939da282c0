"""Retry timing, on a manual clock: nothing really sleeps (host turns: test_host_turns.py)."""

from __future__ import annotations

import random

import pytest

from newsdesk.fetching.clock import MAX_AHEAD_SECONDS, ManualClock, clamp_time, utc_datetime
from newsdesk.fetching.errors import ConnectionFailedError, HttpStatusError
from newsdesk.fetching.retries import MAX_RETRY_AFTER_SECONDS, RetryPolicy, parse_retry_after, with_retries


def test_retry_after_forms() -> None:
    assert parse_retry_after("120", 0) == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == pytest.approx(10.0)
    assert parse_retry_after("soon", 0) is None
    assert parse_retry_after(None, 0) is None


@pytest.mark.parametrize(
    "value", ["99999999999999999999", "9" * 5000, "Fri, 31 Dec 9999 23:59:59 GMT", str(10**6)]
)
def test_absurd_retry_after_is_capped(value: str) -> None:
    assert parse_retry_after(value, 1_800_000_000.0) == MAX_RETRY_AFTER_SECONDS


@pytest.mark.parametrize("value", ["-5", "1.5", "\u00b2", "1e9", "Mon, 99 Foo 2020 00:00:00 GMT", "  "])
def test_malformed_retry_after_means_no_advice(value: str) -> None:
    assert parse_retry_after(value, 1_800_000_000.0) is None


def test_retry_after_in_the_past_is_zero() -> None:
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", 1_800_000_000.0) == 0.0


@pytest.mark.parametrize("when", [1e20, float("inf"), float("nan"), 1e300])
def test_clamp_bounds_every_stored_time_and_it_converts(when: float) -> None:
    now = 1_800_000_000.0
    clamped = clamp_time(when, now)
    assert clamped == now + MAX_AHEAD_SECONDS
    assert utc_datetime(clamped).year < 2030


def test_clamp_keeps_sane_times_and_floors_negative_ones() -> None:
    now = 1_800_000_000.0
    assert clamp_time(now + 900.0, now) == now + 900.0
    assert clamp_time(now - 900.0, now) == now - 900.0
    assert clamp_time(-1e20, now) == 0.0
    assert clamp_time(float("-inf"), now) == 0.0


def test_utc_datetime_never_overflows() -> None:
    assert utc_datetime(1e20).year == 9999
    assert utc_datetime(float("nan")).year == 9999
    assert utc_datetime(-1e20).year == 1970


def test_retries_back_off_exponentially_with_jitter(clock: ManualClock) -> None:
    calls = 0

    def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 4:
            raise ConnectionFailedError("reset")
        return "ok"

    policy = RetryPolicy(max_attempts=4, backoff_base=1.0, backoff_max=30.0)
    assert with_retries(flaky, policy=policy, clock=clock, rng=random.Random(1)) == "ok"
    assert len(clock.sleeps) == 3
    for attempt, slept in enumerate(clock.sleeps, start=1):
        ceiling = 2.0 ** (attempt - 1)
        assert ceiling / 2 <= slept <= ceiling


def test_no_retry_on_other_4xx(clock: ManualClock) -> None:
    def not_found() -> str:
        raise HttpStatusError(404, url="http://a.test/x")

    with pytest.raises(HttpStatusError):
        with_retries(not_found, policy=RetryPolicy(), clock=clock)
    assert clock.sleeps == []


def test_retry_after_is_honoured_and_a_too_long_one_gives_up(clock: ManualClock) -> None:
    replies = iter([HttpStatusError(429, retry_after_header="12"), None])

    def busy_then_ok() -> str:
        error = next(replies)
        if error:
            raise error
        return "ok"

    assert with_retries(busy_then_ok, policy=RetryPolicy(backoff_base=1.0), clock=clock) == "ok"
    assert clock.sleeps == [12.0]

    def very_busy() -> str:
        raise HttpStatusError(503, retry_after_header="3600")

    with pytest.raises(HttpStatusError):
        with_retries(very_busy, policy=RetryPolicy(max_wait=60), clock=clock)
    assert clock.sleeps == [12.0]


def test_attempts_are_capped(clock: ManualClock) -> None:
    def always_500() -> str:
        raise HttpStatusError(500)

    with pytest.raises(HttpStatusError):
        with_retries(always_500, policy=RetryPolicy(max_attempts=3), clock=clock)
    assert len(clock.sleeps) == 2
