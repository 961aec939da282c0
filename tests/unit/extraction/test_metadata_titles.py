"""The headline: the article header's <h1> when the metadata confirms it, else the metadata."""

from __future__ import annotations

import json

import lxml.html

from newsdesk.extraction.metadata import extract_metadata


def title_of(head: str, body: str) -> str | None:
    tree = lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")
    return extract_metadata(tree, "https://news.example.org/a").title


SOCIAL = "Umerov heads to Turkey to unblock POW exchange talks: live updates"
SEO_HEAD = (
    f'<meta property="og:title" content="{SOCIAL}">'
    '<meta property="og:site_name" content="Example News">'
    f"<title>{SOCIAL} | Example News</title>"
)


def test_the_headline_the_reader_sees_beats_the_social_title() -> None:
    body = "<article><header><h1>Umerov heads to Turkey to unblock POW exchange talks</h1></header></article>"
    assert title_of(SEO_HEAD, body) == "Umerov heads to Turkey to unblock POW exchange talks"


def test_the_article_h1_is_preferred_to_an_earlier_h1_outside_it() -> None:
    body = (
        "<div><h1>Umerov heads to Turkey: POW exchange talks live</h1></div>"
        "<article><h1>Umerov heads to Turkey to unblock POW exchange talks</h1></article>"
    )
    assert title_of(SEO_HEAD, body) == "Umerov heads to Turkey to unblock POW exchange talks"


def test_a_logo_or_section_h1_is_not_the_headline() -> None:
    logo = '<header class="site-header"><h1 class="logo">Example News</h1></header>'
    assert title_of(SEO_HEAD, logo) == SOCIAL
    # Named like the site, outside any chrome markup: still the site, not the story.
    assert title_of(SEO_HEAD, "<h1>Example News</h1>") == SOCIAL
    # A section title shares no words with the story's titles.
    section = "<main><h1>World and politics today</h1></main>"
    assert title_of(SEO_HEAD, section) == SOCIAL


def test_an_h1_in_the_navigation_is_not_the_headline() -> None:
    nav = "<nav><h1>Umerov heads to Turkey to unblock POW exchange talks</h1></nav>"
    assert title_of(SEO_HEAD, nav) == SOCIAL


def test_the_h1_alone_is_the_headline_when_no_metadata_names_one() -> None:
    assert (
        title_of("", "<article><h1>Floods hit the coast again</h1></article>") == "Floods hit the coast again"
    )


def test_jsonld_headline_confirms_the_h1_too() -> None:
    head = '<script type="application/ld+json">{}</script>'.format(
        json.dumps({"@type": "NewsArticle", "headline": "Floods hit the coast again overnight"})
    )
    body = "<article><h1>Floods hit the coast again</h1></article>"
    assert title_of(head, body) == "Floods hit the coast again"


def test_a_metadata_title_decorated_with_site_section_or_date_gives_way_to_the_h1() -> None:
    head = '<meta property="og:title" content="Ukrainische Gegenoffensive: Ziele, Chancen | DW | 28.04.2023">'
    body = "<article><h1>Ukrainische Gegenoffensive: Ziele, Chancen</h1></article>"
    assert title_of(head, body) == "Ukrainische Gegenoffensive: Ziele, Chancen"


def test_soft_hyphens_do_not_reach_the_headline() -> None:
    head = '<meta property="og:title" content="Ver\u00adfas\u00adsungs\u00adbe\u00adschwerde eingelegt">'
    assert title_of(head, "") == "Verfassungsbeschwerde eingelegt"


def test_a_blog_name_in_the_h1_and_the_title_is_not_the_post_headline() -> None:
    head = '<title>Bits or pieces?</title><meta property="og:title" content="A good enough map">'
    assert title_of(head, "<h1>Bits or pieces?</h1><h3>A good enough map</h3>") == "A good enough map"


def test_an_address_is_no_headline() -> None:
    head = (
        '<meta property="og:title" content="http://www.example.com/blog">'
        "<title>Example | The Winds of Change</title>"
    )
    assert title_of(head, "<article><h1>The Winds of Change</h1></article>") == "The Winds of Change"
