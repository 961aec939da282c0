"""Read template.yaml and turn it into the plain CloudFormation that a moto stack accepts.

The local runner creates buckets, queues and tables from this, so local AWS and the deployed
stack are declared in one place and cannot drift.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import yaml

from newsdesk.errors import ConfigurationError

# The resource types a local run needs; functions, layers, roles, schedules and log groups
# are played by the runner itself, and moto's CloudFormation has no bucket or queue policies
# (they only restrict access, which a local run does not exercise).
LOCAL_RESOURCE_TYPES = frozenset(
    {
        "AWS::S3::Bucket",
        "AWS::SQS::Queue",
        "AWS::DynamoDB::Table",
        # The parser publishes article events to it; local/events.py taps it.
        "AWS::Events::EventBus",
    }
)


# Declared (empty) in the template's Globals so that an env.json can set it for sam local invoke.
LOCAL_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL"


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that understands CloudFormation's short-form intrinsic tags (!Ref, !Sub...)."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def find_template(start: Path | None = None) -> Path:
    """template.yaml: $NEWSDESK_TEMPLATE, else the nearest one above `start` (cwd), then this package."""
    explicit = os.environ.get("NEWSDESK_TEMPLATE")
    if explicit:
        return Path(explicit)
    for origin in (start or Path.cwd(), Path(__file__).resolve()):
        for folder in (origin, *origin.parents):
            candidate = folder / "template.yaml"
            if candidate.is_file():
                return candidate
    raise ConfigurationError("template.yaml not found: run from the repository or set NEWSDESK_TEMPLATE")


def load_template(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or "Resources" not in data:
        raise ConfigurationError(f"{path} is not a CloudFormation template")
    return data


class _NoManagedPolicies:
    """The template names no AWS managed policies, so there is nothing to look up in IAM."""

    def load(self) -> dict[str, str]:
        return {}


def translate(template: dict[str, Any]) -> dict[str, Any]:
    """Apply the SAM transform with samtranslator, the library SAM CLI itself uses."""
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    document = copy.deepcopy(template)
    # Local code paths become placeholder S3 URIs, as `sam validate` does: the code is not deployed.
    for resource in document["Resources"].values():
        properties = resource.get("Properties", {})
        for field in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(field), str) and not properties[field].startswith("s3://"):
                properties[field] = "s3://newsdesk-local/code.zip"
    try:
        result: dict[str, Any] = transform(document, {}, _NoManagedPolicies())
    except InvalidDocumentException as exc:
        raise ConfigurationError(f"template.yaml does not translate: {exc}") from exc
    return result


def local_stack_template(template: dict[str, Any]) -> dict[str, Any]:
    """The translated template cut down to the storage and messaging resources."""
    translated = translate(template)
    resources = {
        name: resource
        for name, resource in translated["Resources"].items()
        if resource.get("Type") in LOCAL_RESOURCE_TYPES
    }
    for resource in resources.values():
        depends = resource.get("DependsOn")
        if depends is not None:
            kept = [d for d in ([depends] if isinstance(depends, str) else depends) if d in resources]
            if kept:
                resource["DependsOn"] = kept
            else:
                del resource["DependsOn"]
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "newsdesk local stack (storage and messaging of template.yaml)",
        "Parameters": translated.get("Parameters", {}),
        "Resources": resources,
    }


def function_environment(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """A function's environment variables as declared (Globals merged), intrinsics unresolved."""
    globals_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    resource = template["Resources"].get(logical_id)
    if resource is None:
        raise ConfigurationError(f"template.yaml has no resource {logical_id}")
    own = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
    return {**globals_env, **own}


def parameter_defaults(template: dict[str, Any]) -> dict[str, str]:
    return {name: str(p["Default"]) for name, p in template.get("Parameters", {}).items() if "Default" in p}


def resolve_environment(
    env: dict[str, Any], physical_ids: dict[str, str], parameters: dict[str, str]
) -> dict[str, str]:
    """Resolve `!Ref` to a resource's physical id or a parameter's value; other values as strings."""
    resolved: dict[str, str] = {}
    for name, value in env.items():
        if name == LOCAL_ENDPOINT_VARIABLE and not value:
            # Declared empty for `sam local invoke`; locally the runner's own endpoint stands.
            continue
        if isinstance(value, dict) and set(value) == {"Ref"}:
            ref = value["Ref"]
            if ref in physical_ids:
                resolved[name] = physical_ids[ref]
            elif ref in parameters:
                resolved[name] = parameters[ref]
            else:
                raise ConfigurationError(f"environment variable {name}: cannot resolve Ref {ref}")
        elif isinstance(value, str | int | float | bool):
            resolved[name] = str(value)
        else:
            raise ConfigurationError(f"environment variable {name}: unsupported value {value!r}")
    return resolved


def bucket_notifications(
    template: dict[str, Any], logical_id: str, queue_arns: dict[str, str]
) -> dict[str, Any]:
    """A bucket's NotificationConfiguration in the S3 API's shape (moto's CloudFormation skips it)."""
    properties = template["Resources"][logical_id].get("Properties", {})
    declared = properties.get("NotificationConfiguration", {})
    queue_configs = []
    for config in declared.get("QueueConfigurations", []):
        target = config["Queue"]
        if not (isinstance(target, dict) and "Fn::GetAtt" in target):
            raise ConfigurationError(f"{logical_id}: queue notification target must be !GetAtt Queue.Arn")
        api_config: dict[str, Any] = {
            "QueueArn": queue_arns[target["Fn::GetAtt"][0]],
            "Events": [config["Event"]],
        }
        rules = config.get("Filter", {}).get("S3Key", {}).get("Rules", [])
        if rules:
            api_config["Filter"] = {
                "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
            }
        queue_configs.append(api_config)
    return {"QueueConfigurations": queue_configs} if queue_configs else {}


def function_properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """A function's properties with the template's Globals applied (the ones the runner uses)."""
    globals_fn = template.get("Globals", {}).get("Function", {})
    own = template["Resources"][logical_id].get("Properties", {})
    return {**globals_fn, **own}


def function_event(template: dict[str, Any], logical_id: str, event_type: str) -> dict[str, Any]:
    """The properties of the function's first event source of `event_type` (e.g. SQS, ScheduleV2).

    An SQS source may also be a plain `AWS::Lambda::EventSourceMapping` naming the function
    (declared that way so its permissions can be scoped to the queue)."""
    for event in function_properties(template, logical_id).get("Events", {}).values():
        if event.get("Type") == event_type:
            properties: dict[str, Any] = event.get("Properties", {})
            return properties
    if event_type == "SQS":
        for resource in template["Resources"].values():
            mapping: dict[str, Any] = resource.get("Properties", {})
            if resource.get("Type") == "AWS::Lambda::EventSourceMapping" and mapping.get("FunctionName") == {
                "Ref": logical_id
            }:
                return mapping
    raise ConfigurationError(f"{logical_id} has no {event_type} event in template.yaml")
