"""A fetched page as received: the bytes plus what the fetch learned about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

# The largest page newsdesk handles: the fetcher stores bodies up to this (decompressed), and the
# parser accepts exactly what the fetcher may store. Real article pages are well under 2 MB.
MAX_PAGE_BYTES = 10 * 1024 * 1024

RAW_SUFFIX = ".html.gz"
ARTICLE_SUFFIX = ".json"


@dataclass(frozen=True)
class RawPage:
    source: str
    id: str
    url: str
    final_url: str
    status: int
    body: bytes = field(repr=False)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    content_type: str | None = None
    encoding: str | None = None
    declared_encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def key(self) -> str:
        return raw_key(self.source, self.id, self.fetched_at)


def raw_key(source: str, page_id: str, fetched_at: datetime) -> str:
    """`{source}/{yyyy}/{mm}/{dd}/{id}.html.gz`, dated by fetch time in UTC."""
    day = fetched_at.astimezone(UTC)
    return f"{source}/{day:%Y/%m/%d}/{page_id}{RAW_SUFFIX}"


def article_key_for(raw: str) -> str:
    """The article JSON sits under the same path as its raw page."""
    stem = raw[: -len(RAW_SUFFIX)] if raw.endswith(RAW_SUFFIX) else raw
    return stem + ARTICLE_SUFFIX
