"""The parser's job, independent of Lambda: raw page in S3 -> Article in S3 and DynamoDB."""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.article import Article
from newsdesk.extraction import extract
from newsdesk.rawpage import article_key_for
from newsdesk.storage.dynamodb import ArticleTable
from newsdesk.storage.s3 import ArticleStore, RawPageStore


@dataclass(frozen=True)
class ParseResult:
    article: Article
    article_key: str


def parse_raw_page(
    raw_key: str, *, raw_pages: RawPageStore, articles: ArticleStore, table: ArticleTable
) -> ParseResult:
    """Extract the article of one stored raw page and store it. Raises ExtractionError on bad pages."""
    page = raw_pages.get(raw_key)
    article = extract(
        page.body,
        page.url,
        encoding=page.encoding,
        source=page.source,
        raw_key=raw_key,
        fetched_at=page.fetched_at,
        # The fetcher's id (canonical URL under the source's slash policy) names the article everywhere.
        article_id=page.id,
    )
    key = articles.put(article_key_for(raw_key), article)
    table.put(article, key)
    return ParseResult(article=article, article_key=key)
