"""Date strings from page metadata -> timezone-aware datetimes, with plausibility checks.

Pages state dates in every shape: ISO 8601 (with or without offset, "Z", "+0100", fractions,
a space instead of "T"), RFC 2822 ("Fri, 24 Jul 2015 05:36:09 +0100"), epoch seconds or
milliseconds, and free-form English ("Nov. 11, 2025 2:32 PM"). `parse_date` accepts all of
them and returns None for anything else; it never raises.

`parse_page_date` keeps the precision the page gives: a value without a time of day is a
`date` (midnight UTC would be a false instant, on the wrong day east or west of Greenwich), a
time with an offset keeps that offset, and a time without one is read as UTC (there is no way
to know better).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from dateutil import parser as dateutil_parser  # type: ignore[import-untyped]  # via htmldate
from htmldate import find_date
from lxml.html import HtmlElement

from newsdesk.extraction import metadata_rules as rules
from newsdesk.extraction.pagemeta import Page
from newsdesk.extraction.textdates import find_text_date
from newsdesk.extraction.titles import article_h1

# News on the web before 1995 is almost always a mis-parsed or placeholder date (1970-01-01,
# 0001-01-01); a date in the future is a scheduled embargo or a bug. Both are worse than none.
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
# Naive dates are read as UTC, so a page in UTC+14 can legitimately look up to 14 h "ahead".
FUTURE_SLACK = timedelta(hours=15)
# The offsets in use, from UTC-12 to UTC+14, all whole quarter-hours.
_OFFSET_MIN = timedelta(hours=-12)
_OFFSET_MAX = timedelta(hours=14)
_QUARTER_HOUR = timedelta(minutes=15)

_YEAR = re.compile(r"(?<!\d)(19\d\d|2\d\d\d)(?!\d)")
_EPOCH = re.compile(r"\d{9,13}")
_COMPACT_OFFSET = re.compile(r"([+-]\d\d)(\d\d)$")
# "Nov. 11" / "Sept 3": dateutil knows "Nov" and "Sep" but trips on the dot and on "Sept".
_MONTH_DOT = re.compile(r"\b([A-Za-z]{3,4})\.(?=\s)")
_SEPT = re.compile(r"\bSept\b", re.IGNORECASE)
_MAX_LEN = 80
# A time of day in the value: "14:03", "T1403" (basic ISO) or "2 PM".
_HAS_TIME = re.compile(r"\d:\d\d|T\d{4}|\d\s*[ap]\.?m\b", re.IGNORECASE)
# "01-11-2023 10:29", "06.11.2023": dashes and dots between day, month and year put the day first
# (month-first dates are written with slashes); dateutil would read the month first.
_DAY_FIRST = re.compile(r"^\d{1,2}[.-]\d{1,2}[.-]\d{2,4}\b")


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
            return dateutil_parser.parse(  # type: ignore[no-any-return]
                cleaned, default=datetime(2000, 1, 1), dayfirst=bool(_DAY_FIRST.match(cleaned))
            )
    except (ValueError, OverflowError, TypeError, ArithmeticError):
        return None


def _parse_as_written(value: object) -> datetime | None:
    """The value as the page writes it: naive when the page gives no offset."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):  # JSON-LD may carry NaN/Infinity
            return None
        value = str(int(value))
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > _MAX_LEN:
        return None
    return _from_iso(text) or _from_epoch(text) or _from_rfc2822(text) or _from_free_text(text)


def parse_date(value: object, now: datetime | None = None) -> datetime | None:
    """Parse one date value from a page; None when it is missing, garbage or implausible."""
    parsed = _parse_as_written(value)
    if parsed is None:
        return None
    try:
        result = _aware(parsed)
        return result if is_plausible(result, now) else None
    except (OverflowError, ValueError):
        return None


