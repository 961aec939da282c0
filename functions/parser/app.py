"""Parser Lambda: for each S3 notification on the parse queue, extract the article and store it."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdesk.errors import ExtractionError
from newsdesk.events import S3Notification
from newsdesk.parsing import ParseResult, parse_raw_page
from newsdesk.settings import ParserSettings
from newsdesk.storage.dynamodb import ArticleTable
from newsdesk.storage.s3 import ArticleStore, RawPageStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)
settings = ParserSettings.load()
idempotency_config = IdempotencyConfig(
    event_key_jmespath="[bucket, key, etag]", raise_on_no_idempotency_key=True
)
persistence = (
    DynamoDBPersistenceLayer(table_name=settings.idempotency_table) if settings.idempotency_table else None
)


@cache
def _s3() -> S3Client:
    # One client per execution environment: creating one costs more than parsing a page.
    return boto3.client("s3")


@cache
def _stores() -> tuple[ArticleStore, ArticleTable]:
    return (
        ArticleStore(settings.articles_bucket, _s3()),
        ArticleTable(settings.articles_table, boto3.resource("dynamodb")),
    )


def _parse_object(object_ref: dict[str, str]) -> dict[str, Any]:
    articles, table = _stores()
    raw_pages = RawPageStore(object_ref["bucket"], _s3())
    result: ParseResult = parse_raw_page(
        object_ref["key"], raw_pages=raw_pages, articles=articles, table=table
    )
    return {"article_id": result.article.id, "article_key": result.article_key}


parse_object = (
    idempotent_function(
        data_keyword_argument="object_ref", config=idempotency_config, persistence_store=persistence
    )(_parse_object)
    if persistence
    else _parse_object
)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    notification = parse(event=record.json_body, model=S3Notification)
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
        try:
            stored = parse_object(object_ref=object_ref)
        except ExtractionError as exc:
            metrics.add_metric(name=f"ParseFailed.{exc.reason}", unit=MetricUnit.Count, value=1)
            logger.warning(
                "page did not yield an article", extra={**object_ref, "reason": exc.reason, "error": str(exc)}
            )
            raise
        except Exception:
            logger.exception("parsing failed", extra=object_ref)
            raise
        metrics.add_metric(name="ArticlesParsed", unit=MetricUnit.Count, value=1)
        logger.info("article stored", extra={**object_ref, **stored})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    if persistence:
        idempotency_config.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
