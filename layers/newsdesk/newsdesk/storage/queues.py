"""SQS for operators: how deep a queue is, and moving dead-lettered messages back to their queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newsdesk.errors import StorageError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# Error codes of an endpoint without SQS's message-move API (a moto server answers 500). Falling
# back to moving by hand is safe whatever the cause, only slower.
_MOVE_UNSUPPORTED = frozenset(
    {"InvalidAction", "UnsupportedOperation", "NotImplemented", "500", "501", "404"}
)


@dataclass(frozen=True)
class QueueDepth:
    visible: int
    in_flight: int
    delayed: int


@dataclass(frozen=True)
class RedriveResult:
    """`task_handle` when SQS moves the messages itself (asynchronously); else `moved` by us."""

    task_handle: str | None = None
    moved: int = 0


class Queues:
    def __init__(self, sqs: SQSClient) -> None:
        self._sqs = sqs

    def depth(self, queue_url: str) -> QueueDepth:
        attributes = self._call(
            "get_queue_attributes",
            QueueUrl=queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return QueueDepth(
            visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
            in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
            delayed=int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
        )

    def arn(self, queue_url: str) -> str:
        arn: str = self._call("get_queue_attributes", QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        return arn

    def redrive(
        self, dead_letter_url: str, queue_url: str, *, max_messages: int | None = None
    ) -> RedriveResult:
        """Move dead-lettered messages back to `queue_url`.

        SQS's own move task where the endpoint has it (it keeps message attributes and runs
        server-side); otherwise receive, send, then delete, so a crash in between duplicates a
        message (the parser is idempotent) and never loses one."""
        if max_messages is None:
            # SQS's task takes a rate, not a count: a cap means our own loop.
            handle = self._start_move_task(dead_letter_url, queue_url)
            if handle is not None:
                return RedriveResult(task_handle=handle)
        return RedriveResult(moved=self._move_by_hand(dead_letter_url, queue_url, max_messages))

    def _start_move_task(self, source_url: str, target_url: str) -> str | None:
        """The move task's handle, or None where the endpoint does not offer the API."""
        source_arn, target_arn = self.arn(source_url), self.arn(target_url)
        try:
            response = self._sqs.start_message_move_task(SourceArn=source_arn, DestinationArn=target_arn)
        except NotImplementedError:  # an embedded moto says so in-process
            return None
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MOVE_UNSUPPORTED:
                return None
            raise StorageError(f"cannot start moving messages from {source_url}: {exc}") from exc
        return response["TaskHandle"]

    def _move_by_hand(self, source_url: str, target_url: str, max_messages: int | None) -> int:
        moved = 0
        while max_messages is None or moved < max_messages:
            batch = min(10, max_messages - moved) if max_messages is not None else 10
            messages = self._call(
                "receive_message",
                QueueUrl=source_url,
                MaxNumberOfMessages=batch,
                MessageAttributeNames=["All"],
                VisibilityTimeout=60,
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not messages:
                break
            entries = []
            for index, message in enumerate(messages):
                entry: dict[str, Any] = {"Id": str(index), "MessageBody": message["Body"]}
                if message.get("MessageAttributes"):
                    entry["MessageAttributes"] = message["MessageAttributes"]
                entries.append(entry)
            sent = self._call("send_message_batch", QueueUrl=target_url, Entries=entries)
            if sent.get("Failed"):
                raise StorageError(f"could not send {len(sent['Failed'])} messages to {target_url}: {sent}")
            # Deleted only once sent: a crash here leaves a duplicate, not a loss.
            self._call(
                "delete_message_batch",
                QueueUrl=source_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
            moved += len(messages)
        return moved

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._sqs, operation)(**kwargs)
        except ClientError as exc:
            raise StorageError(f"SQS {operation} failed: {exc}") from exc
