"""Least privilege, tested: each handler runs on a moto server that enforces IAM, with credentials
of a role whose policies are exactly its function's role in the transformed template. A missing
permission fails the run; a granted action that the run never used fails unless it is listed
below with the path that needs it.

The roles' AWS managed policies (CloudWatch Logs, X-Ray) are left out: handlers write logs and
metrics to stdout and tracing is off locally, so nothing here could exercise them.
"""

from __future__ import annotations

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
from newsdesk.local.runner import ParallelDrain
from newsdesk.local.sample_site import SampleSiteServer

ROOT = Path(__file__).resolve().parents[2]

# Granted but not used by one clean cycle, each for a path that cycle does not take.
NOT_ON_THE_HAPPY_PATH = {
    "DispatcherFunctionRole": {
        # Deployed, the dispatcher reads the sources file from the config bucket (GetObject) and,
        # when the newest upload is invalid, the newest valid earlier version (ListBucketVersions,
        # GetObjectVersion; ListBucket makes a missing file a 404, not a 403); here it is given a
        # local SOURCES_FILE.
        "s3:GetObject",
        "s3:ListBucket",
        "s3:GetObjectVersion",
        "s3:ListBucketVersions",
    },
    "FetcherFunctionRole": {
        # A run cut short by the time budget sends its continuation to the fetch queue.
        "sqs:SendMessage",
        # The event source mapping makes a failed job visible again early.
        "sqs:ChangeMessageVisibility",
    },
    "ParserFunctionRole": {
        # A new version whose authors, tags or section changed deletes the stale index entries
        # of the old one in a batch; one clean cycle stores first versions only.
        "dynamodb:BatchWriteItem",
        # The event source mapping makes a failed item visible again early.
        "sqs:ChangeMessageVisibility",
    },
}


