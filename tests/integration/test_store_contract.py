"""The article store's contract, through the real parser handler on a moto server: versions,
one event per stored version under redelivery, reparse, history, the JSON Schema, export."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from newsdesk.cli import main as cli_main
from newsdesk.local import events as local_events
from newsdesk.local.aws import LocalStack, ensure_stack, local_aws
from newsdesk.local.lambda_runtime import LocalFunction, drain_queue
from newsdesk.rawpage import RawPage
from newsdesk.storage.s3 import RawPageStore

PAGE = Path(__file__).parents[1] / "golden/kyiv-independent-umerov-turkey.html"
FIRST_SENTENCE = "National Security and Defense Council Secretary Rustem Umerov arrived in Istanbul"
CORRECTED = "National Security and Defense Council Secretary Rustem Umerov landed in Istanbul"
ARTICLE_ID = "umerov-turkey"


@dataclass
class Harness:
    stack: LocalStack
    endpoint: str
    tap: local_events.EventTap

    def put_raw(self, body: bytes, *, day: int = 11, page_id: str = ARTICLE_ID) -> str:
        return RawPageStore(self.stack.name("RawBucket"), boto3.client("s3")).put(
            RawPage(
                source="kyiv-independent",
                id=page_id,
                url=f"https://kyivindependent.com/{page_id}/",
                final_url=f"https://kyivindependent.com/{page_id}/",
                status=200,
                body=body,
                fetched_at=datetime(2025, 11, day, 15, tzinfo=UTC),
                content_type="text/html; charset=utf-8",
                encoding="utf-8",
            )
        )

    def parser(self, *, idempotency: bool = True, **overrides: str) -> LocalFunction:
        env = {**self.stack.parser_env, **overrides}
        if not idempotency:
            env.pop("IDEMPOTENCY_TABLE")
        return LocalFunction(
            "ParserFunction", self.stack.repo_root / "functions/parser", env, 60, log=io.StringIO()
        )

    def drain(self, parser: LocalFunction | None = None) -> None:
        drained = drain_queue(self.stack.name("ParseQueue"), parser or self.parser())
        assert not drained.failed_message_ids

    def heads(self) -> list[dict[str, Any]]:
        # A test may scan to see everything.
        items = boto3.resource("dynamodb").Table(self.stack.name("ArticlesTable")).scan()["Items"]
        return [dict(i) for i in items if i.get("kind") == "article"]

    def objects(self) -> list[str]:
        listing = boto3.client("s3").list_objects_v2(Bucket=self.stack.name("ArticlesBucket"))
        return [o["Key"] for o in listing.get("Contents", [])]

    def cli(self, *argv: str) -> str:
        out = io.StringIO()
        with redirect_stdout(out):
            code = cli_main([*argv, "--endpoint-url", self.endpoint])
        assert code == 0, out.getvalue()
        return out.getvalue()


@pytest.fixture
def harness(moto_server: str) -> Iterator[Harness]:
    with local_aws(moto_server):
        stack = ensure_stack()
        yield Harness(stack, moto_server, local_events.tap(stack))


@pytest.mark.parametrize("idempotency", [True, False], ids=["with-idempotency-table", "without"])
def test_the_same_notification_three_times_gives_one_item_one_event_one_object(
    harness: Harness, idempotency: bool
) -> None:
    harness.put_raw(PAGE.read_bytes())
    # S3's own notification, then the same body twice more, as SQS may deliver it.
    sqs = boto3.client("sqs")
    queue = harness.stack.name("ParseQueue")
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    for message in received:
        sqs.change_message_visibility(
            QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    (original,) = [m for m in received if '"Records"' in m["Body"]]
    for _ in range(2):
        sqs.send_message(QueueUrl=queue, MessageBody=original["Body"])

    harness.drain(harness.parser(idempotency=idempotency))

    (head,) = harness.heads()
    assert head["version"] == 1 and head["id"] == ARTICLE_ID
    events = harness.tap.drain()
    assert [e["detail-type"] for e in events] == ["ArticleIngested"]
    detail = events[0]["detail"]
    assert detail["event_id"] == f"{ARTICLE_ID}:v1" and detail["article_key"] == head["article_key"]
    assert harness.objects() == [head["article_key"]]


def test_a_changed_article_is_a_new_version_and_history_shows_both(harness: Harness) -> None:
    first_key = harness.put_raw(PAGE.read_bytes(), day=11)
    harness.drain()
    changed = PAGE.read_bytes().replace(FIRST_SENTENCE.encode(), CORRECTED.encode())
    harness.put_raw(changed, day=12)
    harness.drain()
    # The same content fetched again changes nothing and emits nothing.
    harness.put_raw(changed, day=13)
    harness.drain()

    (head,) = harness.heads()
    assert head["version"] == 2
    assert str(head["body_text"]).startswith(CORRECTED)
    events = harness.tap.drain()
    assert [(e["detail-type"], e["detail"]["version"]) for e in events] == [
        ("ArticleIngested", 1),
        ("ArticleUpdated", 2),
    ]
    assert events[1]["detail"]["previous_hash"] == events[0]["detail"]["content_hash"]
    assert head["previous_hash"] == events[0]["detail"]["content_hash"]
    assert len(harness.objects()) == 2

    history = harness.cli("history", ARTICLE_ID)
    lines = history.splitlines()
    assert lines[0].startswith("v1 ") and lines[1].startswith("v2 ")
    assert any(line.startswith("-") and "arrived in Istanbul" in line for line in lines)
    assert any(line.startswith("+") and "landed in Istanbul" in line for line in lines)
    # The old version stays readable.
    versions = json.loads(harness.cli("history", ARTICLE_ID, "--format", "json"))
    old = boto3.client("s3").get_object(
        Bucket=harness.stack.name("ArticlesBucket"), Key=versions[0]["article_key"]
    )
    assert json.loads(old["Body"].read())["body_text"].startswith(FIRST_SENTENCE)
    assert versions[0]["raw_key"] == first_key


def test_an_event_a_crashed_delivery_left_pending_goes_out_with_the_next_delivery(harness: Harness) -> None:
    key = harness.put_raw(PAGE.read_bytes())
    broken = harness.parser(idempotency=False, EVENT_BUS_NAME="no-such-bus")
    # The version is stored, the event cannot be published: the message fails and comes back.
    drain_queue(harness.stack.name("ParseQueue"), broken, max_invocations=1)
    (head,) = harness.heads()
    assert head["events_pending"] is True and harness.tap.drain() == []

    harness.drain(harness.parser(idempotency=False))

    (head,) = harness.heads()
    assert "events_pending" not in head and head["version"] == 1
    assert [e["detail"]["event_id"] for e in harness.tap.drain()] == [f"{ARTICLE_ID}:v1"]
    assert key in head["raw_key"]


def test_reparse_rewrites_only_the_articles_whose_parse_changed(harness: Harness) -> None:
    harness.put_raw(PAGE.read_bytes(), page_id="one")
    harness.put_raw(PAGE.read_bytes().replace(b"POW", b"prisoner"), page_id="two")
    harness.drain()
    harness.tap.drain()
    # "Upgrade the parser": the second page's stored version no longer matches what it parses to.
    table = boto3.resource("dynamodb").Table(harness.stack.name("ArticlesTable"))
    table.update_item(
        Key={"id": "two"}, UpdateExpression="SET fingerprint = :f", ExpressionAttributeValues={":f": "old"}
    )

    out = harness.cli("reparse", "--source", "kyiv-independent", "--since", "2025-11-01")

    assert "reparsed 2 raw pages: 1 articles changed, 1 unchanged" in out
    assert [(e["detail-type"], e["detail"]["id"]) for e in harness.tap.drain()] == [("ArticleUpdated", "two")]
    assert sorted(k.rsplit("/", 1)[1] for k in harness.objects()) == [
        "one.v0001.json",
        "two.v0001.json",
        "two.v0002.json",
    ]


def test_every_stored_article_json_validates_against_the_published_schema(
    harness: Harness, sample_site: Any, tmp_path: Path
) -> None:
    import jsonschema

    from newsdesk.article import SCHEMA_VERSION
    from newsdesk.local.runner import run_cycle

    sources = tmp_path / "sources.yaml"
    sources.write_text(sample_site.sources_text(), encoding="utf-8")
    with (tmp_path / "handlers.log").open("a", encoding="utf-8") as log:
        summary = run_cycle(harness.stack, sources_file=sources, allow_private_networks=True, log=log)
    assert summary.parsed == 4
    # The runner delivers what consumers would receive: one ArticleIngested per article.
    assert sorted(e["detail-type"] for e in summary.events) == ["ArticleIngested"] * 4

    schema = json.loads((Path(__file__).parents[2] / "docs/article.schema.json").read_text(encoding="utf-8"))
    assert schema["schema_version"] == SCHEMA_VERSION
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    s3 = boto3.client("s3")
    keys = harness.objects()
    assert len(keys) == 4
    for key in keys:
        stored = json.loads(
            s3.get_object(Bucket=harness.stack.name("ArticlesBucket"), Key=key)["Body"].read()
        )
        validator.validate(stored)
        assert stored["schema_version"] == SCHEMA_VERSION


def test_event_details_validate_against_the_documented_event_schema(harness: Harness) -> None:
    import jsonschema

    from newsdesk.article_events import event_json_schema

    harness.put_raw(PAGE.read_bytes())
    harness.drain()
    (event,) = harness.tap.drain()
    assert event["source"] == "newsdesk.parser"
    jsonschema.Draft202012Validator(event_json_schema()).validate(event["detail"])
    documented = (Path(__file__).parents[2] / "docs/events.md").read_text(encoding="utf-8")
    assert json.dumps(event_json_schema(), indent=2, sort_keys=True) in documented


def _readme_sql() -> list[str]:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", readme, flags=re.DOTALL)


@pytest.fixture
def sample_cycle(harness: Harness, sample_site: Any, tmp_path: Path) -> Harness:
    from newsdesk.local.runner import run_cycle

    sources = tmp_path / "sources.yaml"
    sources.write_text(sample_site.sources_text(), encoding="utf-8")
    with (tmp_path / "handlers.log").open("a", encoding="utf-8") as log:
        run_cycle(harness.stack, sources_file=sources, allow_private_networks=True, log=log)
    return harness


def test_the_readme_s_athena_queries_run_locally_with_newsdesk_sql(sample_cycle: Harness) -> None:
    per_day, by_author, full_text = _readme_sql()

    def rows(sql: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in sample_cycle.cli("sql", sql, "--format", "jsonl").splitlines()]

    assert rows(per_day) == [
        {"source": "harbour-gazette", "dt": "2025-11-10", "articles": 1},
        {"source": "kyiv-independent", "dt": "2025-11-11", "articles": 1},
        {"source": "harbour-gazette", "dt": "2025-11-12", "articles": 1},
        {"source": "harbour-gazette", "dt": "2025-11-14", "articles": 1},
    ]
    (owen,) = rows(by_author)
    assert owen["title"] == "Council approves sea wall repairs before winter storms" and owen["version"] == 1
    assert rows(full_text) == [
        {
            "source": "harbour-gazette",
            "dt": "2025-11-12",
            "title": "Council approves sea wall repairs before winter storms",
        }
    ]


def test_export_writes_the_latest_versions_as_jsonl_and_parquet(
    sample_cycle: Harness, tmp_path: Path
) -> None:
    import duckdb

    out = sample_cycle.cli(
        "export", str(tmp_path / "out"), "--since", "2025-11-11", "--source", "harbour-gazette"
    )
    assert "exported 2 articles" in out
    lines = (tmp_path / "out/articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["dt"] for line in lines) == ["2025-11-12", "2025-11-14"]

    sample_cycle.cli("export", str(tmp_path / "pq"), "--since", "2025-11-01", "--format", "parquet")
    table = (
        duckdb.connect().execute(f"SELECT source, title FROM '{tmp_path / 'pq/articles.parquet'}'").fetchall()
    )
    assert len(table) == 4 and {s for s, _ in table} == {"harbour-gazette", "kyiv-independent"}


def test_query_lists_by_author_tag_and_time_and_pages_with_a_cursor(sample_cycle: Harness) -> None:
    from newsdesk.article import Article

    by_author = sample_cycle.cli("query", "--author", "lena sand", "--format", "jsonl").splitlines()
    assert [Article.model_validate_json(line).title for line in by_author] == [
        "Council approves sea wall repairs before winter storms"
    ]
    since = sample_cycle.cli(
        "query", "--ingested-since", "2020-01-01", "--limit", "3", "--all", "--format", "jsonl"
    )
    assert len(since.splitlines()) == 4
    err = io.StringIO()
    with redirect_stderr(err):
        first = sample_cycle.cli("query", "--source", "harbour-gazette", "--limit", "1", "--format", "jsonl")
    cursor = err.getvalue().split("--cursor ", 1)[1].strip()
    second = sample_cycle.cli(
        "query", "--source", "harbour-gazette", "--limit", "1", "--cursor", cursor, "--format", "jsonl"
    )
    assert Article.model_validate_json(first).id != Article.model_validate_json(second).id
