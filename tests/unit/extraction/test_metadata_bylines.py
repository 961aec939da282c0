"""Visible bylines: found when no metadata names the author, and only this article's."""

from __future__ import annotations

import lxml.html

from newsdesk.extraction import metadata_rules as rules
from newsdesk.extraction.authors import page_authors
from newsdesk.extraction.metadata import extract_metadata
from newsdesk.extraction.pagemeta import Page


def authors_of(body: str, head: str = "") -> list[str]:
    tree = lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")
    return extract_metadata(tree, "https://news.example.org/2025/story").authors


def test_a_by_line_in_the_story_names_the_author() -> None:
    body = "<article><h1>Boundaries</h1><p><i>von Daniela Obers</i></p><p>Wir spüren es.</p></article>"
    assert authors_of(body) == ["Daniela Obers"]


def test_a_by_line_with_the_name_in_a_link() -> None:
    body = (
        '<article><p>By <a href="/people/jane">Jane Doe</a> and <a href="/people/ann">Ann Roe</a></p>'
        "</article>"
    )
    assert authors_of(body) == ["Jane Doe", "Ann Roe"]


def test_the_author_link_layer_names_the_author_when_the_order_has_it() -> None:
    body = (
        '<div class="meta"><a href="/autor/frank_g">Gunter Frank</a> / 22.04.2020</div>'
        "<article><p>Text of the story.</p></article>"
    )
    tree = lxml.html.document_fromstring(f"<html><body>{body}</body></html>")
    page = Page(tree, "https://news.example.org/a")
    assert page_authors(page, [], (*rules.AUTHOR_LAYERS, "author_link")) == ["Gunter Frank"]
    # Not in the default order: it lost leave-one-collection-out.
    assert authors_of(body) == []


def test_bylines_of_related_stories_and_footers_are_not_this_articles() -> None:
    body = (
        "<article><p>Text of the story with no byline.</p></article>"
        '<aside><p>By Other Writer</p><a href="/author/other">Other Writer</a></aside>'
        '<div class="related-stories"><p>By Someone Else</p></div>'
        '<footer><a href="/author/editor">Site Editor</a></footer>'
    )
    assert authors_of(body) == []


def test_a_long_paragraph_starting_with_by_is_prose_not_a_byline() -> None:
    prose = "By the end of the week, the river had risen by two metres across the whole valley."
    body = f"<article><p>{prose}</p></article>"
    assert authors_of(body) == []


def test_metadata_authors_beat_the_visible_byline() -> None:
    head = '<meta name="author" content="Meta Person">'
    assert authors_of("<article><p>By Visible Person</p></article>", head) == ["Meta Person"]


def test_datelines_widgets_and_the_site_are_not_authors() -> None:
    assert authors_of("", '<meta name="author" content="Frankfurt, Germany">') == []
    assert authors_of("<article><p>Powered by Example Platform</p></article>") == []
    # The site named by its address is an organisation: kept only when nobody else is named.
    head = '<meta name="author" content="STERN.de"><link rel="canonical" href="https://www.stern.de/a">'
    assert authors_of("", head) == ["STERN.de"]
    assert authors_of("<article><p>By Jemima Kelly</p></article>", head) == ["Jemima Kelly"]
    assert authors_of("", '<meta name="author" content="Anna Schmidt, Berlin, Germany">') == ["Anna Schmidt"]


def test_a_lead_in_alone_in_its_element_reads_the_name_after_it() -> None:
    spans = '<article><div><span>By</span><span><a href="/about/x">Alex Bozarjian</a></span></div></article>'
    assert authors_of(spans) == ["Alex Bozarjian"]
    label = "<article><div><h5>Autor:</h5>Peter Maahn/SP-X<br></div><p>Text.</p></article>"
    assert authors_of(label) == ["Peter Maahn"]


def test_a_display_name_in_metadata_is_kept_but_not_a_handle_in_passing() -> None:
    assert authors_of("", '<meta name="author" content="swardley">') == ["swardley"]
    assert authors_of("", '<meta name="author" content="admin">') == []
    assert authors_of('<article><p class="byline">mcupdate</p></article>') == []
