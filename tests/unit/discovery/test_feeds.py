"""Feeds of each format, and feeds that must be refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsdesk.discovery import MalformedXmlError, NotAFeedError, UnsafeXmlError
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
    found = parse_feed(RSS2, BASE)
    assert [f.url for f in found] == [
        "https://news.example.com/news/first/?utm_source=rss",
        "https://news.example.com/news/second/",
    ]
    assert found[0].published_at == datetime(2026, 11, 3, 6, 15, tzinfo=UTC)
    assert found[0].title == "First story"
    assert found[1].changed_at == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert found[0].origin == BASE


def test_rss1_rdf() -> None:
    [story] = parse_feed(RDF, BASE)
    assert story.url == "https://news.example.com/rdf-story"
    assert story.changed_at == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_atom_keeps_published_and_updated_apart() -> None:
    [story] = parse_feed(ATOM, BASE)
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
