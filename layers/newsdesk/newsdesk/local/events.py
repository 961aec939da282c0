"""Local delivery of the parser's article events: a rule on the stack's bus to a queue we drain.

What a consumer would receive, shown by `newsdesk run`; the deployed stack has no such queue
(consumers add their own rules).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

from newsdesk.article_events import EVENT_SOURCE
from newsdesk.local.aws import LocalStack

TAP_RULE = "newsdesk-local-article-events"
TAP_QUEUE = "newsdesk-local-article-events"


@dataclass(frozen=True)
class EventTap:
    queue_url: str

    def drain(self) -> list[dict[str, Any]]:
        """Every event delivered so far (EventBridge's envelope, `detail` included), then empty."""
        sqs = boto3.client("sqs")
        events: list[dict[str, Any]] = []
        while True:
            messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return events
            for message in messages:
                events.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


def tap(stack: LocalStack) -> EventTap:
    """Route the bus's article events to a local queue (idempotent: safe on every run)."""
    bus = stack.name("ArticleEventBus")
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName=TAP_QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events")
    events.put_rule(
        Name=TAP_RULE, EventBusName=bus, EventPattern=json.dumps({"source": [EVENT_SOURCE]}), State="ENABLED"
    )
    events.put_targets(Rule=TAP_RULE, EventBusName=bus, Targets=[{"Id": "local-queue", "Arn": queue_arn}])
    return EventTap(queue_url)


def describe(event: dict[str, Any]) -> str:
    detail = event.get("detail", {})
    return (
        f"{event.get('detail-type')}  v{detail.get('version')}  [{detail.get('source')}]  "
        f"{detail.get('title')}  -> {detail.get('article_key')}"
    )


def fill_bus_names(template: dict[str, Any], resources: dict[str, str], stack_name: str) -> dict[str, str]:
    """moto's CloudFormation reports an empty physical id for an event bus, whose Ref is its name:
    take the name the template gives it (`!Sub ${AWS::StackName}-...` or a plain string)."""
    filled = dict(resources)
    for logical, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Events::EventBus" or filled.get(logical):
            continue
        name = resource.get("Properties", {}).get("Name")
        if isinstance(name, dict) and "Fn::Sub" in name and isinstance(name["Fn::Sub"], str):
            name = name["Fn::Sub"].replace("${AWS::StackName}", stack_name)
        if isinstance(name, str) and "${" not in name:
            filled[logical] = name
    return filled
