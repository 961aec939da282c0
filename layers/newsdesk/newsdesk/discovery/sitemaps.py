"""Sitemaps: urlsets (with lastmod and Google News tags), sitemap indexes and gzipped sitemaps.

Parsed with lxml with entity resolution, network access and huge trees off, after the same
defusedxml pre-check feeds get.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree  # type: ignore[import-untyped]

from newsdesk.discovery import (
    MAX_URLS_PER_DOCUMENT,
    DiscoveredUrl,
    MalformedXmlError,
    NotASitemapError,
    newest_first_cap,
)
from newsdesk.discovery.xmlsafety import check_xml
from newsdesk.fetching.errors import BodyTooLargeError
from newsdesk.urls import resolve_link

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ChildSitemap:
    url: str
    modified_at: datetime | None = None


@dataclass(frozen=True)
class SitemapDocument:
    urls: list[DiscoveredUrl] = field(default_factory=list)
    sitemaps: list[ChildSitemap] = field(default_factory=list)  # non-empty for a sitemap index
    truncated: int = 0  # URLs or children past the per-document cap left out: the crawler counts them

    @property
    def is_index(self) -> bool:
        return bool(self.sitemaps)


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """W3C datetime as sitemaps use it (a date, or a date and time with or without zone); UTC assumed."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def gunzip_bounded(body: bytes, limit: int, *, url: str = "<sitemap>") -> bytes:
    """Decompress a gzipped sitemap file, refusing output past `limit` bytes (gzip bombs)."""
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decoder.decompress(body, limit + 1)
    except zlib.error as exc:
        raise MalformedXmlError(f"{url}: corrupt gzip: {exc}") from exc
    if len(out) > limit or decoder.unconsumed_tail:
        raise BodyTooLargeError(f"{url}: decompressed sitemap exceeds {limit} bytes", url=url)
    return out


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def parse_sitemap(
    body: bytes, url: str, *, max_bytes: int = 50 * 1024 * 1024, max_urls: int = MAX_URLS_PER_DOCUMENT
) -> SitemapDocument:
    """URLs (urlset) or child sitemaps (sitemapindex) listed in a sitemap file, gzipped or not.

    Past `max_urls` entries the newest are kept (by lastmod or publication date) and the rest
    counted in `truncated`.
    """
    if body.startswith(GZIP_MAGIC):
        body = gunzip_bounded(body, max_bytes, url=url)
    check_xml(body, url=url)
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedXmlError(f"{url}: malformed XML: {exc}") from exc
    tag = etree.QName(root).localname
    namespace = etree.QName(root).namespace or ""
    ns = f"{{{namespace}}}" if namespace else ""
    if tag == "sitemapindex":
        children = []
        for item in root.iterfind(f"{ns}sitemap"):
            loc = resolve_link(url, _text(item, f"{ns}loc") or "")
            if loc:
                children.append(ChildSitemap(loc, parse_w3c_datetime(_text(item, f"{ns}lastmod"))))
        kept_children = newest_first_cap(children, max_urls, lambda child: child.modified_at)
        return SitemapDocument(sitemaps=kept_children, truncated=len(children) - len(kept_children))
    if tag != "urlset":
        raise NotASitemapError(f"{url}: root element <{tag}> is neither <urlset> nor <sitemapindex>")
    found = []
    news = f"{{{NEWS_NS}}}"
    for item in root.iterfind(f"{ns}url"):
        loc = resolve_link(url, _text(item, f"{ns}loc") or "")
        if not loc:
            continue
        news_item = item.find(f"{news}news")
        published = title = None
        if news_item is not None:
            published = parse_w3c_datetime(_text(news_item, f"{news}publication_date"))
            title = _text(news_item, f"{news}title")
        found.append(
            DiscoveredUrl(
                url=loc,
                modified_at=parse_w3c_datetime(_text(item, f"{ns}lastmod")),
                published_at=published,
                title=title,
                origin=url,
            )
        )
    kept = newest_first_cap(found, max_urls, lambda item: item.changed_at)
    return SitemapDocument(urls=kept, truncated=len(found) - len(kept))
