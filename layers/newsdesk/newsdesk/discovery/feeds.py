"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds -> article URLs with the feed's own dates, via feedparser."""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime
from typing import Any

import feedparser

from newsdesk.discovery import (
    MAX_URLS_PER_DOCUMENT,
    DiscoveredUrl,
    FeedDocument,
    NotAFeedError,
    newest_first_cap,
)
from newsdesk.discovery.xmlsafety import check_xml
from newsdesk.urls import resolve_link


def _as_datetime(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _entry_link(entry: Any, base_url: str) -> str | None:
    # FeedBurner and similar proxies keep the publisher's URL aside; prefer it.
    candidates: list[str] = []
    for key in ("feedburner_origlink", "link"):
        value = entry.get(key)
        if isinstance(value, str):
            candidates.append(value)
    for link in entry.get("links", []) or []:
        if link.get("rel", "alternate") == "alternate" and isinstance(link.get("href"), str):
            candidates.append(link["href"])
    guid = entry.get("id")
    if entry.get("guidislink") and isinstance(guid, str):
        candidates.append(guid)
    for candidate in candidates:
        resolved = resolve_link(base_url, candidate)
        if resolved:
            return resolved
    return None


def parse_feed(body: bytes, url: str, *, max_urls: int = MAX_URLS_PER_DOCUMENT) -> FeedDocument:
    """Article URLs listed in a feed, in feed order. Raises MalformedXmlError/UnsafeXmlError/NotAFeedError.

    Past `max_urls` the newest are kept and the rest counted in `truncated`.
    """
    check_xml(body, url=url)
    # Bytes, never a string: feedparser treats a string that looks like a URL as one to fetch.
    parsed = feedparser.parse(body, response_headers={"content-location": url}, sanitize_html=False)
    if not parsed.get("version"):
        raise NotAFeedError(f"{url}: not an RSS or Atom feed")
    found: list[DiscoveredUrl] = []
    for entry in parsed.entries:
        link = _entry_link(entry, url)
        if link is None:
            continue
        title = entry.get("title")
        found.append(
            DiscoveredUrl(
                url=link,
                # dict.get: FeedParserDict.get would answer `updated` with the published date.
                modified_at=_as_datetime(dict.get(entry, "updated_parsed")),
                published_at=_as_datetime(dict.get(entry, "published_parsed")),
                title=title.strip() if isinstance(title, str) and title.strip() else None,
                origin=url,
            )
        )
    kept = newest_first_cap(found, max_urls, lambda item: item.changed_at)
    return FeedDocument(urls=kept, truncated=len(found) - len(kept))
