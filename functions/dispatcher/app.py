"""Dispatcher Lambda: on schedule, enqueue one fetch job per due source on the fetch queue."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdesk.fanout import dispatch
from newsdesk.fetching.clock import SystemClock
from newsdesk.observability import HandlerTracing
from newsdesk.settings import DispatcherSettings
from newsdesk.sources import interval_seconds
from newsdesk.storage.crawl_state import plain_client
from newsdesk.storage.job_queue import SqsJobQueue
from newsdesk.storage.source_runs import DynamoSourceRuns
from newsdesk.storage.sources_store import S3SourcesStore, configured_sources

logger = Logger()
# X-Ray subsegments only with XRAY_SUBSEGMENTS=true: the SDK's import is a cold-start cost.
tracing = HandlerTracing()
metrics = Metrics()
settings = DispatcherSettings.load()
default_interval = interval_seconds(settings.default_interval)


@cache
def _adapters() -> tuple[DynamoSourceRuns, SqsJobQueue, S3SourcesStore | None]:
    # Created once per execution environment and reused by warm invocations.
    store = (
        S3SourcesStore(settings.sources_bucket, settings.sources_key, boto3.client("s3"))
        if settings.sources_bucket
        else None
    )
    return (
        DynamoSourceRuns(settings.crawl_table, plain_client(boto3.client("dynamodb"))),
        SqsJobQueue(settings.fetch_queue_url, boto3.client("sqs")),
        store,
    )


@logger.inject_lambda_context(log_event=False)
@tracing.handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    runs, queue, store = _adapters()
    loaded = configured_sources(settings.sources_file, store)
    if loaded.rejected:
        # The alarm on this metric tells the operator; the crawl goes on with the last good file.
        metrics.add_metric(name="SourcesFileRejected", unit=MetricUnit.Count, value=1)
        logger.error("sources file rejected; using %s", loaded.origin, extra={"reason": loaded.rejected})
    report = dispatch(
        loaded.sources,
        runs=runs,
        queue=queue,
        now=SystemClock().time(),
        default_interval_seconds=default_interval,
    )
    metrics.add_metric(name="SourcesDispatched", unit=MetricUnit.Count, value=len(report.dispatched))
    summary = {"sources_file": loaded.origin, **report.as_dict()}
    logger.info("dispatch finished", extra={"dispatch": summary})
    return summary
