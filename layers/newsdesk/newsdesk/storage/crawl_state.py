"""Crawl state: what was fetched, what failed, what is queued, and who is fetching what right now.

One DynamoDB table, key `pk` (S) + `sk` (S), TTL attribute `expires_at`. Item layout:

- `URL#<source>#<url_id>` / `STATE`: one per article URL: status (fetched, failed, gave_up,
  skipped), attempts, last_error, next_attempt_at, fetched_at, raw_key, seen_lastmod (the
  feed/sitemap date at the last fetch), and a lease (lease_owner, lease_until) while a run fetches it.
- `QUEUE#<source>` / `<url_id>`: work not done yet (discovered but not fetched, or failed and due
  for a retry). Written before any fetch starts, deleted when the URL is settled, so a run that
  is stopped or killed loses nothing: the next run starts from the queue.
- `VALIDATORS#<url>` / `HTTP`: ETag and Last-Modified of a feed or sitemap for conditional GETs.

Claims are conditional writes: a URL is fetched only by the run whose claim succeeded, and a claim
fails once the URL is fetched (unless the feed says it changed since), so overlapping runs never
fetch or store one article twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

import boto3
from botocore.exceptions import ClientError

from newsdesk.errors import StorageError
from newsdesk.fetching.clock import clamp_time, utc_datetime

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from newsdesk.storage.source_runs import SourceRun

logger = logging.getLogger(__name__)

UrlStatus = Literal["pending", "fetched", "failed", "gave_up", "skipped"]
URL_STATUSES: tuple[str, ...] = ("pending", "fetched", "failed", "gave_up", "skipped")
STATE_SK = "STATE"
VALIDATORS_SK = "HTTP"
URL_TTL_SECONDS = 400 * 86400  # longer than any feed or news sitemap keeps an article listed
QUEUE_TTL_SECONDS = 30 * 86400
VALIDATORS_TTL_SECONDS = 30 * 86400
_BATCH_GET = 100
_BATCH_WRITE = 25
_MAX_PLAIN_KEY_BYTES = 1024


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None

    def request_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class UrlRecord:
    source: str
    url_id: str
    url: str
    status: UrlStatus
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    fetched_at: datetime | None = None
    raw_key: str | None = None
    seen_lastmod: datetime | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
    etag: str | None = None  # of the article page at the last fetch, for a conditional re-fetch
    last_modified: str | None = None
    updated_at: datetime | None = None  # when the last outcome was recorded

    def as_dict(self) -> dict[str, object]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "source": self.source,
            "url_id": self.url_id,
            "url": self.url,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "next_attempt_at": iso(self.next_attempt_at),
            "fetched_at": iso(self.fetched_at),
            "raw_key": self.raw_key,
            "updated_at": iso(self.updated_at),
        }


@dataclass(frozen=True)
class QueueItem:
    url_id: str
    url: str
    queued_at: float
    changed_at: float | None = None  # the feed/sitemap date that made it new or changed
    next_attempt_at: float | None = None


class CrawlState(Protocol):
    """What the crawler needs from its state store. Times are epoch seconds from the crawl's clock."""

    def get_validators(self, url: str) -> Validators | None: ...

    def put_validators(self, url: str, validators: Validators, *, now: float) -> None: ...

    def get_records(self, source: str, url_ids: Sequence[str]) -> dict[str, UrlRecord]: ...

    def enqueue(self, source: str, items: Sequence[QueueItem], *, now: float) -> None: ...

    def queued(self, source: str) -> list[QueueItem]: ...

    def claim(
        self,
        source: str,
        url_id: str,
        url: str,
        *,
        owner: str,
        now: float,
        lease_seconds: float,
        changed_at: float | None = None,
    ) -> UrlRecord | None:
        """Take the URL for this run; None when another run holds it or it needs no fetch any more."""
        ...

    def mark_fetched(
        self,
        source: str,
        url_id: str,
        *,
        owner: str,
        now: float,
        raw_key: str,
        changed_at: float | None,
        validators: Validators | None = None,
        dequeue: bool = True,
    ) -> None:
        """`dequeue=False`: the caller drops the queue entry itself (`dequeue_many`, batched)."""
        ...

    def mark_failed(
        self,
        source: str,
        url_id: str,
        *,
        owner: str,
        now: float,
        reason: str,
        attempts: int,
        retry_at: float | None,
    ) -> None:
        """`retry_at` None means give up on this URL for good (status gave_up)."""
        ...

    def mark_skipped(self, source: str, url_id: str, *, owner: str, now: float, reason: str) -> None: ...

    def dequeue(self, source: str, url_id: str) -> None:
        """Drop a queue entry whose work another run has already done."""
        ...

    def dequeue_many(self, source: str, url_ids: Sequence[str]) -> None:
        """Drop settled queue entries in batches (an entry left behind by a killed run is only a
        stale entry: the next run's claim finds the URL settled and drops it then)."""
        ...

    def release(self, source: str, url_id: str, *, owner: str) -> None:
        """Give back a claim without fetching (the run is out of time): the URL stays queued."""
        ...

    def list_urls(
        self, source: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[UrlRecord]: ...


# -- DynamoDB attribute helpers ---------------------------------------------------------------------


def _s(value: str) -> dict[str, Any]:
    return {"S": value}


def _n(value: float | int) -> dict[str, Any]:
    return {"N": repr(round(value, 6)) if isinstance(value, float) else str(value)}


def _get_s(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value["S"] if value and "S" in value else None


def _get_n(item: dict[str, Any], name: str) -> float | None:
    value = item.get(name)
    return float(value["N"]) if value and "N" in value else None


def _when(epoch: float | None) -> datetime | None:
    # Never raises, even on a time stored before times were clamped (a Retry-After of 1e20).
    return utc_datetime(epoch) if epoch is not None else None


def url_pk(source: str, url_id: str) -> str:
    return f"URL#{source}#{url_id}"


def queue_pk(source: str) -> str:
    return f"QUEUE#{source}"


def validators_pk(url: str) -> str:
    # DynamoDB keys stop at 2048 bytes: a longer document URL is keyed by its hash instead.
    if len(url.encode("utf-8")) > _MAX_PLAIN_KEY_BYTES:
        return f"VALIDATORS#sha256:{hashlib.sha256(url.encode('utf-8')).hexdigest()}"
    return f"VALIDATORS#{url}"


def _record_from_item(item: dict[str, Any]) -> UrlRecord:
    status = _get_s(item, "status") or "pending"
    attempts = _get_n(item, "attempts")
    return UrlRecord(
        source=_get_s(item, "source") or "",
        url_id=_get_s(item, "url_id") or "",
        url=_get_s(item, "url") or "",
        status=status if status in URL_STATUSES else "pending",  # type: ignore[arg-type]
        attempts=int(attempts or 0),
        last_error=_get_s(item, "last_error"),
        next_attempt_at=_when(_get_n(item, "next_attempt_at")),
        fetched_at=_when(_get_n(item, "fetched_at")),
        raw_key=_get_s(item, "raw_key"),
        seen_lastmod=_when(_get_n(item, "seen_lastmod")),
        lease_owner=_get_s(item, "lease_owner"),
        lease_until=_when(_get_n(item, "lease_until")),
        etag=_get_s(item, "etag"),
        last_modified=_get_s(item, "last_modified"),
        updated_at=_when(_get_n(item, "updated_at")),
    )


def _plain_client(dynamodb: Any) -> DynamoDBClient:
    """A low-level client, whether given one or a resource.

    A resource's own `meta.client` (de)serialises Python values on every call, which would wrap
    the attribute-value maps used here a second time; so a resource gets a plain client for the
    same region and endpoint instead.
    """
    if not hasattr(dynamodb, "Table"):
        client: DynamoDBClient = dynamodb
        return client
    meta = dynamodb.meta.client.meta
    plain: DynamoDBClient = boto3.session.Session().client(
        "dynamodb", region_name=meta.region_name, endpoint_url=meta.endpoint_url, config=meta.config
    )
    return plain


def plain_client(dynamodb: Any) -> DynamoDBClient:
    """The low-level client every crawl-state adapter shares (see `_plain_client`)."""
    return _plain_client(dynamodb)


def _is_conditional_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoCrawlState:
    """`CrawlState` on the crawl table. Takes a boto3 DynamoDB resource or client.

    Uses the low-level client throughout: boto3 clients are thread-safe, resources are not, and
    the crawler calls this from several threads.
    """

    def __init__(self, table_name: str, dynamodb: Any) -> None:
        self._client: DynamoDBClient = _plain_client(dynamodb)
        self.table_name = table_name

    # -- validators --------------------------------------------------------------------------------

    def get_validators(self, url: str) -> Validators | None:
        item = self._get(validators_pk(url), VALIDATORS_SK)
        if item is None:
            return None
        return Validators(etag=_get_s(item, "etag"), last_modified=_get_s(item, "last_modified"))

    def put_validators(self, url: str, validators: Validators, *, now: float) -> None:
        item: dict[str, Any] = {
            "pk": _s(validators_pk(url)),
            "sk": _s(VALIDATORS_SK),
            "url": _s(url),
            "updated_at": _n(now),
            "expires_at": _n(int(now + VALIDATORS_TTL_SECONDS)),
        }
        if validators.etag:
            item["etag"] = _s(validators.etag)
        if validators.last_modified:
            item["last_modified"] = _s(validators.last_modified)
        self._call("put_item", TableName=self.table_name, Item=item)

    # -- URL records -------------------------------------------------------------------------------

    def get_records(self, source: str, url_ids: Sequence[str]) -> dict[str, UrlRecord]:
        unique = list(dict.fromkeys(url_ids))
        found: dict[str, UrlRecord] = {}
        for start in range(0, len(unique), _BATCH_GET):
            keys: list[dict[str, Any]] = [
                {"pk": _s(url_pk(source, i)), "sk": _s(STATE_SK)} for i in unique[start : start + _BATCH_GET]
            ]
            request: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self._call("batch_get_item", RequestItems=request)
                for item in response.get("Responses", {}).get(self.table_name, []):
                    record = _record_from_item(item)
                    found[record.url_id] = record
                request = response.get("UnprocessedKeys") or {}
        return found

    def get_record(self, source: str, url_id: str) -> UrlRecord | None:
        item = self._get(url_pk(source, url_id), STATE_SK)
        return _record_from_item(item) if item else None

    # -- the queue ---------------------------------------------------------------------------------

    def enqueue(self, source: str, items: Sequence[QueueItem], *, now: float) -> None:
        unique = {item.url_id: item for item in items}
        requests = []
        for item in unique.values():
            attributes: dict[str, Any] = {
                "pk": _s(queue_pk(source)),
                "sk": _s(item.url_id),
                "url": _s(item.url),
                "queued_at": _n(item.queued_at),
                "expires_at": _n(int(now + QUEUE_TTL_SECONDS)),
            }
            if item.changed_at is not None:
                attributes["changed_at"] = _n(item.changed_at)
            if item.next_attempt_at is not None:
                attributes["next_attempt_at"] = _n(item.next_attempt_at)
            requests.append({"PutRequest": {"Item": attributes}})
        self._batch_write(requests)

    def queued(self, source: str) -> list[QueueItem]:
        items = []
        for raw in self._query(queue_pk(source)):
            items.append(
                QueueItem(
                    url_id=_get_s(raw, "sk") or "",
                    url=_get_s(raw, "url") or "",
                    queued_at=_get_n(raw, "queued_at") or 0.0,
                    changed_at=_get_n(raw, "changed_at"),
                    next_attempt_at=_get_n(raw, "next_attempt_at"),
                )
            )
        return sorted(items, key=lambda q: (q.queued_at, q.url_id))

    def dequeue(self, source: str, url_id: str) -> None:
        self._call(
            "delete_item", TableName=self.table_name, Key={"pk": _s(queue_pk(source)), "sk": _s(url_id)}
        )

    def dequeue_many(self, source: str, url_ids: Sequence[str]) -> None:
        requests = [
            {"DeleteRequest": {"Key": {"pk": _s(queue_pk(source)), "sk": _s(url_id)}}}
            for url_id in dict.fromkeys(url_ids)
        ]
        self._batch_write(requests)

    # -- claims and outcomes -----------------------------------------------------------------------

    def claim(
        self,
        source: str,
        url_id: str,
        url: str,
        *,
        owner: str,
        now: float,
        lease_seconds: float,
        changed_at: float | None = None,
    ) -> UrlRecord | None:
        # Claimable: nobody holds a live lease, not given up or skipped, due for a retry, and either
        # never fetched or fetched before the date the feed now gives (the article changed).
        fetched_clause = ""
        values: dict[str, Any] = {
            ":owner": _s(owner),
            ":now": _n(now),
            ":until": _n(now + lease_seconds),
            ":url": _s(url),
            ":source": _s(source),
            ":id": _s(url_id),
            ":pending": _s("pending"),
            ":failed": _s("failed"),
            ":expires": _n(int(now + URL_TTL_SECONDS)),
        }
        if changed_at is not None:
            fetched_clause = (
                " OR (#status = :fetched AND (seen_lastmod < :changed"
                " OR (attribute_not_exists(seen_lastmod) AND fetched_at < :changed)))"
            )
            values[":fetched"] = _s("fetched")
            values[":changed"] = _n(changed_at)
        condition = (
            "(attribute_not_exists(lease_until) OR lease_until < :now)"
            f" AND (attribute_not_exists(#status) OR #status IN (:pending, :failed){fetched_clause})"
            " AND (attribute_not_exists(next_attempt_at) OR next_attempt_at <= :now)"
        )
        try:
            response = self._client.update_item(
                TableName=self.table_name,
                Key={"pk": _s(url_pk(source, url_id)), "sk": _s(STATE_SK)},
                UpdateExpression=(
                    "SET lease_owner = :owner, lease_until = :until, #url = :url, #source = :source,"
                    " url_id = :id, #status = if_not_exists(#status, :pending), expires_at = :expires"
                ),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status", "#url": "url", "#source": "source"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return None
            raise StorageError(f"crawl state claim failed for {url}: {exc}") from exc
        return _record_from_item(response["Attributes"])

    def mark_fetched(
        self,
        source: str,
        url_id: str,
        *,
        owner: str,
        now: float,
        raw_key: str,
        changed_at: float | None,
        validators: Validators | None = None,
        dequeue: bool = True,
    ) -> None:
        values: dict[str, Any] = {
            ":fetched": _s("fetched"),
            ":now": _n(now),
            ":key": _s(raw_key),
            ":zero": _n(0),
            ":owner": _s(owner),
            ":expires": _n(int(now + URL_TTL_SECONDS)),
        }
        update = (
            "SET #status = :fetched, fetched_at = :now, updated_at = :now, raw_key = :key, attempts = :zero"
        )
        update += ", expires_at = :expires"
        if changed_at is not None:
            update += ", seen_lastmod = :changed"
            values[":changed"] = _n(changed_at)
        removed = ["lease_owner", "lease_until", "last_error", "next_attempt_at"]
        for name, value in (
            ("etag", validators and validators.etag),
            ("last_modified", validators and validators.last_modified),
        ):
            if value:
                update += f", {name} = :{name}"
                values[f":{name}"] = _s(value)
            else:
                removed.append(name)
        update += " REMOVE " + ", ".join(removed)
        self._settle(source, url_id, owner, update, values)
        if dequeue:
            self.dequeue(source, url_id)

    def mark_failed(
        self,
        source: str,
        url_id: str,
        *,
        owner: str,
        now: float,
        reason: str,
        attempts: int,
        retry_at: float | None,
    ) -> None:
        if retry_at is not None:
            retry_at = clamp_time(retry_at, now)  # partly the server's choice: never store 1e20
        values: dict[str, Any] = {
            ":status": _s("failed" if retry_at is not None else "gave_up"),
            ":attempts": _n(attempts),
            ":reason": _s(reason),
            ":owner": _s(owner),
            ":now": _n(now),
        }
        update = "SET #status = :status, attempts = :attempts, last_error = :reason, updated_at = :now"
        if retry_at is not None:
            update += ", next_attempt_at = :retry REMOVE lease_owner, lease_until"
            values[":retry"] = _n(retry_at)
        else:
            update += " REMOVE lease_owner, lease_until, next_attempt_at"
        self._settle(source, url_id, owner, update, values)
        if retry_at is None:
            self.dequeue(source, url_id)
        else:
            self._call(
                "update_item",
                TableName=self.table_name,
                Key={"pk": _s(queue_pk(source)), "sk": _s(url_id)},
                UpdateExpression="SET next_attempt_at = :retry",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":retry": _n(retry_at)},
                allow_conditional_failure=True,
            )

    def mark_skipped(self, source: str, url_id: str, *, owner: str, now: float, reason: str) -> None:
        values: dict[str, Any] = {
            ":skipped": _s("skipped"),
            ":reason": _s(reason),
            ":owner": _s(owner),
            ":now": _n(now),
        }
        update = (
            "SET #status = :skipped, last_error = :reason, updated_at = :now REMOVE lease_owner, lease_until"
        )
        self._settle(source, url_id, owner, update, values)
        self.dequeue(source, url_id)

    def release(self, source: str, url_id: str, *, owner: str) -> None:
        self._call(
            "update_item",
            TableName=self.table_name,
            Key={"pk": _s(url_pk(source, url_id)), "sk": _s(STATE_SK)},
            UpdateExpression="REMOVE lease_owner, lease_until",
            ConditionExpression="lease_owner = :owner",
            ExpressionAttributeValues={":owner": _s(owner)},
            allow_conditional_failure=True,
        )

    def _settle(self, source: str, url_id: str, owner: str, update: str, values: dict[str, Any]) -> None:
        names = {"#status": "status"}
        try:
            self._client.update_item(
                TableName=self.table_name,
                Key={"pk": _s(url_pk(source, url_id)), "sk": _s(STATE_SK)},
                UpdateExpression=update,
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if not _is_conditional_failure(exc):
                raise StorageError(f"crawl state update failed for {source}/{url_id}: {exc}") from exc
            # Our lease ran out and another run took the URL: its outcome stands.
            logger.warning("lease on %s/%s lost before the outcome was recorded", source, url_id)

    # -- the read API for `newsdesk status` --------------------------------------------------------

    def list_urls(
        self, source: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[UrlRecord]:
        """URL records, latest outcome first, then queued ones (shown as `pending`)."""
        if status is not None and status not in URL_STATUSES:
            raise StorageError(f"unknown status {status!r}; expected one of {', '.join(URL_STATUSES)}")
        url_prefix = f"URL#{source}#" if source else "URL#"
        records: dict[tuple[str, str], UrlRecord] = {}
        queued: dict[tuple[str, str], UrlRecord] = {}
        for item in self._scan():
            pk = _get_s(item, "pk") or ""
            if pk.startswith(url_prefix) and _get_s(item, "sk") == STATE_SK:
                record = _record_from_item(item)
                records[(record.source, record.url_id)] = record
            elif pk.startswith("QUEUE#") and (source is None or pk == queue_pk(source)):
                queue_source = pk.removeprefix("QUEUE#")
                url_id = _get_s(item, "sk") or ""
                queued[(queue_source, url_id)] = UrlRecord(
                    source=queue_source,
                    url_id=url_id,
                    url=_get_s(item, "url") or "",
                    status="pending",
                    next_attempt_at=_when(_get_n(item, "next_attempt_at")),
                )
        for key, record in queued.items():
            existing = records.get(key)
            # A fetched URL queued again (its feed date moved) is pending a re-fetch.
            if existing is None or existing.status in {"pending", "fetched"}:
                records[key] = record if existing is None else _replace_status(existing, "pending")
        selected = [r for r in records.values() if status is None or r.status == status]

        def activity(record: UrlRecord) -> float:
            stamps = [d.timestamp() for d in (record.updated_at, record.fetched_at) if d is not None]
            return max(stamps, default=0.0)

        selected.sort(key=lambda r: (activity(r), r.url_id), reverse=True)
        return selected[: max(0, limit)]

    def list_source_runs(self) -> list[SourceRun]:
        """Each source's last run (dispatched, started, finished, outcome, counts), by source id."""
        from newsdesk.storage.source_runs import DynamoSourceRuns

        return DynamoSourceRuns(self.table_name, self._client).list_runs()

    def counts(self, source: str | None = None) -> dict[str, int]:
        """How many URLs are in each status (for a status summary)."""
        totals = dict.fromkeys(URL_STATUSES, 0)
        for record in self.list_urls(source, None, limit=10**9):
            totals[record.status] += 1
        return totals

    # -- plumbing ----------------------------------------------------------------------------------

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        response = self._call(
            "get_item", TableName=self.table_name, Key={"pk": _s(pk), "sk": _s(sk)}, ConsistentRead=True
        )
        item: dict[str, Any] | None = response.get("Item")
        return item

    def _query(self, pk: str) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": _s(pk)},
            "ConsistentRead": True,
        }
        while True:
            response = self._call("query", **kwargs)
            yield from response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _scan(self) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {"TableName": self.table_name}
        while True:
            response = self._call("scan", **kwargs)
            yield from response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), _BATCH_WRITE):
            pending: dict[str, Any] = {self.table_name: requests[start : start + _BATCH_WRITE]}
            while pending:
                response = self._call("batch_write_item", RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}

    def _call(self, operation: str, *, allow_conditional_failure: bool = False, **kwargs: Any) -> Any:
        try:
            return getattr(self._client, operation)(**kwargs)
        except ClientError as exc:
            if allow_conditional_failure and _is_conditional_failure(exc):
                return {}
            raise StorageError(f"crawl state {operation} on {self.table_name} failed: {exc}") from exc


def _replace_status(record: UrlRecord, status: UrlStatus) -> UrlRecord:
    return replace(record, status=status)
