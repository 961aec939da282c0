"""Dates a page shows as text: "24. April 2020", "23 mai 2019", "January 18, 2020", "25.01.2022".

Many pages (press releases, blogs, small publishers) state their date only in the visible
header, with no metadata. `find_text_date` reads such a date from a short text of its own; it
returns the calendar day only (a shown time has no offset, and a day is what the text names).
Month names are data (`metadata_rules.MONTH_NAMES`), read without a locale library: babel or
dateparser would load locale data for every language on the first page a process sees.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from newsdesk.extraction import metadata_rules as rules


def fold_month(word: str) -> str:
    """Lower case, accents and trailing dots dropped: "Févr." -> "fevr", "März" -> "marz"."""
    decomposed = unicodedata.normalize("NFKD", word.strip(".").casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


MONTHS: dict[str, int] = {
    fold_month(name): number for number, names in rules.MONTH_NAMES.items() for name in names
}

_WORD = r"([^\W\d_]{3,12})\.?"
_YEAR = r"((?:19|20)\d\d)(?!\d)"
# "24. April 2020", "1er juillet 2019", "18 de enero de 2020", "6 листопада 2023 р."
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\d.])(\d{{1,2}})(?:\.|er|st|nd|rd|th|º)?\s*(?:de\s+)?{_WORD},?\s*(?:de\s+)?{_YEAR}"
)
# "January 18, 2020", "Jan. 8th 2020"
_MONTH_DAY_YEAR = re.compile(rf"{_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}")
# "2020年4月17日", "2020년 4월 17일"
_CJK = re.compile(r"((?:19|20)\d\d)\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
# "2020-04-17", "2020/04/17", "2020.04.17"
_YEAR_FIRST = re.compile(r"(?<![\d.])((?:19|20)\d\d)([./-])(\d{1,2})\2(\d{1,2})(?![\d])")
# "25.01.2022", "8.5.12", "01-11-2023", "03/04/2021"
_YEAR_LAST = re.compile(r"(?<![\d.:])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d.:]\d|\d)")


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # "8.5.12": the two-digit years of news are this century's
        year += 2000
    return year


def _named_month(text: str, language: str | None) -> date | None:
    for match in _DAY_MONTH_YEAR.finditer(text):
        month = MONTHS.get(fold_month(match.group(2)))
        if month:
            return _day(int(match.group(3)), month, int(match.group(1)))
    for match in _MONTH_DAY_YEAR.finditer(text):
        month = MONTHS.get(fold_month(match.group(1)))
        if month:
            return _day(int(match.group(3)), month, int(match.group(2)))
    return None


def _numeric(text: str, language: str | None) -> date | None:
    match = _CJK.search(text)
    if match:
        return _day(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _YEAR_FIRST.search(text)
    if match:
        return _day(int(match.group(1)), int(match.group(3)), int(match.group(4)))
    match = _YEAR_LAST.search(text)
    if not match:
        return None
    first, second, year = int(match.group(1)), int(match.group(3)), _full_year(match.group(4))
    month_first = match.group(2) == "/" and (language or "").split("-")[0] in rules.MONTH_FIRST_LANGUAGES
    if first > 12 or (not month_first and second <= 12):
        return _day(year, second, first)
    return _day(year, first, second)


def find_text_date(text: str, language: str | None = None) -> date | None:
    """The first full date (day, month, year) in a short text, or the dateline a longer text
    starts with; None when there is none.

    `language` (a BCP 47 tag) decides "03/04/2021" only: month first in English, else day first.
    """
    if not text or not any(ch.isdigit() for ch in text):
        return None
    if len(text) > rules.TEXT_DATE_MAX_CHARS:
        first = text.split(maxsplit=1)[0]
        if not (first[0].isdigit() or fold_month(first.rstrip(",")) in MONTHS):
            return None
        text = text[: rules.DATELINE_MAX_CHARS]
    return _named_month(text, language) or _numeric(text, language)