# Calls that IAM authorizes with another action's permission (moto asks for an action IAM does not
# have): SQS's batch calls with the single call's, and DynamoDB's TransactWriteItems with each
# item's action - the article store's transactions are all Puts.
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
_AUTHORIZED_AS = {
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "dynamodb:TransactWriteItems": "dynamodb:PutItem",
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
        transact = [next(iter(item.values()), {}) for item in body.get("TransactItems") or []]
        name = (
            body.get("TableName")
            or next(iter(body.get("RequestItems") or {}), None)
            or next((t.get("TableName") for t in transact if t.get("TableName")), None)
        )
        if not name:
            return "*"
        return (
            name
            if name.startswith("arn:")
            else (f"arn:aws:dynamodb:{handler.region}:{handler.current_account}:table/{name}")
        )

    monkeypatch.setattr(DynamoHandler, "_determine_resource", table_arn, raising=False)

    # The same for EventBridge: PutEvents is authorized on the bus its entries name.
    def bus_arn(handler: Any) -> str:
        body = json.loads(handler.body) if isinstance(handler.body, str | bytes) and handler.body else {}
        entries = body.get("Entries") if isinstance(body, dict) else None
        name = (entries or [{}])[0].get("EventBusName") or "default"
        if name.startswith("arn:"):
            return str(name)
        return f"arn:aws:events:{handler.region}:{handler.current_account}:event-bus/{name}"

    monkeypatch.setattr(EventsHandler, "_determine_resource", bus_arn, raising=False)
    allowed: set[tuple[str, str]] = set()
    original = IAMRequestBase.check_action_permitted

    def recording(self: Any, resource: str) -> None:
        self._action = _AUTHORIZED_AS.get(self._action, self._action)  # check what AWS checks
        original(self, resource)
        allowed.add((self._action, resource))

    monkeypatch.setattr(IAMRequestBase, "check_action_permitted", recording)
    yield allowed
    requests.post(f"{moto_server}/moto-api/reset-auth", data=b"inf", timeout=10)


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
    # IAM wants a Version on every document; SAM leaves it out where the template's statement did.
    return [
        {
            "PolicyName": p["PolicyName"],
            "PolicyDocument": {
                "Version": "2012-10-17",
                **_resolve(p["PolicyDocument"], _arns(stack), stack.resources),
            },
        }
        for p in policies
    ]


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


def _dispatch(stack: LocalStack, site: SampleSiteServer, tmp_path: Path) -> dict[str, Any]:
    """The schedule's tick: the dispatcher enqueues one fetch job per due source."""
    sources = tmp_path / "sources.yaml"
    sources.write_text(site.sources_text(), encoding="utf-8")
    template = tpl.load_template(stack.template_path)
    schedule = tpl.function_event(template, "DispatcherFunction", "ScheduleV2")
    env = {**stack.dispatcher_env, "SOURCES_FILE": str(sources)}
    result: dict[str, Any] = _function("DispatcherFunction", stack, env, tmp_path).invoke(
        json.loads(schedule.get("Input", "{}"))
    )
    return result


def _work(stack: LocalStack, tmp_path: Path) -> dict[str, Any]:
    """The fetch queue drained by one worker, as its event source mapping does; the jobs' reports summed."""
    env = {**stack.fetcher_env, "ALLOW_PRIVATE_NETWORKS": "true"}
    worker = _function("FetcherFunction", stack, env, tmp_path)
    jobs = ParallelDrain(stack.name("FetchQueue"), worker, workers=1, max_invocations=50).run()
    return {
        "fetched": sum(int(job.get("fetched", 0)) for job in jobs),
        "errors": [error for job in jobs for error in job.get("errors", [])],
        "jobs": jobs,
    }


def _fetch(stack: LocalStack, site: SampleSiteServer, tmp_path: Path) -> dict[str, Any]:
    _dispatch(stack, site, tmp_path)
    return _work(stack, tmp_path)


def _used(allowed: set[tuple[str, str]]) -> set[str]:
    return {action for action, _ in allowed}


def test_dispatcher_runs_with_exactly_its_role(
    moto_server: str,
    enforced: set[tuple[str, str]],
    sample_site: SampleSiteServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with local_aws(moto_server):
        stack = ensure_stack()
        policies = _role_policies("DispatcherFunctionRole", stack)
        credentials = _assume("DispatcherFunctionRole", policies)

        _as_role(monkeypatch, moto_server, credentials)
        dispatched = _dispatch(stack, sample_site, tmp_path)
        _stop_enforcing(monkeypatch, moto_server)
        report = _work(stack, tmp_path)

    assert len(dispatched["dispatched"]) == 2, dispatched
    assert report["fetched"] == 4, report
    granted = _granted(policies)
    assert _used(enforced) <= granted
    assert granted - _used(enforced) == NOT_ON_THE_HAPPY_PATH.get("DispatcherFunctionRole", set())


def test_fetcher_runs_with_exactly_its_role(
    moto_server: str,
    enforced: set[tuple[str, str]],
    sample_site: SampleSiteServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with local_aws(moto_server):
        stack = ensure_stack()
        _dispatch(stack, sample_site, tmp_path)
        policies = _role_policies("FetcherFunctionRole", stack)
        credentials = _assume("FetcherFunctionRole", policies)

        _as_role(monkeypatch, moto_server, credentials)
        # The fetch queue's event source mapping polls with the worker's role too.
        report = _work(stack, tmp_path)
        _stop_enforcing(monkeypatch, moto_server)

    assert report["fetched"] == 4, report
    assert not report.get("errors"), report
    granted = _granted(policies)
    assert _used(enforced) <= granted
    assert granted - _used(enforced) == NOT_ON_THE_HAPPY_PATH.get("FetcherFunctionRole", set())


def test_parser_and_its_queue_mapping_run_with_exactly_its_role(
    moto_server: str,
    enforced: set[tuple[str, str]],
    sample_site: SampleSiteServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with local_aws(moto_server):
        stack = ensure_stack()
        assert _fetch(stack, sample_site, tmp_path)["fetched"] == 4
        policies = _role_policies("ParserFunctionRole", stack)
        credentials = _assume("ParserFunctionRole", policies)

        _as_role(monkeypatch, moto_server, credentials)
        # The event source mapping polls with the function's role too.
        drained = drain_queue(
            stack.name("ParseQueue"), _function("ParserFunction", stack, stack.parser_env, tmp_path)
        )
        _stop_enforcing(monkeypatch, moto_server)

        stored = boto3.resource("dynamodb").Table(stack.name("ArticlesTable")).scan()["Items"]
    assert drained.failed_attempts == 0, (tmp_path / "ParserFunction.log").read_text(encoding="utf-8")[-3000:]
    assert len([item for item in stored if item.get("kind") == "article"]) == 4  # one head per article
    granted = _granted(policies)
    assert _used(enforced) <= granted
    assert granted - _used(enforced) == NOT_ON_THE_HAPPY_PATH["ParserFunctionRole"]
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
        assert _fetch(stack, sample_site, tmp_path)["fetched"] == 4
        policies = _role_policies("ParserFunctionRole", stack)
        for policy in policies:
            statements = policy["PolicyDocument"]["Statement"]
            policy["PolicyDocument"]["Statement"] = [s for s in statements if s.get("Sid") != "WriteArticles"]
        credentials = _assume("ParserWithoutWriteArticles", policies)

        _as_role(monkeypatch, moto_server, credentials)
        drained = drain_queue(
            stack.name("ParseQueue"),
            _function("ParserFunction", stack, stack.parser_env, tmp_path),
            max_invocations=3,
        )
        _stop_enforcing(monkeypatch, moto_server)

    assert drained.succeeded - drained.test_events == 0
    assert drained.failed_attempts > 0
    assert "AccessDenied" in (tmp_path / "ParserFunction.log").read_text(encoding="utf-8")
