"""Finding article URLs: feeds (RSS/Atom), sitemaps (incl. Google News) and archive listing pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newsdesk.errors import NewsdeskError


class DiscoveryError(NewsdeskError):
    """A feed, sitemap or listing page could not be used. `reason` is a stable metric key."""

    reason = "discovery_failed"


class MalformedXmlError(DiscoveryError):
    reason = "malformed_xml"


class UnsafeXmlError(DiscoveryError):
    """The document uses entity declarations or external references (XXE, billion laughs)."""

    reason = "unsafe_xml"


class NotAFeedError(DiscoveryError):
    reason = "not_a_feed"


class NotASitemapError(DiscoveryError):
    reason = "not_a_sitemap"


@dataclass(frozen=True)
class DiscoveredUrl:
    """An article URL as a feed, sitemap or archive page lists it, with the date it gives."""

    url: str
    modified_at: datetime | None = None  # lastmod / updated: newer than at the last fetch = changed
    published_at: datetime | None = None
    title: str | None = None
    origin: str = ""  # the feed/sitemap/archive URL it came from

    @property
    def changed_at(self) -> datetime | None:
        return self.modified_at or self.published_at


__all__ = [
    "DiscoveredUrl",
    "DiscoveryError",
    "MalformedXmlError",
    "NotAFeedError",
    "NotASitemapError",
    "UnsafeXmlError",
]
