"""Smoke test of what `sam build` produced: each built function, with only its code and the built
layer on the path, runs on the sample events in events/ against a moto server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from newsdesk.local.aws import ensure_stack
from newsdesk.local.sample_site import SITE_ROOT
from newsdesk.rawpage import RawPage
from newsdesk.storage.s3 import RawPageStore

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = os.environ.get("NEWSDESK_SAM_BUILD_DIR")

pytestmark = pytest.mark.skipif(
    not BUILD_DIR or not (ROOT / BUILD_DIR / "NewsdeskLayer").is_dir(),
    reason="needs `sam build` output: run `make test` (sets NEWSDESK_SAM_BUILD_DIR)",
)


def _invoke(
    function: str, event: dict[str, object], env: dict[str, str], tmp_path: Path
) -> dict[str, object]:
    build = ROOT / str(BUILD_DIR)
    event_file = tmp_path / f"{function}.json"
    event_file.write_text(json.dumps(event), encoding="utf-8")
    base_python = getattr(sys, "_base_executable", sys.executable)
    completed = subprocess.run(
        [
            base_python,
            "-S",
            "-E",
            str(ROOT / "tests/integration/invoke_built.py"),
            str(build / function),
            str(build / "NewsdeskLayer"),
            str(event_file),
            "60",
        ],
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    (line,) = [x for x in completed.stdout.splitlines() if x.startswith("RESULT ")]
    result: dict[str, object] = json.loads(line.removeprefix("RESULT "))
    return result


def _aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": "built-function",
    }


def test_built_parser_parses_the_sample_sqs_batch(moto_server: str, tmp_path: Path) -> None:
    stack = ensure_stack()
    raw_bucket = stack.name("RawBucket")
    store = RawPageStore(raw_bucket, boto3.client("s3"))
    ki_page = SITE_ROOT / "kyiv-independent/news/ukraines-security-council-chief-heads-to-turkey/index.html"
    gazette_page = SITE_ROOT / "harbour-gazette/2025/11/night-ferry-returns.html"
    for source, page_id, day, path in (
        ("kyiv-independent", "0123456789abcdef01234567", 11, ki_page),
        ("harbour-gazette", "night ferry returns", 10, gazette_page),
    ):
        store.put(
            RawPage(
                source=source,
                id=page_id,
                url=f"https://example.org/{day}",
                final_url="https://example.org",
                status=200,
                body=path.read_bytes(),
                fetched_at=datetime(2025, 11, day, tzinfo=UTC),
                content_type="text/html; charset=utf-8",
                encoding="utf-8",
            )
        )
    event = json.loads((ROOT / "events/parser-sqs-s3-batch.json").read_text(encoding="utf-8"))
    for record in event["Records"]:
        record["body"] = record["body"].replace("newsdesk-raw-123456789012-example", raw_bucket)

    result = _invoke("ParserFunction", event, {**_aws_env(moto_server), **stack.parser_env}, tmp_path)

    assert result == {"batchItemFailures": []}
    table = boto3.resource("dynamodb").Table(stack.name("ArticlesTable"))
    item = table.get_item(Key={"id": "0123456789abcdef01234567"})["Item"]
    assert item["title"] == "Ukraine's Security Council chief heads to Turkey to 'unblock' POW exchanges"
    assert table.get_item(Key={"id": "night ferry returns"})["Item"]["source"] == "harbour-gazette"


def test_built_dispatcher_and_fetch_worker_run_a_cycle_on_the_sample_site(
    moto_server: str, sample_site: object, tmp_path: Path
) -> None:
    from newsdesk.fanout import FetchJob
    from newsdesk.local.sample_site import SampleSiteServer

    assert isinstance(sample_site, SampleSiteServer)
    stack = ensure_stack()
    sources = tmp_path / "sources.yaml"
    sources.write_text(sample_site.sources_text(), encoding="utf-8")
    schedule = json.loads((ROOT / "events/dispatcher-schedule.json").read_text(encoding="utf-8"))

    dispatched = _invoke(
        "DispatcherFunction",
        schedule,
        {**_aws_env(moto_server), **stack.dispatcher_env, "SOURCES_FILE": str(sources)},
        tmp_path,
    )

    assert sorted(dispatched["dispatched"]) == ["harbour-gazette", "kyiv-independent"]  # type: ignore[call-overload]
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=stack.name("FetchQueue"), MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 2
    sample = json.loads((ROOT / "events/fetcher-sqs-fetch-job.json").read_text(encoding="utf-8"))
    FetchJob.model_validate_json(sample["Records"][0]["body"])  # the sample event stays a valid job
    env = {**_aws_env(moto_server), **stack.fetcher_env, "ALLOW_PRIVATE_NETWORKS": "true"}
    fetched = 0
    for message in messages:
        event = {
            "Records": [{**sample["Records"][0], "messageId": message["MessageId"], "body": message["Body"]}]
        }
        result = _invoke("FetcherFunction", event, env, tmp_path)
        assert result["batchItemFailures"] == []
        (job,) = result["results"]  # type: ignore[misc]
        fetched += int(job["fetched"])

    assert fetched == 4
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=stack.name("RawBucket"))["Contents"]]
    assert len(keys) == 4 and all(k.endswith(".html.gz") for k in keys)
