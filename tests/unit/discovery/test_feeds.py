"""Feeds of each format, and feeds that must be refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsdesk.discovery import MAX_URLS_PER_DOCUMENT, MalformedXmlError, NotAFeedError, UnsafeXmlError
from newsdesk.discovery.feeds import parse_feed

BASE = "https://news.example.com/feed/"

RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>News</title>
<link>https://news.example.com/</link><description>d</description>
<item><title>First story</title><link>https://news.example.com/news/first/?utm_source=rss</link>
<guid isPermaLink="false">n-1</guid><pubDate>Tue, 03 Nov 2026 08:15:00 +0200</pubDate></item>
<item><title>Second</title><link>/news/second/</link><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>No link at all</title><guid isPermaLink="false">x</guid></item>
</channel></rss>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example.com/"><title>News</title><link>https://news.example.com/</link>
<description>d</description></channel>
<item rdf:about="https://news.example.com/rdf-story"><title>RDF story</title>
<link>https://news.example.com/rdf-story</link><dc:date>2026-11-02T10:00:00+01:00</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><id>urn:feed</id>
<updated>2026-11-03T10:00:00Z</updated>
<entry><title>Atom story</title><id>urn:a1</id><link rel="alternate" href="https://news.example.com/atom-story"/>
<link rel="enclosure" href="https://news.example.com/a.mp3"/>
<published>2026-11-01T10:00:00Z</published><updated>2026-11-03T09:30:00Z</updated></entry>
</feed>"""


def test_rss2_links_dates_and_titles() -> None:
    found = parse_feed(RSS2, BASE).urls
    assert [f.url for f in found] == [
        "https://news.example.com/news/first/?utm_source=rss",
        "https://news.example.com/news/second/",
    ]
    assert found[0].published_at == datetime(2026, 11, 3, 6, 15, tzinfo=UTC)
    assert found[0].title == "First story"
    assert found[1].changed_at == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert found[0].origin == BASE


def test_rss1_rdf() -> None:
    [story] = parse_feed(RDF, BASE).urls
    assert story.url == "https://news.example.com/rdf-story"
    assert story.changed_at == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_atom_keeps_published_and_updated_apart() -> None:
    [story] = parse_feed(ATOM, BASE).urls
    assert story.url == "https://news.example.com/atom-story"
    assert story.published_at == datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    assert story.modified_at == datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def test_malformed_xml_is_rejected() -> None:
    with pytest.raises(MalformedXmlError, match="malformed"):
        parse_feed(b"<rss><channel><item><title>broken</item></rss>", BASE)
    with pytest.raises(MalformedXmlError):
        parse_feed(b"   ", BASE)


def test_billion_laughs_is_rejected() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title></channel></rss>"""
    with pytest.raises(UnsafeXmlError, match="unsafe"):
        parse_feed(bomb, BASE)


def test_external_entity_is_rejected() -> None:
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title><item><link>https://a.test/x</link></item></channel></rss>"""
    with pytest.raises(UnsafeXmlError) as caught:
        parse_feed(xxe, BASE)
    assert caught.value.reason == "unsafe_xml"


def test_well_formed_xml_that_is_not_a_feed() -> None:
    with pytest.raises(NotAFeedError):
        parse_feed(b"<?xml version='1.0'?><html><body>hello</body></html>", BASE)


def _big_rss(count: int) -> bytes:
    # Item n is n minutes older than item 0, except the last, which is the newest of all.
    items = [
        f"<item><link>https://news.example.com/s/{n}</link>"
        f"<pubDate>Tue, 03 Nov 2026 {(10 - n // 60) % 24:02d}:{59 - n % 60:02d}:00 GMT</pubDate></item>"
        for n in range(count - 1)
    ]
    items.append(f"<item><link>https://news.example.com/s/{count - 1}</link>"
                 "<pubDate>Wed, 04 Nov 2026 12:00:00 GMT</pubDate></item>")  # fmt: skip
    return f'<rss version="2.0"><channel><title>T</title>{"".join(items)}</channel></rss>'.encode()


def test_a_feed_over_the_cap_keeps_the_newest_in_order_and_reports_the_rest() -> None:
    document = parse_feed(_big_rss(50), BASE, max_urls=10)
    assert document.truncated == 40
    assert [u.url.rsplit("/", 1)[1] for u in document.urls] == [*map(str, range(9)), "49"]


def test_a_feed_within_the_cap_is_whole() -> None:
    document = parse_feed(_big_rss(50), BASE, max_urls=50)
    assert (len(document.urls), document.truncated) == (50, 0)


def test_the_default_cap_applies_without_being_asked() -> None:
    document = parse_feed(_big_rss(MAX_URLS_PER_DOCUMENT + 500), BASE)
    assert (len(document.urls), document.truncated) == (MAX_URLS_PER_DOCUMENT, 500)
