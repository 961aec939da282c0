"""The article store as a typed Python API: the questions `newsdesk query` answers, for your code.

    from datetime import UTC, datetime
    from newsdesk.api import ArticleStoreAPI

    store = ArticleStoreAPI.from_stack("newsdesk")          # or from_names(table, bucket)
    page = store.by_author("Tim Zadorozhnyy", since=datetime(2025, 11, 1, tzinfo=UTC))
    for summary in page.items:
        print(summary.published_at, summary.title)
    more = store.by_author("Tim Zadorozhnyy", cursor=page.cursor) if page.cursor else None
    article = store.article(page.items[0].id)               # the complete Article, body included

Every call is one GetItem or Query per page (see docs/data-model.md); listings are newest first
and return a `Page` whose `cursor` continues it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3

from newsdesk.article import Article
from newsdesk.errors import ConfigurationError
from newsdesk.storage.article_records import ArticleRecord, ArticleSummary, Page, VersionRecord, summary_of
from newsdesk.storage.dynamodb import ArticleTable
from newsdesk.storage.parse_failures import ParseFailure, ParseFailureLog
from newsdesk.storage.s3 import ArticleStore

__all__ = ["ArticleStoreAPI", "ArticleSummary", "Page", "ParseFailure", "VersionRecord"]


def _with_record_fields(record: ArticleRecord) -> dict[str, Any]:
    return {**record.article, "article_key": record.article_key}


@dataclass
class ArticleStoreAPI:
    table: ArticleTable
    store: ArticleStore
    failures: ParseFailureLog

    @classmethod
    def from_names(cls, table_name: str, bucket: str) -> ArticleStoreAPI:
        dynamodb = boto3.resource("dynamodb")
        return cls(
            ArticleTable(table_name, dynamodb),
            ArticleStore(bucket, boto3.client("s3")),
            ParseFailureLog(table_name, dynamodb),
        )

    @classmethod
    def from_stack(cls, stack_name: str = "newsdesk") -> ArticleStoreAPI:
        cloudformation = boto3.client("cloudformation")
        try:
            summaries = cloudformation.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
        except cloudformation.exceptions.ClientError as exc:
            raise ConfigurationError(f"cannot read stack {stack_name!r}: {exc}") from exc
        names = {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries}
        return cls.from_names(names["ArticlesTable"], names["ArticlesBucket"])

    # --- one article --------------------------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        """The latest version, complete (the body is read from S3 when the item lacks it)."""
        record = self.table.get(article_id)
        if record is None:
            return None
        if record.body_in_s3:
            return self.store.get(record.article_key)
        return Article.model_validate(record.article)

    def version(self, article_id: str, version: int) -> Article | None:
        found = self.table.get_version(article_id, version)
        return self.store.get(found.article_key) if found else None

    def versions(self, article_id: str) -> list[VersionRecord]:
        return self.table.versions(article_id)

    def by_url(self, url: str) -> list[ArticleSummary]:
        """Articles fetched from this URL (normally one)."""
        return self.table.by_url(url)

    def by_canonical_url(self, url: str) -> list[ArticleSummary]:
        """Articles declaring this canonical URL (several when a publisher syndicates)."""
        return self.table.by_url(url, canonical=True)

    # --- listings, newest first ---------------------------------------------------------------

    def by_source(
        self,
        source: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[ArticleSummary]:
        page = self.table.query_source(source, since=since, until=until, limit=limit, cursor=cursor)
        return Page([summary_of(_with_record_fields(r)) for r in page.items], page.cursor)

    def by_author(
        self,
        name: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[ArticleSummary]:
        """Matched case-insensitively, whitespace collapsed."""
        return self.table.query_lookup("author", name, since=since, until=until, limit=limit, cursor=cursor)

    def by_section(
        self,
        section: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[ArticleSummary]:
        return self.table.query_lookup(
            "section", section, since=since, until=until, limit=limit, cursor=cursor
        )

    def by_tag(
        self,
        tag: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Page[ArticleSummary]:
        return self.table.query_lookup("tag", tag, since=since, until=until, limit=limit, cursor=cursor)

    def ingested_since(
        self, since: datetime, *, until: datetime | None = None, limit: int = 100, cursor: str | None = None
    ) -> Page[ArticleSummary]:
        """Oldest first, across all sources: what a consumer catching up has not seen yet."""
        return self.table.ingested_since(since, until=until, limit=limit, cursor=cursor)

    def recent(self, limit: int = 20) -> list[ArticleSummary]:
        return self.table.recent(limit)

    def parse_failures(self, *, source: str | None = None, limit: int = 50) -> list[ParseFailure]:
        return self.failures.list(source=source, limit=limit)
