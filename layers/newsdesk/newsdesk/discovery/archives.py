"""Archive/listing pages: article links picked by a per-source CSS selector, rel=next pagination."""

from __future__ import annotations

from dataclasses import dataclass, field

import soupsieve
from bs4 import BeautifulSoup

from newsdesk.discovery import DiscoveredUrl, DiscoveryError
from newsdesk.urls import resolve_link


class BadSelectorError(DiscoveryError):
    reason = "bad_selector"


@dataclass(frozen=True)
class ArchiveListing:
    urls: list[DiscoveredUrl] = field(default_factory=list)
    next_page: str | None = None


def parse_archive_page(
    body: bytes, url: str, link_selector: str, *, encoding: str | None = None
) -> ArchiveListing:
    """Links matching `link_selector` (deduplicated, in page order) and the rel=next page, if any."""
    soup = BeautifulSoup(body, "lxml", from_encoding=encoding)
    base = url
    base_tag = soup.find("base", href=True)
    if base_tag is not None:
        base = resolve_link(url, str(base_tag.get("href"))) or url
    try:
        anchors = soup.select(link_selector)
    except soupsieve.SelectorSyntaxError as exc:
        raise BadSelectorError(f"invalid link_selector {link_selector!r}: {exc}") from exc
    seen: set[str] = set()
    found: list[DiscoveredUrl] = []
    for anchor in anchors:
        href = anchor.get("href")
        if not isinstance(href, str):
            continue
        link = resolve_link(base, href)
        if link and link not in seen:
            seen.add(link)
            title = anchor.get_text(" ", strip=True) or None
            found.append(DiscoveredUrl(url=link, title=title, origin=url))
    next_page = None
    for candidate in soup.select('link[rel~="next"][href], a[rel~="next"][href]'):
        next_page = resolve_link(base, str(candidate.get("href")))
        if next_page:
            break
    return ArchiveListing(urls=found, next_page=next_page)
