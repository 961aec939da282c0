"""Finding article URLs: feeds (RSS/Atom), sitemaps (incl. Google News) and archive listing pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

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


# URLs taken from one feed, sitemap or sitemap index. A news feed lists tens, a news sitemap at
# most 1,000 (Google's rule); a 50,000-item document would otherwise be queued whole in one run.
MAX_URLS_PER_DOCUMENT = 1000

_OLDEST = datetime.min.replace(tzinfo=UTC)


def newest_first_cap[T](items: Sequence[T], limit: int, date_of: Callable[[T], datetime | None]) -> list[T]:
    """At most `limit` items: the newest by `date_of` (undated ones last), kept in document order."""
    if len(items) <= limit:
        return list(items)
    ranked = sorted(range(len(items)), key=lambda i: date_of(items[i]) or _OLDEST, reverse=True)
    return [items[i] for i in sorted(ranked[:limit])]


@dataclass(frozen=True)
class FeedDocument:
    urls: list[DiscoveredUrl] = field(default_factory=list)
    truncated: int = 0  # items past MAX_URLS_PER_DOCUMENT left out: the crawler counts them


__all__ = [
    "MAX_URLS_PER_DOCUMENT",
    "DiscoveredUrl",
    "DiscoveryError",
    "FeedDocument",
    "MalformedXmlError",
    "NotAFeedError",
    "NotASitemapError",
    "UnsafeXmlError",
]
