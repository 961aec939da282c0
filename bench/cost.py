"""docs/cost.md from measured figures: the cost of 1,000 articles and of one source-month.

Inputs are the JSON that the benchmarks write (`make bench` writes them to bench/results/):
`fetcher.json` (bench/fetcher.py: AWS calls by operation, DynamoDB write units, S3 bytes, log
bytes, the fetch workers' billed seconds, HTTP requests; a first run that finds every article new
and a second run that finds nothing new) and `throughput.json` (bench/throughput.py: the parser
handler's seconds per batch of 10). Memory sizes and architecture come from template.yaml. Prices
are AWS list prices for us-east-1, without free tiers, in PRICES below: change them there.

    python -m bench.cost [--results bench/results] [--out docs/cost.md] [--new-per-day 20] [--runs-per-day 24]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.coldstart import _Loader  # the template reader that tolerates CloudFormation tags

REPO = Path(__file__).resolve().parent.parent

# US East (N. Virginia) list prices, USD, as published by AWS (checked 2026-12; no free tier).
PRICES = {
    "lambda_gb_s_x86_64": 0.0000166667,
    "lambda_gb_s_arm64": 0.0000133334,
    "lambda_request": 0.20 / 1e6,
    "s3_put": 0.005 / 1000,  # PUT, COPY, POST, LIST
    "s3_get": 0.0004 / 1000,  # GET and all other requests
    "s3_gb_month": 0.023,
    "dynamodb_wru": 0.625 / 1e6,  # on-demand write request unit (1 KB)
    "dynamodb_rru": 0.125 / 1e6,  # on-demand read request unit (4 KB strongly, 2 reads eventually)
    "dynamodb_gb_month": 0.25,
    "sqs_request": 0.40 / 1e6,  # standard queue, per 64 KB chunk
    "eventbridge_event": 1.00 / 1e6,  # custom events put on a bus
    "scheduler_invocation": 1.00 / 1e6,
    "logs_ingested_gb": 0.50,
    "xray_trace": 5.00 / 1e6,
}
# Lambda's SQS event source mapping keeps five long polls (20 s) open per queue while idle.
IDLE_POLLS_PER_QUEUE_MONTH = 5 * 30 * 86400 // 20
_S3_PUT_OPS = {"PutObject", "CopyObject", "ListObjectsV2", "ListObjects", "CreateMultipartUpload"}
_DYNAMODB_READS = {"GetItem": 0.5, "Query": 0.5, "BatchGetItem": 0.5, "Scan": 0.5}


@dataclass
class Line:
    what: str
    usd: float
    basis: str


def template_facts(path: Path) -> dict[str, Any]:
    import yaml

    template = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    function_defaults = template.get("Globals", {}).get("Function", {})
    memory: dict[str, int] = {}
    arch = (function_defaults.get("Architectures") or ["x86_64"])[0]
    gsis: dict[str, int] = {}
    for name, resource in template["Resources"].items():
        props = resource.get("Properties", {}) or {}
        if resource.get("Type") == "AWS::Serverless::Function":
            memory[name] = int(props.get("MemorySize", function_defaults.get("MemorySize", 128)))
        if resource.get("Type") == "AWS::DynamoDB::Table":
            gsis[name] = len(props.get("GlobalSecondaryIndexes", []) or [])
    return {"memory_mb": memory, "architecture": str(arch), "gsis": gsis}


def _logical_table(physical: str, gsis: dict[str, int]) -> str:
    """`newsdesk-local-ArticlesTable-XYZ` -> `ArticlesTable`."""
    return next((logical for logical in gsis if logical in physical), physical)


def _memory(facts: dict[str, Any], *candidates: str) -> float:
    for name in candidates:
        if name in facts["memory_mb"]:
            return float(facts["memory_mb"][name]) / 1024
    return 1.0


def dynamodb_wru(run: dict[str, Any], facts: dict[str, Any]) -> float:
    """Write units as billed: measured per item (GSI copies where the item has the index's keys,
    transactions twice) when the benchmark recorded them, else every write times every GSI."""
    if "dynamodb_wru" in run:
        return float(sum(run["dynamodb_wru"].values()))
    wru = 0.0
    for physical, units in run["dynamodb_write_kb"].items():
        wru += units * (1 + facts["gsis"].get(_logical_table(physical, facts["gsis"]), 0))
    return wru


def sqs_requests(run: dict[str, Any]) -> int:
    """SQS requests as a deployment makes them.

    Sends are measured (the dispatcher's batches, continuations). Receives and deletes are not
    the local runner's (it polls a moto queue in a loop, which says nothing of Lambda): Lambda's
    event source mapping receives a batch and deletes it with one call, so two requests per fetch
    job (batch size 1) and two per parse batch of 10; S3 sends one notification per raw page. Its
    idle long polling is a fixed cost per queue, not per article (see the source-month section).
    """
    calls: dict[str, int] = run["aws_requests"]
    sends = sum(n for op, n in calls.items() if op in {"sqs:SendMessage", "sqs:SendMessageBatch"})
    jobs = int(run.get("jobs", run["sources"]))
    return sends + int(run["fetched"]) + 2 * jobs + 2 * math.ceil(int(run["parsed"]) / 10)


def per_run_lines(
    run: dict[str, Any], parser_s_per_article: float, facts: dict[str, Any], arch: str
) -> list[Line]:
    """The cost of everything one benchmark run did, line by line."""
    calls: dict[str, int] = run["aws_requests"]
    gb_s_price = PRICES[f"lambda_gb_s_{arch}"]
    fetch_gb = _memory(facts, "FetchWorkerFunction", "FetcherFunction")
    parse_gb = _memory(facts, "ParserFunction")
    parsed = int(run["parsed"])
    lines = [
        Line(
            "Lambda: fetch workers (GB-s)",
            run["worker_seconds"] * fetch_gb * gb_s_price,
            f"{run['worker_seconds']:.1f} s billed at {fetch_gb * 1024:.0f} MB",
        ),
        Line(
            "Lambda: parser (GB-s)",
            parsed * parser_s_per_article * parse_gb * gb_s_price,
            f"{parser_s_per_article:.3f} s per article at {parse_gb * 1024:.0f} MB",
        ),
        Line(
            "Lambda: requests",
            (run["sources"] + math.ceil(parsed / 10) + 1) * PRICES["lambda_request"],
            "one per source run, one per parse batch of 10, one dispatch",
        ),
    ]
    s3_put = sum(n for op, n in calls.items() if op.startswith("s3:") and op[3:] in _S3_PUT_OPS)
    s3_get = sum(n for op, n in calls.items() if op.startswith("s3:") and op[3:] not in _S3_PUT_OPS)
    lines += [
        Line("S3: PUT requests", s3_put * PRICES["s3_put"], f"{s3_put} PUT/LIST"),
        Line("S3: GET requests", s3_get * PRICES["s3_get"], f"{s3_get} GET/HEAD"),
        Line(
            "S3: storage, first month",
            run["s3_put_bytes"] / 1e9 * PRICES["s3_gb_month"],
            f"{run['s3_put_bytes'] / 1e6:.2f} MB written",
        ),
    ]
    wru = dynamodb_wru(run, facts)
    rru = sum(
        n * _DYNAMODB_READS.get(op.split(":", 1)[1], 0)
        for op, n in calls.items()
        if op.startswith("dynamodb:")
    )
    lines += [
        Line("DynamoDB: writes", wru * PRICES["dynamodb_wru"], f"{wru:.0f} write units, GSI copies included"),
        Line("DynamoDB: reads", rru * PRICES["dynamodb_rru"], f"{rru:.0f} read units"),
    ]
    sqs = sqs_requests(run)
    lines.append(
        Line(
            "SQS: requests",
            sqs * PRICES["sqs_request"],
            f"{sqs} requests: sends measured, Lambda's receives and deletes per batch",
        )
    )
    events = sum(n for op, n in calls.items() if op == "events:PutEvents")
    lines += [
        Line("EventBridge: events", events * PRICES["eventbridge_event"], f"{events} PutEvents calls"),
        Line(
            "CloudWatch Logs: ingestion",
            run["log_bytes"] / 1e9 * PRICES["logs_ingested_gb"],
            f"{run['log_bytes'] / 1e3:.0f} kB of handler logs",
        ),
        Line(
            "X-Ray: traces",
            (run["sources"] + math.ceil(parsed / 10)) * PRICES["xray_trace"],
            "one trace per invocation (Tracing: Active)",
        ),
    ]
    return lines


def _halving(lines: list[Line], top: Line, new: int) -> list[str]:
    """What would halve the total: the top line's lever, priced from the same measurements."""
    total = sum(x.usd for x in lines)
    rest = sorted((x for x in lines if x is not top), key=lambda x: -x.usd)
    second = rest[0] if rest else None
    levers = {
        "Lambda: fetch workers (GB-s)": "a fetch worker is billed while it waits out each host's interval "
        "(1 s after every answer): fewer GB per worker (below) or several sources' waits overlapped "
        "in one worker (a fetch-queue batch of several sources run side by side) shrink it",
        "Lambda: parser (GB-s)": "the parser's CPU per page (docs/benchmarks.md, parser throughput)",
        "S3: PUT requests": "two PUTs per article (the raw page, the article JSON) are this design's floor",
        "DynamoDB: writes": "fewer index entries per article, or no GSI copies of items no index query needs",
    }
    lever = levers.get(top.what, "")
    out = [f"Halving the total ({total * 1000 / new:.5f}) needs about {total * 500 / new:.5f} less."]
    if lever:
        out.append(f"The top line's lever: {lever}.")
    if second is not None:
        out.append(
            f"Next after it: **{second.what}** ({second.usd * 1000 / new:.5f}, {second.usd / total:.0%})."
        )
    return [" ".join(out), ""]


def _fetch_memory(fetcher: dict[str, Any], facts: dict[str, Any], new: int) -> list[str]:
    """The fetch line at other memory sizes, beside the worker's measured peak RSS."""
    rss = fetcher.get("worker_rss")
    first = fetcher["first"]
    chosen = _memory(facts, "FetcherFunction") * 1024
    out = ["### The fetch worker's memory", ""]
    if rss:
        out += [
            f"Measured peak RSS of one fetch worker running one source of {fetcher['config']['articles']} "
            f"articles through the real handler in a fresh process: **{rss['worker_peak_mb']:.0f} MB** "
            f"(importing the handler: {rss['after_import_mb']:.0f} MB; the job adds "
            f"{rss['after_job_mb'] - rss['before_job_mb']:.0f} MB; moto, standing in for AWS in that "
            "process, is left out). Lambda's runtime adds a few tens of MB; a page is at most "
            "MaxBodyBytes (10 MB) per fetch thread.",
            "",
        ]
    out += ["| fetcher memory | fetch workers, USD per 1,000 articles (x86_64) |", "|---|---|"]
    for mb in (128, 256, 512, 1024):
        usd = first["worker_seconds"] * mb / 1024 * PRICES["lambda_gb_s_x86_64"] * 1000 / new
        mark = " (template.yaml)" if mb == chosen else ""
        out.append(f"| {mb} MB{mark} | {usd:.5f} |")
    config = fetcher["config"]
    floor_s = float(config["latency"]) + float(config["interval"])  # per request, by the rule
    measured_s = first["worker_seconds"] / max(int(first["fetched"]), 1)
    floor_usd = floor_s * chosen / 1024 * PRICES["lambda_gb_s_x86_64"] * 1000
    out += [
        "",
        f"Billed worker time per article here: {measured_s:.2f} s, where politeness alone asks "
        f"{floor_s:.2f} s (one answer plus one interval per request): the benchmark runs all 20 "
        "workers, the sites and moto in one process on a shared 2-core machine, so each request "
        "also waits for CPU (docs/benchmarks.md, fetcher). At the floor the fetch line would be "
        f"{floor_usd:.5f} per 1,000 articles at {chosen:.0f} MB.",
        "",
        "Lambda gives CPU in proportion to memory (a full vCPU at 1,769 MB): the fetcher's work per",
        "article is small beside the 1 s it waits per host, so less memory costs little time here.",
        "",
    ]
    return out


def _writes_by_item(run: dict[str, Any], new: int) -> list[str]:
    by_item: dict[str, float] = run.get("dynamodb_wru_by_item") or {}
    if not by_item:
        return []
    out = [
        "### DynamoDB write units per article, by item",
        "",
        "| table and item | write units per new article |",
        "|---|---|",
    ]
    for name, units in sorted(by_item.items(), key=lambda kv: -kv[1]):
        out.append(f"| {name} | {units / new:.2f} |")
    out += [f"| **total** | **{sum(by_item.values()) / new:.2f}** |", ""]
    if run.get("dynamodb_wru_rule") != "gsi-copies-at-standard-rate":
        out += [
            "This run counted the index copies of transactional writes at the transactional rate",
            "(twice), like the items themselves: an upper bound, since index copies are billed at",
            "the standard rate (the counter now does so; the next `make bench-perf` measures it).",
            "",
        ]
    return out


def _table(lines: list[Line], scale: float) -> list[str]:
    total = sum(line.usd for line in lines) * scale
    out = ["| line | USD | share | measured basis (per benchmark run) |", "|---|---|---|---|"]
    for line in sorted(lines, key=lambda x: -x.usd):
        share = line.usd * scale / total if total else 0.0
        out.append(f"| {line.what} | {line.usd * scale:.5f} | {share:.0%} | {line.basis} |")
    out.append(f"| **total** | **{total:.5f}** | | |")
    return out


def render(results: Path, facts: dict[str, Any], new_per_day: int, runs_per_day: int) -> str:
    fetcher = json.loads((results / "fetcher.json").read_text(encoding="utf-8"))
    throughput = json.loads((results / "throughput.json").read_text(encoding="utf-8"))
    parser_s = float(throughput["handler"]["median_batch_s"]) / 10
    first, second = fetcher["first"], fetcher["second"]
    new = max(int(first["parsed"]), 1)
    doc = [
        "# Cost",
        "",
        "Generated by `python bench/cost.py` (run by `make bench`) from the measured figures in",
        "`bench/results/` (`bench/fetcher.py`, `bench/throughput.py`) and the memory sizes in",
        "`template.yaml`; not written by hand. Prices: AWS list prices, us-east-1, no free tier",
        f"(`PRICES` in bench/cost.py). Generated {datetime.now(UTC):%Y-%m-%d}.",
        "",
        f"The fetcher benchmark: {fetcher['config']['hosts']} sources x {fetcher['config']['articles']} "
        f"articles, {fetcher['config']['interval']} s per-host interval, "
        f"{fetcher['config']['latency']} s latency; {new} new articles in the first run.",
        "",
    ]
    totals = {}
    for arch in ("x86_64", "arm64"):
        lines = per_run_lines(first, parser_s, facts, arch)
        totals[arch] = sum(line.usd for line in lines) * 1000 / new
        if arch == "x86_64":
            doc += [f"## 1,000 articles ({arch}, as deployed: {facts['architecture']})", ""]
            doc += _table(lines, 1000 / new)
            top = max(lines, key=lambda x: x.usd)
            total = sum(x.usd for x in lines)
            doc += [
                "",
                f"The line that dominates: **{top.what}** ({top.usd / total:.0%}).",
                "",
            ]
            doc += _halving(lines, top, new)
            doc += _fetch_memory(fetcher, facts, new)
            doc += _writes_by_item(first, new)
    doc += [
        "| architecture | USD per 1,000 articles |",
        "|---|---|",
        *(f"| {arch} | {usd:.5f} |" for arch, usd in totals.items()),
        "",
        "arm64 is priced with the x86_64 durations measured here (this machine is x86_64; every",
        "dependency of the layer publishes aarch64 wheels), so its line is an estimate.",
        "",
    ]
    # One source-month: the steady-state run (nothing new) every run, plus its new articles.
    sources = max(int(second["sources"]), 1)
    idle = per_run_lines(second, parser_s, facts, "x86_64")
    idle_per_run = sum(line.usd for line in idle) / sources
    per_article = totals["x86_64"] / 1000
    month_runs = runs_per_day * 30
    month_articles = new_per_day * 30
    schedule = month_runs * PRICES["scheduler_invocation"] / max(sources, 1)
    doc += [
        "## One source-month",
        "",
        f"A source polled {runs_per_day} times a day that publishes {new_per_day} articles a day:",
        "",
        "| part | USD |",
        "|---|---|",
        f"| {month_runs} runs finding nothing new (measured second run, per source) | "
        f"{month_runs * idle_per_run:.5f} |",
        f"| {month_articles} new articles | {month_articles * per_article:.5f} |",
        f"| scheduler share | {schedule:.6f} |",
        f"| **total** | **{month_runs * idle_per_run + month_articles * per_article + schedule:.4f}** |",
        "",
        "Fixed per deployment, whatever the sources: Lambda's event source mappings long-poll the",
        f"fetch and parse queues (about {IDLE_POLLS_PER_QUEUE_MONTH:,} requests a month per queue, five",
        "pollers of 20 s each), about "
        f"{2 * IDLE_POLLS_PER_QUEUE_MONTH * PRICES['sqs_request']:.2f} USD a month for the two.",
        "",
        "The steady-state run costs per source:",
        "",
        *_table(idle, 1 / sources),
        "",
    ]
    return "\n".join(doc) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "cost.md")
    parser.add_argument("--template", type=Path, default=REPO / "template.yaml")
    parser.add_argument("--new-per-day", type=int, default=20)
    parser.add_argument("--runs-per-day", type=int, default=24)
    args = parser.parse_args(argv)
    for name in ("fetcher.json", "throughput.json"):
        if not (args.results / name).exists():
            print(f"missing {args.results / name}: run `make bench` first", file=sys.stderr)
            return 2
    text = render(args.results, template_facts(args.template), args.new_per_day, args.runs_per_day)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
