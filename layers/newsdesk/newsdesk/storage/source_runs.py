"""Per-source run records in the crawl-state table: when each source was dispatched, ran and
finished, and the lease that keeps two runs of one source from overlapping.

Item `SOURCE#<source>` / `RUN`:
- `dispatched_at`: set by the dispatcher with a conditional write, so a scheduler retry, a manual
  invoke or a short schedule rate never enqueues a source twice within its interval;
- `lease_owner`, `lease_until`: the worker running the source now (a conditional write too), so
  two messages for one source never run at once; the lease outlives the worker's invocation;
- `started_at`, `finished_at`, `outcome` (`finished`, `continued`, `failed`), `last_new_at` and
  `counts` (the last run's report figures): what `newsdesk status` shows per source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from newsdesk.errors import StorageError
from newsdesk.storage.crawl_state import _get_n, _get_s, _is_conditional_failure, _n, _s, _when

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RUN_SK = "RUN"
RUN_PREFIX = "SOURCE#"
_BATCH_GET = 100

RunOutcome = Literal["finished", "continued", "failed"]


def run_pk(source: str) -> str:
    return f"{RUN_PREFIX}{source}"


@dataclass(frozen=True)
class SourceRun:
    source: str
    dispatched_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str | None = None
    last_new_at: datetime | None = None  # the last run that stored at least one new page
    lease_owner: str | None = None
    lease_until: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "source": self.source,
            "dispatched_at": iso(self.dispatched_at),
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "outcome": self.outcome,
            "last_new_at": iso(self.last_new_at),
            "running": self.lease_owner is not None,
            "counts": dict(self.counts),
        }


def _run_from_item(item: Mapping[str, Any]) -> SourceRun:
    counts_text = _get_s(dict(item), "counts")
    try:
        counts = {str(k): int(v) for k, v in json.loads(counts_text).items()} if counts_text else {}
    except (ValueError, AttributeError, TypeError):
        counts = {}  # a record from an older layout: show the times, not garbage
    data = dict(item)
    return SourceRun(
        source=(_get_s(data, "pk") or "").removeprefix(RUN_PREFIX),
        dispatched_at=_when(_get_n(data, "dispatched_at")),
        started_at=_when(_get_n(data, "started_at")),
        finished_at=_when(_get_n(data, "finished_at")),
        outcome=_get_s(data, "outcome"),
        last_new_at=_when(_get_n(data, "last_new_at")),
        lease_owner=_get_s(data, "lease_owner"),
        lease_until=_when(_get_n(data, "lease_until")),
        counts=counts,
    )


class DynamoSourceRuns:
    """Run records and source leases on the crawl-state table (a low-level, thread-safe client)."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self.table_name = table_name
        self._client = client

    def _key(self, source: str) -> dict[str, Any]:
        return {"pk": _s(run_pk(source)), "sk": _s(RUN_SK)}

    def get(self, sources: Sequence[str]) -> dict[str, SourceRun]:
        unique = list(dict.fromkeys(sources))
        found: dict[str, SourceRun] = {}
        for start in range(0, len(unique), _BATCH_GET):
            keys = [self._key(s) for s in unique[start : start + _BATCH_GET]]
            request: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self._call("batch_get_item", RequestItems=request)
                for item in response.get("Responses", {}).get(self.table_name, []):
                    run = _run_from_item(item)
                    found[run.source] = run
                request = response.get("UnprocessedKeys") or {}
        return found

    def mark_dispatched(self, source: str, *, now: float, not_since: float) -> bool:
        """Record a dispatch unless one was recorded, or a run started, after `not_since`.

        The condition makes the due check and the record one atomic step: of two dispatchers
        (a retried schedule, a manual invoke) only one enqueues the source.
        """
        try:
            self._client.update_item(
                TableName=self.table_name,
                Key=self._key(source),
                UpdateExpression="SET dispatched_at = :now",
                ConditionExpression=(
                    "(attribute_not_exists(dispatched_at) OR dispatched_at <= :since)"
                    " AND (attribute_not_exists(started_at) OR started_at <= :since)"
                ),
                ExpressionAttributeValues={":now": _n(now), ":since": _n(not_since)},
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False
            raise StorageError(f"crawl state: cannot record the dispatch of {source}: {exc}") from exc
        return True

    def start(self, source: str, *, owner: str, now: float, lease_seconds: float) -> bool:
        """Take the source's lease; False while another run holds a live one."""
        try:
            self._client.update_item(
                TableName=self.table_name,
                Key=self._key(source),
                UpdateExpression="SET lease_owner = :owner, lease_until = :until, started_at = :now",
                ConditionExpression="attribute_not_exists(lease_until) OR lease_until < :now",
                ExpressionAttributeValues={
                    ":owner": _s(owner),
                    ":until": _n(now + lease_seconds),
                    ":now": _n(now),
                },
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False
            raise StorageError(f"crawl state: cannot take the lease of {source}: {exc}") from exc
        return True

    def finish(
        self,
        source: str,
        *,
        owner: str,
        now: float,
        outcome: RunOutcome,
        counts: Mapping[str, int],
        stored_new: bool,
    ) -> None:
        """Record the outcome and give the lease back (only if it is still ours)."""
        update = (
            "SET finished_at = :now, outcome = :outcome, #counts = :counts"
            + (", last_new_at = :now" if stored_new else "")
            + " REMOVE lease_owner, lease_until"
        )
        try:
            self._client.update_item(
                TableName=self.table_name,
                Key=self._key(source),
                UpdateExpression=update,
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeNames={"#counts": "counts"},
                ExpressionAttributeValues={
                    ":now": _n(now),
                    ":outcome": _s(outcome),
                    ":counts": _s(json.dumps(dict(sorted(counts.items())))),
                    ":owner": _s(owner),
                },
            )
        except ClientError as exc:
            if not _is_conditional_failure(exc):
                raise StorageError(f"crawl state: cannot record the run of {source}: {exc}") from exc
            # The lease ran out and another run took the source: its record stands.

    def list_runs(self) -> list[SourceRun]:
        """Every source's run record, by source id (a Scan: operators' `newsdesk status` only)."""
        runs: list[SourceRun] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "FilterExpression": "begins_with(pk, :prefix) AND sk = :sk",
            "ExpressionAttributeValues": {":prefix": _s(RUN_PREFIX), ":sk": _s(RUN_SK)},
        }
        while True:
            response = self._call("scan", **kwargs)
            runs.extend(_run_from_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return sorted(runs, key=lambda r: r.source)

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, operation)(**kwargs)
        except ClientError as exc:
            raise StorageError(f"crawl state {operation} on {self.table_name} failed: {exc}") from exc