def has_time(value: object) -> bool:
    """True when a page's date value states a time of day (epoch numbers always do)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(_HAS_TIME.search(value))


def parse_page_date(value: object, now: datetime | None = None) -> datetime | date | None:
    """Like `parse_date`, but a value without a time of day comes back as the `date` it names."""
    parsed = parse_date(value, now)
    if parsed is None or has_time(value):
        return parsed
    # The day as written: a bare day parses as naive midnight, read as UTC, so no shift happened.
    return parsed.date()


def same_day(a: datetime | date, b: datetime | date) -> bool:
    """Both name the same calendar day, each read in the offset it was given with."""
    return _day(a) == _day(b)


def not_before(later: datetime | date, earlier: datetime | date) -> bool:
    """`later` is not before `earlier`; a bare day is compared by day only (it has no time)."""
    if isinstance(later, datetime) and isinstance(earlier, datetime):
        return later >= earlier
    return _day(later) >= _day(earlier)


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- the page's publication and modification dates -------------------------------------------


def _time_elements(page: Page) -> Iterator[str]:
    times = [el for el in page.tree.iter("time") if el.get("datetime")]
    for element in times:
        if element.get("pubdate") is not None:
            yield element.get("datetime") or ""
    for container in ("article", "main"):
        for element in times:
            if any(ancestor.tag == container for ancestor in element.iterancestors()):
                yield element.get("datetime") or ""


def _htmldate(page: Page) -> Iterator[str]:
    # htmldate's own format keeps the day only: it rarely knows a time and would invent midnight.
    found = page.guard(
        "htmldate",
        lambda: find_date(
            page.tree, extensive_search=rules.HTMLDATE_EXTENSIVE, original_date=True, url=page.url
        ),
        None,
    )
    if found:
        yield found


# Text that is no part of what the page shows.
_UNSHOWN = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "option", "select", "textarea"}
)


_UPDATE_CUE = re.compile(r"(?i)^\W*(?:" + "|".join(map(re.escape, rules.UPDATE_CUES)) + r")\b")


_UPDATE_MARK = re.compile(r"(?i)updated|modified")


def shown_dates(page: Page) -> tuple[list[tuple[int, date]], int | None]:
    """Every date shown as a short text of its own, with its position among the page's texts,
    and the position of the article's <h1> (None without one)."""
    language = page.tree.get("lang")
    heading = page.guard("h1", lambda: article_h1(page), None)
    found: list[tuple[int, date]] = []
    anchor: int | None = None
    position = 0
    for element in page.tree.iter():
        if element is heading:
            anchor = position
        shown = isinstance(element.tag, str) and element.tag not in _UNSHOWN
        # An element's own text is marked by its classes; its tail belongs to its parent.
        for text, holder in ((element.text if shown else None, element), (element.tail, None)):
            if text and not text.isspace():
                position += 1
                line = " ".join(text.split())
                day = find_text_date(line, language)
                if day is not None and not _an_update(line, holder):
                    found.append((position, day))
    return found, anchor


def _an_update(line: str, holder: HtmlElement | None) -> bool:
    """The shown date is the last update: introduced as one ("Aktualisiert:"), or held by an
    element marked as one (`<time class="updated">`, `itemprop="dateModified"`)."""
    if not rules.SKIP_UPDATE_LINES:
        return False
    if _UPDATE_CUE.match(line):
        return True
    marker = "" if holder is None else f"{holder.get('class') or ''} {holder.get('itemprop') or ''}"
    return bool(_UPDATE_MARK.search(marker))


def shown_day(page: Page, reach: int | None = None) -> date | None:
    """The date shown nearest the article's <h1> (after it on a tie); with `reach`, only one at
    most that many texts away from a <h1> the page has.

    The headline's neighbour is the article's date; dates further away belong to teasers,
    comments or archives.
    """
    found, anchor = shown_dates(page)
    if not found:
        return None
    if anchor is None:
        return None if reach is not None else found[0][1]
    distance, _, day = min((abs(at - anchor), at < anchor, day) for at, day in found)
    return day if reach is None or distance <= reach else None


def _text_date(page: Page) -> Iterator[str]:
    day = shown_day(page)
    if day is not None:
        yield day.isoformat()


_PUBLISHED_LAYERS: dict[str, Callable[[Page], Iterable[Any]]] = {
    "jsonld_published": lambda page: [page.article.get("datePublished")],
    "meta": lambda page: page.metas(*rules.PUBLISHED_META_KEYS),
    "jsonld_created": lambda page: [page.article.get("dateCreated")],
    "microdata": lambda page: (*page.prop_values("datePublished"), *page.prop_values("dateCreated")),
    "time_element": _time_elements,
    "htmldate": _htmldate,
    "text_date": _text_date,
}


_DAY_ONLY_LAYERS = frozenset({"htmldate", "text_date"})


def _clock_witnesses(page: Page) -> Iterator[object]:
    """Every publication time the page writes, in whatever offset (or none) it writes it."""
    for element in page.tree.iter("time"):
        yield element.get("datetime")
    yield from page.metas(*rules.PUBLISHED_META_KEYS)
    yield from page.prop_values("datePublished")
    for item in page.ld.objects:
        yield item.get("datePublished")


def local_clock(stamp: datetime, witnesses: Iterable[object]) -> datetime:
    """`stamp` in the page's own offset, when it gives it in UTC and states the local time too.

    "2023-11-09T01:09:55Z" beside a `<time>` saying "2023-11-08 18:09:55" is 18:09:55 at -07:00:
    the same instant, on the day the publisher's readers saw. A witness counts only when it is
    the same instant (an offset) or the same minute and second a whole quarter-hour offset away
    (a wall-clock time), so another event's time is never taken for the publication's.
    """
    if stamp.utcoffset() != timedelta(0) or (stamp.minute, stamp.second) == (0, 0):
        return stamp
    for value in witnesses:
        if not has_time(value):
            continue
        other = _parse_as_written(value)
        if other is None:
            continue
        if other.tzinfo is not None:
            try:
                if other.utcoffset() and other == stamp:
                    return other
            except (OverflowError, ValueError):
                continue
            continue
        shift = other - stamp.replace(tzinfo=None)
        if shift and _OFFSET_MIN <= shift <= _OFFSET_MAX and shift % _QUARTER_HOUR == timedelta(0):
            return stamp.astimezone(timezone(shift))
    return stamp


