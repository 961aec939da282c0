"""Archive listing pages: per-source CSS selector and rel=next."""

from __future__ import annotations

import pytest

from newsdesk.discovery.archives import BadSelectorError, parse_archive_page

PAGE = b"""<html><head><link rel="next" href="/news-archive/page/2/"></head><body>
<nav><a href="/about/">About</a></nav>
<div class="archiveCard"><a class="archiveCard__link" href="/ukraine-war/story-one/">Story one</a></div>
<div class="archiveCard"><a class="archiveCard__link" href="https://kyivindependent.com/story-two/">Two</a></div>
<div class="archiveCard"><a class="archiveCard__link" href="/ukraine-war/story-one/">Story one again</a></div>
<div class="archiveCard"><a class="archiveCard__link" href="javascript:void(0)">JS</a></div>
</body></html>"""


def test_selector_picks_article_links_once_in_page_order() -> None:
    listing = parse_archive_page(PAGE, "https://kyivindependent.com/news-archive/", "a.archiveCard__link")
    assert [u.url for u in listing.urls] == [
        "https://kyivindependent.com/ukraine-war/story-one/",
        "https://kyivindependent.com/story-two/",
    ]
    assert listing.urls[0].title == "Story one"
    assert listing.next_page == "https://kyivindependent.com/news-archive/page/2/"


def test_anchor_rel_next_and_last_page() -> None:
    page = b'<a class="s" href="/x">x</a><a rel="next nofollow" href="?page=3">Older</a>'
    assert (
        parse_archive_page(page, "https://a.test/list?page=2", "a.s").next_page
        == "https://a.test/list?page=3"
    )
    assert parse_archive_page(b'<a class="s" href="/x">x</a>', "https://a.test/", "a.s").next_page is None


def test_windows_1251_listing_titles() -> None:
    page = '<a class="s" href="/новини/1">Новини</a>'.encode("cp1251")
    [item] = parse_archive_page(page, "https://a.test/", "a.s", encoding="cp1251").urls
    assert item.title == "Новини"
    assert item.url == "https://a.test/новини/1"


def test_bad_selector_is_a_typed_error() -> None:
    with pytest.raises(BadSelectorError):
        parse_archive_page(PAGE, "https://a.test/", "a[[")
