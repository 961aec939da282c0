"""Parser throughput: pages per second per core and peak memory, newsdesk beside trafilatura;
and the parser handler's time per SQS batch of 10 pages, S3 and DynamoDB included, on moto.

Each tool runs in its own fresh process over the same pages (so peak memory is its own), and
pages per CPU-second is "per core": the process is single-threaded. The handler part plays the
real flow on an embedded moto: raw pages into the template's raw bucket, its notifications into
the parse queue, batches of 10 to the real parser handler (`newsdesk.local`).

    python -m bench.throughput [--limit 300] [--batches 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.report import docs_main

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# Every body collection's pages, in a fixed order: the same pages for every tool.
COLLECTIONS = (
    "extraction-benchmark",
    "body-benchmarks/fundus-dev",
    "body-benchmarks/dragnet",
    "body-benchmarks/trafilatura-eval",
)


def page_files(limit: int) -> list[Path]:
    """Up to `limit` pages, taken evenly from each collection that is present."""
    per = [sorted((SHARED / c / "html").glob("*.html.gz")) for c in COLLECTIONS if (SHARED / c).exists()]
    out: list[Path] = []
    index = 0
    while len(out) < limit and any(index < len(files) for files in per):
        out.extend(files[index] for files in per if index < len(files))
        index += 1
    return out[:limit]


def _worker(tool: str, files: list[str]) -> dict[str, Any]:
    """Runs inside the fresh process: import the tool, then extract every page."""
    pages = [gzip.decompress(Path(f).read_bytes()) for f in files]
    if tool == "newsdesk":
        from newsdesk.errors import ExtractionError
        from newsdesk.extraction import extract

        def run(html: bytes) -> None:
            with contextlib.suppress(ExtractionError):  # a refused page still cost its time
                extract(html, "https://example.org/a")
    else:
        import trafilatura

        def run(html: bytes) -> None:
            trafilatura.extract(html, url="https://example.org/a")

    run(pages[0])  # lazy imports and caches: not what a warm page costs
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for html in pages:
        run(html)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {
        "pages": len(pages),
        "cpu_s": cpu,
        "wall_s": wall,
        "pages_per_cpu_s": len(pages) / cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "baseline_mb": baseline_kb / 1024,
    }


def measure_tool(tool: str, files: list[Path]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.throughput", "--worker", tool],
        cwd=REPO,
        input=json.dumps([str(f) for f in files]),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def handler_batches(files: list[Path], batches: int) -> dict[str, Any]:
    """The real parser handler on batches of 10 notifications, on an embedded moto."""
    import boto3

    from newsdesk.local.aws import ensure_stack, local_aws
    from newsdesk.local.lambda_runtime import LocalFunction, drain_queue
    from newsdesk.local.template import function_properties, load_template
    from newsdesk.rawpage import RawPage
    from newsdesk.storage.s3 import RawPageStore

    with local_aws():
        stack = ensure_stack()
        template = load_template(stack.template_path)
        props = function_properties(template, "ParserFunction")
        parser = LocalFunction(
            "ParserFunction",
            stack.repo_root / str(props["CodeUri"]),
            stack.parser_env,
            float(props["Timeout"]),
            log=io.StringIO(),  # the handler's structured logs are not the benchmark's output
        )
        store = RawPageStore(stack.name("RawBucket"), boto3.client("s3"))
        queue = stack.name("ParseQueue")
        drain_queue(queue, parser)  # the bucket's test event, and the handler's cold start
        timings: list[float] = []
        invoke = parser.invoke

        def timed(event: dict[str, Any]) -> Any:
            start = time.perf_counter()
            try:
                return invoke(event)
            finally:
                timings.append(time.perf_counter() - start)

        parser.invoke = timed  # type: ignore[method-assign]
        now = datetime.now(UTC)
        for index, path in enumerate(files[: batches * 10]):
            store.put(
                RawPage(
                    source="bench",
                    id=f"page{index:05d}",
                    url=f"https://example.org/{index}",
                    final_url=f"https://example.org/{index}",
                    status=200,
                    body=gzip.decompress(path.read_bytes()),
                    fetched_at=now,
                    content_type="text/html",
                )
            )
        drained = drain_queue(queue, parser, batch_size=10)
    return {
        "batches": drained.invocations,
        "messages": drained.succeeded,
        "median_batch_s": statistics.median(timings) if timings else None,
        "max_batch_s": max(timings) if timings else None,
    }


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, default=300, help="pages for the throughput part")
    parser.add_argument("--batches", type=int, default=10, help="SQS batches of 10 for the handler part")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker, json.loads(sys.stdin.read()))))
        return 0
    files = page_files(args.limit)
    if not files:
        print(f"no pages under {SHARED}", file=sys.stderr)
        return 2
    tools = {name: measure_tool(name, files) for name in ("newsdesk", "trafilatura")}
    base = tools["trafilatura"]
    print(f"parser throughput on {len(files)} pages from {', '.join(COLLECTIONS)}")
    print(f"{'tool':<14}{'pages/cpu-s':>12}{'ratio':>8}{'peak MB':>9}{'ratio':>8}{'after import MB':>17}")
    for name, r in tools.items():
        print(
            f"{name:<14}{r['pages_per_cpu_s']:12.1f}{r['pages_per_cpu_s'] / base['pages_per_cpu_s']:8.2f}"
            f"{r['peak_mb']:9.0f}{r['peak_mb'] / base['peak_mb']:8.2f}{r['baseline_mb']:17.0f}"
        )
    batches = handler_batches(files, args.batches)
    per_page = 1 / tools["newsdesk"]["pages_per_cpu_s"]
    print(
        f"parser handler on moto: {batches['batches']} batches of 10, median "
        f"{batches['median_batch_s']:.2f} s per batch (extraction alone ~{10 * per_page:.2f} s), "
        f"max {batches['max_batch_s']:.2f} s"
    )
    if args.json:
        args.json.write_text(json.dumps({"tools": tools, "handler": batches}, indent=2) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    return docs_main("bench-throughput", "bench.throughput", _main, argv)


if __name__ == "__main__":
    raise SystemExit(main())
