"""Operator tools: queue depth, redrive of dead letters, and the per-source status summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from newsdesk.status import summarise_sources
from newsdesk.storage.crawl_state import UrlRecord
from newsdesk.storage.queues import Queues


def _queue_pair(sqs: Any) -> tuple[str, str]:
    dead = sqs.create_queue(QueueName="parse-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName="parse",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 5})},
    )["QueueUrl"]
    return queue, dead


def _bodies(sqs: Any, url: str) -> list[str]:
    bodies = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        bodies += [m["Body"] for m in messages]
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


@pytest.mark.usefixtures("aws")
def test_redrive_moves_every_dead_letter_back_with_its_body_and_attributes() -> None:
    sqs = boto3.client("sqs")
    queue, dead = _queue_pair(sqs)
    sent = [f'{{"page": {i}}}' for i in range(23)]
    for body in sent:
        sqs.send_message(
            QueueUrl=dead,
            MessageBody=body,
            MessageAttributes={"origin": {"DataType": "String", "StringValue": "s3"}},
        )
    queues = Queues(sqs)
    assert queues.depth(dead).visible == 23

    result = queues.redrive(dead, queue)

    # moto has no message-move task: the messages were moved one batch at a time.
    assert result.task_handle is None and result.moved == 23
    assert queues.depth(dead).visible == 0
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, MessageAttributeNames=["All"])
    assert received["Messages"][0]["MessageAttributes"]["origin"]["StringValue"] == "s3"
    sqs.change_message_visibility(
        QueueUrl=queue, ReceiptHandle=received["Messages"][0]["ReceiptHandle"], VisibilityTimeout=0
    )
    assert sorted(_bodies(sqs, queue)) == sorted(sent)


@pytest.mark.usefixtures("aws")
def test_redrive_with_a_cap_moves_no_more_than_asked() -> None:
    sqs = boto3.client("sqs")
    queue, dead = _queue_pair(sqs)
    for i in range(15):
        sqs.send_message(QueueUrl=dead, MessageBody=str(i))

    assert Queues(sqs).redrive(dead, queue, max_messages=12).moved == 12

    assert len(_bodies(sqs, queue)) == 12
    assert len(_bodies(sqs, dead)) == 3


def test_redrive_on_aws_starts_sqs_own_move_task_between_the_two_queues() -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    arns = {
        "https://sqs/dlq": "arn:aws:sqs:us-east-1:123456789012:dlq",
        "https://sqs/parse": "arn:aws:sqs:us-east-1:123456789012:parse",
    }
    with Stubber(sqs) as stub:
        for url in ("https://sqs/dlq", "https://sqs/parse"):
            stub.add_response(
                "get_queue_attributes",
                {"Attributes": {"QueueArn": arns[url]}},
                {"QueueUrl": url, "AttributeNames": ["QueueArn"]},
            )
        stub.add_response(
            "start_message_move_task",
            {"TaskHandle": "task-1"},
            {"SourceArn": arns["https://sqs/dlq"], "DestinationArn": arns["https://sqs/parse"]},
        )
        result = Queues(sqs).redrive("https://sqs/dlq", "https://sqs/parse")
        stub.assert_no_pending_responses()
    assert result.task_handle == "task-1" and result.moved == 0


def _record(source: str, url: str, status: str, **fields: Any) -> UrlRecord:
    return UrlRecord(source=source, url_id=url.rsplit("/", 1)[-1], url=url, status=status, **fields)  # type: ignore[arg-type]


def test_status_summarises_each_source_with_its_failing_urls_and_reasons() -> None:
    day = datetime(2026, 12, 1, tzinfo=UTC)
    records = [
        _record(
            "gazette",
            "https://g.test/a",
            "fetched",
            fetched_at=day.replace(hour=3),
            updated_at=day.replace(hour=3),
        ),
        _record(
            "gazette",
            "https://g.test/b",
            "fetched",
            fetched_at=day.replace(hour=5),
            updated_at=day.replace(hour=5),
        ),
        _record(
            "gazette",
            "https://g.test/c",
            "failed",
            attempts=2,
            last_error="http_503",
            updated_at=day.replace(hour=6),
            next_attempt_at=day.replace(hour=7),
        ),
        _record(
            "gazette",
            "https://g.test/d",
            "gave_up",
            attempts=4,
            last_error="timeout",
            updated_at=day.replace(hour=4),
        ),
        _record("gazette", "https://g.test/e", "pending"),
        _record("kyiv", "https://k.test/x", "skipped", last_error="robots", updated_at=day.replace(hour=1)),
    ]

    gazette, kyiv = summarise_sources(records)

    assert gazette.source == "gazette"
    assert gazette.last_run == day.replace(hour=6)
    assert gazette.last_new_article == day.replace(hour=5)
    assert gazette.counts == {"pending": 1, "fetched": 2, "failed": 1, "gave_up": 1, "skipped": 0}
    assert [(f.url, f.reason, f.attempts) for f in gazette.failing] == [
        ("https://g.test/c", "http_503", 2),
        ("https://g.test/d", "timeout", 4),
    ]
    assert gazette.failing[0].next_attempt_at == day.replace(hour=7)
    assert kyiv.last_new_article is None and kyiv.failing == []
    assert kyiv.counts["skipped"] == 1


def test_status_prefers_the_sources_run_record_and_lists_sources_known_only_by_it() -> None:
    from newsdesk.storage.source_runs import SourceRun

    day = datetime(2026, 12, 1, tzinfo=UTC)
    records = [
        _record(
            "gazette",
            "https://g.test/a",
            "fetched",
            fetched_at=day.replace(hour=3),
            updated_at=day.replace(hour=3),
        )
    ]
    runs = [
        SourceRun(
            source="gazette",
            finished_at=day.replace(hour=9),
            outcome="completed",
            last_new_at=day.replace(hour=8),
            lease_owner=None,
        ),
        SourceRun(source="quiet", started_at=day.replace(hour=10), lease_owner="worker-1"),
    ]

    gazette, quiet = summarise_sources(records, runs)

    assert (gazette.last_run, gazette.last_new_article, gazette.last_outcome) == (
        day.replace(hour=9),
        day.replace(hour=8),
        "completed",
    )
    assert quiet.running and quiet.last_run == day.replace(hour=10) and quiet.last_new_article is None
