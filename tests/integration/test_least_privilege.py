"""Least privilege, tested: each handler runs on a moto server that enforces IAM, with credentials
of a role whose policies are exactly its function's role in the transformed template. A missing
permission fails the run; a granted action that the run never used fails unless it is listed
below with the path that needs it.

The roles' AWS managed policies (CloudWatch Logs, X-Ray) are left out: handlers write logs and
metrics to stdout and tracing is off locally, so nothing here could exercise them.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from newsdesk.local import template as tpl
from newsdesk.local.aws import LocalStack, ensure_stack, local_aws
from newsdesk.local.lambda_runtime import LocalFunction, drain_queue
from newsdesk.local.sample_site import SampleSiteServer

ROOT = Path(__file__).resolve().parents[2]

SQS_BATCH_ACTIONS = {
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}

# Granted but not used by one clean cycle, each for a path that cycle does not take.
NOT_ON_THE_HAPPY_PATH = {
    "DispatcherFunctionRole": {
        # Only when the current sources file does not validate: find and read the last good one.
        "s3:GetObjectVersion",
        "s3:ListBucketVersions",
        # Only when there is no sources file yet: ListBucket makes that a 404 rather than a 403.
        "s3:ListBucket",
    },
    "FetcherFunctionRole": {
        # A job that runs out of time continues in a new job on its own queue.
        "sqs:SendMessage",
        # The event source mapping makes a failed job visible again early.
        "sqs:ChangeMessageVisibility",
        # Fetched URLs leave the queue in batches; one entry is deleted alone only when it is
        # stale (another run did its work), skipped, or given up.
        "dynamodb:DeleteItem",
    },
    "ParserFunctionRole": {
        # A new version of an article deletes the index entries the old one had and it has not.
        "dynamodb:BatchWriteItem",
        # The event source mapping makes a failed item visible again early.
        "sqs:ChangeMessageVisibility",
    },
}


@pytest.fixture
def enforced(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[set[tuple[str, str]]]:
    """Turns IAM enforcement on for the test body (after setup) and records what was allowed."""
    from moto.dynamodb.responses import DynamoHandler
    from moto.events.responses import EventsHandler
    from moto.iam.access_control import IAMRequestBase

    # moto checks DynamoDB calls against resource "*"; name the table, as AWS does.
    def table_arn(handler: Any) -> str:
        body = handler.body if isinstance(handler.body, dict) else {}
        name = body.get("TableName") or next(iter(body.get("RequestItems") or {}), None)
        if not name:
            return "*"
        return (
            name
            if name.startswith("arn:")
            else (f"arn:aws:dynamodb:{handler.region}:{handler.current_account}:table/{name}")
        )

    monkeypatch.setattr(DynamoHandler, "_determine_resource", table_arn, raising=False)

    # Likewise PutEvents: the bus its entries name.
    def bus_arn(handler: Any) -> str:
        entries = handler._get_param("Entries") or [{}]
        name = entries[0].get("EventBusName") or "default"
        return (
            name
            if name.startswith("arn:")
            else (f"arn:aws:events:{handler.region}:{handler.current_account}:event-bus/{name}")
        )

    monkeypatch.setattr(EventsHandler, "_determine_resource", bus_arn, raising=False)
    allowed: set[tuple[str, str]] = set()
    original = IAMRequestBase.check_action_permitted

    def recording(self: Any, resource: str) -> None:
        # IAM authorises SQS's batch calls with the single call's action; moto names the batch.
        self._action = SQS_BATCH_ACTIONS.get(self._action, self._action)
        if self._action == "dynamodb:TransactWriteItems":
            # IAM has no such action: each item needs its own action on its own table.
            for action, table in _transact_items(self._body):
                self._action = action
                arn = f"arn:aws:dynamodb:{self._region}:{self.account_id}:table/{table}"
                original(self, arn)
                allowed.add((action, arn))
            return
        original(self, resource)
        allowed.add((self._action, resource))

    monkeypatch.setattr(IAMRequestBase, "check_action_permitted", recording)
    yield allowed
    requests.post(f"{moto_server}/moto-api/reset-auth", data=b"inf", timeout=10)


def _transact_items(body: bytes) -> list[tuple[str, str]]:
    kinds = {
        "Put": "PutItem",
        "Update": "UpdateItem",
        "Delete": "DeleteItem",
        "ConditionCheck": "ConditionCheckItem",
    }
    items = []
    for item in json.loads(body or b"{}").get("TransactItems", []):
        ((kind, operation),) = item.items()
        items.append((f"dynamodb:{kinds[kind]}", operation["TableName"]))
    return items


def _arns(stack: LocalStack) -> dict[str, str]:
    sqs, dynamodb = boto3.client("sqs"), boto3.client("dynamodb")
    arns = {}
    for logical, physical in stack.resources.items():
        if physical.startswith("http"):
            arns[logical] = sqs.get_queue_attributes(QueueUrl=physical, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
        elif logical.endswith("Table"):
            arns[logical] = dynamodb.describe_table(TableName=physical)["Table"]["TableArn"]
        elif logical.endswith("Bucket"):
            arns[logical] = f"arn:aws:s3:::{physical}"
        elif logical.endswith("EventBus"):
            arns[logical] = boto3.client("events").describe_event_bus(Name=physical)["Arn"]
    return arns


def _resolve(value: Any, arns: dict[str, str], names: dict[str, str]) -> Any:
    """The intrinsics the template's role policies use: GetAtt X.Arn, Sub "${X.Arn}/*", Ref."""
    if isinstance(value, list):
        return [_resolve(v, arns, names) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Fn::GetAtt"}:
        logical, attribute = value["Fn::GetAtt"]
        assert attribute == "Arn", value
        return arns[logical]
    if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        text = value["Fn::Sub"]
        for logical, arn in arns.items():
            text = text.replace(f"${{{logical}.Arn}}", arn)
        assert "${" not in text, text
        return text
    if set(value) == {"Ref"}:
        return names[value["Ref"]]
    return {k: _resolve(v, arns, names) for k, v in value.items()}


def _role_policies(role: str, stack: LocalStack) -> list[dict[str, Any]]:
    translated = tpl.translate(tpl.load_template(stack.template_path))
    policies: list[dict[str, Any]] = translated["Resources"][role]["Properties"].get("Policies", [])
    resolved = []
    for policy in policies:
        document = _resolve(policy["PolicyDocument"], _arns(stack), stack.resources)
        # SAM writes some policies (e.g. an EventInvokeConfig destination's) without a Version,
        # which IAM reads as 2008-10-17 and moto refuses; for policies without variables the two
        # grant the same.
        document.setdefault("Version", "2012-10-17")
        resolved.append({"PolicyName": policy["PolicyName"], "PolicyDocument": document})
    return resolved


def _granted(policies: list[dict[str, Any]]) -> set[str]:
    granted: set[str] = set()
    for policy in policies:
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            granted.update([actions] if isinstance(actions, str) else actions)
    return granted


def _assume(role: str, policies: list[dict[str, Any]]) -> dict[str, str]:
    iam = boto3.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    for policy in policies:
        iam.put_role_policy(
            RoleName=role,
            PolicyName=policy["PolicyName"],
            PolicyDocument=json.dumps(policy["PolicyDocument"]),
        )
    credentials = boto3.client("sts").assume_role(RoleArn=arn, RoleSessionName="test")["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }


def _as_role(monkeypatch: pytest.MonkeyPatch, moto_server: str, credentials: dict[str, str]) -> None:
    """From here on every boto3 client in this process signs as the role, and moto enforces IAM."""
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)
    # boto3's default session keeps the credentials it first resolved.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    requests.post(f"{moto_server}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()


def _stop_enforcing(monkeypatch: pytest.MonkeyPatch, moto_server: str) -> None:
    requests.post(f"{moto_server}/moto-api/reset-auth", data=b"inf", timeout=10).raise_for_status()
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")


def _function(logical_id: str, stack: LocalStack, env: dict[str, str], tmp_path: Path) -> LocalFunction:
    template = tpl.load_template(stack.template_path)
    properties = tpl.function_properties(template, logical_id)
    log = (tmp_path / f"{logical_id}.log").open("a", encoding="utf-8")
    return LocalFunction(
        logical_id, ROOT / str(properties["CodeUri"]), env, float(properties["Timeout"]), log=log
    )


def _push_sources(stack: LocalStack, site: SampleSiteServer) -> None:
    """The deployed path: the sources file in the config bucket (`newsdesk sources push`)."""
    from newsdesk.storage.sources_store import S3SourcesStore

    S3SourcesStore(stack.name("ConfigBucket"), "sources.yaml", boto3.client("s3")).push(site.sources_text())


def _dispatch(stack: LocalStack, tmp_path: Path) -> dict[str, Any]:
    template = tpl.load_template(stack.template_path)
    schedule = tpl.function_event(template, "DispatcherFunction", "ScheduleV2")
    env = {k: v for k, v in stack.dispatcher_env.items() if k != "SOURCES_FILE"}
    dispatcher = _function("DispatcherFunction", stack, env, tmp_path)
    report: dict[str, Any] = dispatcher.invoke(json.loads(schedule.get("Input", "{}")))
    return report


def _fetch_jobs(stack: LocalStack, tmp_path: Path) -> int:
    """Every job on the fetch queue, as its event source mapping delivers them; pages fetched."""
    from newsdesk.local.runner import ParallelDrain

    env = {**stack.fetcher_env, "ALLOW_PRIVATE_NETWORKS": "true"}
    fetcher = _function("FetcherFunction", stack, env, tmp_path)
    results = ParallelDrain(stack.name("FetchQueue"), fetcher, workers=1, max_invocations=20).run()
    return sum(int(r.get("fetched", 0)) for r in results)


def _fetch(stack: LocalStack, site: SampleSiteServer, tmp_path: Path) -> int:
    _push_sources(stack, site)
    assert sorted(_dispatch(stack, tmp_path)["dispatched"]) == ["harbour-gazette", "kyiv-independent"]
    return _fetch_jobs(stack, tmp_path)


def _used(allowed: set[tuple[str, str]]) -> set[str]:
    return {action for action, _ in allowed}


@contextlib.contextmanager
def _running_as(
    role: str,
    policies: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    moto_server: str,
) -> Iterator[None]:
    """The body runs signed as a role with exactly these policies, IAM enforced."""
    credentials = _assume(role, policies)
    _as_role(monkeypatch, moto_server, credentials)
    try:
        yield
    finally:
        _stop_enforcing(monkeypatch, moto_server)


def _assert_exactly_needed(role: str, policies: list[dict[str, Any]], enforced: set[tuple[str, str]]) -> None:
    """Everything used was granted, and everything granted was used or is listed as off-path."""
    granted = _granted(policies)
    assert _used(enforced) <= granted
    assert granted - _used(enforced) == NOT_ON_THE_HAPPY_PATH[role]


def test_dispatcher_runs_with_exactly_its_role(
    moto_server: str,
    enforced: set[tuple[str, str]],
    sample_site: SampleSiteServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with local_aws(moto_server):
        stack = ensure_stack()
        _push_sources(stack, sample_site)
        policies = _role_policies("DispatcherFunctionRole", stack)
        with _running_as("DispatcherFunctionRole", policies, monkeypatch, moto_server):
            report = _dispatch(stack, tmp_path)

    assert sorted(report["dispatched"]) == ["harbour-gazette", "kyiv-independent"], report
    _assert_exactly_needed("DispatcherFunctionRole", policies, enforced)


def test_fetch_worker_and_its_queue_mapping_run_with_exactly_its_role(
    moto_server: str,
    enforced: set[tuple[str, str]],
    sample_site: SampleSiteServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with local_aws(moto_server):
        stack = ensure_stack()
        _push_sources(stack, sample_site)
        assert sorted(_dispatch(stack, tmp_path)["dispatched"]) == [
            "harbour-gazette",
            "kyiv-independent",
        ]
        policies = _role_policies("FetcherFunctionRole", stack)
        # The event source mapping polls with the function's role too.
        with _running_as("FetcherFunctionRole", policies, monkeypatch, moto_server):
            fetched = _fetch_jobs(stack, tmp_path)

    assert fetched == 4, (tmp_path / "FetcherFunction.log").read_text(encoding="utf-8")[-3000:]
    _assert_exactly_needed("FetcherFunctionRole", policies, enforced)
    sqs_resources = {resource for action, resource in enforced if action.startswith("sqs:")}
    assert sqs_resources == {_arns(stack)["FetchQueue"]}


def test_parser_and_its_queue_mapping_run_with_exactly_its_role(
    moto_server: str,
    enforced: set[tuple[str, str]],
    sample_site: SampleSiteServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with local_aws(moto_server):
        stack = ensure_stack()
        assert _fetch(stack, sample_site, tmp_path) == 4
        policies = _role_policies("ParserFunctionRole", stack)
        # The event source mapping polls with the function's role too.
        with _running_as("ParserFunctionRole", policies, monkeypatch, moto_server):
            drained = drain_queue(
                stack.name("ParseQueue"), _function("ParserFunction", stack, stack.parser_env, tmp_path)
            )

        stored = boto3.resource("dynamodb").Table(stack.name("ArticlesTable")).scan()["Items"]
    assert drained.failed_attempts == 0, (tmp_path / "ParserFunction.log").read_text(encoding="utf-8")[-3000:]
    # Items per article (the article and its index entries), four articles.
    assert len({item.get("article_id", item["id"]) for item in stored}) == 4
    _assert_exactly_needed("ParserFunctionRole", policies, enforced)
    sqs_resources = {resource for action, resource in enforced if action.startswith("sqs:")}
    assert sqs_resources == {_arns(stack)["ParseQueue"]}


def test_a_missing_permission_fails_the_run(
    moto_server: str,
    enforced: set[tuple[str, str]],
    sample_site: SampleSiteServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with local_aws(moto_server):
        stack = ensure_stack()
        assert _fetch(stack, sample_site, tmp_path) == 4
        policies = _role_policies("ParserFunctionRole", stack)
        for policy in policies:
            statements = policy["PolicyDocument"]["Statement"]
            policy["PolicyDocument"]["Statement"] = [s for s in statements if s.get("Sid") != "WriteArticles"]
        with _running_as("ParserWithoutWriteArticles", policies, monkeypatch, moto_server):
            drained = drain_queue(
                stack.name("ParseQueue"),
                _function("ParserFunction", stack, stack.parser_env, tmp_path),
                max_invocations=3,
            )

    assert drained.succeeded - drained.test_events == 0
    assert drained.failed_attempts > 0
    assert "AccessDenied" in (tmp_path / "ParserFunction.log").read_text(encoding="utf-8")
