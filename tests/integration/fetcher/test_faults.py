"""Faults the fetcher survives: transient AWS errors and throttling, and a worker killed between
any two of its writes. The work completes; no article is lost or stored twice."""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from moto.core.botocore_stubber import MockRawResponse
from support.crawl_table import CRAWL_TABLE, AtomicMotoClient
from support.feeds import article_html, rss_for
from support.http_server import Reply, TestServer
from support.sinks import MemorySink

from newsdesk.crawler import CrawlOptions, run_crawl
from newsdesk.fanout import FetchJob, run_job
from newsdesk.fetching.clock import ManualClock
from newsdesk.rawpage import RawPage
from newsdesk.sources import Source
from newsdesk.storage.crawl_state import DynamoCrawlState, Validators
from newsdesk.storage.host_slots import DynamoHostSlots
from newsdesk.storage.job_queue import SqsJobQueue
from newsdesk.storage.s3 import RawPageStore
from newsdesk.storage.source_runs import DynamoSourceRuns

HOST = "news.test"
PATHS = ["/news/a", "/news/b", "/news/c", "/news/d"]
# Legacy retries back off in milliseconds for DynamoDB: the test stays fast.
RETRYING = Config(retries={"mode": "legacy", "max_attempts": 6})

_FAULTS = {
    # service: (HTTP status, body) as AWS answers when throttling or briefly unavailable
    "dynamodb": (
        400,
        b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}',
    ),
    "s3": (503, b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"),
    "sqs": (500, b""),
}


class FaultInjector:
    """Answers every `every`-th request of a client with a transient error before moto sees it
    (botocore's `before-send` hook), so botocore's own retries must carry the work through."""

    def __init__(self, client: Any, service: str, every: int) -> None:
        self.service = service
        self.every = every
        self.calls = 0
        self.injected = 0
        self._lock = threading.Lock()
        client.meta.events.register_first(f"before-send.{service}", self._before_send)

    def _before_send(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        with self._lock:
            self.calls += 1
            if self.calls % self.every:
                return None
            self.injected += 1
        status, body = _FAULTS[self.service]
        # Every before-send handler runs; pointed elsewhere, moto's does not apply the request,
        # as AWS applies no throttled request. Botocore builds a fresh request for its retry.
        url, request.url = request.url, "https://fault-injected.invalid/"
        return AWSResponse(url, status, {"x-amzn-requestid": "fault"}, MockRawResponse(body))


def serve(server: TestServer) -> Source:
    server.route(
        "/feed.xml", Reply(body=rss_for([server.url(p, HOST) for p in PATHS]), content_type="text/xml")
    )
    for path in PATHS:
        server.route(path, Reply(body=article_html(path)))
    return Source(id="news", name="News", feeds=[server.url("/feed.xml", HOST)])


def test_transient_dynamodb_s3_and_sqs_errors_complete_the_work_without_duplicates(
    server: TestServer, dynamodb: Any, options: CrawlOptions, clock: ManualClock
) -> None:
    source = serve(server)
    ddb = boto3.client("dynamodb", region_name="us-east-1", config=RETRYING)
    s3 = boto3.client("s3", region_name="us-east-1", config=RETRYING)
    sqs = boto3.client("sqs", region_name="us-east-1", config=RETRYING)
    s3.create_bucket(Bucket="raw")
    queue_url = sqs.create_queue(QueueName="fetch")["QueueUrl"]
    faults = [FaultInjector(ddb, "dynamodb", 3), FaultInjector(s3, "s3", 2), FaultInjector(sqs, "sqs", 2)]
    stored: Counter[str] = Counter()
    # Successful PutObject calls per key (a retried request counts once, when it succeeds).
    s3.meta.events.register(
        "before-parameter-build.s3.PutObject", lambda params, context, **_: context.update(key=params["Key"])
    )
    s3.meta.events.register("after-call.s3.PutObject", lambda context, **_: stored.update([context["key"]]))
    client = AtomicMotoClient(ddb)
    state = DynamoCrawlState(CRAWL_TABLE, client)
    deps: dict[str, Any] = {
        "runs": DynamoSourceRuns(CRAWL_TABLE, client),  # type: ignore[arg-type]
        "state": state,
        "sink": RawPageStore("raw", s3),
        "hosts": DynamoHostSlots(CRAWL_TABLE, client),  # type: ignore[arg-type]
        "queue": SqsJobQueue(queue_url, sqs),
        "options": options,
        "clock": clock,
        "lease_seconds": 900.0,
    }

    # Cut short after two pages, so the continuation goes through SQS too.
    first = run_job(FetchJob(source=source, dispatched_at=0.0), should_stop=lambda: len(stored) >= 2, **deps)
    (message,) = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    second = run_job(FetchJob.model_validate_json(message["Body"]), **deps)

    assert (first.outcome, second.outcome) == ("continued", "finished")
    assert all(f.injected > 0 for f in faults), [(f.service, f.injected) for f in faults]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="raw")["Contents"]]
    assert len(keys) == len(PATHS) and set(stored.values()) == {1}
    assert {r.status for r in state.list_urls("news", None, 10)} == {"fetched"}
    assert state.queued("news") == []
    assert all(server.hits(p) == 1 for p in PATHS)