def page_published(page: Page, order: tuple[str, ...] = rules.PUBLISHED_LAYERS) -> datetime | date | None:
    """The publication date, layer by layer in `order` (metadata_rules.PUBLISHED_LAYERS).

    A bare day is refined by a later layer giving the same day with its time; otherwise it
    stays a `date`. A time given in UTC is put in the page's own offset when the page states it
    (`local_clock`).
    """
    found = _published(page, order)
    if isinstance(found, datetime):
        stamp = found
        found = page.guard("local clock", lambda: local_clock(stamp, _clock_witnesses(page)), stamp)
    if found is not None and rules.URL_DAY_OVERRULES_FAR_DATES:
        named = found
        found = page.guard("url day", lambda: _url_day_overrules(page, order, named), named)
    if found is not None and rules.SHOWN_DATE_REACH is not None:
        named = found
        found = page.guard("conflict", lambda: _settle_conflict(page, order, named), named)
    return found


# "/2023/11/08/", "/2017/7/12/", "/2023-11-08-", "/20231108/": the day a URL was minted on, in
# the site's own zone. An unpadded day must end its path segment: "/2023/10/3-fragen" is a title.
_URL_DAY = re.compile(
    r"/(?P<y>(?:19|20)\d\d)/(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])(?=/|$)"
    r"|/(?P<y2>(?:19|20)\d\d)(?P<sep>[/-]?)(?P<m2>0[1-9]|1[0-2])(?P=sep)(?P<d2>0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)


def url_day(url: str | None) -> date | None:
    """The full date in a URL's path, when it has one."""
    match = _URL_DAY.search(urlsplit(url).path if url else "")
    if not match:
        return None
    parts = match.group("y", "m", "d") if match.group("y") else match.group("y2", "m2", "d2")
    try:
        return date(*(int(part) for part in parts))
    except ValueError:
        return None


def _url_day_overrules(page: Page, order: tuple[str, ...], found: datetime | date) -> datetime | date:
    """A URL minted on a day more than a day away from `found` names the publication day.

    URLs are minted once, when the story is first published; a metadata date days or years
    away is a template default or a re-publication's. Within a day the two may only differ by
    the zone each is written in, and `found` (with its time) stands. The metadata date naming
    the URL's day is taken when there is one, else the URL's day itself.
    """
    minted = url_day(page.url)
    if minted is None or abs(_day(found) - minted) <= timedelta(days=1):
        return found
    named = (
        parsed
        for name in order
        if name not in _DAY_ONLY_LAYERS
        for value in _PUBLISHED_LAYERS[name](page)
        if (parsed := parse_page_date(value)) is not None and not _naive_time(value)
    )
    return next((value for value in named if _day(value) == minted), minted)


def _settle_conflict(page: Page, order: tuple[str, ...], found: datetime | date) -> datetime | date:
    """When the page's metadata names several days, the one the page shows (or its URL) wins.

    Templates leave a creation date, an old edition's date or a related story's date in one
    layer or another; the day shown by the headline, or minted in the URL, is the one readers
    see. Without a conflict, or without a witness, the precedence stands. A time without an
    offset is never preferred: read as UTC, it may be another instant than the one it names.
    """
    named = [
        parsed
        for name in order
        if name not in _DAY_ONLY_LAYERS
        for value in _PUBLISHED_LAYERS[name](page)
        if (parsed := parse_page_date(value)) is not None and not _naive_time(value)
    ]
    if len({_day(value) for value in (found, *named)}) < 2:
        return found
    shown = shown_day(page, rules.SHOWN_DATE_REACH)
    witnesses = {day for day in (url_day(page.url), shown) if day is not None}
    if not witnesses or _day(found) in witnesses:
        return found
    return next((value for value in named if _day(value) in witnesses), found)


def _naive_time(value: object) -> bool:
    written = _parse_as_written(value) if has_time(value) else None
    return written is not None and written.tzinfo is None


def _published(page: Page, order: tuple[str, ...]) -> datetime | date | None:
    day: date | None = None
    for name in order:
        if day is not None and name in _DAY_ONLY_LAYERS:
            break  # these give days only, and cost a search of the page
        for value in _PUBLISHED_LAYERS[name](page):
            if day is None:
                parsed = parse_page_date(value)
                if isinstance(parsed, datetime):
                    return parsed
                day = parsed
            elif has_time(value):
                timed = parse_page_date(value)
                if isinstance(timed, datetime) and same_day(timed, day):
                    return timed
    return day


def page_modified(page: Page) -> datetime | date | None:
    layers: list[Iterable[Any]] = [
        [page.article.get("dateModified")],
        page.metas(*rules.MODIFIED_META_KEYS),
        page.prop_values("dateModified"),
    ]
    for layer in layers:
        for value in layer:
            parsed = parse_page_date(value)
            if parsed is not None:
                return parsed
    return None
