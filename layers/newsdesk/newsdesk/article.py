"""The Article: the one model every part of newsdesk stores, prints and reads back."""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

WORDS_PER_MINUTE = 230
# Bumped with every change to the Article's fields; each bump is listed in docs/schema-changelog.md.
SCHEMA_VERSION = "2.0"
# Fields the store sets when it keeps a version; not part of what a page parses to.
STORE_FIELDS = frozenset({"schema_version", "version", "previous_hash", "ingested_at"})

_BARE_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _bare_day(value: object) -> object:
    # pydantic would take a naive "2025-11-11T00:00:00" (or a datetime) as a date: a naive
    # date-time is an error here, as it is for the instant.
    if isinstance(value, datetime) or (isinstance(value, str) and not _BARE_DAY.fullmatch(value)):
        raise ValueError("a date without a time of day is written YYYY-MM-DD")
    return value


# A page date as the page states it: an instant with the page's own UTC offset, or a calendar
# day when the page gives no time (not midnight UTC: that false instant can land on the wrong
# day). Left to right: "2025-11-11" is a date, "2025-11-11T14:03:00+02:00" an instant.
PageDate = Annotated[
    AwareDatetime | Annotated[date, BeforeValidator(_bare_day)], Field(union_mode="left_to_right")
]


class LeadImage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    caption: str | None = None
    credit: str | None = None


class Article(BaseModel):
    """A news article extracted from one fetched page.

    `url` is the URL the page was fetched from; `canonical_url` is what the page declares.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable id: derived from the canonicalised fetch URL.")
    url: str | None = Field(description="The URL the page was fetched from.")
    canonical_url: str | None = Field(default=None, description="The canonical URL the page declares.")
    source: str | None = Field(default=None, description="Id of the configured source.")
    title: str | None = None
    description: str | None = None
    authors: list[str] = Field(default_factory=list, description="Clean person names, no roles or bios.")
    section: str | None = None
    tags: list[str] = Field(default_factory=list)
    published_at: PageDate | None = Field(
        default=None,
        description="Publication as the page states it: a date-time with the page's UTC offset, or a "
        "date (YYYY-MM-DD) when the page gives only the day. Sort by `published_instant`.",
    )
    modified_at: PageDate | None = Field(
        default=None, description="Last modification, with the same precision rules as published_at."
    )
    language: str | None = Field(default=None, description="BCP 47 language tag, e.g. 'en' or 'uk'.")
    lead_image: LeadImage | None = None
    body_text: str = Field(description="Paragraphs separated by blank lines.")
    body_markdown: str = Field(description="Headings, paragraphs, lists and quotes as Markdown.")
    word_count: int
    reading_time_minutes: int
    content_hash: str = Field(description="sha256 of body_text; changes when the article text changes.")
    parser_version: str
    raw_key: str | None = Field(default=None, description="S3 key of the raw page the article came from.")
    fetched_at: AwareDatetime | None = None
    # Store fields: set by the parser when it stores a version (see docs/data-model.md).
    schema_version: str = Field(default=SCHEMA_VERSION, description="The Article schema this JSON follows.")
    version: int = Field(default=1, ge=1, description="1 for the first stored text, +1 per change.")
    previous_hash: str | None = Field(default=None, description="content_hash of the previous version.")
    ingested_at: AwareDatetime | None = Field(default=None, description="When this version was stored.")

    @property
    def published_instant(self) -> datetime | None:
        """The publication as a UTC instant to sort by (a bare day sorts at its 00:00 UTC)."""
        return sort_instant(self.published_at)


def sort_instant(value: datetime | date | None) -> datetime | None:
    """A UTC instant for ordering: a date-time as it is, a bare day at 00:00 UTC of that day.

    Only a sort key: never present it as the time the page gave.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(0, 0), tzinfo=UTC)


def count_words(text: str) -> int:
    return len(text.split())


def reading_time(word_count: int) -> int:
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


def content_hash(body_text: str) -> str:
    return hashlib.sha256(body_text.encode("utf-8")).hexdigest()


def article_json_schema() -> dict[str, Any]:
    schema = Article.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["schema_version"] = SCHEMA_VERSION
    return schema


def format_datetime(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def schema_text() -> str:
    return json.dumps(article_json_schema(), indent=2, sort_keys=True) + "\n"
