"""Date strings from page metadata -> timezone-aware datetimes, with plausibility checks.

Pages state dates in every shape: ISO 8601 (with or without offset, "Z", "+0100", fractions,
a space instead of "T"), RFC 2822 ("Fri, 24 Jul 2015 05:36:09 +0100"), epoch seconds or
milliseconds, and free-form English ("Nov. 11, 2025 2:32 PM"). `parse_date` accepts all of
them and returns None for anything else; it never raises.
"""

from __future__ import annotations

import math
import re
import warnings
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser  # type: ignore[import-untyped]  # via htmldate

# News on the web before 1995 is almost always a mis-parsed or placeholder date (1970-01-01,
# 0001-01-01); a date in the future is a scheduled embargo or a bug. Both are worse than none.
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
# Naive dates are read as UTC, so a page in UTC+14 can legitimately look up to 14 h "ahead".
FUTURE_SLACK = timedelta(hours=15)

_YEAR = re.compile(r"(?<!\d)(19\d\d|2\d\d\d)(?!\d)")
_EPOCH = re.compile(r"\d{9,13}")
_COMPACT_OFFSET = re.compile(r"([+-]\d\d)(\d\d)$")
# "Nov. 11" / "Sept 3": dateutil knows "Nov" and "Sep" but trips on the dot and on "Sept".
_MONTH_DOT = re.compile(r"\b([A-Za-z]{3,4})\.(?=\s)")
_SEPT = re.compile(r"\bSept\b", re.IGNORECASE)
_MAX_LEN = 80


def now_utc() -> datetime:
    return datetime.now(UTC)


def is_plausible(value: datetime, now: datetime | None = None) -> bool:
    """True when `value` (aware) lies between 1995-01-01 and now (plus a small slack)."""
    reference = now or now_utc()
    return EARLIEST <= value <= reference + FUTURE_SLACK


def _aware(value: datetime) -> datetime:
    # A page that gives no offset gives no way to know one: UTC is the documented default.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _from_iso(text: str) -> datetime | None:
    candidate = text.replace("z", "Z")
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    candidate = _COMPACT_OFFSET.sub(r"\1:\2", candidate)
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _from_epoch(text: str) -> datetime | None:
    if not _EPOCH.fullmatch(text):
        return None
    number = int(text)
    if len(text) == 13:  # milliseconds, as JavaScript writes them
        number //= 1000
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _from_rfc2822(text: str) -> datetime | None:
    if "," not in text and not re.search(r"[+-]\d{4}$|GMT$|UT$", text):
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _from_free_text(text: str) -> datetime | None:
    # dateutil fills missing parts from today's date: only trust it when a full year is there.
    if not _YEAR.search(text):
        return None
    cleaned = _SEPT.sub("Sep", _MONTH_DOT.sub(r"\1", text))
    try:
        with warnings.catch_warnings():
            # "IST" and friends are ambiguous; dateutil warns and returns a naive time (UTC here).
            warnings.simplefilter("ignore")
            return dateutil_parser.parse(cleaned, default=datetime(2000, 1, 1))  # type: ignore[no-any-return]
    except (ValueError, OverflowError, TypeError, ArithmeticError):
        return None


def parse_date(value: object, now: datetime | None = None) -> datetime | None:
    """Parse one date value from a page; None when it is missing, garbage or implausible."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):  # JSON-LD may carry NaN/Infinity
            return None
        value = str(int(value))
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > _MAX_LEN:
        return None
    parsed = _from_iso(text) or _from_epoch(text) or _from_rfc2822(text) or _from_free_text(text)
    if parsed is None:
        return None
    try:
        result = _aware(parsed)
        return result if is_plausible(result, now) else None
    except (OverflowError, ValueError):
        return None
