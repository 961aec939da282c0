"""The generic path's own rules on hand-written pages: each test fails when its rule breaks."""

from __future__ import annotations

import pytest
from lxml import etree

from newsdesk import extract
from newsdesk.extraction.blocks import Block
from newsdesk.extraction.boilerplate import drop_boilerplate, remove_widgets
from newsdesk.extraction.selectors import SelectorError, css_to_xpath

SENTENCE = "The harbour authority approved the plan after a long debate about costs and the fishing fleet. "


def paragraphs(prefix: str, n: int) -> str:
    return "".join(f"<p>{prefix} {i}. {SENTENCE * 2}</p>" for i in range(n))


def page(body: str) -> str:
    head = "<head><title>Harbour plan</title></head>"
    return f"<html>{head}<body><nav><a href='/'>Home</a></nav>{body}</body></html>"


def test_body_split_around_an_ad_is_continued() -> None:
    chunk = '<div class="article__body">{}</div>'
    html = page(
        "<article><h1>Harbour plan</h1>"
        f'<div class="grid">{chunk.format(paragraphs("First part", 4))}</div>'
        '<div class="ad-rail"><p>Advertisement</p></div>'
        f'<div class="grid">{chunk.format(paragraphs("Second part", 3))}</div>'
        "</article>"
    )
    text = extract(html, "https://example.org/harbour").body_text
    assert "First part 0." in text
    assert "Second part 2." in text


def test_next_article_of_an_endless_scroll_is_not_a_continuation() -> None:
    chunk = '<div class="story">{}</div>'
    html = page(
        f"<main>{chunk.format('<h1>Harbour plan</h1>' + paragraphs('Main story', 4))}"
        f"{chunk.format('<h1>Another story</h1>' + paragraphs('Next story', 4))}</main>"
    )
    text = extract(html, "https://example.org/harbour").body_text
    assert "Main story 0." in text
    assert "Next story" not in text


def test_link_teasers_and_trailing_related_section_are_dropped() -> None:
    html = page(
        "<article><h1>Harbour plan</h1>"
        + paragraphs("Body", 3)
        + '<p><a href="/other">Harbour fees rise again as council weighs new levies</a></p>'
        + paragraphs("More body", 2)
        + "<h2>Related stories</h2>"
        + "<p>The council also reviewed the budget for the new school building on Tuesday.</p>"
        + "</article>"
    )
    text = extract(html, "https://example.org/harbour").body_text
    assert "More body 1." in text
    assert "Harbour fees rise again" not in text
    assert "Related stories" not in text
    assert "new school building" not in text


def test_layout_table_paragraphs_stay_paragraphs() -> None:
    html = page(f"<table><tr><td><h1>Harbour plan</h1>{paragraphs('Cell', 4)}</td></tr></table>")
    text = extract(html, "https://example.org/harbour").body_text
    assert "Cell 0." in text
    assert "Cell 1." in text.split("\n\n")[1]


def test_related_marker_early_in_the_text_does_not_cut_the_body() -> None:
    blocks = [Block("paragraph", "Intro line."), Block("heading", "Related"), Block("paragraph", "x " * 200)]
    assert [b.plain for b in drop_boilerplate(blocks)] == ["Intro line.", "x " * 200]


def test_headline_with_site_suffix_is_not_body() -> None:
    blocks = [Block("heading", "Harbour plan approved", level=1), Block("paragraph", "Text of the story.")]
    kept = drop_boilerplate(blocks, "Harbour plan approved | The Gazette")
    assert [b.plain for b in kept] == ["Text of the story."]


def test_own_url_line_is_dropped_other_urls_kept() -> None:
    blocks = [
        Block("paragraph", "Story text."),
        Block("paragraph", "https://example.org/harbour"),
        Block("paragraph", "https://data.example.org/report.pdf"),
    ]
    kept = drop_boilerplate(blocks, None, ("https://example.org/harbour/",))
    assert [b.plain for b in kept] == ["Story text.", "https://data.example.org/report.pdf"]


