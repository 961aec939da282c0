"""Play Lambda locally: load a function's real handler with its environment and feed it events
the way the Lambda service and its SQS event source mapping do."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import boto3
from pydantic import ValidationError

from newsdesk.events import S3Notification

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LocalContext:
    """The parts of Lambda's context object that handlers and Powertools use."""

    function_name: str
    timeout_seconds: float
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


@contextlib.contextmanager
def _patched_environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


class LocalFunction:
    """One function's handler module, imported fresh with the function's environment (a cold start)."""

    def __init__(
        self,
        name: str,
        code_dir: Path,
        environment: dict[str, str],
        timeout_seconds: float,
        log: IO[str] | None = None,
    ) -> None:
        self.name = name
        self.timeout_seconds = timeout_seconds
        self.log = log
        self.environment = {
            **environment,
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
            # No X-Ray daemon runs locally.
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
        with self._session():
            self.module = self._import(code_dir / "app.py")
        self.handler: Handler = self.module.lambda_handler

    def _import(self, path: Path) -> ModuleType:
        module_name = f"newsdesk_local_{self.name.lower()}_{uuid.uuid4().hex[:8]}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load handler {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        return module

    @contextlib.contextmanager
    def _session(self) -> Iterator[None]:
        with _patched_environ(self.environment):
            if self.log is None:
                yield
            else:
                with contextlib.redirect_stdout(self.log), contextlib.redirect_stderr(self.log):
                    yield

    def report_error(self, text: str) -> None:
        """An invocation error goes where Lambda would put it: the function's log."""
        print(f"{self.name} invocation failed:\n{text}", file=self.log or sys.stderr)

    def invoke(self, event: dict[str, Any]) -> Any:
        context = LocalContext(function_name=self.name, timeout_seconds=self.timeout_seconds)
        with self._session():
            return self.handler(event, context)


@dataclass
class DrainResult:
    succeeded: int = 0
    failed_attempts: int = 0
    invocations: int = 0
    test_events: int = 0
    failed_message_ids: set[str] = field(default_factory=set)


def _lambda_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


def _is_s3_test_event(body: str) -> bool:
    try:
        return S3Notification.model_validate_json(body).is_test_event
    except ValidationError:
        return False


def drain_queue(
    queue_url: str,
    function: LocalFunction,
    *,
    batch_size: int = 10,
    max_invocations: int = 1000,
    on_processed: Callable[[int], None] | None = None,
) -> DrainResult:
    """Lambda's SQS event source mapping: batches in, successes deleted, reported failures made
    visible again at once (standing in for the visibility timeout), so that a message failing
    maxReceiveCount times is moved to the dead-letter queue by SQS itself. `on_processed(n)`
    hears how many messages of each batch succeeded."""
    sqs = boto3.client("sqs")
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    result = DrainResult()
    while result.invocations < max_invocations:
        messages = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            break
        event = {"Records": [_lambda_record(m, queue_arn) for m in messages]}
        result.invocations += 1
        try:
            response = function.invoke(event) or {}
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        except Exception:
            # A function error fails the whole batch, as in Lambda, and goes to the function's log.
            function.report_error(traceback.format_exc())
            failed = {m["MessageId"] for m in messages}
        for message in messages:
            if message["MessageId"] in failed:
                result.failed_attempts += 1
                result.failed_message_ids.add(message["MessageId"])
                sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                result.succeeded += 1
                result.test_events += _is_s3_test_event(message["Body"])
                result.failed_message_ids.discard(message["MessageId"])
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if on_processed is not None:
            on_processed(len(messages) - len(failed & {m["MessageId"] for m in messages}))
    return result
