"""One scheduled cycle, locally, with the real handlers: schedule -> fetcher -> S3 -> SQS -> parser."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import boto3

from newsdesk.local import events as local_events
from newsdesk.local import template as tpl
from newsdesk.local.aws import LocalStack, queue_redrive
from newsdesk.local.lambda_runtime import LocalFunction, drain_queue


@dataclass
class CycleSummary:
    discovered: int = 0
    fetched: int = 0
    parsed: int = 0
    fetch_failed: dict[str, int] = field(default_factory=dict)
    parse_failed: int = 0
    dead_lettered: int = 0
    crawl: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(self.fetch_failed.values()) + self.parse_failed


def _queue_depth(queue_url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def run_cycle(
    stack: LocalStack,
    *,
    sources_file: Path | None = None,
    allow_private_networks: bool = False,
    log: IO[str] | None = None,
) -> CycleSummary:
    template = tpl.load_template(stack.template_path)
    root = stack.repo_root

    fetcher_env = dict(stack.fetcher_env)
    if sources_file is not None:
        fetcher_env["SOURCES_FILE"] = str(Path(sources_file).resolve())
    if allow_private_networks:
        fetcher_env["ALLOW_PRIVATE_NETWORKS"] = "true"
    fetcher_props = tpl.function_properties(template, "FetcherFunction")
    fetcher = LocalFunction(
        "FetcherFunction",
        root / str(fetcher_props["CodeUri"]),
        fetcher_env,
        float(fetcher_props["Timeout"]),
        log=log,
    )
    schedule = tpl.function_event(template, "FetcherFunction", "ScheduleV2")
    # EventBridge Scheduler delivers the schedule's Input as the event.
    report: dict[str, Any] = fetcher.invoke(json.loads(schedule.get("Input", "{}")))

    parser_props = tpl.function_properties(template, "ParserFunction")
    parser = LocalFunction(
        "ParserFunction",
        root / str(parser_props["CodeUri"]),
        stack.parser_env,
        float(parser_props["Timeout"]),
        log=log,
    )
    event_tap = local_events.tap(stack)
    queue_url = stack.name("ParseQueue")
    dlq_url = stack.name("ParseDeadLetterQueue")
    dead_before = _queue_depth(dlq_url)
    sqs_event = tpl.function_event(template, "ParserFunction", "SQS")
    _, max_receive = queue_redrive(queue_url)
    drained = drain_queue(
        queue_url,
        parser,
        batch_size=int(sqs_event.get("BatchSize", 10)),
        max_invocations=100 * (max_receive or 1),
    )
    return CycleSummary(
        discovered=int(report.get("discovered", 0)),
        fetched=int(report.get("fetched", 0)),
        parsed=drained.succeeded - drained.test_events,
        fetch_failed=dict(report.get("failed", {})),
        parse_failed=len(drained.failed_message_ids),
        dead_lettered=_queue_depth(dlq_url) - dead_before,
        crawl=report,
        events=event_tap.drain(),
    )
