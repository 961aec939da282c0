"""The configured news sources: what to watch and how."""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newsdesk.errors import ConfigurationError
from newsdesk.urls import TrailingSlash, host_matches, host_of, normalise_host, url_id

_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
INTERVAL_PATTERN = r"^\d+\s*[smhd]$"


def interval_seconds(text: str) -> int:
    """`30s`, `5m`, `2h`, `1d` as seconds; a ConfigurationError for anything else (or zero)."""
    match = _INTERVAL.match(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise ConfigurationError(f"invalid interval {text!r}: expected a positive number and s, m, h or d")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


class ArchivePage(BaseModel):
    """A listing page whose article links are picked with a CSS selector, following rel=next."""

    model_config = ConfigDict(extra="forbid")

    url: str
    link_selector: str
    max_pages: int = Field(default=3, ge=1, le=100)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    archives: list[ArchivePage] = Field(default_factory=list)
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts articles may be fetched from; empty means the hosts of the feeds and sitemaps.",
    )
    trailing_slash: TrailingSlash = "keep"
    max_articles_per_run: int = Field(default=200, ge=1)
    robots_sitemaps: bool = Field(
        default=False, description="Also read the sitemaps that the sites' robots.txt lists (Sitemap: lines)."
    )
    every: str | None = Field(
        default=None,
        pattern=INTERVAL_PATTERN,
        description="How often the source is due (`5m` for a wire service, `1d` for a weekly); "
        "unset means the deployment's default interval.",
    )

    @field_validator("every")
    @classmethod
    def _positive_interval(cls, value: str | None) -> str | None:
        if value is not None and int(re.sub(r"\D", "", value)) == 0:
            raise ValueError("the interval must be longer than zero")
        return value

    def interval_seconds(self, default_seconds: int) -> int:
        return interval_seconds(self.every) if self.every else default_seconds

    def article_id(self, url: str) -> str:
        """The id of this source's article at `url`: the one rule the fetcher, parser and CLI share."""
        return url_id(url, trailing_slash=self.trailing_slash)

    def document_hosts(self) -> set[str]:
        """Hosts of the source's own feeds, sitemaps and archive pages."""
        urls = [*self.feeds, *self.sitemaps, *(a.url for a in self.archives)]
        return {host for host in map(host_of, urls) if host}

    def article_hosts(self) -> list[str]:
        """Hosts articles may come from: the configured ones, else those of the source's own URLs."""
        if self.allowed_hosts:
            return [normalise_host(h) for h in self.allowed_hosts]
        return sorted(self.document_hosts())


def source_for_url(sources: Sequence[Source], url: str) -> Source | None:
    """The first source whose article hosts include the host of `url`, if any."""
    host = host_of(url)
    for source in sources:
        if any(host_matches(host, allowed) for allowed in source.article_hosts()):
            return source
    return None


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source]


def parse_sources(data: Any, *, origin: str = "<sources>") -> list[Source]:
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(f"{origin}: invalid sources file: {exc}") from exc
    ids = [s.id for s in parsed.sources]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigurationError(f"{origin}: duplicate source ids: {', '.join(duplicates)}")
    return parsed.sources


def parse_sources_text(text: str, *, origin: str) -> list[Source]:
    """A sources file's text (YAML, so JSON works too), validated."""
    # Only the dispatcher and the CLI read sources files; fetch workers get validated sources
    # in their jobs and never import PyYAML.
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{origin}: not valid YAML: {exc}") from exc
    return parse_sources(data, origin=origin)


def load_sources(path: str | Path | None = None) -> list[Source]:
    """Read a sources file (YAML, so JSON works too); None reads the bundled default."""
    if path is None:
        text = importlib.resources.files("newsdesk").joinpath("data/sources.yaml").read_text("utf-8")
        origin = "bundled sources.yaml"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigurationError(f"cannot read sources file {path}: {exc.strerror}") from exc
        origin = str(path)
    return parse_sources_text(text, origin=origin)
