"""A page without an article body still gives its metadata to the caller that asks for it."""

from __future__ import annotations

from datetime import date

import pytest

from newsdesk.errors import EmptyDocumentError, NotAnArticleError
from newsdesk.extraction import extract, page_metadata

# A video page: headline, byline and day, but no text to call a body.
NO_BODY = b"""<html lang="en"><head>
<meta property="og:title" content="Watch: the flood in one minute">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2025-11-11">
</head><body><nav><a href="/">Home</a></nav><video src="/v.mp4"></video></body></html>"""


def test_not_an_article_error_carries_the_page_metadata() -> None:
    with pytest.raises(NotAnArticleError) as caught:
        extract(NO_BODY, "https://news.example.org/video/1")
    meta = caught.value.metadata
    assert meta is not None
    assert meta.title == "Watch: the flood in one minute"
    assert meta.authors == ["Jane Doe"]
    assert meta.published_at == date(2025, 11, 11)
    assert meta.language == "en"


def test_page_metadata_reads_a_page_without_a_body() -> None:
    meta = page_metadata(NO_BODY, "https://news.example.org/video/1")
    assert meta.title == "Watch: the flood in one minute"
    assert meta.authors == ["Jane Doe"]


def test_page_metadata_refuses_what_is_no_page_with_the_same_typed_errors() -> None:
    with pytest.raises(EmptyDocumentError):
        page_metadata(b"")
    with pytest.raises(NotAnArticleError) as caught:
        page_metadata(b"no markup at all, only words")
    assert caught.value.metadata is None
