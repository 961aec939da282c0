"""Page metadata from every layer a page offers (placeholder: the contract only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml.html import HtmlElement


@dataclass
class PageMetadata:
    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    image_url: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None
    article_body: str | None = None  # JSON-LD articleBody, when the page offers one


def extract_metadata(tree: HtmlElement, url: str | None = None) -> PageMetadata:
    title = tree.findtext(".//title")
    return PageMetadata(title=title.strip() if title else None)
