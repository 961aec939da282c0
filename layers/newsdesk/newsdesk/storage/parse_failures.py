"""Permanent parse failures: pages that can never become an article, kept for `newsdesk status`.

They live in the articles table (`parse-failure#{raw key}`, listed through `ByLookup`), so
the parser needs no other table; each expires after FAILURE_RETENTION_DAYS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key

from newsdesk.storage.article_items import FAILURES_LOOKUP, LOOKUP_INDEX, failure_id, stamp

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import DynamoDBServiceResource

FAILURE_RETENTION_DAYS = 90
MAX_MESSAGE_CHARS = 1000


@dataclass(frozen=True)
class ParseFailure:
    raw_key: str
    reason: str
    message: str
    source: str | None
    url: str | None
    article_id: str | None
    failed_at: str
    attempts: int

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class ParseFailureLog:
    def __init__(self, table_name: str, resource: DynamoDBServiceResource) -> None:
        self.table = resource.Table(table_name)

    def record(
        self,
        raw_key: str,
        *,
        reason: str,
        message: str,
        source: str | None,
        url: str | None,
        article_id: str | None,
        now: datetime,
    ) -> None:
        """Idempotent per raw key: a redelivery updates the time and counts the attempt."""
        values: dict[str, Any] = {
            ":kind": "parse_failure",
            ":lookup": FAILURES_LOOKUP,
            ":sort": f"{stamp(now)}#{raw_key}",
            ":raw": raw_key,
            ":reason": reason,
            ":message": message[:MAX_MESSAGE_CHARS],
            ":at": now.astimezone(UTC).isoformat(),
            ":expires": int((now + timedelta(days=FAILURE_RETENTION_DAYS)).timestamp()),
            ":one": 1,
        }
        optional = {"source": source, "url": url, "article_id": article_id}
        fields = {
            "kind": ":kind",
            "lookup": ":lookup",
            "lookup_sort": ":sort",
            "raw_key": ":raw",
            "reason": ":reason",
            "message": ":message",
            "failed_at": ":at",
            "expires_at": ":expires",
        }
        for name, value in optional.items():
            if value is not None:
                fields[name] = f":{name}"
                values[f":{name}"] = value
        # Names go through placeholders: several (source, url...) are DynamoDB reserved words.
        names = {f"#{n}": n for n in [*fields, "attempts"]}
        self.table.update_item(
            Key={"id": failure_id(raw_key)},
            UpdateExpression="SET "
            + ", ".join(f"#{n} = {v}" for n, v in fields.items())
            + " ADD #attempts :one",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def clear(self, raw_key: str) -> None:
        """The page parses now (a fixed parser, a reparse): it is no longer a failure."""
        self.table.delete_item(Key={"id": failure_id(raw_key)})

    def list(self, *, source: str | None = None, limit: int = 50) -> list[ParseFailure]:
        """Newest first; a Query on `ByLookup`, filtered by source when one is given."""
        kwargs: dict[str, Any] = {
            "IndexName": LOOKUP_INDEX,
            "KeyConditionExpression": Key("lookup").eq(FAILURES_LOOKUP),
            "ScanIndexForward": False,
        }
        if source is not None:
            kwargs["FilterExpression"] = Attr("source").eq(source)
        found: list[ParseFailure] = []
        while len(found) < limit:
            page = self.table.query(**kwargs)
            found.extend(_failure(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found[:limit]


def _failure(item: dict[str, Any]) -> ParseFailure:
    return ParseFailure(
        raw_key=str(item["raw_key"]),
        reason=str(item["reason"]),
        message=str(item.get("message", "")),
        source=item.get("source"),
        url=item.get("url"),
        article_id=item.get("article_id"),
        failed_at=str(item["failed_at"]),
        attempts=int(item.get("attempts", 1)),
    )


def list_parse_failures(
    table_name: str, resource: DynamoDBServiceResource, *, source: str | None = None, limit: int = 50
) -> list[ParseFailure]:
    """For `newsdesk status`: the permanent parse failures, newest first."""
    return ParseFailureLog(table_name, resource).list(source=source, limit=limit)
