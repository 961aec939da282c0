"""Fetcher benchmark: a synthetic network of hosts, one cycle through the local runner, twice.

A site of HOSTS hosts x ARTICLES articles, each host on its own loopback address, with injected
latency and a per-host interval (`MIN_HOST_INTERVAL_SECONDS`). The best time the rules allow is
known: each host needs (robots.txt + feed + articles) requests, one at a time, each sent at least
the interval after the host ANSWERED the one before (the rule the fetcher enforces, so that the
interval holds at the server whatever the client's delays), hosts in parallel, so
`requests per host * latency + (requests per host - 1) * interval`; the achieved time is reported
as a fraction of it (1.0 = as fast as politeness allows), and beside it the fraction of the looser
send-to-send bound `(requests per host - 1) * interval + latency` (the first round's figure).
AWS requests are counted per service and operation at botocore's one entry point (every
handler's client), HTTP requests on the server. The second run over the same site finds
nothing new: conditional GETs. The run goes through `newsdesk.local.runner.run_cycle`, the same
path as `newsdesk run`.

    python -m bench.fetcher [--hosts 20] [--articles 50] [--latency 0.1] [--interval 1.0] [--json F]
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import re
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.fakesites import NewsNetwork, Site, site_addresses
from bench.report import docs_main

REPO = Path(__file__).resolve().parent.parent


def template_gsi_keys(path: Path = REPO / "template.yaml") -> dict[str, list[frozenset[str]]]:
    """Each DynamoDB table of the template (logical name) -> each GSI's key attribute names."""
    import yaml

    from bench.coldstart import _Loader  # the template reader that tolerates CloudFormation tags

    template = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    out: dict[str, list[frozenset[str]]] = {}
    for name, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::DynamoDB::Table":
            indexes = (resource.get("Properties") or {}).get("GlobalSecondaryIndexes") or []
            out[name] = [frozenset(k["AttributeName"] for k in index["KeySchema"]) for index in indexes]
    return out


def _item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's item size, near enough: attribute names plus their values as JSON."""
    return sum(len(name) + len(json.dumps(value, default=str)) for name, value in item.items())


class CpuSampler:
    """The benchmark process's CPU time, sampled in the background: how busy the one process that
    holds every worker, the sites and moto was during the fetch phase (1.0 = one core)."""

    def __init__(self, every: float = 0.25) -> None:
        self.samples: list[tuple[float, float]] = []
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), time.process_time()))
            self._stop.wait(self._every)

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def cpu_between(self, start: float, end: float) -> float:
        inside = [cpu for t, cpu in self.samples if start <= t <= end]
        return (max(inside) - min(inside)) if len(inside) >= 2 else 0.0


