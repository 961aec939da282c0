"""The fetch queue as the dispatcher and the workers use it: send message bodies to SQS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newsdesk.errors import StorageError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

_BATCH = 10  # SQS's limit per SendMessageBatch
_ATTEMPTS = 3


class SqsJobQueue:
    def __init__(self, queue_url: str, sqs: SQSClient) -> None:
        self.queue_url = queue_url
        self._sqs = sqs

    def send(self, bodies: Sequence[str]) -> None:
        """Send every body; entries SQS refuses for a transient reason are sent again."""
        for start in range(0, len(bodies), _BATCH):
            pending: dict[str, str] = {str(i): b for i, b in enumerate(bodies[start : start + _BATCH])}
            for _ in range(_ATTEMPTS):
                if not pending:
                    break
                entries: list[Any] = [{"Id": i, "MessageBody": b} for i, b in pending.items()]
                try:
                    response = self._sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
                except ClientError as exc:
                    raise StorageError(f"cannot send to {self.queue_url}: {exc}") from exc
                failed = {f["Id"]: f for f in response.get("Failed", [])}
                permanent = [f for f in failed.values() if f.get("SenderFault")]
                if permanent:
                    raise StorageError(f"SQS refused messages: {permanent}")
                pending = {i: pending[i] for i in failed}
            if pending:
                raise StorageError(f"SQS kept failing {len(pending)} messages to {self.queue_url}")
