"""Typed settings read from environment variables, as the Lambda functions receive them."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newsdesk.errors import ConfigurationError
from newsdesk.rawpage import MAX_PAGE_BYTES

DEFAULT_USER_AGENT = "NewsdeskBot/0.1 (+https://github.com/newsdesk/newsdesk; news ingestion)"


class _EnvModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> _EnvModel:
        env = os.environ if environ is None else environ
        try:
            return cls.model_validate(dict(env))
        except ValidationError as exc:
            raise ConfigurationError(f"invalid {cls.__name__} environment: {exc}") from exc


class FetcherSettings(_EnvModel):
    raw_bucket: str = Field(alias="RAW_BUCKET")
    crawl_table: str = Field(alias="CRAWL_TABLE")
    sources_file: str | None = Field(default=None, alias="SOURCES_FILE")
    user_agent: str = Field(default=DEFAULT_USER_AGENT, alias="USER_AGENT")
    allow_private_networks: bool = Field(default=False, alias="ALLOW_PRIVATE_NETWORKS")
    max_concurrency: int = Field(default=8, ge=1, le=64, alias="MAX_CONCURRENCY")
    # At most what the parser accepts: a page the fetcher stores must be one the parser reads.
    max_body_bytes: int = Field(default=MAX_PAGE_BYTES, ge=1024, le=MAX_PAGE_BYTES, alias="MAX_BODY_BYTES")
    min_host_interval_seconds: float = Field(default=1.0, ge=0, alias="MIN_HOST_INTERVAL_SECONDS")
    time_margin_seconds: float = Field(default=30.0, ge=0, alias="TIME_MARGIN_SECONDS")
    max_attempts: int = Field(default=4, ge=1, le=10, alias="MAX_ATTEMPTS")
    total_timeout_seconds: float = Field(default=25.0, gt=0, alias="FETCH_TOTAL_TIMEOUT_SECONDS")
    read_timeout_seconds: float = Field(default=20.0, gt=0, alias="FETCH_READ_TIMEOUT_SECONDS")
    # Where a run cut short by the time budget sends its continuation (the queue it came from).
    fetch_queue_url: str | None = Field(default=None, alias="FETCH_QUEUE_URL")

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> FetcherSettings:
        settings = cls.from_env(environ)
        assert isinstance(settings, FetcherSettings)
        return settings


class DispatcherSettings(_EnvModel):
    crawl_table: str = Field(alias="CRAWL_TABLE")
    fetch_queue_url: str = Field(alias="FETCH_QUEUE_URL")
    # The sources file: a local path (tests, `newsdesk run --sources`) wins over the bucket;
    # with neither (or an empty bucket) the bundled file is used.
    sources_file: str | None = Field(default=None, alias="SOURCES_FILE")
    sources_bucket: str | None = Field(default=None, alias="SOURCES_BUCKET")
    sources_key: str = Field(default="sources.yaml", alias="SOURCES_KEY")
    default_interval: str = Field(default="1h", pattern=r"^\d+\s*[smhd]$", alias="DEFAULT_SOURCE_INTERVAL")

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> DispatcherSettings:
        settings = cls.from_env(environ)
        assert isinstance(settings, DispatcherSettings)
        return settings


class ParserSettings(_EnvModel):
    articles_bucket: str = Field(alias="ARTICLES_BUCKET")
    articles_table: str = Field(alias="ARTICLES_TABLE")
    idempotency_table: str | None = Field(default=None, alias="IDEMPOTENCY_TABLE")

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> ParserSettings:
        settings = cls.from_env(environ)
        assert isinstance(settings, ParserSettings)
        return settings
