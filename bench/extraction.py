"""Body-extraction benchmark: newsdesk against every peer, every body collection, one run.

    python -m bench.extraction [--fresh] [--quick] [--worst N] [--tools a,b] [--collections a,b]
                               [--tunable module:attr] [--docs] [--json FILE]

Collections (`bench.data.body_collections()`): scrapinghub, dragnet, fundus-dev (shingle F1) and
trafilatura-eval (its own snippet metric). Tools (`bench.tools.body_tools()`): newsdesk, trafilatura
default and favor_precision, readability-lxml, newspaper4k. Outputs come from the cache
(`bench.cache`) where present; `--fresh` re-runs every tool on every page in this run, which is
what the timing columns need (`make bench-extract` does that). Tunables (`bench.tunables`) are
evaluated leave-one-collection-out from the cached outputs; an untuned tool's held-out figure is
its in-sample one. `--docs` rewrites the body section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report, score
from bench.data import Collection, body_collections, shared_dir
from bench.loco import Evaluation, Tunable, evaluate
from bench.runner import Runs, run_collection, timings
from bench.tools import Tool, body_tools
from bench.tunables import BODY

BASE = "trafilatura"
OURS = "newsdesk"


@dataclass
class Row:
    name: str
    label: str
    summary: score.Summary
    std: float
    held_out: float | None
    clean_f1: float | None  # without flagged (damaged) pages
    times: list[float]
    peer: bool
    covered: int = 0  # pages the tool has an output for (a --cache-only tool may lack some)
    pages: int = 0

    @property
    def complete(self) -> bool:
        return self.covered == self.pages

    @property
    def shown(self) -> str:
        return report.shown_name(self.label, self.covered, self.pages)


def load_tunable(spec: str) -> Tunable:
    module, _, attr = spec.partition(":")
    factory = getattr(importlib.import_module(module), attr)
    tunable: Tunable = factory()
    return tunable


def _scores(collection: Collection, outputs: dict[str, Any]) -> list[score.AnyScore]:
    """Scores of the pages the tool has an output for (all of them, unless it ran --cache-only)."""
    return [score.body(p.kind, p.truth, outputs[p.id] or "") for p in collection.pages if p.id in outputs]


def rows_for(
    collection: Collection,
    tools: Sequence[Tool],
    runs: Runs,
    evaluations: dict[str, Evaluation],
    sampled: dict[str, list[float]] | None = None,
    *,
    stand_ins: dict[str, str] | None = None,
) -> list[Row]:
    """`stand_ins`: tool name -> the tunable whose held-out F1 is that tool's (its own rules, refit)."""
    rows = []
    flagged = {p.id for p in collection.pages if p.flags}
    held_outs = {
        tool: score.aggregate(_scores(collection, _held_out(evaluations[name], collection))).f1
        for tool, name in (stand_ins or {}).items()
        if name in evaluations
    }
    for tool in tools:
        outputs = {k: v["out"] for k, v in runs[tool.name].items()}
        scores = _scores(collection, outputs)
        summary = score.aggregate(scores)
        clean = None
        if flagged:
            kept = {k: v for k, v in outputs.items() if k not in flagged}
            clean = score.aggregate(_scores(collection, kept)).f1
        times = sampled[tool.name] if sampled is not None else [v["ms"] for v in runs[tool.name].values()]
        rows.append(
            Row(
                tool.name,
                tool.label,
                summary,
                score.bootstrap_f1_std(scores),
                held_outs.get(tool.name, summary.f1),
                clean,
                times,
                tool.peer,
                covered=len(outputs.keys() & {p.id for p in collection.pages}),
                pages=len(collection.pages),
            )
        )
    for name, ev in evaluations.items():
        inside = {pid: ev.in_sample[(c, pid)] for (c, pid) in ev.in_sample if c == collection.name}
        outside = _held_out(ev, collection)
        scores = _scores(collection, inside)
        summary = score.aggregate(scores)
        held = score.aggregate(_scores(collection, outside)).f1
        n = len(collection.pages)
        rows.append(
            Row(
                name, name, summary, score.bootstrap_f1_std(scores), held, None, [], False, covered=n, pages=n
            )
        )
    return rows


def _held_out(ev: Evaluation, collection: Collection) -> dict[str, Any]:
    return {pid: ev.held_out[(c, pid)] for (c, pid) in ev.held_out if c == collection.name}


HEADER = ["tool", "P", "R", "F1", "±", "F1 held-out", "median ms", "p95 ms", "F1 / best peer", "ms / traf"]


