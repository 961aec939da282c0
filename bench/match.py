"""Metadata matching rules, one per field, applied identically to every tool.

A field whose truth is None is not asserted and not scored. An asserted empty value (`[]` authors)
is right only when the tool gives nothing either.

- title: after normalising (NFKC, case-folded, curly quotes/dashes unified, whitespace collapsed)
  the two are equal, or one is the other plus a separator (| - – — · : » / ::) and a site part
  before or after it ("Headline | Site" vs "Headline"; "_" needs no spaces).
- authors: the set of word tokens of the tool's names equals that of the truth's names, case- and
  accent-folded, ignoring lead-ins and joiners ("by", "von", "and", "et", ...) and credentials
  ("MA", "PhD", ...). A truth byline string counts its first line naming anybody. Token sets make
  the rule blind to how names are split and ordered ("Jong, Michiel de").
- date, same day: the truth's calendar day as written equals the tool's, the tool's timestamp
  taken in the truth's UTC offset when both carry one (so the same instant always matches),
  else as the tool wrote it.
- date, same instant: only for truths with a time of day: the tool's value is the same instant
  within a minute. A bare date never matches a timestamp here. When either side has no offset,
  wall-clock times are compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

FIELDS = ("title", "authors", "date", "instant")

# "_" separates the site in many Chinese titles, without spaces around it.
_SEPARATOR = re.compile(r"^(?:\s*(?:\||-|–|—|·|•|:|»|/|::)\s+|\s*_)")
_SEPARATOR_END = re.compile(r"(?:\s*(?:\||-|–|—|·|•|:|»|/|::)\s+|_\s*)$")
_IGNORED_TOKENS = frozenset(
    [
        "by",
        "written",
        "par",
        "von",
        "por",
        "de",
        "and",
        "und",
        "et",
        "y",
        "e",
        "avec",
        "with",
        "ma",
        "md",
        "phd",
        "mph",
        "rn",
        "msc",
    ]
)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-"})
_INSTANT_TOLERANCE = timedelta(minutes=1)


def _norm_title(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(_DASHES)
    return " ".join(text.casefold().split())


def title_matches(truth: str | None, predicted: str | None) -> bool:
    if not truth or not predicted:
        return not truth and not predicted
    a, b = _norm_title(truth), _norm_title(predicted)
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if not short:
        return False
    if long.startswith(short) and _SEPARATOR.match(long[len(short) :]):
        return True
    return long.endswith(short) and bool(_SEPARATOR_END.search(long[: -len(short)]))


def _tokens(text: str) -> set[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return {token for token in re.findall(r"\w+", plain) if token not in _IGNORED_TOKENS}


def authors_match(truth: str | list[str] | None, predicted: list[str]) -> bool:
    if isinstance(truth, list):
        expected = _tokens(" ".join(truth))
    else:
        # The first line naming anybody: "By\n  Scott Cunningham" names him on its second line.
        expected = next((_tokens(line) for line in (truth or "").splitlines() if _tokens(line)), set())
    got = _tokens(" ".join(predicted))
    if not expected or not got:
        return not expected and not got
    return expected == got


def parse_when(value: str | None) -> date | datetime | None:
    """An ISO date or timestamp at its own precision; None when it does not parse."""
    if not value or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return date.fromisoformat(text[:10]) if re.match(r"\d{4}-\d{2}-\d{2}", text) else None


def same_day(truth: str | None, predicted: str | None) -> bool:
    if not truth or not predicted:
        return not truth and not predicted
    want, got = parse_when(truth), parse_when(predicted)
    if want is None or got is None:
        return truth[:10] == predicted[:10]
    want_day = want.date() if isinstance(want, datetime) else want
    if isinstance(got, datetime):
        if isinstance(want, datetime) and want.utcoffset() is not None and got.utcoffset() is not None:
            got = got.astimezone(want.tzinfo)
        return got.date() == want_day
    return got == want_day


def has_time(value: str | None) -> bool:
    return isinstance(parse_when(value), datetime)


def same_instant(truth: str | None, predicted: str | None) -> bool:
    want, got = parse_when(truth), parse_when(predicted)
    if not isinstance(want, datetime) or not isinstance(got, datetime):
        return False
    if (want.utcoffset() is None) != (got.utcoffset() is None):
        want, got = want.replace(tzinfo=None), got.replace(tzinfo=None)
    return abs(want - got) <= _INSTANT_TOLERANCE


def date_matches(truth: str | None, predicted: str | None) -> bool:
    """The headline date rule: the same calendar day (see the module docstring)."""
    return same_day(truth, predicted)


def score(truth: Mapping[str, Any], got: Mapping[str, Any]) -> dict[str, bool | None]:
    """Per field: True/False, or None where the truth asserts nothing (not scored)."""
    published = truth.get("published")
    return {
        "title": None if truth.get("title") is None else title_matches(truth["title"], got.get("title")),
        "authors": None
        if truth.get("authors") is None
        else authors_match(truth["authors"], list(got.get("authors") or [])),
        "date": None if published is None else same_day(published, got.get("published")),
        "instant": same_instant(published, got.get("published")) if has_time(published) else None,
    }
