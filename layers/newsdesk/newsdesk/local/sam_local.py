"""Files for `sam local invoke` against a local stack: env.json (every function's environment with
the local stack's real names and the endpoint as the function's container reaches it) and a parser
event naming raw pages that exist in the local raw bucket."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from newsdesk.local import template as tpl
from newsdesk.local.aws import LocalStack
from newsdesk.local.sample_site import SITE_ROOT
from newsdesk.rawpage import RawPage
from newsdesk.storage.s3 import RawPageStore

SAMPLE_PARSER_EVENT = Path("events/parser-sqs-s3-batch.json")
LOCAL_PARSER_EVENT = Path("events/parser-local.json")
# The bucket name the committed sample event carries; replaced by the local stack's.
SAMPLE_BUCKET = "newsdesk-raw-123456789012-example"

# The raw pages the sample parser event names: (source, id, fetch day, page in the sample site).
SAMPLE_PAGES = (
    (
        "kyiv-independent",
        "0123456789abcdef01234567",
        11,
        "kyiv-independent/news/ukraines-security-council-chief-heads-to-turkey/index.html",
    ),
    ("harbour-gazette", "night ferry returns", 10, "harbour-gazette/2025/11/night-ferry-returns.html"),
)


def sam_env_vars(stack: LocalStack, endpoint_for_container: str) -> dict[str, dict[str, str]]:
    """env.json's shape: {FunctionLogicalId: {VARIABLE: value}} for every function."""
    template = tpl.load_template(stack.template_path)
    parameters = tpl.parameter_defaults(template)
    functions = [
        name for name, r in template["Resources"].items() if r.get("Type") == "AWS::Serverless::Function"
    ]
    return {
        name: {
            **tpl.resolve_environment(tpl.function_environment(template, name), stack.resources, parameters),
            tpl.LOCAL_ENDPOINT_VARIABLE: endpoint_for_container,
        }
        for name in functions
    }


def sample_raw_page(source: str, page_id: str, day: int, path: str) -> RawPage:
    """One of SAMPLE_PAGES as the fetcher would have stored it."""
    return RawPage(
        source=source,
        id=page_id,
        url=f"https://example.org/{day}",
        final_url="https://example.org",
        status=200,
        body=(SITE_ROOT / path).read_bytes(),
        fetched_at=datetime(2025, 11, day, tzinfo=UTC),
        content_type="text/html; charset=utf-8",
        encoding="utf-8",
    )


def seed_sample_pages(stack: LocalStack) -> None:
    """Store the raw pages the sample parser event names in the local raw bucket."""
    store = RawPageStore(stack.name("RawBucket"), boto3.client("s3"))
    for source, page_id, day, path in SAMPLE_PAGES:
        store.put(sample_raw_page(source, page_id, day, path))


def local_parser_event(stack: LocalStack) -> dict[str, Any]:
    """The sample parser event with the local raw bucket's name in every notification."""
    text = (stack.repo_root / SAMPLE_PARSER_EVENT).read_text(encoding="utf-8")
    event: dict[str, Any] = json.loads(text.replace(SAMPLE_BUCKET, stack.name("RawBucket")))
    return event


def write_sam_local_files(
    stack: LocalStack, env_json: Path, endpoint_for_container: str, event_json: Path | None = None
) -> list[Path]:
    """env.json and the local parser event (default events/parser-local.json), its raw pages
    seeded; returns the paths written."""
    env_json.write_text(json.dumps(sam_env_vars(stack, endpoint_for_container), indent=2) + "\n", "utf-8")
    seed_sample_pages(stack)
    event_path = event_json or stack.repo_root / LOCAL_PARSER_EVENT
    event_path.write_text(json.dumps(local_parser_event(stack), indent=2) + "\n", "utf-8")
    return [env_json, event_path]
