"""Dates shown as text, the day-first reading of dashed dates, and UTC stamps in the page's offset."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import lxml.html
import pytest

from newsdesk.extraction.dates import local_clock, parse_date, url_day
from newsdesk.extraction.metadata import extract_metadata
from newsdesk.extraction.textdates import find_text_date


def page(body: str, *, head: str = "", lang: str = "de") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(
        f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'
    )


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("24. April 2020 |", "de", date(2020, 4, 24)),
        ("23 mai 2019", "fr", date(2019, 5, 23)),
        ("Le 1er juillet 2019", "fr", date(2019, 7, 1)),
        ("18 de enero de 2020", "es", date(2020, 1, 18)),
        ("January 18, 2020", "en", date(2020, 1, 18)),
        ("Jan. 8th 2020", "en", date(2020, 1, 8)),
        ("6. März 2023", "de", date(2023, 3, 6)),
        ("30 juil. 2019", "fr", date(2019, 7, 30)),
        ("6 листопада 2023", "uk", date(2023, 11, 6)),
        ("15 мая 2021", "ru", date(2021, 5, 15)),
        ("Datum: 25.01.2022", "de", date(2022, 1, 25)),
        ("Klaus Muster, 8.5.12", "de", date(2012, 5, 8)),
        ("06.11.2023 13:30 von Olga", "de", date(2023, 11, 6)),
        ("2020-04-17", None, date(2020, 4, 17)),
        ("2020年4月17日", "ja", date(2020, 4, 17)),
        ("03/04/2021", "en-US", date(2021, 3, 4)),
        ("03/04/2021", "fr", date(2021, 4, 3)),
        ("13/04/2021", "en", date(2021, 4, 13)),
    ],
)
def test_text_dates_in_many_languages_and_shapes(text: str, language: str | None, expected: date) -> None:
    assert find_text_date(text, language) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Published in 2019",  # a year is no day
        "May 2019",
        "31.02.2020",  # no such day
        "Version 1.2.3",
        "Call 030 1234 5678",
        "At the summit on 24 April 2020 the ministers agreed on a long list of measures.",  # a sentence
        "Sonntag 12:30",
    ],
)
def test_no_text_date(text: str) -> None:
    assert find_text_date(text, "de") is None


def test_shown_date_is_the_published_day_when_no_metadata_names_one() -> None:
    tree = page(
        "<header><h1>Cup-Vorschau: Bruderduell in Stans</h1>"
        "<p class='sub'>Handball Schweiz • 02.02.2022</p></header>"
        "<p>Der Text des Artikels, lang genug, um ein Absatz zu sein, und ohne jedes Datum.</p>"
        "<aside><h2>Mehr</h2><ul><li>Ältere Meldung</li><li>14.01.2022</li></ul></aside>"
    )
    assert extract_metadata(tree, "https://example.org/news/cup").published_at == date(2022, 2, 2)


def test_shown_date_nearest_the_headline_beats_teaser_dates_before_it() -> None:
    tree = page(
        "<nav><ul><li>01.01.2021</li><li>Alt</li></ul></nav>"
        "<div>Pressemitteilung vom 20.01.2022</div><h1>Erste Zusagen für Aufnahmen</h1>"
        "<p>Der Text des Artikels, lang genug, um ein Absatz zu sein, und ohne jedes Datum.</p>"
    )
    assert extract_metadata(tree, None).published_at == date(2022, 1, 20)


def test_metadata_date_beats_the_shown_one() -> None:
    tree = page(
        "<h1>Ein Artikel mit Metadaten</h1><p>03.11.2021</p>",
        head='<meta property="article:published_time" content="2021-11-02T10:00:00+01:00">',
    )
    published = extract_metadata(tree, None).published_at
    assert published == datetime(2021, 11, 2, 10, tzinfo=timezone(timedelta(hours=1)))


def test_dashed_numeric_dates_are_read_day_first() -> None:
    # "01-11-2023" beside "1. November 2023" on the page: the first of November, not 11 January.
    assert parse_date("01-11-2023 10:29") == datetime(2023, 11, 1, 10, 29, tzinfo=UTC)
    assert parse_date("06.11.2023") == datetime(2023, 11, 6, tzinfo=UTC)


MINUS7 = timezone(timedelta(hours=-7))


def test_utc_stamp_takes_the_offset_of_a_wall_clock_witness() -> None:
    stamp = datetime(2023, 11, 9, 1, 9, 55, tzinfo=UTC)
    local = local_clock(stamp, [None, "Nov 8", "2023-11-08 18:09:55"])
    assert local == stamp  # the same instant
    assert local.utcoffset() == timedelta(hours=-7)
    assert local.date() == date(2023, 11, 8)


def test_utc_stamp_takes_the_offset_of_the_same_instant_written_locally() -> None:
    stamp = datetime(2023, 11, 9, 6, 35, 29, tzinfo=UTC)
    local = local_clock(stamp, ["2023-11-08T23:05:04-08:00", "2023-11-08T22:35:29-08:00"])
    assert local.utcoffset() == timedelta(hours=-8) and local == stamp


@pytest.mark.parametrize(
    ("stamp", "witnesses"),
    [
        # another event's time: not the same minute and second
        (datetime(2023, 11, 9, 1, 9, 55, tzinfo=UTC), ["2023-11-08 18:10:00"]),
        # a stamp that already has an offset is the page's own reading
        (datetime(2023, 11, 8, 18, 9, 55, tzinfo=MINUS7), ["2023-11-09 01:09:55"]),
        # a round hour could be any event's: no witness is trusted
        (datetime(2023, 11, 9, 1, 0, 0, tzinfo=UTC), ["2023-11-08 18:00:00"]),
        # more than 14 hours away is no offset
        (datetime(2023, 11, 9, 1, 9, 55, tzinfo=UTC), ["2023-11-07 18:09:55"]),
        # a day alone is no clock
        (datetime(2023, 11, 9, 1, 9, 55, tzinfo=UTC), ["2023-11-08", 12, ["x"]]),
    ],
)
def test_utc_stamp_kept_without_a_trustworthy_witness(stamp: datetime, witnesses: list[object]) -> None:
    kept = local_clock(stamp, witnesses)
    assert kept == stamp and kept.utcoffset() == stamp.utcoffset()


def test_page_published_in_utc_is_shown_in_the_local_offset_of_its_time_element() -> None:
    tree = page(
        '<h1>Playoffs, second weekend</h1><time datetime="2023-11-08 18:09:55">Nov 8, 6:09 p.m.</time>',
        head='<meta property="article:published_time" content="2023-11-09T01:09:55+00:00">',
        lang="en",
    )
    published = extract_metadata(tree, None).published_at
    assert isinstance(published, datetime)
    assert published == datetime(2023, 11, 9, 1, 9, 55, tzinfo=UTC)
    assert published.utcoffset() == timedelta(hours=-7)


CONFLICT_HEAD = (
    '<meta itemprop="datePublished" content="2021-12-14T15:41:07+01:00">'
    '<meta name="DC.date.issued" content="2022-02-04T15:33:00+01:00">'
)


def test_shown_date_by_the_headline_settles_conflicting_metadata() -> None:
    tree = page("<h1>Warum sich das Warten lohnt</h1><p>04.02.2022 | 15:33 Uhr</p>", head=CONFLICT_HEAD)
    published = extract_metadata(tree, None).published_at
    assert published == datetime(2022, 2, 4, 15, 33, tzinfo=timezone(timedelta(hours=1)))


def test_url_day_settles_conflicting_metadata() -> None:
    tree = page("<h1>Warum sich das Warten lohnt</h1>", head=CONFLICT_HEAD)
    published = extract_metadata(tree, "https://example.org/2022/02/04/warten").published_at
    assert isinstance(published, datetime) and published.date() == date(2022, 2, 4)


def test_precedence_stands_without_a_witness_near_the_headline() -> None:
    filler = "".join(f"<p>Absatz {n} ohne Datum.</p>" for n in range(30))
    tree = page(f"<h1>Warum sich das Warten lohnt</h1>{filler}<p>04.02.2022</p>", head=CONFLICT_HEAD)
    published = extract_metadata(tree, None).published_at
    # datePublished comes first in the meta precedence; a date far from the headline does not
    # move it (a teaser's or a comment's).
    assert isinstance(published, datetime) and published.date() == date(2021, 12, 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "27.1.2022 - Bei der Erinnerung an die Verfolgung lesbischer Frauen fehlt noch viel",
            date(2022, 1, 27),
        ),
        (
            "January 18, 2020 — WASHINGTON (Reuters) The Senate opened the trial on a long day",
            date(2020, 1, 18),
        ),
        ("الأربعاء، 07 أكتوبر 2020 - 12:09 م", date(2020, 10, 7)),
    ],
)
def test_datelines_and_arabic_month_names(text: str, expected: date) -> None:
    assert find_text_date(text, None) == expected


def test_a_long_text_with_a_date_inside_is_no_dateline() -> None:
    assert (
        find_text_date("12 Menschen starben, als am 3.4.2020 der Damm in der Nacht brach und", "de") is None
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/2023/11/08/story/", date(2023, 11, 8)),
        ("https://example.de/home/2017/7/12/unter-uns", date(2017, 7, 12)),
        ("https://example.com/news/20200413/suspect", date(2020, 4, 13)),
        ("https://example.com/a/2020-01-02-story", date(2020, 1, 2)),
        ("https://example.org/2023/10/3-fragen-an-sie", None),  # "3 Fragen" is the title
        ("https://example.org/2020/13/01/", None),
        ("https://example.org/archive/2020/", None),
        (None, None),
    ],
)
def test_url_day(url: str | None, expected: date | None) -> None:
    assert url_day(url) == expected


def test_url_day_overrules_a_metadata_date_far_from_it() -> None:
    tree = page(
        "<h1>Professionell entlöten</h1>",
        head='<meta property="article:published_time" content="2009-04-11T18:06:36+00:00">',
    )
    assert extract_metadata(tree, "https://example.de/2019/10/22/entloeten/").published_at == date(
        2019, 10, 22
    )


def test_url_day_a_day_away_leaves_the_timed_metadata_date() -> None:
    head = '<meta property="article:published_time" content="2020-02-19T18:37:32+01:00">'
    tree = page("<h1>Una noticia de ciencia</h1>", head=head, lang="es")
    published = extract_metadata(tree, "https://example.es/2020/02/18/ciencia/1.html").published_at
    assert published == datetime(2020, 2, 19, 18, 37, 32, tzinfo=timezone(timedelta(hours=1)))


def test_an_update_line_is_no_shown_publication_date() -> None:
    tree = page(
        "<h1>Wie Umweltzerstörung neue Epidemien begünstigt</h1>"
        "<p>Aktualisiert: 11.04.2020, 10:27</p><p>Der Text des Artikels, ohne Datum.</p>"
    )
    assert extract_metadata(tree, None).published_at is None
    tree = page(
        "<h1>Wie Umweltzerstörung neue Epidemien begünstigt</h1>"
        "<p>Aktualisiert: 11.04.2020, 10:27</p><p>03.04.2020</p><p>Der Text des Artikels.</p>"
    )
    assert extract_metadata(tree, None).published_at == date(2020, 4, 3)


def test_a_date_held_by_an_updated_element_is_no_witness() -> None:
    tree = page(
        "<article><h1>Laufen im Winter: von bäh zu yeah</h1><span class='posted-on'>"
        "<time class='updated' datetime='2019-02-09T23:00:55+01:00'>9. Februar 2019</time>"
        "<time class='entry-date published' datetime='2019-02-10T09:30:10+01:00'>10. Februar 2019</time>"
        "</span>"
        "<p>Der Text des Artikels, ohne Datum.</p></article>",
        head='<meta property="article:published_time" content="2019-02-09T23:00:55+01:00">',
    )
    published = extract_metadata(tree, None).published_at
    assert published == datetime(2019, 2, 10, 9, 30, 10, tzinfo=timezone(timedelta(hours=1)))
