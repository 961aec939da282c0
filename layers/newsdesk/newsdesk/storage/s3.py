"""S3 adapters: raw pages (gzip, with fetch metadata) and article JSON."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from newsdesk.errors import StorageError
from newsdesk.rawpage import RawPage

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import GetObjectOutputTypeDef

    from newsdesk.article import Article

# S3 user metadata must be ASCII: URLs and header values are percent-encoded on the way in.
_META_FIELDS = (
    "source",
    "id",
    "url",
    "final_url",
    "status",
    "fetched_at",
    "content_type",
    "encoding",
    "declared_encoding",
    "etag",
    "last_modified",
)


def _get_object(client: S3Client, bucket: str, key: str, what: str) -> GetObjectOutputTypeDef:
    try:
        return client.get_object(Bucket=bucket, Key=key)
    except client.exceptions.NoSuchKey as exc:
        raise StorageError(f"{what} s3://{bucket}/{key} does not exist") from exc


def _meta_key(field: str) -> str:
    return field.replace("_", "-")


class RawPageStore:
    """Raw pages as received, gzip-compressed, keyed `{source}/{yyyy}/{mm}/{dd}/{id}.html.gz`."""

    def __init__(self, bucket: str, client: S3Client) -> None:
        self.bucket = bucket
        self.client = client

    def put(self, page: RawPage) -> str:
        metadata = {}
        for field in _META_FIELDS:
            value = getattr(page, field)
            if value is None:
                continue
            text = value.isoformat() if isinstance(value, datetime) else str(value)
            metadata[_meta_key(field)] = quote(text, safe=" /:;=,+-._~()")
        key = page.key
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=gzip.compress(page.body, mtime=0),
            ContentType="application/gzip",
            Metadata=metadata,
        )
        return key

    def get(self, key: str) -> RawPage:
        response = _get_object(self.client, self.bucket, key, "raw page")
        data = response["Body"].read()
        try:
            body = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise StorageError(f"raw page s3://{self.bucket}/{key} is not valid gzip: {exc}") from exc
        meta = {k: unquote(v) for k, v in response.get("Metadata", {}).items()}
        fields: dict[str, Any] = {f: meta.get(_meta_key(f)) for f in _META_FIELDS}
        if not fields["url"] or not fields["source"] or not fields["id"]:
            raise StorageError(f"raw page s3://{self.bucket}/{key} lacks url/source/id metadata")
        fetched = fields["fetched_at"]
        return RawPage(
            source=fields["source"],
            id=fields["id"],
            url=fields["url"],
            final_url=fields["final_url"] or fields["url"],
            status=int(fields["status"] or 200),
            body=body,
            fetched_at=datetime.fromisoformat(fetched) if fetched else response["LastModified"],
            content_type=fields["content_type"],
            encoding=fields["encoding"],
            declared_encoding=fields["declared_encoding"],
            etag=fields["etag"],
            last_modified=fields["last_modified"],
        )


ARTICLES_PREFIX = "articles/"


def article_key(article: Article) -> str:
    """`articles/source={source}/dt={yyyy-mm-dd}/{id}.v{version:04d}.json`.

    Hive-style partitions (source, then the UTC publication date, else the fetch date) let
    Athena's partition projection and DuckDB prune by source and date; one object per version.
    """
    # The fetcher imports this module for RawPageStore: the Article model and its item helpers
    # load with the parser's first article, not with the fetcher.
    from newsdesk.storage.article_items import UNKNOWN_SOURCE, stamp

    when = article.published_at or article.fetched_at or article.ingested_at
    day = stamp(when)[:10] if when else "0000-00-00"
    source = article.source or UNKNOWN_SOURCE
    return f"{ARTICLES_PREFIX}source={source}/dt={day}/{article.id}.v{article.version:04d}.json"


def article_json(article: Article) -> bytes:
    # One object per line: what Athena's JSON SerDe and DuckDB's read_json both expect.
    return json.dumps(article.model_dump(mode="json"), ensure_ascii=False).encode("utf-8") + b"\n"


class ArticleStore:
    """Article JSON, one object per stored version, under `article_key()`."""

    def __init__(self, bucket: str, client: S3Client) -> None:
        self.bucket = bucket
        self.client = client

    def put(self, key: str, article: Article) -> str:
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=article_json(article),
            ContentType="application/json; charset=utf-8",
        )
        return key

    def get(self, key: str) -> Article:
        from newsdesk.article import Article

        response = _get_object(self.client, self.bucket, key, "article")
        return Article.model_validate_json(response["Body"].read())

    def keys(self, prefix: str = ARTICLES_PREFIX) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                yield entry["Key"]
