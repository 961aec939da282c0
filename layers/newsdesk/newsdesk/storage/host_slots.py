"""`HostSlots` in the crawl-state table: item `HOST#<origin>` / `SLOT`.

Attributes: `next_slot` (the host may be requested again from then on), and while a worker's
request to the host is in flight `holder` and `held_until` (the turn, a lease that lapses if the
worker dies). Taking the turn is one conditional write (no read: the condition is the check, and
a refusal returns the item as it stands, so the caller knows how long to wait); giving it back is
one more, conditioned on still holding it. Of two workers only one holds a host at a time, so
the interval holds across threads, workers and overlapping runs (see `newsdesk.crawling.hosts`).
"""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newsdesk.crawling.hosts import ACQUIRE_AHEAD_SECONDS, TurnState, _grantable
from newsdesk.errors import StorageError
from newsdesk.storage.crawl_state import _get_n, _get_s, _is_conditional_failure, _n, _s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SLOT_SK = "SLOT"
SLOT_TTL_SECONDS = 7 * 86400  # a host not requested for a week needs no slot record


def host_pk(host: str) -> str:
    return f"HOST#{host}"


class DynamoHostSlots:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self.table_name = table_name
        self._client = client
        # The next slot this worker itself wrote or last saw, per host: asking the table for a
        # turn that cannot be granted yet would only cost a refused write.
        self._known: dict[str, float] = {}
        self._lock = threading.Lock()

    def _key(self, host: str) -> dict[str, Any]:
        return {"pk": _s(host_pk(host)), "sk": _s(SLOT_SK)}

    def _remember(self, host: str, next_slot: float | None) -> None:
        with self._lock:
            if next_slot is None:
                self._known.pop(host, None)
            else:
                self._known[host] = next_slot

    def try_acquire(self, host: str, *, owner: str, now: float, hold_until: float) -> TurnState:
        with self._lock:
            known = self._known.get(host)
        if known is not None and not _grantable(known, now):
            return TurnState(False, known)
        try:
            response = self._client.update_item(
                TableName=self.table_name,
                Key=self._key(host),
                UpdateExpression="SET holder = :owner, held_until = :hold, expires_at = :expires",
                ConditionExpression=(
                    "(attribute_not_exists(held_until) OR held_until < :now OR holder = :owner)"
                    " AND (attribute_not_exists(next_slot) OR next_slot <= :ready)"
                ),
                ExpressionAttributeValues={
                    ":owner": _s(owner),
                    ":hold": _n(hold_until),
                    ":now": _n(now),
                    ":ready": _n(now + ACQUIRE_AHEAD_SECONDS),
                    ":expires": _n(int(now + SLOT_TTL_SECONDS)),
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not _is_conditional_failure(exc):
                raise StorageError(f"crawl state: cannot take the turn of {host}: {exc}") from exc
            item = dict(exc.response.get("Item") or {})  # type: ignore[call-overload]
            next_slot = _get_n(item, "next_slot")
            self._remember(host, next_slot)
            held = _get_n(item, "held_until")
            mine = _get_s(item, "holder") == owner
            live = held is not None and held >= now and not mine
            return TurnState(False, next_slot, held if live else None)
        next_slot = _get_n(dict(response.get("Attributes", {})), "next_slot")
        self._remember(host, next_slot)
        return TurnState(True, next_slot)

    def release(self, host: str, *, owner: str, next_slot: float | None) -> None:
        update = "REMOVE holder, held_until"
        values: dict[str, Any] = {":owner": _s(owner)}
        if next_slot is not None:
            update = "SET next_slot = :next " + update
            # Rounded up to the microsecond the table keeps: never a hair earlier than asked.
            values[":next"] = _n(math.ceil(next_slot * 1e6) / 1e6)
        try:
            self._client.update_item(
                TableName=self.table_name,
                Key=self._key(host),
                UpdateExpression=update,
                ConditionExpression="holder = :owner",
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if not _is_conditional_failure(exc):
                raise StorageError(f"crawl state: cannot give back the turn of {host}: {exc}") from exc
            # The turn lapsed (a request longer than the lease) and another worker has the host.
            self._remember(host, None)
            return
        if next_slot is not None:
            self._remember(host, next_slot)
