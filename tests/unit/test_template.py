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


# --- Operations: retention, alarms, dashboard, scoped permissions (issue 11 section 3) -------

ROOT = tpl.find_template().parent


def _resources(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_data_survives_a_stack_deletion_or_replacement(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    for name in ("ArticlesTable", "CrawlStateTable", "ArticlesBucket", "RawBucket"):
        assert resources[name]["DeletionPolicy"] == "Retain", name
        assert resources[name]["UpdateReplacePolicy"] == "Retain", name
    for name in ("ArticlesTable", "CrawlStateTable"):
        assert resources[name]["Properties"]["DeletionProtectionEnabled"] is True, name


def test_articles_bucket_keeps_overwritten_versions_for_a_while(template: dict[str, Any]) -> None:
    props = template["Resources"]["ArticlesBucket"]["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    expiring = [
        rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
        for rule in props["LifecycleConfiguration"]["Rules"]
        if rule["Status"] == "Enabled" and "NoncurrentVersionExpiration" in rule
    ]
    assert expiring == [{"Ref": "ArticleVersionRetentionDays"}]


def test_schedule_has_no_fixed_name_so_two_stacks_fit_in_one_account(translated: dict[str, Any]) -> None:
    (schedule,) = _of_type(translated, "AWS::Scheduler::Schedule").values()
    assert "Name" not in schedule["Properties"]


def _role_statements(translated: dict[str, Any], role: str) -> list[dict[str, Any]]:
    properties = translated["Resources"][role]["Properties"]
    return [s for p in properties.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]


def test_no_role_may_use_every_queue_and_consumers_are_capped_on_their_event_source(
    template: dict[str, Any], translated: dict[str, Any]
) -> None:
    for name, role in _of_type(translated, "AWS::IAM::Role").items():
        # No managed policy grants SQS (AWSLambdaSQSQueueExecutionRole would, on every queue).
        assert not [arn for arn in role["Properties"].get("ManagedPolicyArns", []) if "SQS" in str(arn)], name
    consumers = {"ParserFunction": "ParseQueue", "FetcherFunction": "FetchQueue"}
    mappings = {
        m["Properties"]["FunctionName"]["Ref"]: m["Properties"]
        for m in _of_type(translated, "AWS::Lambda::EventSourceMapping").values()
    }
    assert set(mappings) == set(consumers)
    for function, queue in consumers.items():
        reads = [
            s
            for s in _role_statements(translated, f"{function}Role")
            if "sqs:ReceiveMessage" in str(s["Action"])
        ]
        assert reads and all(s["Resource"] == {"Fn::GetAtt": [queue, "Arn"]} for s in reads), function
        assert mappings[function]["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
        assert "MaximumConcurrency" in mappings[function]["ScalingConfig"]
        assert "ReservedConcurrentExecutions" not in translated["Resources"][function]["Properties"]
    assert mappings["ParserFunction"]["ScalingConfig"] == {
        "MaximumConcurrency": {"Ref": "ParserMaxConcurrency"}
    }
    # The local runner reads the same mappings (batch sizes) as Lambda.
    assert tpl.function_event(template, "ParserFunction", "SQS")["BatchSize"] == 10
    assert tpl.function_event(template, "FetcherFunction", "SQS")["BatchSize"] == 1


def _alarms(template: dict[str, Any]) -> dict[str, Any]:
    return _resources(template, "AWS::CloudWatch::Alarm")


def _alarm_on(template: dict[str, Any], namespace: str, metric: str, dimension: Any) -> dict[str, Any]:
    found = [
        a["Properties"]
        for a in _alarms(template).values()
        if a["Properties"].get("Namespace") == namespace
        and a["Properties"].get("MetricName") == metric
        and a["Properties"]["Dimensions"][0]["Value"] == dimension
    ]
    assert len(found) == 1, (namespace, metric, dimension)
    return found[0]


def test_every_alarm_notifies_the_alarm_topic_which_mails_the_parameter(template: dict[str, Any]) -> None:
    alarms = _alarms(template)
    assert len(alarms) >= 9
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["Properties"]["OKActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["Properties"]["AlarmDescription"], name
    (subscription,) = _resources(template, "AWS::SNS::Subscription").values()
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlarmTopic"},
        "Protocol": "email",
        "Endpoint": {"Ref": "AlarmEmail"},
    }
    assert subscription["Condition"] == "HasAlarmEmail"


def test_every_function_has_error_and_throttle_alarms(template: dict[str, Any]) -> None:
    functions = _resources(template, "AWS::Serverless::Function")
    assert functions
    for name in functions:
        for metric in ("Errors", "Throttles"):
            alarm = _alarm_on(template, "AWS/Lambda", metric, {"Ref": name})
            assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_queue_alarms_watch_every_dead_letter_queue_and_each_consumed_queue(template: dict[str, Any]) -> None:
    queues = _resources(template, "AWS::SQS::Queue")
    dead_letter_queues = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    } | {"DispatchDeadLetterQueue"}
    assert dead_letter_queues == {"ParseDeadLetterQueue", "FetchDeadLetterQueue", "DispatchDeadLetterQueue"}
    for name in dead_letter_queues:
        dlq = _alarm_on(
            template, "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": [name, "QueueName"]}
        )
        assert dlq["Threshold"] == 0 and dlq["ComparisonOperator"] == "GreaterThanThreshold"
    for name in ("ParseQueue", "FetchQueue"):
        age = _alarm_on(
            template, "AWS/SQS", "ApproximateAgeOfOldestMessage", {"Fn::GetAtt": [name, "QueueName"]}
        )
        assert age["Threshold"] == {"Ref": "QueueMaxAgeSeconds"}


def test_a_rejected_sources_file_raises_an_alarm(template: dict[str, Any]) -> None:
    alarm = _alarm_on(template, "Newsdesk", "SourcesFileRejected", "dispatcher")
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    source = (ROOT / "functions/dispatcher/app.py").read_text(encoding="utf-8")
    assert 'name="SourcesFileRejected"' in source


def test_fetcher_duration_alarm_fires_at_80_percent_of_its_timeout(template: dict[str, Any]) -> None:
    alarm = _alarm_on(template, "AWS/Lambda", "Duration", {"Ref": "FetcherFunction"})
    timeout_ms = tpl.function_properties(template, "FetcherFunction")["Timeout"] * 1000
    assert alarm["Threshold"] == 0.8 * timeout_ms


def test_no_new_article_alarm_reads_the_metric_the_parser_emits(template: dict[str, Any]) -> None:
    alarm = _alarm_on(template, "Newsdesk", "ArticleVersionsStored", "parser")
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == {"Ref": "NoNewArticleHours"}
    assert alarm["Period"] == 3600
    assert alarm["TreatMissingData"] == "breaching"
    parser_source = (ROOT / "functions/parser/app.py").read_text(encoding="utf-8")
    assert 'name="ArticleVersionsStored"' in parser_source
    assert template["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"] == (
        "Newsdesk"
    )


def test_permanent_failure_rate_alarm_divides_permanent_failures_by_pages_finished(
    template: dict[str, Any],
) -> None:
    (alarm,) = [a["Properties"] for a in _alarms(template).values() if "Metrics" in a["Properties"]]
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    assert metrics["failed"]["MetricStat"]["Metric"]["MetricName"] == "ParseFailedPermanent"
    assert metrics["stored"]["MetricStat"]["Metric"]["MetricName"] == "ArticlesParsed"
    parser_source = (ROOT / "functions/parser/app.py").read_text(encoding="utf-8")
    assert 'name="ParseFailedPermanent"' in parser_source
    (returned,) = [m for m in alarm["Metrics"] if m.get("ReturnData", True)]
    assert "failed" in returned["Expression"] and "stored" in returned["Expression"]
    assert alarm["Threshold"] == {"Ref": "PermanentFailurePercent"}


def test_dashboard_is_valid_json_showing_the_flow_failures_and_every_alarm(template: dict[str, Any]) -> None:
    import json
    import re

    (dashboard,) = _resources(template, "AWS::CloudWatch::Dashboard").values()
    body, _ = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    parsed = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))
    lines = [m for w in parsed["widgets"] for m in w["properties"].get("metrics", [])]
    assert {"Discovered", "Fetched", "ArticleVersionsStored"} <= {
        m[1] for m in lines if isinstance(m[0], str)
    }
    searches = " ".join(m[0]["expression"] for m in lines if len(m) == 1)
    # Search terms match metric-name tokens: Failed.<reason> (fetcher), ParseFailed.<reason> (parser).
    assert 'service="fetcher" Failed' in searches and 'service="parser" Failed' in searches
    shown = set(re.findall(r"\$\{(\w+)\.Arn\}", body))
    assert shown == set(_alarms(template))


def test_every_skipped_checkov_check_says_why(template: dict[str, Any]) -> None:
    skips = [
        (name, skip)
        for name, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for name, skip in skips:
        assert skip["id"].startswith("CKV_"), name
        assert len(skip.get("comment", "").split()) >= 5, (name, skip["id"])


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