def table_cells(rows: Sequence[Row]) -> list[list[str]]:
    # a peer scored on part of the collection only is not compared as the best
    peers = [r for r in rows if r.peer and r.complete]
    best = max((r.summary.f1 for r in peers), default=float("nan"))
    base = next((r for r in rows if r.name == BASE), None)
    base_ms = report.median(base.times) if base and base.times else float("nan")
    cells = []
    for r in rows:
        med = report.median(r.times) if r.times else float("nan")
        if r.pages and not r.covered:  # a --cache-only tool with no output on this collection
            p95 = report.fmt(report.percentile(r.times, 0.95), 1) if r.times else "-"
            ratio = report.fmt(med / base_ms if base_ms else None, 2)
            cells.append([r.shown, "-", "-", "-", "-", "-", report.fmt(med, 1), p95, "-", ratio])
            continue
        cells.append(
            [
                r.shown,
                report.fmt(r.summary.precision),
                report.fmt(r.summary.recall),
                report.fmt(r.summary.f1),
                report.fmt(r.std),
                report.fmt(r.held_out),
                report.fmt(med, 1),
                report.fmt(report.percentile(r.times, 0.95), 1) if r.times else "-",
                report.fmt(r.summary.f1 / best if best else None),
                report.fmt(med / base_ms if base_ms else None, 2),
            ]
        )
    return cells


def overview(results: dict[str, list[Row]], tools: Sequence[Tool]) -> tuple[list[str], list[list[str]]]:
    """One line per collection: F1 of every tool, newsdesk's held-out F1, and the best peer."""
    extra = sorted({r.name for rows in results.values() for r in rows} - {t.name for t in tools})
    header = ["collection", *[t.name for t in tools], *[f"{e} (held-out)" for e in extra], "best peer"]
    lines = []
    for name, rows in results.items():
        by = {r.name: r for r in rows}
        peers = [r for r in rows if r.peer and r.complete]
        best = max(peers, key=lambda r: r.summary.f1) if peers else None
        lines.append(
            [
                name,
                *[_overview_cell(by.get(t.name)) for t in tools],
                *[report.fmt(by[e].held_out) if e in by else "-" for e in extra],
                f"{best.name} {best.summary.f1:.3f}" if best else "-",
            ]
        )
    return header, lines


def _overview_cell(row: Row | None) -> str:
    if row is None or (row.pages and not row.covered):
        return "-"
    return report.fmt(row.summary.f1) + ("" if row.complete else f" ({row.covered}/{row.pages} pages)")


def timing(results: dict[str, list[Row]], tools: Sequence[Tool]) -> tuple[list[str], list[list[str]]]:
    all_times = {
        t.name: [ms for rows in results.values() for r in rows if r.name == t.name for ms in r.times]
        for t in tools
    }
    base = report.median(all_times.get(BASE, []))
    header = ["tool", "pages", "median ms", "p95 ms", "median / trafilatura"]
    lines = [
        [
            t.name,
            str(len(all_times[t.name])),
            report.fmt(report.median(all_times[t.name]), 1),
            report.fmt(report.percentile(all_times[t.name], 0.95), 1),
            report.fmt(report.median(all_times[t.name]) / base if base else None, 2),
        ]
        for t in tools
    ]
    return header, lines