class RequestCounter:
    """Counts every AWS API call that any boto3 client of the default session makes, with the
    sizes that prices depend on: DynamoDB items written (write units are per KB, twice that in a
    transaction, plus one copy per GSI whose key attributes the item has, at the item's full size:
    an upper bound for an INCLUDE projection), S3 bodies."""

    def __init__(self, gsi_keys: dict[str, list[frozenset[str]]] | None = None) -> None:
        self.calls: Counter[str] = Counter()
        self.dynamodb_write_kb: Counter[str] = Counter()  # table -> 1 KB units written, base table only
        # Write request units as billed: table -> units, GSI copies and transactions included.
        self.dynamodb_wru: Counter[str] = Counter()
        # Which items take them: "table PREFIX" (the crawl state's pk kinds: URL, QUEUE, HOST...).
        self.dynamodb_wru_by_item: Counter[str] = Counter()
        self.s3_put_bytes = 0
        self.gsi_keys = gsi_keys or {}  # logical table name -> each GSI's key attributes
        self._lock = threading.Lock()

    def clear(self) -> None:
        self.calls.clear()
        self.dynamodb_write_kb.clear()
        self.dynamodb_wru.clear()
        self.dynamodb_wru_by_item.clear()
        self.s3_put_bytes = 0

    def _gsis_of(self, table: str) -> list[frozenset[str]]:
        return next((keys for logical, keys in self.gsi_keys.items() if logical in table), [])

    def _write(self, table: str, item: dict[str, Any], names: set[str], factor: int = 1) -> None:
        kb = 1 + _item_bytes(item) // 1024
        copies = sum(1 for keys in self._gsis_of(table) if keys <= names)
        # A transaction doubles the table's write; index copies are written at the standard rate.
        units = kb * factor + kb * copies
        pk = item.get("pk", {}).get("S", "") if isinstance(item.get("pk"), dict) else ""
        kind = pk.split("#", 1)[0] if "#" in pk else "item"
        logical = next((name for name in self.gsi_keys if name in table), table)
        with self._lock:
            self.dynamodb_write_kb[table] += kb
            self.dynamodb_wru[table] += units
            self.dynamodb_wru_by_item[f"{logical} {kind}"] += units

    @staticmethod
    def _updated_names(params: dict[str, Any]) -> set[str]:
        aliases = params.get("ExpressionAttributeNames", {})
        words = re.findall(r"#?[A-Za-z_][A-Za-z0-9_]*", params.get("UpdateExpression", ""))
        return {aliases.get(w, w) for w in words} | set(params.get("Key", {}))

    def __call__(self, model: Any, params: dict[str, Any] | None = None, **_kwargs: Any) -> None:
        service, operation = model.service_model.service_name, model.name
        with self._lock:
            self.calls[f"{service}:{operation}"] += 1
        params = params or {}
        if service == "dynamodb" and operation == "PutItem":
            self._write(params.get("TableName", "?"), params["Item"], set(params["Item"]))
        elif service == "dynamodb" and operation == "UpdateItem":
            self._write(params.get("TableName", "?"), params["Key"], self._updated_names(params))
        elif service == "dynamodb" and operation == "DeleteItem":
            self._write(params.get("TableName", "?"), params["Key"], set())
        elif service == "dynamodb" and operation == "BatchWriteItem":
            for table, requests in params.get("RequestItems", {}).items():
                for request in requests:
                    if "PutRequest" in request:
                        item = request["PutRequest"]["Item"]
                        self._write(table, item, set(item))
                    else:
                        self._write(table, request.get("DeleteRequest", {}).get("Key", {}), set())
        elif service == "dynamodb" and operation == "TransactWriteItems":
            for entry in params.get("TransactItems", []):
                for kind, body in entry.items():
                    table = body.get("TableName", "?")
                    if kind == "Put":
                        self._write(table, body["Item"], set(body["Item"]), factor=2)
                    elif kind == "Update":
                        self._write(table, body["Key"], self._updated_names(body), factor=2)
                    elif kind == "Delete":
                        self._write(table, body["Key"], set(), factor=2)
        elif service == "s3" and operation == "PutObject":
            body = params.get("Body", b"")
            with self._lock:
                self.s3_put_bytes += len(body) if isinstance(body, bytes | str) else 0

    def by_service(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for key, count in self.calls.items():
            out[key.split(":", 1)[0]] += count
        return dict(out)


def install_counter(gsi_keys: dict[str, list[frozenset[str]]] | None = None) -> RequestCounter:
    """Count at the one place every client passes, whatever session made it: Powertools'
    idempotency layer, for one, builds its own boto3 session, out of reach of the default
    session's event hooks."""
    from botocore.client import BaseClient

    counter = RequestCounter(gsi_keys if gsi_keys is not None else template_gsi_keys())
    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def counted(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        counter(client.meta.service_model.operation_model(operation_name), params=api_params)
        return original(client, operation_name, api_params)

    BaseClient._make_api_call = counted  # type: ignore[attr-defined]
    return counter


def one_run(
    stack: Any, sources: Path, network: NewsNetwork, counter: RequestCounter, *, workers: int, interval: float
) -> dict[str, Any]:
    from newsdesk.local.runner import run_cycle

    counter.clear()
    network.requests.clear()
    log = io.StringIO()
    started = time.perf_counter()
    with CpuSampler() as sampler:
        summary = run_cycle(
            stack,
            sources_file=sources,
            allow_private_networks=True,
            log=log,
            workers=workers,
            fetcher_overrides={"MIN_HOST_INTERVAL_SECONDS": str(interval)},
        )
    elapsed = time.perf_counter() - started
    # The fetch phase as the sites saw it: first request received to last answer sent.
    stamps = [t for entries in network.requests.values() for t, _path in entries]
    latency = max((s.latency for s in network.sites.values()), default=0.0)
    # What the fetch workers are billed for, at least: each host's span of requests (one worker
    # per source, one source per host here), plus the last answer's latency.
    spans = [max(t for t, _ in e) - min(t for t, _ in e) + latency for e in network.requests.values() if e]
    # Where the time goes beyond the rule: hosts starting late (workers picking up their job),
    # and each request's delay past "answer + interval" (the worker's own work between requests).
    firsts = [min(t for t, _ in e) for e in network.requests.values() if e]
    excess = [
        b - a - latency - interval
        for e in network.requests.values()
        for a, b in itertools.pairwise(sorted(t for t, _ in e))
    ]
    fetch_cpu = sampler.cpu_between(min(stamps), max(stamps)) if stamps else 0.0
    return {
        "seconds": elapsed,
        "fetch_phase_cpu_seconds": fetch_cpu,
        "worker_seconds": sum(spans),
        "host_start_spread_seconds": (max(firsts) - min(firsts)) if firsts else 0.0,
        "longest_host_span_seconds": max(spans, default=0.0),
        "mean_excess_gap_seconds": statistics.fmean(excess) if excess else 0.0,
        "sources": len(network.sites),
        "jobs": len(summary.jobs),  # fetch-worker invocations, continuations included
        "fetch_seconds": (max(stamps) - min(stamps) + latency) if stamps else 0.0,
        "discovered": summary.discovered,
        "fetched": summary.fetched,
        "parsed": summary.parsed,
        "failed": summary.failed,
        "http_requests": len(stamps),
        "aws_requests": dict(counter.calls),
        "aws_by_service": counter.by_service(),
        "dynamodb_write_kb": dict(counter.dynamodb_write_kb),
        "dynamodb_wru": dict(counter.dynamodb_wru),
        "dynamodb_wru_by_item": dict(counter.dynamodb_wru_by_item),
        "dynamodb_wru_rule": "gsi-copies-at-standard-rate",
        "s3_put_bytes": counter.s3_put_bytes,
        "log_bytes": len(log.getvalue().encode()),
    }


_PROBE = """
import importlib.util, json, os, resource, sys

def peak_mb():
    # VmHWM, not ru_maxrss: the latter survives exec and would report the parent's peak.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

os.environ.update({
    "RAW_BUCKET": "probe-raw", "CRAWL_TABLE": "probe-crawl", "ALLOW_PRIVATE_NETWORKS": "true",
    "MIN_HOST_INTERVAL_SECONDS": "0", "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "probe", "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
})
spec = importlib.util.spec_from_file_location("fetcher_app", sys.argv[1])
app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app)
after_import = peak_mb()
import boto3
from moto import mock_aws
from newsdesk.local.lambda_runtime import LocalContext
mock_aws().start()
boto3.client("s3").create_bucket(Bucket="probe-raw")
boto3.client("dynamodb").create_table(
    TableName="probe-crawl",
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[
        {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}
    ],
    BillingMode="PAY_PER_REQUEST",
)
before_job = peak_mb()
job = {"source": json.loads(sys.argv[2]), "dispatched_at": 0.0}
result = app.lambda_handler(
    {"Records": [{"messageId": "probe", "body": json.dumps(job)}]},
    LocalContext(function_name="FetcherFunction", timeout_seconds=300),
)
fetched = sum(int(r.get("fetched", 0)) for r in result["results"])
print(json.dumps({"after_import_mb": after_import, "before_job_mb": before_job, "after_job_mb": peak_mb(),
                  "fetched": fetched}))
"""


def worker_rss(network: NewsNetwork, site: Site) -> dict[str, float]:
    """Peak RSS of one fetch worker running one source, in a fresh process, with the real handler.

    The process also holds moto (the stand-in for AWS), so the worker's own peak is estimated as
    what importing the handler takes plus what running the job adds on top of moto's share.
    """
    import subprocess
    import sys

    from newsdesk.sources import Source

    source = Source(
        id=site.name,
        name=site.name,
        feeds=[f"{network.base_url(site)}/feed.xml"],
        max_articles_per_run=max(site.articles, 1),
    )
    app = Path(__file__).resolve().parent.parent / "functions" / "fetcher" / "app.py"
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(app), source.model_dump_json()],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    probe: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    probe["worker_peak_mb"] = probe["after_import_mb"] + probe["after_job_mb"] - probe["before_job_mb"]
    return probe


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument(
        "--workers", type=int, help="parallel fetch workers (default: one per host, as the best time assumes)"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from newsdesk.local.aws import ensure_stack, local_aws

    sites = [Site(a, articles=args.articles, latency=args.latency) for a in site_addresses(args.hosts)]
    per_host = args.articles + 2  # robots.txt, the feed, the articles
    best = per_host * args.latency + (per_host - 1) * args.interval
    best_send_to_send = (per_host - 1) * args.interval + args.latency
    with NewsNetwork(sites) as network, tempfile.TemporaryDirectory() as tmp, local_aws(None):
        sources = Path(tmp) / "sources.yaml"
        # Due on every tick: the second run is the steady state of a source polled again.
        sources.write_text(network.sources_yaml(every="1s"), encoding="utf-8")
        stack = ensure_stack()
        counter = install_counter()
        workers = args.workers or args.hosts
        first = one_run(stack, sources, network, counter, workers=workers, interval=args.interval)
        gaps = network.min_gaps()
        second = one_run(stack, sources, network, counter, workers=workers, interval=args.interval)
        # A fresh address on the same server: its own crawl state, nothing seen yet.
        probe_site = Site(site_addresses(1, start=args.hosts + 2)[0], articles=args.articles, latency=0.0)
        network.sites[probe_site.address] = probe_site
        rss = worker_rss(network, probe_site)
    new = max(first["fetched"], 1)
    print(
        f"fetcher: {args.hosts} hosts x {args.articles} articles, latency {args.latency}s, "
        f"interval {args.interval}s, {args.workers or args.hosts} workers; best allowed {best:.1f}s"
    )
    for label, run in (("first run", first), ("second run", second)):
        aws = run["aws_by_service"]
        print(
            f"  {label:<11} {run['seconds']:7.1f}s (fetch phase {run['fetch_seconds']:.1f}s)  "
            f"fetched {run['fetched']}  parsed {run['parsed']}  "
            f"failed {run['failed']}  http {run['http_requests']}  aws {sum(aws.values())} "
            + " ".join(f"{k}={v}" for k, v in sorted(aws.items()))
        )
    ratio = best / first["fetch_seconds"] if first["fetch_seconds"] else 0.0
    loose = best_send_to_send / first["fetch_seconds"] if first["fetch_seconds"] else 0.0
    print(
        f"  best allowed / achieved fetch phase (first run; goal >= 0.95): {ratio:.2f}"
        f"  (against the send-to-send bound {best_send_to_send:.1f}s: {loose:.2f})"
    )
    print(
        f"  per new article (first run): http {first['http_requests'] / new:.2f}, "
        + ", ".join(f"{k} {v / new:.2f}" for k, v in sorted(first["aws_by_service"].items()))
    )
    print(
        "  where the fetch phase goes (first run): hosts started over "
        f"{first['host_start_spread_seconds']:.1f}s, "
        f"longest host {first['longest_host_span_seconds']:.1f}s, "
        f"each request {first['mean_excess_gap_seconds'] * 1000:.0f} ms after answer + interval on average"
    )
    fetch_wall = max(first["fetch_seconds"], 1e-9)
    print(
        f"  the one benchmark process (20 workers, the sites, moto) used "
        f"{first['fetch_phase_cpu_seconds']:.1f} CPU-s in the {fetch_wall:.1f} s fetch phase "
        f"({first['fetch_phase_cpu_seconds'] / fetch_wall:.2f} cores; "
        f"{first['fetch_phase_cpu_seconds'] * 1000 / new:.0f} ms per article; "
        f"the rule allows {best * 1000 / new:.0f} ms of wall time per article across all hosts)"
    )
    print(f"  second run / first run time: {second['seconds'] / first['seconds']:.2f}")
    print(
        f"  shortest gap between two requests to one host (first run, at the server): "
        f"{min(gaps.values()):.3f}s (interval {args.interval}s)"
    )
    print(
        f"  one fetch worker, one source of {args.articles} articles, "
        f"peak RSS: {rss['worker_peak_mb']:.0f} MB "
        f"(handler imported {rss['after_import_mb']:.0f} MB; the job adds "
        f"{rss['after_job_mb'] - rss['before_job_mb']:.0f} MB; fetched {rss['fetched']:.0f})"
    )
    print(f"  machine load (1/5/15-min averages) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "config": vars(args) | {"json": None},
                    "best_seconds": best,
                    "best_send_to_send_seconds": best_send_to_send,
                    "load_average": os.getloadavg(),
                    "first": first,
                    "second": second,
                    "min_gap_seconds": min(gaps.values()),
                    "worker_rss": rss,
                },
                indent=2,
                default=str,
            )
            + "\n"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    return docs_main("bench-fetcher", "bench.fetcher", _main, argv)


if __name__ == "__main__":
    raise SystemExit(main())
