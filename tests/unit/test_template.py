"""template.yaml declares what the issue asks for, and translates into a stack moto accepts."""

from __future__ import annotations

from typing import Any

import pytest

from newsdesk.local import template as tpl


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return tpl.load_template(tpl.find_template())


@pytest.fixture(scope="module")
def translated(template: dict[str, Any]) -> dict[str, Any]:
    return tpl.translate(template)


def _of_type(translated: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in translated["Resources"].items() if v["Type"] == kind}


def test_functions_use_a_current_python_runtime(translated: dict[str, Any]) -> None:
    functions = _of_type(translated, "AWS::Lambda::Function")
    assert set(functions) == {"FetcherFunction", "ParserFunction"}
    assert {f["Properties"]["Runtime"] for f in functions.values()} == {"python3.12"}
    assert all(f["Properties"]["TracingConfig"]["Mode"] == "Active" for f in functions.values())


def test_fetcher_is_started_by_an_eventbridge_scheduler_schedule_with_the_rate_parameter(
    translated: dict[str, Any],
) -> None:
    (schedule,) = _of_type(translated, "AWS::Scheduler::Schedule").values()
    assert schedule["Properties"]["ScheduleExpression"] == {"Ref": "ScheduleRate"}
    assert schedule["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": ["FetcherFunction", "Arn"]}


def test_parser_reads_the_parse_queue_with_partial_batch_failures(
    template: dict[str, Any], translated: dict[str, Any]
) -> None:
    (mapping,) = _of_type(translated, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": ["ParseQueue", "Arn"]}
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = template["Resources"]["ParseQueue"]["Properties"]
    parser_timeout = tpl.function_properties(template, "ParserFunction")["Timeout"]
    assert queue["VisibilityTimeout"] >= 6 * parser_timeout
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["ParseDeadLetterQueue", "Arn"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 1


def test_raw_bucket_notifies_the_parse_queue_of_new_raw_pages(template: dict[str, Any]) -> None:
    config = tpl.bucket_notifications(template, "RawBucket", {"ParseQueue": "arn:aws:sqs:::q"})
    assert config == {
        "QueueConfigurations": [
            {
                "QueueArn": "arn:aws:sqs:::q",
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".html.gz"}]}},
            }
        ]
    }


def test_buckets_are_private_and_encrypted(template: dict[str, Any]) -> None:
    buckets = {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::S3::Bucket"}
    assert set(buckets) == {"RawBucket", "ArticlesBucket"}
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert all(props["PublicAccessBlockConfiguration"].values())
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    policies = [v for v in template["Resources"].values() if v["Type"] == "AWS::S3::BucketPolicy"]
    assert len(policies) == 2
    for policy in policies:
        (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_function_policies_are_least_privilege(translated: dict[str, Any]) -> None:
    roles = _of_type(translated, "AWS::IAM::Role")
    actions: dict[str, set[str]] = {}
    for name, role in roles.items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                granted = statement["Action"]
                granted = [granted] if isinstance(granted, str) else granted
                assert all("*" not in a for a in granted), (name, granted)
                assert statement["Resource"] != "*", name
                actions.setdefault(name, set()).update(granted)
    assert actions["FetcherFunctionRole"] >= {"s3:PutObject", "dynamodb:PutItem"}
    assert "s3:GetObject" not in actions["FetcherFunctionRole"]
    assert "s3:DeleteObject" not in actions["ParserFunctionRole"]
    assert actions["ParserFunctionRole"] >= {"s3:GetObject", "s3:PutObject", "dynamodb:PutItem"}


def test_outputs_name_every_bucket_table_and_queue(template: dict[str, Any]) -> None:
    named = {
        output["Value"]["Ref"]
        for output in template["Outputs"].values()
        if isinstance(output["Value"], dict) and "Ref" in output["Value"]
    }
    storage = {
        k
        for k, v in template["Resources"].items()
        if v["Type"] in {"AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::SQS::Queue"}
    }
    assert storage <= named


def test_local_stack_keeps_only_storage_and_messaging(template: dict[str, Any]) -> None:
    local = tpl.local_stack_template(template)
    kinds = {r["Type"] for r in local["Resources"].values()}
    assert kinds == {"AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::DynamoDB::Table", "AWS::Events::EventBus"}
    # DependsOn on resources that were cut (the queue policy) is dropped, not left dangling.
    assert all("DependsOn" not in r for r in local["Resources"].values())


def test_function_environment_resolves_refs_to_physical_names(template: dict[str, Any]) -> None:
    env = tpl.resolve_environment(
        tpl.function_environment(template, "ParserFunction"),
        {
            "ArticlesBucket": "bucket-1",
            "ArticlesTable": "table-1",
            "IdempotencyTable": "idem-1",
            "ArticleEventBus": "bus-1",
        },
        tpl.parameter_defaults(template),
    )
    assert env["ARTICLES_BUCKET"] == "bucket-1"
    assert env["ARTICLES_TABLE"] == "table-1"
    assert env["IDEMPOTENCY_TABLE"] == "idem-1"
    assert env["EVENT_BUS_NAME"] == "bus-1"
    assert env["LOG_LEVEL"] == "INFO"
    assert env["POWERTOOLS_SERVICE_NAME"] == "parser"


def test_fetcher_may_call_exactly_the_dynamodb_operations_its_crawl_state_uses(
    translated: dict[str, Any],
) -> None:
    import inspect
    import re

    from newsdesk.storage import crawl_state

    used = set(re.findall(r'_call\(\s*"([a-z_]+)"', inspect.getsource(crawl_state.DynamoCrawlState)))
    # Scan serves only `newsdesk status`, run with the operator's credentials, not the function's.
    used.discard("scan")
    granted = set()
    for policy in translated["Resources"]["FetcherFunctionRole"]["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            granted.update(
                a for a in ([actions] if isinstance(actions, str) else actions) if a.startswith("dynamodb:")
            )
    as_actions = {"dynamodb:" + "".join(part.title() for part in op.split("_")) for op in used}
    assert as_actions == granted


def test_glue_table_columns_are_the_catalog_columns_and_partitions_are_projected(
    template: dict[str, Any],
) -> None:
    from newsdesk.catalog import COLUMNS, PARTITION_COLUMNS, TABLE_NAME

    table = template["Resources"]["ArticlesGlueTable"]["Properties"]["TableInput"]
    assert table["Name"] == TABLE_NAME
    declared = [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]
    assert declared == [(name, glue) for name, glue, _ in COLUMNS]
    assert tuple(p["Name"] for p in table["PartitionKeys"]) == PARTITION_COLUMNS
    parameters = table["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.dt.type"] == "date"
    # The projected location is the key scheme the parser writes.
    assert "articles/source=${!source}/dt=${!dt}/" in parameters["storage.location.template"]["Fn::Sub"]


def test_parser_may_publish_to_the_bus_and_write_article_items(translated: dict[str, Any]) -> None:
    granted: set[str] = set()
    for policy in translated["Resources"]["ParserFunctionRole"]["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            granted.update([actions] if isinstance(actions, str) else actions)
    assert {"events:PutEvents", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} <= granted
    # The parser never lists or scans: its reads are GetItems.
    assert not {"dynamodb:Scan", "dynamodb:Query"} & granted
