"""`HostSlots` in the crawl-state table: item `HOST#<origin>` / `SLOT` holding `next_slot`.

A reservation is a read and a compare-and-set on `next_slot` (optimistic concurrency): of two
workers that read the same value only one write succeeds, and the other reads again and takes
the slot after it. So the per-host interval holds across threads, workers and overlapping runs.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newsdesk.errors import StorageError
from newsdesk.storage.crawl_state import _get_n, _is_conditional_failure, _n, _s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SLOT_SK = "SLOT"
SLOT_TTL_SECONDS = 7 * 86400  # a host not requested for a week needs no slot record
_MAX_CONFLICTS = 50


def host_pk(host: str) -> str:
    return f"HOST#{host}"


class DynamoHostSlots:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self.table_name = table_name
        self._client = client
        # Threads of one worker queue up here instead of racing each other's compare-and-set.
        self._local = threading.Lock()

    def _key(self, host: str) -> dict[str, Any]:
        return {"pk": _s(host_pk(host)), "sk": _s(SLOT_SK)}

    def _next_slot(self, host: str) -> float | None:
        try:
            response = self._client.get_item(
                TableName=self.table_name, Key=self._key(host), ConsistentRead=True
            )
        except ClientError as exc:
            raise StorageError(f"crawl state: cannot read the slot of {host}: {exc}") from exc
        item = response.get("Item")
        return _get_n(dict(item), "next_slot") if item else None

    def _compare_and_set(self, host: str, previous: float | None, value: float, now: float) -> bool:
        values: dict[str, Any] = {":value": _n(value), ":expires": _n(int(now + SLOT_TTL_SECONDS))}
        if previous is None:
            condition = "attribute_not_exists(next_slot)"
        else:
            condition = "next_slot = :previous"
            values[":previous"] = _n(previous)
        try:
            self._client.update_item(
                TableName=self.table_name,
                Key=self._key(host),
                UpdateExpression="SET next_slot = :value, expires_at = :expires",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False
            raise StorageError(f"crawl state: cannot update the slot of {host}: {exc}") from exc
        return True

    def reserve(self, host: str, *, now: float, spacing: float, max_wait: float) -> float | None:
        with self._local:
            for _ in range(_MAX_CONFLICTS):
                previous = self._next_slot(host)
                slot = max(now, previous if previous is not None else now)
                if slot - now > max_wait:
                    return None
                if self._compare_and_set(host, previous, slot + spacing, now):
                    return slot
        # Dozens of workers on one host: none of them should be fetching from it anyway.
        return None

    def back_off(self, host: str, *, until: float) -> None:
        with self._local:
            for _ in range(_MAX_CONFLICTS):
                previous = self._next_slot(host)
                if previous is not None and previous >= until:
                    return
                if self._compare_and_set(host, previous, until, until):
                    return
