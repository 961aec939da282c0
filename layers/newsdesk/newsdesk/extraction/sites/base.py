"""The adapter record: data only, no code per site."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteAdapter:
    name: str
    hosts: tuple[str, ...]  # the site's hosts; subdomains match too
    site_names: tuple[str, ...]  # og:site_name values, compared case-insensitively
    body: str  # CSS selector(s) of the body container; the first match wins
    drop: str = ""  # CSS selector(s) of boilerplate inside the body container
    reading_time: str | None = None  # CSS selector of the element saying "N min read"
    lead_figure: str | None = None  # CSS selector of the lead image's <figure>
