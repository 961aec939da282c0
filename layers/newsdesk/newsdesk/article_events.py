"""The events the parser publishes after it stores a version: what consumers may rely on.

The schema is docs/events.md (and `event_json_schema()`); one event per stored version.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from newsdesk.article import Article

EVENT_SOURCE = "newsdesk.parser"
INGESTED = "ArticleIngested"
UPDATED = "ArticleUpdated"


class ArticleEventDetail(BaseModel):
    """The `detail` of an `ArticleIngested` (version 1) or `ArticleUpdated` (version > 1) event."""

    model_config = ConfigDict(extra="forbid")

    event_schema_version: Literal["1"] = "1"
    event_id: str = Field(description="`{id}:v{version}`: the same for a redelivered event; dedupe on it.")
    id: str
    url: str | None
    canonical_url: str | None
    source: str | None
    title: str | None
    published_at: str | None = Field(description="As in the Article JSON (ISO 8601).")
    version: int = Field(ge=1)
    content_hash: str
    previous_hash: str | None
    ingested_at: AwareDatetime | None
    bucket: str = Field(description="The articles bucket.")
    article_key: str = Field(description="S3 key of this version's Article JSON.")


class ArticleEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    detail_type: Literal["ArticleIngested", "ArticleUpdated"]
    detail: ArticleEventDetail


def event_for(article: Article, *, bucket: str, article_key: str) -> ArticleEvent:
    data = article.model_dump(mode="json")
    return ArticleEvent(
        detail_type=INGESTED if article.version == 1 else UPDATED,
        detail=ArticleEventDetail(
            event_id=f"{article.id}:v{article.version}",
            id=article.id,
            url=article.url,
            canonical_url=article.canonical_url,
            source=article.source,
            title=article.title,
            published_at=data["published_at"],
            version=article.version,
            content_hash=article.content_hash,
            previous_hash=article.previous_hash,
            ingested_at=article.ingested_at,
            bucket=bucket,
            article_key=article_key,
        ),
    )


class EventPublisher(Protocol):
    def publish(self, event: ArticleEvent) -> None:
        """Deliver one event or raise (the caller keeps it pending and retries)."""


def event_json_schema() -> dict[str, object]:
    return ArticleEventDetail.model_json_schema()
