"""`newsdesk status` and `newsdesk redrive` against a moto server holding the local stack."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import boto3

from newsdesk.cli import main as cli_main
from newsdesk.local.aws import ensure_stack, local_aws
from newsdesk.local.runner import run_cycle
from newsdesk.local.sample_site import SampleSiteServer


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli_main(list(args))
    return code, out.getvalue()


def test_status_shows_each_source_and_the_queues_and_redrive_empties_the_dead_letters(
    moto_server: str, sample_site: SampleSiteServer, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(sample_site.sources_text(), encoding="utf-8")
    with local_aws(moto_server):
        stack = ensure_stack()
        with (tmp_path / "handlers.log").open("w", encoding="utf-8") as log:
            run_cycle(stack, sources_file=sources, allow_private_networks=True, log=log)
    sqs = boto3.client("sqs")
    dead_letter = '{"Records": []}'
    sqs.send_message(QueueUrl=stack.name("ParseDeadLetterQueue"), MessageBody=dead_letter)

    code, out = _cli("status", "--endpoint-url", moto_server, "--format", "json")

    assert code == 0
    report: dict[str, Any] = json.loads(out)
    by_source = {s["source"]: s for s in report["sources"]}
    assert set(by_source) == {"harbour-gazette", "kyiv-independent"}
    assert sum(s["counts"]["fetched"] for s in by_source.values()) == 4
    assert all(s["last_new_article"] and s["last_run"] for s in by_source.values())
    # From the fetch workers' run records.
    assert all(s["last_outcome"] and not s["running"] for s in by_source.values())
    assert report["permanent_failures"] == []
    assert report["parse_queue"]["visible"] == 0
    assert report["dead_letters"]["visible"] == 1

    code, table = _cli("status", "--endpoint-url", moto_server)
    assert code == 0
    assert "harbour-gazette" in table and "dead letters: 1 waiting" in table and "newsdesk redrive" in table

    code, out = _cli("redrive", "--endpoint-url", moto_server)

    assert code == 0 and "moved 1 " in out
    messages = sqs.receive_message(QueueUrl=stack.name("ParseQueue"), MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in messages] == [dead_letter]
    _, out = _cli("status", "--endpoint-url", moto_server, "--format", "json")
    assert json.loads(out)["dead_letters"]["visible"] == 0


def test_local_aws_files_let_sam_local_invoke_reach_the_local_stack(moto_server: str, tmp_path: Path) -> None:
    from newsdesk.local.sam_local import write_sam_local_files

    with local_aws(moto_server):
        stack = ensure_stack()
        env_json, event_json = write_sam_local_files(
            stack, tmp_path / "env.json", "http://host.docker.internal:5000", tmp_path / "event.json"
        )
    env = json.loads(env_json.read_text(encoding="utf-8"))
    assert env["FetcherFunction"]["RAW_BUCKET"] == stack.name("RawBucket")
    assert env["FetcherFunction"]["CRAWL_TABLE"] == stack.name("CrawlStateTable")
    assert env["ParserFunction"]["ARTICLES_TABLE"] == stack.name("ArticlesTable")
    assert {e["AWS_ENDPOINT_URL"] for e in env.values()} == {"http://host.docker.internal:5000"}
    # sam local sets only variables the template declares: every one written is declared.
    from newsdesk.local import template as tpl

    template = tpl.load_template(stack.template_path)
    for function, variables in env.items():
        assert set(variables) <= set(tpl.function_environment(template, function)), function
    event = json.loads(event_json.read_text(encoding="utf-8"))
    s3 = boto3.client("s3")
    for record in event["Records"]:
        for notification in json.loads(record["body"]).get("Records", []):
            bucket = notification["s3"]["bucket"]["name"]
            key = notification["s3"]["object"]["key"].replace("+", " ")
            assert bucket == stack.name("RawBucket")
            s3.head_object(Bucket=bucket, Key=key)
