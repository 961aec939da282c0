"""The Article: the one model every part of newsdesk stores, prints and reads back."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

WORDS_PER_MINUTE = 230
# Bumped with every change to the Article's fields; each bump is listed in docs/schema-changelog.md.
SCHEMA_VERSION = "1.1"
# Fields the store sets when it keeps a version; not part of what a page parses to.
STORE_FIELDS = frozenset({"schema_version", "version", "previous_hash", "ingested_at"})


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
    published_at: AwareDatetime | None = None
    modified_at: AwareDatetime | None = None
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


def format_datetime(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def schema_text() -> str:
    return json.dumps(article_json_schema(), indent=2, sort_keys=True) + "\n"
