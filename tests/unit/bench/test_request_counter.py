"""The benchmark's AWS request counter: write units as DynamoDB bills them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bench.fetcher import RequestCounter, template_gsi_keys


def _model(service: str, operation: str) -> Any:
    return SimpleNamespace(name=operation, service_model=SimpleNamespace(service_name=service))


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def test_write_units_count_gsi_copies_only_for_items_with_the_index_keys_and_transactions_twice() -> None:
    counter = RequestCounter({"ArticlesTable": [frozenset({"source", "published_key"})]})
    table = "stack-ArticlesTable-XYZ"
    indexed = {"id": _s("a"), "source": _s("s"), "published_key": _s("2026")}
    plain = {"id": _s("b")}
    counter(_model("dynamodb", "PutItem"), params={"TableName": table, "Item": indexed})
    counter(_model("dynamodb", "PutItem"), params={"TableName": table, "Item": plain})
    counter(
        _model("dynamodb", "TransactWriteItems"),
        params={"TransactItems": [{"Put": {"TableName": table, "Item": indexed}}]},
    )
    # The transaction's item twice, its index copy once.
    assert counter.dynamodb_wru[table] == 2 + 1 + 3
    assert counter.calls["dynamodb:TransactWriteItems"] == 1


def test_crawl_state_writes_are_attributed_to_their_item_kind() -> None:
    counter = RequestCounter({"CrawlStateTable": []})
    table = "stack-CrawlStateTable-XYZ"
    key = {"pk": _s("HOST#http://a.test"), "sk": _s("SLOT")}
    counter(
        _model("dynamodb", "UpdateItem"),
        params={"TableName": table, "Key": key, "UpdateExpression": "SET holder = :o"},
    )
    counter(
        _model("dynamodb", "BatchWriteItem"),
        params={"RequestItems": {table: [{"DeleteRequest": {"Key": {"pk": _s("QUEUE#s"), "sk": _s("1")}}}]}},
    )
    assert counter.dynamodb_wru_by_item == {"CrawlStateTable HOST": 1, "CrawlStateTable QUEUE": 1}


def test_the_template_declares_the_articles_indexes() -> None:
    keys = template_gsi_keys()
    assert len(keys["ArticlesTable"]) == 3 and keys["CrawlStateTable"] == []
