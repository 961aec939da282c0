"""Fetch worker Lambda: one fetch job (one source) per SQS message from the fetch queue."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from newsdesk.crawler import CrawlOptions, CrawlReport
from newsdesk.fanout import FetchJob, JobResult, run_job
from newsdesk.fetching.clock import SystemClock
from newsdesk.fetching.robots import RobotsCache
from newsdesk.observability import HandlerTracing
from newsdesk.settings import FetcherSettings
from newsdesk.storage.crawl_state import DynamoCrawlState, plain_client
from newsdesk.storage.host_slots import DynamoHostSlots
from newsdesk.storage.job_queue import SqsJobQueue
from newsdesk.storage.s3 import RawPageStore
from newsdesk.storage.source_runs import DynamoSourceRuns

logger = Logger()
# X-Ray subsegments only with XRAY_SUBSEGMENTS=true: the SDK's import is a cold-start cost.
tracing = HandlerTracing()
metrics = Metrics()
settings = FetcherSettings.load()
options = CrawlOptions.from_settings(settings)
clock = SystemClock()
# Module level: a warm execution environment reuses robots.txt rules within their TTL.
robots = RobotsCache(user_agent=settings.user_agent, clock=clock, ttl_seconds=options.robots_ttl_seconds)
# A source's lease outlives the invocation that took it by this much (a killed worker's lease
# lapses soon after the invocation could have ended).
LEASE_SLACK_SECONDS = 60.0


class _Adapters:
    def __init__(self) -> None:
        dynamodb = plain_client(boto3.client("dynamodb"))
        self.state = DynamoCrawlState(settings.crawl_table, dynamodb)
        self.runs = DynamoSourceRuns(settings.crawl_table, dynamodb)
        self.hosts = DynamoHostSlots(settings.crawl_table, dynamodb)
        self.sink = RawPageStore(settings.raw_bucket, boto3.client("s3"))
        self.queue = SqsJobQueue(settings.fetch_queue_url or "", boto3.client("sqs"))


@cache
def _adapters() -> _Adapters:
    # Created once per execution environment and reused by warm invocations.
    return _Adapters()


def _report_metrics(report: CrawlReport) -> None:
    for name in ("discovered", "new", "fetched", "not_modified", "skipped_robots", "deferred"):
        metrics.add_metric(
            name=name.replace("_", " ").title().replace(" ", ""),
            unit=MetricUnit.Count,
            value=getattr(report, name),
        )
    for reason, count in report.skipped.items():
        metrics.add_metric(name=f"Skipped.{reason}", unit=MetricUnit.Count, value=count)
    for reason, count in report.failed.items():
        metrics.add_metric(name=f"Failed.{reason}", unit=MetricUnit.Count, value=count)
    metrics.add_metric(name="HostsBackedOff", unit=MetricUnit.Count, value=len(report.backed_off_hosts))


def _run(body: str, context: LambdaContext) -> JobResult:
    job = FetchJob.model_validate_json(body)
    adapters = _adapters()
    margin_ms = int(settings.time_margin_seconds * 1000)
    result = run_job(
        job,
        runs=adapters.runs,
        state=adapters.state,
        sink=adapters.sink,
        hosts=adapters.hosts,
        queue=adapters.queue,
        options=options,
        clock=clock,
        lease_seconds=context.get_remaining_time_in_millis() / 1000 + LEASE_SLACK_SECONDS,
        should_stop=lambda: context.get_remaining_time_in_millis() < margin_ms,
        robots=robots,
    )
    if result.report is not None:
        _report_metrics(result.report)
    return result


@logger.inject_lambda_context(log_event=False)
@tracing.handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    results: list[dict[str, object]] = []
    for record in event.get("Records", []):
        message_id = str(record.get("messageId", ""))
        try:
            result = _run(str(record.get("body", "")), context)
        except ValidationError as exc:
            # Not a job this function can run: it goes to the dead-letter queue as it is.
            logger.error("invalid fetch job", extra={"message_id": message_id, "error": str(exc)})
            failures.append({"itemIdentifier": message_id})
            continue
        except Exception:
            logger.exception("fetch job failed", extra={"message_id": message_id})
            failures.append({"itemIdentifier": message_id})
            continue
        summary = {k: v for k, v in result.as_dict().items() if k != "stored_keys"}
        logger.info("fetch job finished", extra={"job": summary})
        results.append(result.as_dict())
    return {"batchItemFailures": failures, "results": results}