def worst(collection: Collection, runs: Runs, n: int) -> list[str]:
    """newsdesk's n lowest-F1 pages, beside the best peer's F1 on the same page."""
    out = []
    ranked = []
    for page in collection.pages:
        if page.id not in runs[OURS]:
            continue
        ours = score.page_f1(score.body(page.kind, page.truth, runs[OURS][page.id]["out"]))
        peers = {
            name: score.page_f1(score.body(page.kind, page.truth, entries[page.id]["out"]))
            for name, entries in runs.items()
            if name != OURS and page.id in entries
        }
        best = max(peers, key=lambda k: peers[k]) if peers else "-"
        ranked.append((ours, page, best, peers.get(best, float("nan"))))
    ranked.sort(key=lambda x: (x[0] - x[3], x[0]))
    for ours, page, best, theirs in ranked[:n]:
        out.append(f"  {ours:.2f} (best peer {best} {theirs:.2f})  {page.id}  {page.url or ''}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="re-run every tool (honest timings)")
    parser.add_argument(
        "--timing", type=int, default=0, help="time every tool afresh on N pages per collection"
    )
    parser.add_argument("--quick", action="store_true", help="a deterministic 30-page subset per collection")
    parser.add_argument("--worst", type=int, default=0, help="list newsdesk's N worst pages per collection")
    parser.add_argument("--tools", help="comma-separated subset of the tools")
    parser.add_argument(
        "--cache-only", default="", help="comma-separated tools read from the cache, never run"
    )
    parser.add_argument("--collections", help="comma-separated subset of the collections")
    parser.add_argument("--tunable", action="append", default=[], help="module:attr of a Tunable factory")
    parser.add_argument("--no-loco", action="store_true", help="skip the registered tunables")
    parser.add_argument("--docs", action="store_true", help="rewrite the body section of docs/benchmarks.md")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    collections = body_collections()
    if not collections:
        print(f"skipped: no body collections under {shared_dir()}", file=sys.stderr)
        return 0
    if args.collections:
        wanted = set(args.collections.split(","))
        collections = [c for c in collections if c.name in wanted]
    if args.quick:
        collections = [c.quick() for c in collections]
    tools = list(body_tools().values())
    if args.tools:
        keep = set(args.tools.split(","))
        tools = [t for t in tools if t.name in keep]

    all_runs: dict[str, Runs] = {}
    for collection in collections:
        print(f"{collection.name}: {len(collection.pages)} pages", file=sys.stderr)
        all_runs[collection.name] = run_collection(
            "body", tools, collection, fresh=args.fresh, cache_only=frozenset(args.cache_only.split(","))
        )

    times, how = timings(tools, collections, fresh=args.fresh, sample=args.timing)
    if args.cache_only:
        how += f"; outputs of {args.cache_only} read from the cache only"
    specs = [*([] if args.no_loco else BODY), *args.tunable]
    evaluations = {}
    stand_ins = {}
    for spec in specs:
        tunable = load_tunable(spec)
        evaluations[tunable.name] = evaluate(tunable, collections)
        tool_name = getattr(tunable, "tool", None)
        if isinstance(tool_name, str):
            stand_ins[tool_name] = tunable.name

    results = {
        c.name: rows_for(
            c, tools, all_runs[c.name], evaluations, times.get(c.name) if times else None, stand_ins=stand_ins
        )
        for c in collections
    }
    text = render(collections, results, tools, how, markdown=False)
    print(text)
    if args.worst:
        for collection in collections:
            print(f"\n{collection.name}: newsdesk's {args.worst} worst pages (vs the best peer on that page)")
            print("\n".join(worst(collection, all_runs[collection.name], args.worst)))
    if args.docs:
        if args.quick or args.collections or args.tools:
            print("not writing docs from a partial run", file=sys.stderr)
        else:
            report.splice("bench-extract", render(collections, results, tools, how, markdown=True))
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=2) + "\n", encoding="utf-8")
    return 0


def to_json(results: dict[str, list[Row]]) -> dict[str, Any]:
    return {
        name: {
            r.name: {
                "precision": r.summary.precision,
                "recall": r.summary.recall,
                "f1": r.summary.f1,
                "f1_std": r.std,
                "f1_held_out": r.held_out,
                "f1_without_flagged": r.clean_f1,
                "median_ms": report.median(r.times) if r.times else None,
            }
            for r in rows
        }
        for name, rows in results.items()
    }


def render(
    collections: Sequence[Collection],
    results: dict[str, list[Row]],
    tools: Sequence[Tool],
    how: str,
    *,
    markdown: bool,
) -> str:
    table = report.markdown_table if markdown else report.text_table
    parts = []
    if markdown:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        versions = ", ".join(f"{t.name} {t.version}" for t in tools)
        command = " ".join(["python -m bench.extraction", *sys.argv[1:]])
        parts.append(f"Generated by `{command}` on {stamp}: {how}. Versions: {versions}.")
    parts.append(("### " if markdown else "== ") + "Body F1 per collection")
    parts.append(table(*overview(results, tools)))
    parts.append(
        "Held-out = leave-one-collection-out (`bench/loco.py`). newsdesk's held-out F1 is "
        "`newsdesk-consensus` (`bench.tunables.Consensus`): the consensus's parameters and block "
        "model fitted without that collection by the procedure that made the shipped data files, "
        "replayed on newsdesk's cached candidates. An untuned peer's held-out F1 is its in-sample "
        "F1; `best-tool` picks one extractor on the other collections. trafilatura-eval is "
        "in-sample for trafilatura."
    )
    for collection in collections:
        rows = results[collection.name]
        metric = "snippet metric, sums over the corpus" if collection.kind == "snippets" else "shingle F1"
        title = f"{collection.name}: {len(collection.pages)} pages, {metric} ({collection.about})"
        parts.append(("#### " if markdown else "== ") + title)
        parts.append(table(HEADER, table_cells(rows)))
        flagged = [p.id for p in collection.pages if p.flags]
        if flagged:
            clean = ", ".join(f"{r.name} {r.clean_f1:.3f}" for r in rows if r.clean_f1 is not None)
            parts.append(f"Without the {len(flagged)} damaged page(s) {', '.join(flagged)}: {clean}.")
    parts.append(("### " if markdown else "== ") + "Time per page over all collections")
    parts.append(table(*timing(results, tools)))
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
