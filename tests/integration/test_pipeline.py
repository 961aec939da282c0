"""The whole flow with the real handlers: scheduled event -> fetcher -> raw page in S3 -> SQS ->
parser -> Article JSON in S3 and an item in DynamoDB; on in-process moto and on a moto server."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest

from newsdesk.article import Article
from newsdesk.cli import main as cli_main
from newsdesk.local.aws import LocalStack, ensure_stack, local_aws
from newsdesk.local.runner import CycleSummary, run_cycle
from newsdesk.local.sample_site import SampleSiteServer

KI_TITLE = "Ukraine's Security Council chief heads to Turkey to 'unblock' POW exchanges"
KI_FIRST = (
    "National Security and Defense Council Secretary Rustem Umerov arrived in Istanbul on Nov. 11 to "
    '"unblock" the process of prisoner of war (POWs) exchanges with Russia, he announced on Telegram.'
)
KI_LAST = (
    "Moscow has been accused of violating international law, including the Geneva Conventions, through "
    "the abuse and torture of Ukrainian POWs and captive civilians."
)
# What the seed page shows around the article and what must never reach the body.
BOILERPLATE = (
    "0 out of 25,000",
    "Help us reach 25,000 members",
    "Quality journalism takes work",
    "is a reporter at The Kyiv Independent",
    "Read more",
    "News Feed",
    "Show More",
    "Timur Mindich",
    "Explained: How Ukraine negotiates",
    "Dogukan Keskinkilic",
)


@pytest.fixture
def sources_file(sample_site: SampleSiteServer, tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(sample_site.sources_text(), encoding="utf-8")
    return path


@pytest.fixture(params=["embedded-moto", "moto-server"])
def stack(request: pytest.FixtureRequest) -> Iterator[LocalStack]:
    if request.param == "moto-server":
        endpoint = request.getfixturevalue("moto_server")
        with local_aws(endpoint):
            yield ensure_stack()
    else:
        with local_aws(None):
            yield ensure_stack()


def _cycle(stack: LocalStack, sources: Path) -> CycleSummary:
    with (sources.parent / "handlers.log").open("a", encoding="utf-8") as log:
        return run_cycle(stack, sources_file=sources, allow_private_networks=True, log=log)


def _articles(stack: LocalStack) -> dict[str, dict[str, object]]:
    # A test may scan to see everything; the head items are the articles.
    items = boto3.resource("dynamodb").Table(stack.name("ArticlesTable")).scan()["Items"]
    return {str(item["url"]): dict(item) for item in items if item.get("kind") == "article"}


def test_a_scheduled_cycle_stores_every_sample_article(
    stack: LocalStack, sources_file: Path, sample_site: SampleSiteServer
) -> None:
    summary = _cycle(stack, sources_file)

    assert (summary.discovered, summary.fetched, summary.parsed, summary.failed) == (4, 4, 4, 0)
    s3 = boto3.client("s3")
    raw_keys = [o["Key"] for o in s3.list_objects_v2(Bucket=stack.name("RawBucket"))["Contents"]]
    article_keys = [o["Key"] for o in s3.list_objects_v2(Bucket=stack.name("ArticlesBucket"))["Contents"]]
    # One JSON object per article (first version), partitioned by source and publication date.
    assert sorted(k.rsplit("/", 1)[1].removesuffix(".html.gz") for k in raw_keys) == sorted(
        k.rsplit("/", 1)[1].removesuffix(".v0001.json") for k in article_keys
    )
    assert all(k.startswith("articles/source=") and "/dt=" in k for k in article_keys)
    raw = s3.get_object(Bucket=stack.name("RawBucket"), Key=raw_keys[0])
    assert gzip.decompress(raw["Body"].read()).lstrip().lower().startswith(b"<!doctype html")
    assert raw["Metadata"]["status"] == "200"

    items = _articles(stack)
    ki_url = f"{sample_site.base_url}/kyiv-independent/news/ukraines-security-council-chief-heads-to-turkey/"
    item = items[ki_url]
    assert item["title"] == KI_TITLE
    assert item["section"] == "War"
    assert item["authors"] == ["Tim Zadorozhnyy"]
    assert item["published_at"] in {"2025-11-11T14:32:00+02:00", "2025-11-11T12:32:00+00:00"}
    assert item["reading_time_minutes"] == 2
    assert item["lead_image"]["caption"] == (  # type: ignore[index]
        "National Security and Defense Council Secretary Rustem Umerov in Kyiv, Ukraine on May 9, 2022."
    )
    assert item["lead_image"]["credit"] == "Dogukan Keskinkilic/Anadolu Agency via Getty Images"  # type: ignore[index]
    assert item["canonical_url"] == (
        "https://kyivindependent.com/ukraines-security-council-chief-heads-to-turkey-to-unblock-pow-exchanges/"
    )
    body = str(item["body_text"])
    paragraphs = body.split("\n\n")
    assert paragraphs[0] == KI_FIRST
    assert paragraphs[-1] == KI_LAST
    assert len(paragraphs) == 8
    for text in BOILERPLATE:
        assert text not in body, text

    # The S3 JSON is the complete Article, the same one the item describes.
    json_key = next(k for k in article_keys if k.startswith("articles/source=kyiv-independent/"))
    stored = Article.model_validate_json(
        s3.get_object(Bucket=stack.name("ArticlesBucket"), Key=json_key)["Body"].read()
    )
    assert stored.id == item["id"] and stored.body_text == body and stored.url == ki_url

    # The ISO-8859-1 page was decoded with the encoding the fetcher recorded.
    fish = next(v for k, v in items.items() if k.endswith("fish-market-hall.html"))
    assert fish["authors"] == ["Jonas Müller"]
    assert "The café at the north end" in str(fish["body_text"])


def test_running_the_same_cycle_twice_stores_no_duplicate(stack: LocalStack, sources_file: Path) -> None:
    first = _cycle(stack, sources_file)
    before = _articles(stack)
    raw_before = boto3.client("s3").list_objects_v2(Bucket=stack.name("RawBucket"))["KeyCount"]

    second = _cycle(stack, sources_file)

    assert first.fetched == 4
    assert (second.fetched, second.parsed) == (0, 0)
    assert _articles(stack).keys() == before.keys()
    assert boto3.client("s3").list_objects_v2(Bucket=stack.name("RawBucket"))["KeyCount"] == raw_before


def _store_raw(stack: LocalStack, page_id: str, body: bytes) -> str:
    from newsdesk.rawpage import RawPage
    from newsdesk.storage.s3 import RawPageStore

    return RawPageStore(stack.name("RawBucket"), boto3.client("s3")).put(
        RawPage(
            source="sample",
            id=page_id,
            url=f"http://127.0.0.1/{page_id}",
            final_url=f"http://127.0.0.1/{page_id}",
            status=200,
            body=body,
            content_type="text/html",
        )
    )


def _dead_letters(stack: LocalStack) -> list[dict[str, Any]]:
    messages = boto3.client("sqs").receive_message(
        QueueUrl=stack.name("ParseDeadLetterQueue"), MaxNumberOfMessages=10
    )
    return [dict(m) for m in messages.get("Messages", [])]


def test_a_page_that_can_never_parse_is_recorded_once_and_acknowledged_not_retried(stack: LocalStack) -> None:
    from newsdesk.local.lambda_runtime import LocalFunction, drain_queue
    from newsdesk.storage.parse_failures import list_parse_failures

    key = _store_raw(stack, "binary-page", b"\x00\x01\x02 not html at all \xff\xfe")
    log = io.StringIO()
    parser = LocalFunction(
        "ParserFunction", stack.repo_root / "functions/parser", stack.parser_env, 60, log=log
    )

    # Powertools binds its handler to the stream of the first Logger of a service in this
    # process: listen with the same formatter instead of relying on which test ran first.
    parser_logger = logging.getLogger("parser")
    logged = io.StringIO()
    listener = logging.StreamHandler(logged)
    listener.setFormatter(parser_logger.handlers[0].formatter)
    parser_logger.addHandler(listener)
    try:
        drained = drain_queue(stack.name("ParseQueue"), parser)
    finally:
        parser_logger.removeHandler(listener)

    assert drained.failed_attempts == 0
    assert _dead_letters(stack) == []
    (failure,) = list_parse_failures(stack.name("ArticlesTable"), boto3.resource("dynamodb"))
    assert (failure.raw_key, failure.reason, failure.source) == (key, "binary", "sample")
    assert failure.url == "http://127.0.0.1/binary-page"
    # The log line carries the article's correlation id, and the failure is a metric.
    lines = [json.loads(line) for line in logged.getvalue().splitlines()]
    (warning,) = [line for line in lines if line.get("message") == "page did not yield an article"]
    assert (warning["correlation_id"], warning["reason"], warning["source"]) == (
        "binary-page",
        "binary",
        "sample",
    )
    assert "ParseFailedPermanent" in log.getvalue()  # the EMF metric, printed to the function's output
    assert boto3.client("s3").head_object(Bucket=stack.name("RawBucket"), Key=key)["ContentLength"] > 0


def test_a_transient_failure_is_retried_then_dead_lettered_and_its_raw_page_stays(stack: LocalStack) -> None:
    from newsdesk.local.aws import queue_redrive
    from newsdesk.local.lambda_runtime import LocalFunction, drain_queue

    key = _store_raw(
        stack,
        "good-page",
        (Path(__file__).parents[1] / "golden/kyiv-independent-umerov-turkey.html").read_bytes(),
    )
    # The articles table is unreachable (here: it does not exist), as in an outage.
    broken_env = {**stack.parser_env, "ARTICLES_TABLE": "no-such-table"}
    parser = LocalFunction(
        "ParserFunction", stack.repo_root / "functions/parser", broken_env, 60, log=io.StringIO()
    )
    _, max_receive = queue_redrive(stack.name("ParseQueue"))

    drained = drain_queue(stack.name("ParseQueue"), parser)

    assert drained.failed_attempts == max_receive
    (message,) = _dead_letters(stack)
    assert unquote_plus(json.loads(str(message["Body"]))["Records"][0]["s3"]["object"]["key"]) == key
    assert boto3.client("s3").head_object(Bucket=stack.name("RawBucket"), Key=key)["ContentLength"] > 0


def test_query_prints_complete_articles_from_a_shared_moto_server(
    moto_server: str, sources_file: Path
) -> None:
    with local_aws(moto_server):
        _cycle(ensure_stack(), sources_file)

    out = io.StringIO()
    with redirect_stdout(out):
        code = cli_main(
            [
                "query",
                "--endpoint-url",
                moto_server,
                "--source",
                "harbour-gazette",
                "--since",
                "2025-11-11",
                "--format",
                "jsonl",
            ]
        )

    assert code == 0
    articles = [Article.model_validate_json(line) for line in out.getvalue().splitlines()]
    assert [a.title for a in articles] == [
        "Fish market moves indoors as the old hall reopens",
        "Council approves sea wall repairs before winter storms",
    ]
    assert articles[1].authors == ["Owen Pike", "Lena Sand"]
    assert articles[1].body_text.startswith("The town council voted on Wednesday")


def test_status_lists_what_the_fetcher_did_per_url(moto_server: str, sources_file: Path) -> None:
    with local_aws(moto_server):
        _cycle(ensure_stack(), sources_file)

    out = io.StringIO()
    with redirect_stdout(out):
        code = cli_main(["status", "--endpoint-url", moto_server, "--format", "jsonl"])

    assert code == 0
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == 4
    assert {r["status"] for r in records} == {"fetched"}
    assert all(r["raw_key"].endswith(".html.gz") for r in records)


# -- fan-out: sources pushed without a redeploy, one hostile source among healthy ones ---------------


def _sources_with(sample_site: SampleSiteServer, extra: list[dict[str, object]], every: str) -> str:
    import yaml

    data = yaml.safe_load(sample_site.sources_text())
    for entry in data["sources"]:
        entry["every"] = every
    data["sources"].extend(extra)
    return yaml.safe_dump(data)


def test_sources_pushed_to_the_stack_are_what_the_dispatcher_runs(
    moto_server: str, sample_site: SampleSiteServer, tmp_path: Path
) -> None:
    pushed = tmp_path / "pushed.yaml"
    pushed.write_text(_sources_with(sample_site, [], "1h"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - {id: Not Valid}\n", encoding="utf-8")

    assert cli_main(["sources", "push", str(bad), "--endpoint-url", moto_server]) == 2
    assert cli_main(["sources", "push", str(pushed), "--endpoint-url", moto_server]) == 0
    log = io.StringIO()
    with local_aws(moto_server):
        stack = ensure_stack()
        # A bad file that got into the bucket some other way: the last good one stays in use.
        boto3.client("s3").put_object(
            Bucket=stack.name("ConfigBucket"), Key="sources.yaml", Body=bad.read_bytes()
        )
        summary = run_cycle(stack, allow_private_networks=True, log=log)

    assert sorted(summary.dispatched) == ["harbour-gazette", "kyiv-independent"]
    assert (summary.fetched, summary.parsed) == (4, 4)
    assert '"SourcesFileRejected"' in log.getvalue()  # the metric an alarm watches


def test_acceptance_a_hostile_source_never_keeps_healthy_articles_from_arriving(
    moto_server: str, sample_site: SampleSiteServer, tmp_path: Path
) -> None:
    from support.feeds import rss_for
    from support.http_server import Reply, TestServer

    with TestServer() as hostile:
        busy = [hostile.url(f"/busy/{n}") for n in range(10)]
        huge = hostile.url("/a/" + "x" * 450_000)
        hostile.route("/feed.xml", Reply(body=rss_for([huge, *busy]), content_type="text/xml"))
        for n in range(10):
            hostile.route(f"/busy/{n}", Reply(status=429, body=b"no", content_type="text/plain"))
        hostile.route("/silent.xml", Reply(delay=3600))  # accepts, then never answers
        # A byte every half second: never silent for the 2 s read timeout, ended by the 3 s total one.
        hostile.route("/drip.xml", Reply(body=hostile.drip(0.5), content_type="text/xml"))
        hostile.route(
            "/retry-forever.xml", Reply(status=503, headers={"Retry-After": "99999999999999999999"})
        )
        hostile_source = {
            "id": "hostile",
            "name": "Hostile",
            "every": "1s",
            "feeds": [
                hostile.url("/silent.xml"),
                hostile.url("/drip.xml"),
                hostile.url("/feed.xml"),
                hostile.url("/retry-forever.xml"),
            ],
        }
        sources = tmp_path / "sources.yaml"
        sources.write_text(_sources_with(sample_site, [hostile_source], "1s"), encoding="utf-8")
        overrides = {
            "FETCH_READ_TIMEOUT_SECONDS": "2",
            "FETCH_TOTAL_TIMEOUT_SECONDS": "3",
            "MAX_ATTEMPTS": "2",
        }

        with local_aws(moto_server):
            stack = ensure_stack()
            cycles = [
                run_cycle(
                    stack,
                    sources_file=sources,
                    allow_private_networks=True,
                    log=io.StringIO(),
                    fetcher_overrides=overrides,
                )
                for _ in range(2)
            ]
            stored = _articles(stack)

    for cycle in cycles:
        assert sorted(cycle.dispatched) == ["harbour-gazette", "hostile", "kyiv-independent"]
        outcomes = {job["source"]: job["outcome"] for job in cycle.jobs}
        assert outcomes == {
            "harbour-gazette": "finished",
            "hostile": "finished",
            "kyiv-independent": "finished",
        }
    assert cycles[0].fetched == 4 and cycles[0].parsed == 4
    assert (cycles[1].fetched, cycles[1].parsed) == (0, 0)  # nothing new, nothing stored twice
    assert len(stored) == 4 and all(url.startswith(sample_site.base_url) for url in stored)
    hostile_job = next(job for job in cycles[0].jobs if job["source"] == "hostile")
    assert hostile_job["skipped"] == {"url_too_long": 1}
    # The silent feed and the dripping one both end at a deadline, each counted once.
    assert hostile_job["failed"] == {"timeout": 2, "http_503": 1}
    assert any(error.startswith(hostile.url("/drip.xml")) for error in hostile_job["errors"])
    assert hostile_job["backed_off_hosts"] == [f"http://127.0.0.1:{hostile.port}"]
    # What the hostile source left in the crawl state is readable by the operator's status.
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(["status", "--endpoint-url", moto_server, "--format", "jsonl"]) == 0


def test_a_message_that_is_not_a_fetch_job_goes_to_the_fetch_dead_letter_queue(stack: LocalStack) -> None:
    from newsdesk.local.aws import queue_redrive
    from newsdesk.local.lambda_runtime import LocalFunction
    from newsdesk.local.runner import ParallelDrain

    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=stack.name("FetchQueue"), MessageBody='{"source": "not a source"}')
    log = io.StringIO()
    fetcher = LocalFunction(
        "FetcherFunction", stack.repo_root / "functions/fetcher", stack.fetcher_env, 60, log=log
    )
    _, max_receive = queue_redrive(stack.name("FetchQueue"))

    drain = ParallelDrain(stack.name("FetchQueue"), fetcher, workers=2, max_invocations=20)
    drain.run()

    assert drain.invocations == max_receive
    (dead,) = sqs.receive_message(QueueUrl=stack.name("FetchDeadLetterQueue"))["Messages"]
    assert dead["Body"] == '{"source": "not a source"}'


def test_run_reports_progress_per_source_fetched_and_per_page_parsed(
    sources_file: Path, tmp_path: Path
) -> None:
    reported: dict[str, tuple[int | None, list[int]]] = {}

    @contextlib.contextmanager
    def recording(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
        steps: list[int] = []
        reported[description] = (total, steps)
        yield steps.append

    with local_aws(None):
        stack = ensure_stack()
        with (tmp_path / "handlers.log").open("a", encoding="utf-8") as log:
            summary = run_cycle(
                stack, sources_file=sources_file, allow_private_networks=True, log=log, progress=recording
            )

    fetch_total, fetch_steps = reported["fetching sources"]
    assert fetch_total == len(summary.dispatched) > 0
    assert sum(fetch_steps) == fetch_total
    parse_total, parse_steps = reported["parse queue messages"]
    # The parse queue also holds S3's test event; every message drained is reported.
    assert parse_total is not None and parse_total >= summary.parsed == 4
    assert sum(parse_steps) == parse_total
