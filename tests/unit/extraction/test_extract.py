"""extract() end to end on small hand-written pages: fields, Markdown, typed errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsdesk import extract
from newsdesk.article import content_hash, reading_time
from newsdesk.errors import BinaryContentError, EmptyDocumentError, ExtractionError, NotAnArticleError
from newsdesk.extraction.boilerplate import is_boilerplate_text
from newsdesk.extraction.captions import split_caption

PROSE = (
    "The council met on Tuesday to discuss the harbour's new breakwater, which engineers say will protect "
    "the fishing fleet from winter storms for decades to come. "
)
PAGE = f"""<!DOCTYPE html><html lang="en"><head><title>Harbour works begin | Gazette</title>
<link rel="canonical" href="https://gazette.example/harbour-works"></head><body>
<nav><a href="/">Home</a><a href="/news">News</a></nav>
<article><h1>Harbour works begin</h1>
<p>{PROSE * 2}</p>
<h2>What happens next</h2>
<p>{PROSE}</p>
<ul><li>Dredging starts in March and will run until the end of the summer season.</li>
<li>The quay reopens in autumn once the new concrete blocks have been placed.</li></ul>
<blockquote><p>We have waited twenty years for this work to begin in earnest.</p></blockquote>
<p>{PROSE}</p>
<p>Sign up for our newsletter</p>
<p>Read more: Harbour fees rise again</p>
</article><footer>© Gazette</footer></body></html>"""


def test_generic_page_fields_and_markdown() -> None:
    fetched = datetime(2026, 1, 2, 3, 4, 5)  # naive: taken as UTC
    article = extract(PAGE.encode(), "https://gazette.example/harbour-works?utm_source=x", fetched_at=fetched)
    assert article.canonical_url == "https://gazette.example/harbour-works"
    assert article.body_text.startswith("The council met on Tuesday")
    assert "Harbour works begin" not in article.body_text  # the headline is the title, not body
    assert "Sign up for our newsletter" not in article.body_text
    assert "Read more" not in article.body_text
    assert "Home" not in article.body_text
    assert "## What happens next" in article.body_markdown
    assert "- Dredging starts in March" in article.body_markdown
    assert "> We have waited twenty years" in article.body_markdown
    assert "\n\n" in article.body_text
    assert article.content_hash == content_hash(article.body_text)
    assert article.reading_time_minutes == reading_time(article.word_count)
    assert article.fetched_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_id_without_url_comes_from_the_canonical_url() -> None:
    with_url = extract(PAGE, "https://gazette.example/harbour-works")
    without = extract(PAGE)
    assert without.url is None
    assert without.id == with_url.id  # same canonical form


def test_stated_reading_time_is_used() -> None:
    page = PAGE.replace("<h1>Harbour works begin</h1>", "<h1>Harbour works begin</h1><span>7 min read</span>")
    assert extract(page).reading_time_minutes == 7


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyDocumentError),
        (b"%PDF-1.4 binary", BinaryContentError),
        (b"just some words, no markup at all", NotAnArticleError),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", NotAnArticleError),
        (b"<html><body></body></html>", NotAnArticleError),
    ],
)
def test_typed_errors(data: bytes, error: type[ExtractionError]) -> None:
    with pytest.raises(error) as info:
        extract(data, "https://example.org/x")
    assert str(info.value)


def test_too_many_elements_is_too_large() -> None:
    from newsdesk.errors import DocumentTooLargeError
    from newsdesk.extraction import MAX_ELEMENTS

    page = "<html><body>" + "<span>x</span>" * (MAX_ELEMENTS + 1) + "</body></html>"
    with pytest.raises(DocumentTooLargeError, match="elements"):
        extract(page, "https://example.org/x")


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (
            "Umerov in Kyiv. (Jane Doe/AFP via Getty Images)",
            ("Umerov in Kyiv.", "Jane Doe/AFP via Getty Images"),
        ),
        ("The harbour at dawn. Photo: John Smith", ("The harbour at dawn", "John Smith")),
        ("A quay (seen from the north)", ("A quay (seen from the north)", None)),
        ("The refitted ferry. (Harbour Gazette)", ("The refitted ferry.", "Harbour Gazette")),
    ],
)
def test_split_caption(caption: str, expected: tuple[str | None, str | None]) -> None:
    assert split_caption(caption) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0 out of 25,000",
        "Help us reach 25,000 members by the end of 2025.",
        "Read more",
        "Show More",
        "Related",
    ],
)
def test_boilerplate_lines(text: str) -> None:
    assert is_boilerplate_text(text)


def test_prose_mentioning_a_newsletter_is_kept() -> None:
    assert not is_boilerplate_text(
        "Read more about the affair in a report that the newspaper published on Monday, which found that "
        "the minister had been warned about the contracts in 2021 and again in 2022, officials said."
    )


def test_jsonld_article_body_when_the_markup_has_none() -> None:
    body = "First paragraph of a story rendered by a script.\\nSecond paragraph, with more words in it."
    page = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "Scripted",'
        f' "articleBody": "{body}"}}</script></head><body><div id="app"></div></body></html>'
    )
    article = extract(page, "https://example.org/scripted")
    assert article.body_text == (
        "First paragraph of a story rendered by a script.\n\nSecond paragraph, with more words in it."
    )


def test_markup_wins_over_jsonld_article_body() -> None:
    jsonld = '{"@type": "NewsArticle", "articleBody": "Teaser only."}'
    page = PAGE.replace("</title>", f'</title><script type="application/ld+json">{jsonld}</script>')
    assert extract(page).body_text.startswith("The council met on Tuesday")
