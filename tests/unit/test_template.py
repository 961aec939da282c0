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
    assert set(functions) == {"DispatcherFunction", "FetcherFunction", "ParserFunction"}
    assert {f["Properties"]["Runtime"] for f in functions.values()} == {"python3.12"}
    assert all(f["Properties"]["TracingConfig"]["Mode"] == "Active" for f in functions.values())


def test_dispatcher_is_started_by_an_unnamed_schedule_with_a_dead_letter_queue(
    translated: dict[str, Any],
) -> None:
    (schedule,) = _of_type(translated, "AWS::Scheduler::Schedule").values()
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == {"Ref": "ScheduleRate"}
    assert "Name" not in props  # OmitName: two stacks can live in one account
    assert props["Target"]["Arn"] == {"Fn::GetAtt": ["DispatcherFunction", "Arn"]}
    assert props["Target"]["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["DispatchDeadLetterQueue", "Arn"]}


def test_failed_asynchronous_dispatches_go_to_a_destination(translated: dict[str, Any]) -> None:
    (config,) = _of_type(translated, "AWS::Lambda::EventInvokeConfig").values()
    props = config["Properties"]
    assert props["FunctionName"] == {"Ref": "DispatcherFunction"}
    assert 0 <= props["MaximumRetryAttempts"] <= 2
    assert props["MaximumEventAgeInSeconds"] <= 3600
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["DispatchDeadLetterQueue", "Arn"]
    }


def test_fetch_workers_take_one_source_per_message_under_a_concurrency_parameter(
    template: dict[str, Any], translated: dict[str, Any]
) -> None:
    mappings = _of_type(translated, "AWS::Lambda::EventSourceMapping").values()
    (mapping,) = [m for m in mappings if m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0] == "FetchQueue"]
    props = mapping["Properties"]
    assert props["FunctionName"] == {"Ref": "FetcherFunction"}
    assert props["BatchSize"] == 1
    assert props["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "FetchConcurrency"}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = template["Resources"]["FetchQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * tpl.function_properties(template, "FetcherFunction")["Timeout"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["FetchDeadLetterQueue", "Arn"]}
    # The fetcher's tunables are parameters, passed to it as settings.
    env = tpl.function_environment(template, "FetcherFunction")
    assert env["MIN_HOST_INTERVAL_SECONDS"] == {"Ref": "HostIntervalSeconds"}
    assert env["MAX_BODY_BYTES"] == {"Ref": "MaxBodyBytes"}
    assert env["MAX_CONCURRENCY"] == {"Ref": "FetchThreadsPerWorker"}
    assert tpl.function_environment(template, "DispatcherFunction")["DEFAULT_SOURCE_INTERVAL"] == {
        "Ref": "DefaultSourceInterval"
    }


def test_parser_reads_the_parse_queue_with_partial_batch_failures(
    template: dict[str, Any], translated: dict[str, Any]
) -> None:
    mappings = _of_type(translated, "AWS::Lambda::EventSourceMapping").values()
    (mapping,) = [m for m in mappings if m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0] == "ParseQueue"]
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
    assert set(buckets) == {"RawBucket", "ArticlesBucket", "ConfigBucket"}
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert all(props["PublicAccessBlockConfiguration"].values())
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    policies = [v for v in template["Resources"].values() if v["Type"] == "AWS::S3::BucketPolicy"]
    assert len(policies) == 3
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
    assert kinds == {"AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::DynamoDB::Table"}
    # DependsOn on resources that were cut (the queue policy) is dropped, not left dangling.
    assert all("DependsOn" not in r for r in local["Resources"].values())


def test_function_environment_resolves_refs_to_physical_names(template: dict[str, Any]) -> None:
    env = tpl.resolve_environment(
        tpl.function_environment(template, "ParserFunction"),
        {"ArticlesBucket": "bucket-1", "ArticlesTable": "table-1", "IdempotencyTable": "idem-1"},
        tpl.parameter_defaults(template),
    )
    assert env["ARTICLES_BUCKET"] == "bucket-1"
    assert env["ARTICLES_TABLE"] == "table-1"
    assert env["IDEMPOTENCY_TABLE"] == "idem-1"
    assert env["LOG_LEVEL"] == "INFO"
    assert env["POWERTOOLS_SERVICE_NAME"] == "parser"


def test_fetcher_may_call_exactly_the_dynamodb_operations_its_crawl_state_uses(
    translated: dict[str, Any],
) -> None:
    import inspect
    import re

    from newsdesk.storage import crawl_state, host_slots, source_runs

    adapters = (crawl_state.DynamoCrawlState, source_runs.DynamoSourceRuns, host_slots.DynamoHostSlots)
    sources = "".join(inspect.getsource(a) for a in adapters)
    used = set(re.findall(r'_call\(\s*"([a-z_]+)"', sources))
    used |= set(re.findall(r"_client\.([a-z_]+)\(", sources))
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
