"""The crawl state table in moto, with the key schema template.yaml declares."""

from __future__ import annotations

import threading
from typing import Any

CRAWL_TABLE = "newsdesk-crawl-state-test"


def create_crawl_table(dynamodb: Any, name: str = CRAWL_TABLE) -> None:
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


class AtomicMotoClient:
    """A DynamoDB client proxy that runs one request at a time.

    Real DynamoDB applies each conditional write atomically; in-process moto checks the condition
    and writes the item in separate steps without a lock, so two threads can both "win" one
    condition. Serialising requests restores the guarantee the crawl state relies on, while the
    runs themselves still interleave request by request.
    """

    _lock = threading.Lock()

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            with AtomicMotoClient._lock:
                return attribute(*args, **kwargs)

        return call
