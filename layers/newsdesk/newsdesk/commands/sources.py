"""`newsdesk sources check FILE` and `newsdesk sources push FILE`: change sources without a redeploy."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from newsdesk.errors import ConfigurationError
from newsdesk.sources import load_sources

DEFAULT_KEY = "sources.yaml"


def _config_bucket(args: argparse.Namespace) -> str:
    if args.bucket:
        return str(args.bucket)
    if os.environ.get("SOURCES_BUCKET"):
        return os.environ["SOURCES_BUCKET"]
    from newsdesk.cli import DEFAULT_DEPLOYED_STACK, _stack_names
    from newsdesk.local.aws import LOCAL_STACK_NAME, ensure_stack

    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint and not args.stack_name:
        return ensure_stack().name("ConfigBucket")  # the local stack, created if missing
    names = _stack_names(args.stack_name or (LOCAL_STACK_NAME if endpoint else DEFAULT_DEPLOYED_STACK))
    if "ConfigBucket" not in names:
        raise ConfigurationError("the stack has no ConfigBucket: deploy the current template first")
    return names["ConfigBucket"]


def cmd_check(args: argparse.Namespace) -> int:
    sources = load_sources(args.file)
    print(f"{args.file}: {len(sources)} valid sources: {', '.join(s.id for s in sources)}")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    import boto3

    from newsdesk.storage.sources_store import S3SourcesStore

    path = Path(args.file)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read sources file {path}: {exc.strerror}") from exc
    store = S3SourcesStore(_config_bucket(args), args.key, boto3.client("s3"))
    version = store.push(text)  # validated first: an invalid file is refused here
    print(f"pushed {path} to {store.location} (version {version}); the next dispatch uses it")
    return 0


def register(subparsers: Any) -> None:
    sources = subparsers.add_parser("sources", help="check or push the deployed sources file")
    commands = sources.add_subparsers(dest="sources_command", required=True)

    check = commands.add_parser("check", help="validate a sources file")
    check.add_argument("file", type=Path)
    check.set_defaults(func=cmd_check)

    push = commands.add_parser(
        "push", help="validate a sources file and upload it to the stack's config bucket"
    )
    push.add_argument("file", type=Path)
    push.add_argument("--stack-name", help="default: newsdesk, or newsdesk-local with an endpoint")
    push.add_argument("--endpoint-url", help="an AWS-compatible endpoint (e.g. `newsdesk local-aws`)")
    push.add_argument("--bucket", help="the config bucket (default: the stack's ConfigBucket)")
    push.add_argument("--key", default=DEFAULT_KEY)
    push.set_defaults(func=cmd_push)
