"""Date parsing: every common shape, timezone-aware results, implausible dates rejected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.extraction.dates import parse_date

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PLUS2 = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-11-11T14:32:00+02:00", datetime(2025, 11, 11, 14, 32, tzinfo=PLUS2)),
        ("2025-11-11T12:32:00Z", datetime(2025, 11, 11, 12, 32, tzinfo=UTC)),
        ("2025-11-11T12:32:00.123Z", datetime(2025, 11, 11, 12, 32, 0, 123000, tzinfo=UTC)),
        ("2021-11-01T10:52:50+0100", datetime(2021, 11, 1, 10, 52, 50, tzinfo=timezone(timedelta(hours=1)))),
        ("2017-11-03 03:01:00.000000", datetime(2017, 11, 3, 3, 1, tzinfo=UTC)),
        ("2024-06-25", datetime(2024, 6, 25, tzinfo=UTC)),
        ("Fri, 24 Jul 2015 05:36:09 +0100", datetime(2015, 7, 24, 4, 36, 9, tzinfo=UTC)),
        ("Nov. 11, 2025 2:32 PM", datetime(2025, 11, 11, 14, 32, tzinfo=UTC)),
        ("Sept 3, 2019", datetime(2019, 9, 3, tzinfo=UTC)),
        ("1437713769", datetime(2015, 7, 24, 4, 56, 9, tzinfo=UTC)),
        ("1437713769000", datetime(2015, 7, 24, 4, 56, 9, tzinfo=UTC)),
        (1437713769, datetime(2015, 7, 24, 4, 56, 9, tzinfo=UTC)),
    ],
)
def test_parse_date_shapes(raw: object, expected: datetime) -> None:
    parsed = parse_date(raw, now=NOW)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


def test_offset_is_kept_not_converted() -> None:
    parsed = parse_date("2025-11-11T14:32:00+02:00", now=NOW)
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-03-01T00:00:00Z",  # future relative to NOW
        "2100-01-01",
        "1994-12-31T23:00:00Z",  # before 1995
        "1970-01-01T00:00:00Z",
        "0001-01-01",
        "0",
        "not a date",
        "March 5",  # no year: dateutil would invent one
        "",
        None,
        True,
        ["2020-01-01"],
        "2020-13-45",
    ],
)
def test_parse_date_rejects(raw: object) -> None:
    assert parse_date(raw, now=NOW) is None


def test_small_clock_skew_is_tolerated() -> None:
    assert parse_date("2026-01-01T05:00:00Z", now=NOW) is not None


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), st.integers(), st.floats(allow_nan=True), st.none()))
def test_parse_date_never_raises_and_stays_in_bounds(raw: object) -> None:
    parsed = parse_date(raw, now=NOW)
    if parsed is not None:
        assert parsed.tzinfo is not None
        assert datetime(1995, 1, 1, tzinfo=UTC) <= parsed <= NOW + timedelta(days=1)
