"""The crawl state table in moto, with the key schema template.yaml declares."""

from __future__ import annotations

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
