"""One scheduled cycle, locally, with the real handlers, played as Lambda plays it:
schedule -> dispatcher -> fetch queue -> fetch workers (in parallel threads) -> S3 -> SQS -> parser."""

from __future__ import annotations

import contextlib
import json
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import boto3

from newsdesk.local import events as local_events
from newsdesk.local import template as tpl
from newsdesk.local.aws import LocalStack, queue_redrive
from newsdesk.local.lambda_runtime import LocalContext, LocalFunction, drain_queue

Advance = Callable[[int], None]


class ProgressFactory(Protocol):
    """`newsdesk.progress.progress`'s shape: a context manager yielding `advance(n)`."""

    def __call__(self, description: str, total: int | None) -> AbstractContextManager[Advance]: ...


@contextlib.contextmanager
def no_progress(description: str, total: int | None) -> Iterator[Advance]:
    def ignore(n: int) -> None:
        return None

    yield ignore


@dataclass
class CycleSummary:
    discovered: int = 0
    fetched: int = 0
    parsed: int = 0
    fetch_failed: dict[str, int] = field(default_factory=dict)
    parse_failed: int = 0
    dead_lettered: int = 0
    crawl: dict[str, Any] = field(default_factory=dict)
    dispatched: list[str] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)  # one per fetch job run
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(self.fetch_failed.values()) + self.parse_failed


