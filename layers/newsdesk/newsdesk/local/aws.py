"""Local AWS: an embedded moto or any AWS-compatible endpoint, with the stack template.yaml declares."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from newsdesk.errors import ConfigurationError
from newsdesk.local import template as tpl

LOCAL_STACK_NAME = "newsdesk-local"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class LocalStack:
    """Physical names of the template's resources and the functions' resolved environments."""

    template_path: Path
    resources: dict[str, str]
    fetcher_env: dict[str, str]
    parser_env: dict[str, str]
    dispatcher_env: dict[str, str] = field(default_factory=dict)

    @property
    def repo_root(self) -> Path:
        return self.template_path.parent

    def name(self, logical_id: str) -> str:
        return self.resources[logical_id]


def _ensure_credentials() -> None:
    # moto and local endpoints accept any credentials; never reach for a real profile's.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", DEFAULT_REGION)


@contextlib.contextmanager
def local_aws(endpoint_url: str | None = None) -> Iterator[None]:
    """Inside: boto3 talks to `endpoint_url` (or $AWS_ENDPOINT_URL), else to an embedded moto."""
    _ensure_credentials()
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        previous = os.environ.get("AWS_ENDPOINT_URL")
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("AWS_ENDPOINT_URL", None)
            else:
                os.environ["AWS_ENDPOINT_URL"] = previous
        return
    from moto import mock_aws

    with mock_aws():
        yield


def _stack_resources(cloudformation: Any, stack_name: str) -> dict[str, str] | None:
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except cloudformation.exceptions.ClientError:
        return None
    if not stacks or stacks[0]["StackStatus"] not in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}:
        return None
    summaries = cloudformation.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    return {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries}


def ensure_stack(template_path: Path | None = None, stack_name: str = LOCAL_STACK_NAME) -> LocalStack:
    """Create the template's buckets, queues and tables where missing; return their names."""
    path = template_path or tpl.find_template()
    template = tpl.load_template(path)
    cloudformation = boto3.client("cloudformation")
    resources = _stack_resources(cloudformation, stack_name)
    if resources is None:
        body = tpl.local_stack_template(template)
        cloudformation.create_stack(StackName=stack_name, TemplateBody=json.dumps(body))
        cloudformation.get_waiter("stack_create_complete").wait(
            StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        resources = _stack_resources(cloudformation, stack_name)
        if resources is None:
            raise ConfigurationError(f"local stack {stack_name} could not be created")
        _apply_notifications(template, resources)
        _apply_versioning(template, resources)
    from newsdesk.local.events import fill_bus_names

    resources = fill_bus_names(template, resources, stack_name)
    parameters = tpl.parameter_defaults(template)
    return LocalStack(
        template_path=path,
        resources=resources,
        fetcher_env=tpl.resolve_environment(
            tpl.function_environment(template, "FetcherFunction"), resources, parameters
        ),
        parser_env=tpl.resolve_environment(
            tpl.function_environment(template, "ParserFunction"), resources, parameters
        ),
        dispatcher_env=tpl.resolve_environment(
            tpl.function_environment(template, "DispatcherFunction"), resources, parameters
        ),
    )


def _apply_notifications(template: dict[str, Any], resources: dict[str, str]) -> None:
    sqs = boto3.client("sqs")
    s3 = boto3.client("s3")
    queue_arns = {
        logical: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        for logical, url in resources.items()
        if url.startswith(("http://", "https://")) and "/" in url
    }
    for logical, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::S3::Bucket" and logical in resources:
            config = tpl.bucket_notifications(template, logical, queue_arns)
            if config:
                s3.put_bucket_notification_configuration(
                    Bucket=resources[logical],
                    NotificationConfiguration=config,  # type: ignore[arg-type]
                )


def _apply_versioning(template: dict[str, Any], resources: dict[str, str]) -> None:
    """Bucket versioning as declared (moto's CloudFormation skips it; the sources file relies on it)."""
    s3 = boto3.client("s3")
    for logical, resource in template["Resources"].items():
        status = resource.get("Properties", {}).get("VersioningConfiguration", {}).get("Status")
        if resource.get("Type") == "AWS::S3::Bucket" and logical in resources and status == "Enabled":
            s3.put_bucket_versioning(Bucket=resources[logical], VersioningConfiguration={"Status": "Enabled"})


def queue_redrive(queue_url: str) -> tuple[str | None, int | None]:
    """The queue's dead-letter queue ARN and maxReceiveCount, as created from the template."""
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["RedrivePolicy"]
    )
    policy = attributes.get("Attributes", {}).get("RedrivePolicy")
    if not policy:
        return None, None
    parsed = json.loads(policy)
    return parsed.get("deadLetterTargetArn"), int(parsed["maxReceiveCount"])
