"""Sitemaps: urlsets, indexes, gzip, Google News tags, unsafe and oversized files."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime

import pytest

from newsdesk.discovery import MAX_URLS_PER_DOCUMENT, MalformedXmlError, NotASitemapError, UnsafeXmlError
from newsdesk.discovery.sitemaps import parse_sitemap, parse_w3c_datetime
from newsdesk.fetching.errors import BodyTooLargeError

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://a.test/one</loc><lastmod>2026-11-02</lastmod></url>
<url><loc> https://a.test/two?utm_campaign=x </loc><lastmod>2026-11-02T10:00:00+02:00</lastmod></url>
<url><lastmod>2026-11-02</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://a.test/sitemap-2026-11.xml.gz</loc><lastmod>2026-11-03T00:00:00Z</lastmod></sitemap>
<sitemap><loc>https://a.test/sitemap-news.xml</loc></sitemap>
</sitemapindex>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://a.test/news/ceasefire</loc>
<news:news><news:publication><news:name>A</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2026-11-03T07:45:00+02:00</news:publication_date>
<news:title>Ceasefire talks resume</news:title></news:news></url>
</urlset>"""


def test_urlset_with_lastmod() -> None:
    document = parse_sitemap(URLSET, "https://a.test/sitemap.xml")
    assert not document.is_index
    assert [u.url for u in document.urls] == ["https://a.test/one", "https://a.test/two?utm_campaign=x"]
    assert document.urls[0].modified_at == datetime(2026, 11, 2, tzinfo=UTC)
    assert document.urls[1].modified_at == datetime(2026, 11, 2, 8, tzinfo=UTC)


def test_sitemap_index_lists_children() -> None:
    document = parse_sitemap(INDEX, "https://a.test/sitemap.xml")
    assert document.is_index
    assert [c.url for c in document.sitemaps] == [
        "https://a.test/sitemap-2026-11.xml.gz",
        "https://a.test/sitemap-news.xml",
    ]
    assert document.sitemaps[0].modified_at == datetime(2026, 11, 3, tzinfo=UTC)


def test_google_news_sitemap() -> None:
    [item] = parse_sitemap(NEWS, "https://a.test/sitemap-news.xml").urls
    assert item.url == "https://a.test/news/ceasefire"
    assert item.title == "Ceasefire talks resume"
    assert item.published_at == datetime(2026, 11, 3, 5, 45, tzinfo=UTC)
    assert item.changed_at == item.published_at


def test_gzipped_sitemap_file() -> None:
    document = parse_sitemap(gzip.compress(URLSET), "https://a.test/sitemap.xml.gz")
    assert len(document.urls) == 2


def test_gzipped_sitemap_bomb_is_refused() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = compressor.compress(b"<" + bytes(8 * 1024 * 1024)) + compressor.flush()
    with pytest.raises(BodyTooLargeError):
        parse_sitemap(bomb, "https://a.test/s.xml.gz", max_bytes=1024 * 1024)


def test_unsafe_malformed_and_foreign_documents() -> None:
    with pytest.raises(UnsafeXmlError):
        parse_sitemap(
            b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "http://169.254.169.254/">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;</loc></url></urlset>',
            "https://a.test/s.xml",
        )
    with pytest.raises(MalformedXmlError):
        parse_sitemap(b"<urlset><url><loc>x</url>", "https://a.test/s.xml")
    with pytest.raises(NotASitemapError):
        parse_sitemap(b"<rss version='2.0'/>", "https://a.test/s.xml")


def test_w3c_datetimes() -> None:
    assert parse_w3c_datetime("2026-11-03") == datetime(2026, 11, 3, tzinfo=UTC)
    assert parse_w3c_datetime("2026-11-03T10:00Z") == datetime(2026, 11, 3, 10, tzinfo=UTC)
    assert parse_w3c_datetime("yesterday") is None


def test_a_sitemap_index_over_the_cap_keeps_the_newest_children_and_reports_the_rest() -> None:
    children = "".join(
        f"<sitemap><loc>https://a.test/s-{n}.xml</loc><lastmod>2026-01-01T00:00:00Z</lastmod></sitemap>"
        for n in range(10_000)
    )
    newest = "<sitemap><loc>https://a.test/s-new.xml</loc><lastmod>2026-11-03</lastmod></sitemap>"
    index = f'<sitemapindex xmlns="{NS}">{children}{newest}</sitemapindex>'.encode()
    document = parse_sitemap(index, "https://a.test/index.xml")
    assert document.truncated == 10_001 - MAX_URLS_PER_DOCUMENT
    assert len(document.sitemaps) == MAX_URLS_PER_DOCUMENT
    assert document.sitemaps[-1].url == "https://a.test/s-new.xml"


def test_a_urlset_over_the_cap_keeps_the_newest_urls() -> None:
    entries = "".join(
        f"<url><loc>https://a.test/{n}</loc><lastmod>2026-11-{1 + n % 28:02d}</lastmod></url>"
        for n in range(100)
    )
    document = parse_sitemap(
        f'<urlset xmlns="{NS}">{entries}</urlset>'.encode(), "https://a.test/s.xml", max_urls=4
    )
    assert document.truncated == 96
    # Days 28 (n = 27, 55, 83) and 27 (n = 26, 54, 82): the three newest, then the first of the next.
    assert [u.url for u in document.urls] == [f"https://a.test/{n}" for n in (26, 27, 55, 83)]
