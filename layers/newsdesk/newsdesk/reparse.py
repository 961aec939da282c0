"""Re-parse raw pages already in S3 through the live path: the parse queue and the parser handler.

Each selected raw page gets the notification S3 would send for it; the parser decides, as for
live traffic, whether the page now yields a new version (stored, one event) or not (nothing).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from newsdesk.errors import StorageError
from newsdesk.parsing import ids_from_raw_key
from newsdesk.rawpage import RAW_SUFFIX
from newsdesk.storage.dynamodb import ArticleTable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

SQS_BATCH = 10


def _fetch_day(key: str) -> str | None:
    # {source}/{yyyy}/{mm}/{dd}/{id}.html.gz
    parts = key.split("/")
    if len(parts) != 5:
        return None
    return f"{parts[1]}-{parts[2]}-{parts[3]}"


def raw_keys(
    client: S3Client, bucket: str, *, source: str | None, since: date | None, until: date | None
) -> Iterator[str]:
    """Raw page keys of a source (or all), fetched between `since` and `until` (UTC days, inclusive)."""
    if source is not None:
        sources = [source]
    else:
        listing = client.list_objects_v2(Bucket=bucket, Delimiter="/")
        sources = [p["Prefix"].rstrip("/") for p in listing.get("CommonPrefixes", [])]
    for name in sources:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{name}/"):
            for entry in page.get("Contents", []):
                key = entry["Key"]
                day = _fetch_day(key)
                if not key.endswith(RAW_SUFFIX) or day is None:
                    continue
                if since is not None and day < since.isoformat():
                    continue
                if until is not None and day > until.isoformat():
                    continue
                yield key


def notification(bucket: str, key: str, run_id: str) -> str:
    """The S3 notification for `key`. The eTag carries the run id so the parser's idempotency
    (keyed by bucket, key and eTag) treats a re-parse as new work, not as a redelivery."""
    from urllib.parse import quote_plus

    record = {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "s3": {
            "bucket": {"name": bucket},
            "object": {"key": quote_plus(key, safe="/"), "eTag": f"reparse-{run_id}"},
        },
    }
    return json.dumps({"Records": [record]})


def enqueue(sqs: SQSClient, queue_url: str, bucket: str, keys: list[str], run_id: str) -> int:
    for start in range(0, len(keys), SQS_BATCH):
        batch = keys[start : start + SQS_BATCH]
        response = sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(n), "MessageBody": notification(bucket, key, run_id)}
                for n, key in enumerate(batch)
            ],
        )
        if response.get("Failed"):
            raise StorageError(f"the parse queue refused {len(response['Failed'])} messages")
    return len(keys)


def versions(table: ArticleTable, keys: list[str]) -> dict[str, int]:
    """Latest stored version of each article the raw pages belong to (absent: never stored)."""
    found: dict[str, int] = {}
    for key in keys:
        _, article_id = ids_from_raw_key(key)
        if article_id is None or article_id in found:
            continue
        head = table.head_state(article_id)
        if head is not None:
            found[article_id] = head.version
    return found


def changed(before: dict[str, int], after: dict[str, int]) -> int:
    return sum(1 for article_id, version in after.items() if version > before.get(article_id, 0))


def queue_depth(sqs: SQSClient, queue_url: str) -> int:
    """Messages waiting or being processed (both must reach 0 before the results are read)."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
        attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
    )


def wait_until_drained(
    depth: Callable[[], int],
    *,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    poll: float = 5.0,
) -> bool:
    """For the deployed parser: poll until the queue is empty (True) or `timeout` passes (False).

    SQS's counts are approximate, so the queue must read empty twice in a row.
    """
    deadline = monotonic() + timeout
    empty_reads = 0
    while monotonic() < deadline:
        empty_reads = empty_reads + 1 if depth() == 0 else 0
        if empty_reads >= 2:
            return True
        sleep(poll)
    return False
