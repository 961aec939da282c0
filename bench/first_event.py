"""Import + first event: what a new execution environment's first invocation costs, per handler.

Whatever a handler no longer imports at cold start, its first event imports instead. Each run is a
fresh `python -B -S -E` process with only the function's code and the built layer on the path (as
in bench.coldstart), against a moto server on 127.0.0.1 holding the stack's resources and the
bundled sample site: it times the import, the first event, then a second event of the same work
(warm). first - warm is what the first invocation pays on top: the deferred imports and the
clients each handler creates on first use.

- dispatcher: a scheduled event over the sample sources (two due sources; the second event reads a
  file with two other ids, so it dispatches as much);
- fetcher: one fetch job for the sample Kyiv Independent feed (robots.txt, the feed, its pages),
  the second on a second sample server (other URLs, the same work), host interval 0;
- parser: the sample SQS batch (two raw pages), the second naming copies of them under other keys.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

_PROBE = """
import json, sys, time
sys.path[:0] = {paths!r}
steps = json.loads(open({steps!r}, encoding="utf-8").read())

class Context:
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench-request"
    log_group_name = log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 600000

times = []
start = time.perf_counter()
import {module} as handler_module
times.append(time.perf_counter() - start)
for step in steps:
    if step.get("write"):
        open(step["write"][0], "w", encoding="utf-8").write(step["write"][1])
    start = time.perf_counter()
    result = handler_module.lambda_handler(step["event"], Context())
    times.append(time.perf_counter() - start)
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if failures:
        raise SystemExit(f"batch item failures: {{failures}}")
print("BENCH " + json.dumps(times))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sqs_event(bodies: list[str]) -> dict[str, Any]:
    return {
        "Records": [
            {"messageId": f"bench-{i}", "receiptHandle": "bench", "body": body, "eventSource": "aws:sqs"}
            for i, body in enumerate(bodies)
        ]
    }


def _run(module: str, paths: list[str], env: dict[str, str], steps: list[dict[str, Any]]) -> list[float]:
    from bench.coldstart import _environment

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(steps, handle)
    try:
        code = _PROBE.format(paths=paths, steps=handle.name, module=module)
        done = subprocess.run(
            [sys.executable, "-B", "-S", "-E", "-c", code],
            env={**_environment(env), "HOME": os.environ.get("HOME", "/tmp")},
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        Path(handle.name).unlink()
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{module} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    times: list[float] = json.loads(lines[-1][len("BENCH ") :])
    return times


def _sources_yaml(site_url_text: str, suffix: str) -> str:
    return site_url_text.replace("id: kyiv-independent", f"id: kyiv-{suffix}").replace(
        "id: harbour-gazette", f"id: harbour-{suffix}"
    )


def measure(build_dir: Path, runs: int) -> dict[str, dict[str, float]]:
    """Median seconds of import, first event and warm event, per function."""
    import boto3
    from moto.server import ThreadedMotoServer

    from bench.coldstart import functions
    from newsdesk.fanout import FetchJob
    from newsdesk.local.aws import ensure_stack
    from newsdesk.local.sam_local import SAMPLE_PAGES, local_parser_event, sample_raw_page
    from newsdesk.local.sample_site import SampleSiteServer
    from newsdesk.sources import parse_sources_text
    from newsdesk.storage.s3 import RawPageStore

    layer = str(build_dir / "NewsdeskLayer" / "python")
    found = functions(build_dir)
    endpoint_port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=endpoint_port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{endpoint_port}"
    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    samples: dict[str, list[list[float]]] = {name: [] for name in found}
    try:
        stack = ensure_stack()
        aws = {"AWS_ENDPOINT_URL": endpoint, "POWERTOOLS_TRACE_DISABLED": "true"}
        raw = RawPageStore(stack.name("RawBucket"), boto3.client("s3"))
        sample_event = local_parser_event(stack)
        for run in range(runs):
            with ExitStack() as servers, tempfile.TemporaryDirectory() as tmp:
                site_a = servers.enter_context(SampleSiteServer())
                site_b = servers.enter_context(SampleSiteServer())
                # Dispatcher: two due sources, then two other due sources.
                sources_file = Path(tmp) / "sources.yaml"
                sources_file.write_text(_sources_yaml(site_a.sources_text(), f"r{run}a"), encoding="utf-8")
                schedule = json.loads((REPO / "events/dispatcher-schedule.json").read_text(encoding="utf-8"))
                steps = [
                    {"event": schedule},
                    {
                        "event": schedule,
                        "write": [str(sources_file), _sources_yaml(site_a.sources_text(), f"r{run}b")],
                    },
                ]
                fn = found["DispatcherFunction"]
                env = {**fn["env"], **stack.dispatcher_env, **aws, "SOURCES_FILE": str(sources_file)}
                samples["DispatcherFunction"].append(_run(fn["module"], [fn["code"], layer], env, steps))
                # Fetcher: the Kyiv Independent sample feed, on two servers (the same work, other URLs).
                jobs = []
                for site, suffix in ((site_a, "a"), (site_b, "b")):
                    source = parse_sources_text(
                        _sources_yaml(site.sources_text(), f"f{run}{suffix}"), origin="bench"
                    )[0]
                    body = FetchJob(source=source, dispatched_at=time.time()).model_dump_json()
                    jobs.append({"event": _sqs_event([body])})
                fn = found["FetcherFunction"]
                env = {
                    **fn["env"],
                    **stack.fetcher_env,
                    **aws,
                    "ALLOW_PRIVATE_NETWORKS": "true",
                    "MIN_HOST_INTERVAL_SECONDS": "0",
                }
                samples["FetcherFunction"].append(_run(fn["module"], [fn["code"], layer], env, jobs))
                # Parser: the sample batch twice, under keys of this run (idempotency would skip repeats).
                batches = []
                for suffix in ("a", "b"):
                    bodies = []
                    for source_id, page_id, day, path in SAMPLE_PAGES:
                        page = sample_raw_page(
                            source_id, f"{page_id.replace(' ', '-')}-p{run}{suffix}", day, path
                        )
                        key = raw.put(page)
                        record = json.loads(sample_event["Records"][0]["body"])
                        record["Records"][0]["s3"]["object"]["key"] = key
                        record["Records"][0]["s3"]["object"]["eTag"] = f"bench-{run}{suffix}-{page.id}"
                        bodies.append(json.dumps(record))
                    batches.append({"event": _sqs_event(bodies)})
                fn = found["ParserFunction"]
                env = {**fn["env"], **stack.parser_env, **aws}
                samples["ParserFunction"].append(_run(fn["module"], [fn["code"], layer], env, batches))
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {
        name: {
            "import_ms": statistics.median(t[0] for t in values) * 1000,
            "first_event_ms": statistics.median(t[1] for t in values) * 1000,
            "warm_event_ms": statistics.median(t[2] for t in values) * 1000,
        }
        for name, values in samples.items()
    }


def report(results: dict[str, dict[str, float]], runs: int) -> None:
    print(
        f"\nimport + first event, median of {runs} fresh processes (moto on 127.0.0.1, the sample site);"
        f" load average {os.getloadavg()[0]:.1f} at end"
    )
    print(f"{'what':<22}{'import':>9}{'1st event':>11}{'import+1st':>12}{'warm event':>12}{'1st - warm':>12}")
    for name, r in results.items():
        first, warm = r["first_event_ms"], r["warm_event_ms"]
        print(
            f"{name:<22}{r['import_ms']:9.0f}{first:11.0f}{r['import_ms'] + first:12.0f}"
            f"{warm:12.0f}{first - warm:12.0f}"
        )
