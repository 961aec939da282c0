"""Parser Lambda: for each S3 notification on the parse queue, extract the article and store it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdesk.events import S3Notification
from newsdesk.observability import HandlerTracing
from newsdesk.parsing import Outcome, ParseResult, ParserStores, ids_from_raw_key, parse_raw_page
from newsdesk.settings import ParserSettings
from newsdesk.storage.dynamodb import ArticleTable
from newsdesk.storage.eventbus import EventBridgePublisher
from newsdesk.storage.parse_failures import ParseFailureLog
from newsdesk.storage.s3 import ArticleStore, RawPageStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

logger = Logger()
# X-Ray subsegments only with XRAY_SUBSEGMENTS=true: the SDK's import is a cold-start cost.
tracing = HandlerTracing()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)
settings = ParserSettings.load()
idempotency_config = IdempotencyConfig(
    event_key_jmespath="[bucket, key, etag]", raise_on_no_idempotency_key=True
)


@cache
def _s3() -> S3Client:
    # One client per execution environment: creating one costs more than parsing a page.
    return boto3.client("s3")


@cache
def _dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb")


@cache
def _stores(raw_bucket: str) -> ParserStores:
    dynamodb = boto3.resource("dynamodb")
    return ParserStores(
        raw_pages=RawPageStore(raw_bucket, _s3()),
        articles=ArticleStore(settings.articles_bucket, _s3()),
        table=ArticleTable(settings.articles_table, dynamodb),
        failures=ParseFailureLog(settings.articles_table, dynamodb),
        events=EventBridgePublisher(settings.event_bus_name, boto3.client("events")),
    )


def _parse_object(object_ref: dict[str, str]) -> dict[str, Any]:
    result: ParseResult = parse_raw_page(object_ref["key"], _stores(object_ref["bucket"]))
    return {
        "outcome": str(result.outcome),
        "article_id": result.article_id,
        "source": result.source,
        "url": result.url,
        "version": result.version,
        "article_key": result.article_key,
        "reason": result.reason,
        "error": result.message,
        "events_published": result.events_published,
    }


@cache
def _idempotent_parse() -> Callable[..., dict[str, Any]]:
    """`_parse_object` behind Powertools Idempotency (when a table is configured).

    Built by the first record rather than at import: the persistence layer creates a DynamoDB
    client, which is most of what this module's import would otherwise cost.
    """
    if not settings.idempotency_table:
        return _parse_object
    # A client of the default session, which the stores share (endpoint data is loaded once);
    # left to itself the persistence layer would create a boto3 session of its own.
    persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table, boto3_client=_dynamodb())
    wrapped: Callable[..., dict[str, Any]] = idempotent_function(
        data_keyword_argument="object_ref", config=idempotency_config, persistence_store=persistence
    )(_parse_object)
    return wrapped


@tracing.method
def record_handler(record: SQSRecord) -> None:
    notification = S3Notification.model_validate_json(record.body)
    if notification.is_test_event:
        # S3 sends one when the notification is configured: nothing to parse.
        return
    for s3_record in notification.records:
        object_ref = {
            "bucket": s3_record.s3.bucket.name,
            # Notification keys are URL-encoded (spaces as '+').
            "key": unquote_plus(s3_record.s3.object.key),
            "etag": s3_record.s3.object.etag or "",
        }
        source, article_id = ids_from_raw_key(object_ref["key"])
        # One correlation id per article, the fetcher's article id, across both functions' logs.
        logger.set_correlation_id(article_id)
        logger.append_keys(source=source, article_id=article_id, raw_key=object_ref["key"])
        try:
            stored = _idempotent_parse()(object_ref=object_ref)
        except Exception:
            # Transient (throttling, network, a concurrent writer): the queue retries, then dead-letters.
            logger.exception("parsing failed; the message will be retried", extra=object_ref)
            raise
        finally:
            logger.remove_keys(["source", "article_id", "raw_key"])
        _report(stored, object_ref)


def _report(stored: dict[str, Any], object_ref: dict[str, str]) -> None:
    # Metric names are what the template's alarms and dashboard read (ParseFailedPermanent over
    # ParseFailedPermanent + ArticlesParsed is the permanent-failure rate).
    outcome = stored["outcome"]
    extra = {**object_ref, **{k: v for k, v in stored.items() if v is not None}}
    if outcome == Outcome.FAILED:
        # Permanent: recorded for `newsdesk status` and acknowledged, never retried.
        metrics.add_metric(name="ParseFailedPermanent", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name=f"ParseFailed.{stored['reason']}", unit=MetricUnit.Count, value=1)
        logger.warning("page did not yield an article", extra=extra)
        return
    metrics.add_metric(name="ArticlesParsed", unit=MetricUnit.Count, value=1)
    if stored["events_published"]:
        metrics.add_metric(
            name="ArticleEventsPublished", unit=MetricUnit.Count, value=stored["events_published"]
        )
    if outcome == Outcome.STORED:
        metrics.add_metric(name="ArticleVersionsStored", unit=MetricUnit.Count, value=1)
        logger.info("article version stored", extra=extra)
    else:
        metrics.add_metric(name="ArticlesUnchanged", unit=MetricUnit.Count, value=1)
        logger.info("article unchanged", extra=extra)


@logger.inject_lambda_context
@tracing.handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    if settings.idempotency_table:
        idempotency_config.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