# -- killed between two writes -------------------------------------------------------------------


class Killed(BaseException):
    """The worker's process dies here (not an Exception: nothing in the crawler may catch it)."""


class KillOnce:
    def __init__(self, point: str) -> None:
        self.point = point
        self.fired = False

    def at(self, point: str) -> None:
        if point == self.point and not self.fired:
            self.fired = True
            raise Killed(point)


class KillingState(DynamoCrawlState):
    kill: KillOnce

    def enqueue(self, source: str, items: Any, *, now: float) -> None:
        super().enqueue(source, items, now=now)
        self.kill.at("after queueing the discovered URLs")

    def put_validators(self, url: str, validators: Validators, *, now: float) -> None:
        super().put_validators(url, validators, now=now)
        self.kill.at("after storing the feed's validators")

    def claim(self, *args: Any, **kwargs: Any) -> Any:
        record = super().claim(*args, **kwargs)
        self.kill.at("after claiming a URL")
        return record

    def dequeue(self, source: str, url_id: str) -> None:
        # mark_fetched records the outcome, then dequeues: this is between those two writes.
        self.kill.at("after recording the outcome, before dequeueing")
        super().dequeue(source, url_id)

    def dequeue_many(self, source: str, url_ids: Any) -> None:
        # The fetching stage records outcomes, then drops their entries in a batch.
        self.kill.at("after recording the outcome, before dequeueing")
        super().dequeue_many(source, url_ids)


class KillingSink(MemorySink):
    kill: KillOnce

    def put(self, page: RawPage) -> str:
        key = super().put(page)
        self.kill.at("after the raw page is in S3")
        return key


CRASH_POINTS = [
    "after queueing the discovered URLs",
    "after storing the feed's validators",
    "after claiming a URL",
    "after the raw page is in S3",
    "after recording the outcome, before dequeueing",
]


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_run_killed_between_two_writes_is_completed_by_the_next(
    point: str, server: TestServer, state: DynamoCrawlState, options: CrawlOptions, clock: ManualClock
) -> None:
    source = serve(server)
    server.route(
        "/feed.xml",
        Reply(
            body=rss_for([server.url(p, HOST) for p in PATHS]),
            content_type="text/xml",
            headers={"ETag": '"f"'},
        ),
    )
    kill = KillOnce(point)
    killing_state = KillingState(state.table_name, state._client)
    killing_state.kill = kill
    sink = KillingSink()
    sink.kill = kill
    options = options.__class__(**{**options.__dict__, "max_concurrency": 1})

    with pytest.raises(Killed):
        run_crawl([source], state=killing_state, sink=sink, options=options, clock=clock)
    # The dead run's claims lapse with their lease; then the next run completes the work.
    clock.advance(options.lease_seconds + 1)
    report = run_crawl([source], state=state, sink=sink, options=options, clock=clock)

    assert kill.fired
    records = state.list_urls("news", None, 10)
    assert sorted(r.url for r in records) == sorted(server.url(p, HOST) for p in PATHS)
    assert {r.status for r in records} == {"fetched"}
    assert state.queued("news") == []
    # One raw page per article, under one key: a page stored twice (killed after the S3 write)
    # overwrote itself, and the parser's article id is the same.
    assert len(sink.pages) == len(PATHS) == len({p.id for p in sink.pages.values()})
    assert report.failed == {}
    assert max(server.hits(p) for p in PATHS) <= 2


def test_a_worker_killed_mid_run_holds_its_source_until_the_lease_lapses(
    server: TestServer, state: DynamoCrawlState, options: CrawlOptions, clock: ManualClock
) -> None:
    source = serve(server)
    kill = KillOnce("after the raw page is in S3")
    sink = KillingSink()
    sink.kill = kill
    deps: dict[str, Any] = {
        "runs": DynamoSourceRuns(CRAWL_TABLE, state._client),  # type: ignore[arg-type]
        "state": state,
        "sink": sink,
        "hosts": DynamoHostSlots(CRAWL_TABLE, state._client),  # type: ignore[arg-type]
        "queue": SqsJobQueue("unused", None),  # type: ignore[arg-type]
        "options": options,
        "clock": clock,
        "lease_seconds": 300.0,
    }
    job = FetchJob(source=source, dispatched_at=0.0)

    with pytest.raises(Killed):
        run_job(job, **deps)
    assert run_job(job, **deps).outcome == "running_elsewhere"
    clock.advance(max(300.0, options.lease_seconds) + 1)
    result = run_job(job, **deps)

    assert result.outcome == "finished"
    assert len(sink.pages) == len(PATHS)
    assert {r.status for r in state.list_urls("news", None, 10)} == {"fetched"}
    assert json.loads(json.dumps(state.list_source_runs()[0].as_dict()))["outcome"] == "finished"