@pytest.mark.parametrize(
    ("selector", "markup", "expected"),
    [
        ("div.post-content", '<div class="a post-content"><p>x</p></div><div class="post-contents"/>', 1),
        (".a > p", '<div class="a"><p>x</p><div><p>y</p></div></div>', 1),
        (".a p", '<div class="a"><p>x</p><div><p>y</p></div></div>', 2),
        ("a[rel=author], #x", '<a rel="author">n</a><span id="x">i</span><a rel="me">m</a>', 2),
        ("[class*=banner]", '<div class="top-banner"/><div class="b"/>', 1),
    ],
)
def test_css_subset(selector: str, markup: str, expected: int) -> None:
    root = etree.fromstring(f"<root>{markup}</root>")
    assert len(css_to_xpath(selector)(root)) == expected


def test_unsupported_selector_is_an_error() -> None:
    with pytest.raises(SelectorError):
        css_to_xpath("p:first-child")


def test_inline_widget_heading_does_not_cut_the_rest_of_the_article() -> None:
    prose = [Block("paragraph", f"Paragraph {i} " + "word " * 30) for i in range(10)]
    blocks = [*prose[:6], Block("heading", "Most read in world news"), *prose[6:]]
    kept = drop_boilerplate(blocks)
    assert [b.plain for b in kept] == [b.plain for b in prose]


def test_section_kicker_opening_the_body_is_dropped() -> None:
    blocks = [Block("paragraph", "Transport"), Block("paragraph", "The night ferry returns on Friday.")]
    kept = drop_boilerplate(blocks, "Night ferry returns", (), ("Transport", "ferries"))
    assert [b.plain for b in kept] == ["The night ferry returns on Friday."]


def _widget_text(markup: str) -> str:
    tree = etree.fromstring(markup, etree.HTMLParser())
    remove_widgets(tree)
    return " ".join("".join(tree.itertext()).split())


def test_a_page_wrapped_in_one_form_keeps_its_text() -> None:
    # ASP.NET pages put the whole page inside <form id="aspnetForm">: that form is not a sign-up.
    story = paragraphs("Story", 5)
    text = _widget_text(f"<html><body><form id='aspnetForm'><div>{story}</div></form></body></html>")
    assert "Story 4." in text


def test_a_short_story_with_a_byline_avatar_keeps_its_paragraphs() -> None:
    story = paragraphs("Story", 3)
    markup = (
        "<html><body><article><div class='b'><img src='a.jpg'><a href='/author/jane-roe/'>Jane Roe</a></div>"
        f"<div class='t'>{story}</div></article></body></html>"
    )
    text = _widget_text(markup)
    assert "Jane Roe" not in text
    assert all(f"Story {i}." in text for i in range(3))


def test_a_search_form_goes_with_its_label_only() -> None:
    story = paragraphs("Story", 3)
    markup = (
        f"<html><body><div><div>{story}</div><div><label>Search</label><form><input name='q'></form></div>"
        "</div></body></html>"
    )
    text = _widget_text(markup)
    assert "Search" not in text
    assert "Story 2." in text


SHORT_POST = (
    "<html><body><div id='content'><div class='h1'>Making of the loveseat</div>"
    "<p>A designer filmed the making of his loveseat.</p><p>Watch the video below.</p>"
    "<form action='/subscribe'><input name='email'/><button>Go</button></form></div></body></html>"
)
BYLINE_POST = (
    "<html><body><div class='entry'><div class='h1'>Hair picks on a budget</div>"
    "<p class='byline'>By <a href='/author/jane-roe'>Jane Roe</a></p><img src='/hair.jpg'/>"
    f"<p>{SENTENCE * 2}</p></div></body></html>"
)


@pytest.mark.parametrize(
    ("markup", "title", "story"),
    [
        (SHORT_POST, "Making of the loveseat", "A designer filmed"),
        (BYLINE_POST, "Hair picks on a budget", "The harbour authority approved"),
    ],
    ids=["signup-climb", "author-card"],
)
def test_a_short_story_showing_the_headline_is_not_a_widget(markup: str, title: str, story: str) -> None:
    def text_after(headline: str | None) -> str:
        tree = etree.fromstring(markup, etree.HTMLParser())
        remove_widgets(tree, headline)
        return " ".join("".join(tree.itertext()).split())

    # Without the headline the short story around a form or a byline reads like a widget ...
    assert story not in text_after(None)
    # ... with it, the story stays.
    assert story in text_after(title.upper())
