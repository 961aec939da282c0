"""Authors marked up on purpose (hCard, microdata) and bylines on pages whose <body> mentions comments."""

from __future__ import annotations

import lxml.html

from newsdesk.extraction.metadata import extract_metadata


def test_hcard_author_name_even_a_handle() -> None:
    tree = lxml.html.document_fromstring(
        "<html><body class='single inline-comments'><article class='post comments-open'>"
        "<h1>Talstraße gesperrt</h1><span class='byline'> von <span class='author vcard'>"
        "<a class='url fn n' href='/author/g1zzm0/'>gizzmo</a></span></span><p>Text.</p>"
        "<div class='comments'><span class='author vcard'><span class='fn'>Troll</span></span></div>"
        "</article></body></html>"
    )
    assert extract_metadata(tree, "https://example.org/talstrasse").authors == ["gizzmo"]


def test_rel_author_found_when_the_body_class_mentions_comments() -> None:
    tree = lxml.html.document_fromstring(
        "<html><body class='single-post inline-comments'><article><h1>Funding round</h1>"
        "<p class='post-meta'> by <a href='/author/kd/' rel='author'>Kyt Dotson</a> | May 16, 2016</p>"
        "<p>Text.</p></article></body></html>"
    )
    assert extract_metadata(tree, "https://example.com/blog/x").authors == ["Kyt Dotson"]


def test_microdata_author_handle_is_a_name() -> None:
    tree = lxml.html.document_fromstring(
        "<html><body><article><h1>Wardley maps</h1><span itemprop='author' itemscope "
        "itemtype='http://schema.org/Person'><a rel='author' href='/profile/1'>"
        "<span itemprop='name'>swardley</span></a></span><p>Text.</p></article></body></html>"
    )
    assert extract_metadata(tree, None).authors == ["swardley"]