def _queue_depth(queue_url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def _function(
    template: dict[str, Any], root: Path, logical_id: str, env: dict[str, str], log: IO[str] | None
) -> LocalFunction:
    props = tpl.function_properties(template, logical_id)
    return LocalFunction(logical_id, root / str(props["CodeUri"]), env, float(props["Timeout"]), log=log)


def _record(message: Any, queue_arn: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


class ParallelDrain:
    """The fetch queue's event source mapping: `workers` concurrent invocations of batch size 1.

    A worker's continuation lands on the same queue and is picked up like any job; the drain ends
    when the queue is empty and no invocation is running (so none can add more).
    """

    def __init__(
        self,
        queue_url: str,
        function: LocalFunction,
        *,
        workers: int,
        max_invocations: int,
        on_source_done: Advance | None = None,
    ) -> None:
        self.queue_url = queue_url
        self.on_source_done = on_source_done
        self.function = function
        self.workers = max(1, workers)
        self.max_invocations = max_invocations
        self.results: list[dict[str, Any]] = []
        self.invocations = 0
        self._in_flight = 0
        self._cond = threading.Condition()
        self._sqs = boto3.client("sqs")
        self._arn = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

    def run(self) -> list[dict[str, Any]]:
        # One environment for all the threads: patching os.environ per invocation would race.
        with self.function._session():
            threads = [
                threading.Thread(target=self._work, name=f"fetch-worker-{i}") for i in range(self.workers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        return self.results

    def _work(self) -> None:
        while True:
            with self._cond:
                if self.invocations >= self.max_invocations:
                    return
            messages = self._sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=1, AttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                with self._cond:
                    if self._in_flight == 0:
                        return
                    self._cond.wait(0.05)
                continue
            with self._cond:
                self._in_flight += 1
                self.invocations += 1
            try:
                self._invoke(messages[0])
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _invoke(self, message: Any) -> None:
        context = LocalContext(
            function_name=self.function.name, timeout_seconds=self.function.timeout_seconds
        )
        try:
            response = self.function.handler({"Records": [_record(message, self._arn)]}, context) or {}
            failed = bool(response.get("batchItemFailures"))
            results = response.get("results", [])
            with self._cond:
                self.results.extend(results)
                # A continued source is not done: its next job lands on the queue.
                done = sum(1 for r in results if r.get("outcome") != "continued")
                if done and self.on_source_done is not None:
                    self.on_source_done(done)
        except Exception:
            self.function.report_error(traceback.format_exc())
            failed = True
        if failed:
            # Visible again at once (standing in for the visibility timeout); SQS dead-letters it
            # after maxReceiveCount receives.
            self._sqs.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        else:
            self._sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


def _merge(jobs: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {"errors": [], "skipped_robots": 0, "failed": {}, "backed_off_hosts": []}
    for job in jobs:
        merged["errors"].extend(job.get("errors", []))
        merged["skipped_robots"] += int(job.get("skipped_robots", 0))
        for reason, count in dict(job.get("failed", {})).items():
            merged["failed"][reason] = merged["failed"].get(reason, 0) + int(count)
        merged["backed_off_hosts"].extend(
            h for h in job.get("backed_off_hosts", []) if h not in merged["backed_off_hosts"]
        )
    return merged


def run_cycle(
    stack: LocalStack,
    *,
    sources_file: Path | None = None,
    allow_private_networks: bool = False,
    log: IO[str] | None = None,
    workers: int | None = None,
    fetcher_overrides: dict[str, str] | None = None,
    progress: ProgressFactory = no_progress,
) -> CycleSummary:
    """One schedule tick. `workers` overrides the template's fetch concurrency (the default);
    `fetcher_overrides` sets fetcher settings (e.g. shorter timeouts for a test); `progress`
    reports sources fetched and pages parsed as they go (`newsdesk.progress.progress`)."""
    template = tpl.load_template(stack.template_path)
    root = stack.repo_root

    dispatcher_env = dict(stack.dispatcher_env)
    fetcher_env = dict(stack.fetcher_env)
    if sources_file is not None:
        dispatcher_env["SOURCES_FILE"] = str(Path(sources_file).resolve())
    if allow_private_networks:
        fetcher_env["ALLOW_PRIVATE_NETWORKS"] = "true"
    fetcher_env.update(fetcher_overrides or {})

    dispatcher = _function(template, root, "DispatcherFunction", dispatcher_env, log)
    schedule = tpl.function_event(template, "DispatcherFunction", "ScheduleV2")
    # EventBridge Scheduler delivers the schedule's Input as the event.
    dispatched: dict[str, Any] = dispatcher.invoke(json.loads(schedule.get("Input", "{}")))

    fetcher = _function(template, root, "FetcherFunction", fetcher_env, log)
    fetch_queue = stack.name("FetchQueue")
    _, fetch_max_receive = queue_redrive(fetch_queue)
    with progress("fetching sources", len(dispatched.get("dispatched", []))) as advance:
        jobs = ParallelDrain(
            fetch_queue,
            fetcher,
            workers=workers or fetch_concurrency(template),
            max_invocations=10_000 * (fetch_max_receive or 1),
            on_source_done=advance,
        ).run()

    parser = _function(template, root, "ParserFunction", stack.parser_env, log)
    event_tap = local_events.tap(stack)
    queue_url = stack.name("ParseQueue")
    dlq_url = stack.name("ParseDeadLetterQueue")
    dead_before = _queue_depth(dlq_url)
    sqs_event = tpl.function_event(template, "ParserFunction", "SQS")
    _, max_receive = queue_redrive(queue_url)
    with progress("parse queue messages", _queue_depth(queue_url)) as advance:
        drained = drain_queue(
            queue_url,
            parser,
            batch_size=int(sqs_event.get("BatchSize", 10)),
            max_invocations=100 * (max_receive or 1),
            on_processed=advance,
        )
    crawl = _merge(jobs)
    return CycleSummary(
        discovered=sum(int(j.get("discovered", 0)) for j in jobs),
        fetched=sum(int(j.get("fetched", 0)) for j in jobs),
        parsed=drained.succeeded - drained.test_events,
        fetch_failed=dict(crawl["failed"]),
        parse_failed=len(drained.failed_message_ids),
        dead_lettered=_queue_depth(dlq_url) - dead_before,
        crawl=crawl,
        dispatched=list(dispatched.get("dispatched", [])),
        jobs=jobs,
        events=event_tap.drain(),
    )


def fetch_concurrency(template: dict[str, Any]) -> int:
    """The fetch queue's MaximumConcurrency as the template sets it (a parameter's default)."""
    scaling = tpl.function_event(template, "FetcherFunction", "SQS").get("ScalingConfig", {})
    value = scaling.get("MaximumConcurrency", 2)
    if isinstance(value, dict) and "Ref" in value:
        value = tpl.parameter_defaults(template)[value["Ref"]]
    return int(value)
