"""Fetcher Lambda: on schedule, discover new articles on every source and store the raw pages."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdesk.crawler import CrawlOptions, CrawlReport, run_crawl
from newsdesk.fetching.clock import SystemClock
from newsdesk.fetching.robots import RobotsCache
from newsdesk.settings import FetcherSettings
from newsdesk.sources import load_sources
from newsdesk.storage.crawl_state import DynamoCrawlState
from newsdesk.storage.s3 import RawPageStore

logger = Logger()
tracer = Tracer()
metrics = Metrics()
settings = FetcherSettings.load()
options = CrawlOptions.from_settings(settings)
# Module level: a warm execution environment reuses robots.txt rules within their TTL.
robots = RobotsCache(
    user_agent=settings.user_agent, clock=SystemClock(), ttl_seconds=options.robots_ttl_seconds
)


@cache
def _stores() -> tuple[DynamoCrawlState, RawPageStore]:
    # Created once per execution environment and reused by warm invocations.
    return (
        DynamoCrawlState(settings.crawl_table, boto3.client("dynamodb")),
        RawPageStore(settings.raw_bucket, boto3.client("s3")),
    )


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


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    sources = load_sources(settings.sources_file)
    state, store = _stores()
    margin_ms = int(settings.time_margin_seconds * 1000)

    report = run_crawl(
        sources,
        state=state,
        sink=store,
        options=options,
        should_stop=lambda: context.get_remaining_time_in_millis() < margin_ms,
        robots=robots,
    )
    _report_metrics(report)
    summary = report.as_dict()
    logger.info("fetch cycle finished", extra={"report": summary})
    return summary
