"""Smoke test of what `sam build` produced: each built function runs under the real runtime
interface client (awslambdaric) against a local Runtime API, with only its code, the built layer
and the runtime on the path, on the sample events in events/, against a moto server. So the
handler string, the layer path and the event shape are exercised as Lambda exercises them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from newsdesk.local import template as tpl
from newsdesk.local.aws import ensure_stack
from newsdesk.local.runtime_api import RuntimeApiServer
from newsdesk.local.sam_local import local_parser_event, seed_sample_pages

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = os.environ.get("NEWSDESK_SAM_BUILD_DIR")

pytestmark = pytest.mark.skipif(
    not BUILD_DIR or not (ROOT / BUILD_DIR / "NewsdeskLayer").is_dir(),
    reason="needs `sam build` output: run `make test` (sets NEWSDESK_SAM_BUILD_DIR)",
)


def _runtime_dir(tmp_path: Path) -> Path:
    """Lambda's /var/runtime: awslambdaric and only what it needs, linked from this venv."""
    import awslambdaric
    import simplejson

    site = Path(awslambdaric.__file__).parent.parent
    runtime = tmp_path / "runtime"
    runtime.mkdir(exist_ok=True)
    wanted = [Path(awslambdaric.__file__).parent, Path(simplejson.__file__).parent]
    wanted += [*site.glob("runtime_client*.so"), site / "snapshot_restore_py.py"]
    for path in wanted:
        link = runtime / path.name
        if not link.exists():
            link.symlink_to(path)
    return runtime


def _invoke(
    function: str, event: dict[str, object], env: dict[str, str], tmp_path: Path
) -> dict[str, object]:
    """One invocation of the built function under awslambdaric against a local Runtime API."""
    build = ROOT / str(BUILD_DIR)
    built = tpl.load_template(build / "template.yaml")
    properties = tpl.function_properties(built, function)
    handler, timeout = str(properties["Handler"]), float(properties["Timeout"])
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function}"
    base_python = getattr(sys, "_base_executable", sys.executable)
    log = (tmp_path / f"{function}.log").open("w", encoding="utf-8")
    with RuntimeApiServer([event], function_arn=arn, timeout_seconds=timeout) as api:
        process = subprocess.Popen(
            [
                base_python,
                "-S",
                "-E",
                str(ROOT / "tests/integration/invoke_built.py"),
                str(_runtime_dir(tmp_path)),
                str(build / function),
                str(build / "NewsdeskLayer"),
                handler,
            ],
            env={
                "PATH": os.environ["PATH"],
                "HOME": os.environ.get("HOME", "/tmp"),
                **env,
                "AWS_LAMBDA_RUNTIME_API": api.address,
                "AWS_LAMBDA_FUNCTION_NAME": function,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function}",
                "AWS_LAMBDA_LOG_STREAM_NAME": "smoke",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            finished = api.wait(timeout=300)
        finally:
            # Done (or stuck): the runtime waits for its next event forever, as in Lambda.
            process.terminate()
            process.wait(timeout=30)
            log.close()
    output = (tmp_path / f"{function}.log").read_text(encoding="utf-8")[-3000:]
    assert finished, output
    assert api.init_error is None, (api.init_error, output)
    (invocation,) = api.invocations
    assert invocation.error is None, (invocation.error, output)
    result: dict[str, object] = invocation.response
    return result


def _aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def test_built_parser_parses_the_sample_sqs_batch(moto_server: str, tmp_path: Path) -> None:
    stack = ensure_stack()
    # What `make local-aws` does for `sam local invoke`: the pages the sample event names, stored.
    seed_sample_pages(stack)
    event = local_parser_event(stack)

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
