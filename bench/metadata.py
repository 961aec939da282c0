"""Metadata benchmark: newsdesk against every peer on title, authors and date, one run.

    python -m bench.metadata [--fresh] [--quick] [--worst N] [--tools a,b] [--collections a,b]
                             [--tunable module:attr] [--docs] [--json FILE]

Collections (`bench.data.metadata_collections()`): metadata-benchmark (Readability's output),
metadata-dev (six projects' test assertions; each project is its own leave-one-out fold) and
fundus-dev's headline / authors / date. Matching rules: `bench.match`. Only asserted fields are
scored. metadata-dev's "cleaned" figure drops the assertions the set's own `checks`/`notes` show
to be doubtful (a title or author absent from the page, a "published" date that is the page's
modified date), so copying known-wrong values is not rewarded. Tools: `bench.tools.metadata_tools()`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import match, report
from bench.data import Collection, Page, metadata_collections, shared_dir
from bench.extraction import load_tunable
from bench.loco import Evaluation, evaluate
from bench.runner import Runs, Timings, run_collection, timings
from bench.tools import Tool, metadata_tools
from bench.tunables import METADATA

BASE = "trafilatura"
OURS = "newsdesk"
FIELDS = match.FIELDS
# The truth's key behind each scored field (the key `Page.suspect` names).
TRUTH_KEY = {"title": "title", "authors": "authors", "date": "published", "instant": "published"}
FIELD_LABEL = {
    "title": "title",
    "authors": "authors",
    "date": "date (same day)",
    "instant": "date (same instant)",
}


@dataclass
class Tally:
    name: str
    peer: bool
    fields: tuple[str, ...] = FIELDS
    marks: dict[str, list[bool]] = field(default_factory=lambda: {f: [] for f in FIELDS})
    clean: dict[str, list[bool]] = field(default_factory=lambda: {f: [] for f in FIELDS})
    times: list[float] = field(default_factory=list)
    covered: int = 0  # pages the tool has an output for (a --cache-only tool may lack some)
    pages: int = 0

    @property
    def complete(self) -> bool:
        return self.covered == self.pages

    @property
    def shown(self) -> str:
        return report.shown_name(self.name, self.covered, self.pages)

    def add(self, page: Page, out: dict[str, Any]) -> dict[str, bool | None]:
        marks = match.score(page.truth, out)
        for name, ok in marks.items():
            if ok is None or name not in self.fields:
                continue
            self.marks[name].append(ok)
            if TRUTH_KEY[name] not in page.suspect:
                self.clean[name].append(ok)
        return marks

    def accuracy(self, name: str, *, cleaned: bool = False) -> float | None:
        values = (self.clean if cleaned else self.marks)[name]
        return sum(values) / len(values) if values else None


def tally(
    pages: Sequence[Page],
    name: str,
    outputs: dict[str, Any],
    *,
    peer: bool,
    times: Sequence[float] = (),
    fields: tuple[str, ...] = FIELDS,
) -> Tally:
    t = Tally(name, peer, fields, times=list(times), pages=len(pages))
    for page in pages:
        if page.id in outputs:
            t.covered += 1
            t.add(page, outputs[page.id] or {})
    return t


def field_cells(t: Tally, *, cleaned: bool) -> list[str]:
    return [report.fmt(t.accuracy(f, cleaned=cleaned)) for f in FIELDS]


def collection_table(collection: Collection, tallies: Sequence[Tally], *, markdown: bool) -> str:
    table = report.markdown_table if markdown else report.text_table
    has_clean = any(p.suspect for p in collection.pages)
    header = ["tool", *[FIELD_LABEL[f] for f in FIELDS]]
    if has_clean:
        header += [f"{FIELD_LABEL[f]}, cleaned" for f in ("title", "authors", "date")]
    header += ["median ms", "ms / traf"]
    base = next((t for t in tallies if t.name == BASE), None)
    base_ms = report.median(base.times) if base and base.times else float("nan")
    rows = []
    for t in tallies:
        med = report.median(t.times) if t.times else float("nan")
        row = [t.shown, *field_cells(t, cleaned=False)]
        if has_clean:
            row += [report.fmt(t.accuracy(f, cleaned=True)) for f in ("title", "authors", "date")]
        row += [report.fmt(med, 1), report.fmt(med / base_ms if base_ms else None, 2)]
        rows.append(row)
    counts = ["pages asserted", *[str(len(tallies[0].marks[f])) for f in FIELDS]]
    if has_clean:
        counts += [str(len(tallies[0].clean[f])) for f in ("title", "authors", "date")]
    rows.append([*counts, "", ""])
    return table(header, rows)


def best_peer(tallies: Sequence[Tally], name: str, *, cleaned: bool = False) -> tuple[str, float] | None:
    # a peer scored on part of the pages only is not compared as the best
    scored = [(t.name, t.accuracy(name, cleaned=cleaned)) for t in tallies if t.peer and t.complete]
    answered = [(n, a) for n, a in scored if a is not None]
    return max(answered, key=lambda x: x[1]) if answered else None


def overview(groups: dict[str, list[Tally]], *, markdown: bool) -> str:
    """Per collection (and metadata-dev project) and field: every tool and the best peer."""
    table = report.markdown_table if markdown else report.text_table
    names = [t.name for t in next(iter(groups.values()))]
    header = ["set", "field", *names, "best peer"]
    rows = []
    for group, tallies in groups.items():
        for f in ("title", "authors", "date", "instant"):
            if not tallies[0].marks[f]:
                continue
            best = best_peer(tallies, f)
            rows.append(
                [
                    f"{group} ({len(tallies[0].marks[f])})",
                    FIELD_LABEL[f],
                    *[
                        report.fmt(t.accuracy(f)) + ("" if t.complete else f" ({t.covered}/{t.pages})")
                        for t in tallies
                    ],
                    f"{best[0]} {best[1]:.3f}" if best else "-",
                ]
            )
    return table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="re-run every tool (honest timings)")
    parser.add_argument(
        "--timing", type=int, default=0, help="time every tool afresh on N pages per collection"
    )
    parser.add_argument("--quick", action="store_true", help="a deterministic 60-page subset per collection")
    parser.add_argument("--worst", type=int, default=0, help="list N of newsdesk's misses per field")
    parser.add_argument("--tools", help="comma-separated subset of the tools")
    parser.add_argument(
        "--cache-only", default="", help="comma-separated tools read from the cache, never run"
    )
    parser.add_argument("--collections", help="comma-separated subset of the collections")
    parser.add_argument("--tunable", action="append", default=[], help="module:attr of a Tunable factory")
    parser.add_argument("--no-loco", action="store_true", help="skip the registered tunables")
    parser.add_argument(
        "--docs", action="store_true", help="rewrite the metadata section of docs/benchmarks.md"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    collections = metadata_collections()
    if not collections:
        print(f"skipped: no metadata collections under {shared_dir()}", file=sys.stderr)
        return 0
    if args.collections:
        wanted = set(args.collections.split(","))
        collections = [c for c in collections if c.name in wanted]
    if args.quick:
        collections = [c.quick(60) for c in collections]
    tools = list(metadata_tools().values())
    if args.tools:
        keep = set(args.tools.split(","))
        tools = [t for t in tools if t.name in keep]

    runs: dict[str, Runs] = {}
    for collection in collections:
        print(f"{collection.name}: {len(collection.pages)} pages", file=sys.stderr)
        runs[collection.name] = run_collection(
            "metadata", tools, collection, fresh=args.fresh, cache_only=frozenset(args.cache_only.split(","))
        )
    load_before = os.getloadavg()[0]
    times, how = timings(tools, collections, fresh=args.fresh, sample=args.timing)
    load_after = os.getloadavg()[0]
    cores = os.cpu_count()
    how += f" (1-minute load average {load_before:.1f} before, {load_after:.1f} after; {cores} cores)"
    if args.cache_only:
        how += f"; outputs of {args.cache_only} read from the cache only"
    evaluations: dict[str, Evaluation] = {}
    for spec in [*([] if args.no_loco else METADATA), *args.tunable]:
        tunable = load_tunable(spec)
        evaluations[tunable.name] = evaluate(tunable, collections)

    groups = _groups(collections, tools, runs, evaluations, times)
    text = render(collections, tools, groups, how, markdown=False)
    print(text)
    if args.worst:
        for collection in collections:
            print(misses(collection, runs[collection.name], args.worst))
    if args.docs:
        if args.quick or args.collections or args.tools:
            print("not writing docs from a partial run", file=sys.stderr)
        else:
            report.splice(
                "bench-metadata",
                render(collections, tools, groups, how, markdown=True),
            )
    if args.json:
        data = {
            g: {
                t.name: {f: t.accuracy(f) for f in FIELDS}
                | {"cleaned": {f: t.accuracy(f, cleaned=True) for f in FIELDS}}
                for t in ts
            }
            for g, ts in groups.items()
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


def _groups(
    collections: Sequence[Collection],
    tools: Sequence[Tool],
    runs: dict[str, Runs],
    evaluations: dict[str, Evaluation],
    times_of: Timings | None = None,
) -> dict[str, list[Tally]]:
    """Tallies per collection and per metadata-dev fold; tunables as an in-sample and a held-out row."""
    groups: dict[str, list[Tally]] = {}
    for collection in collections:
        subsets = {collection.name: list(collection.pages)}
        folds = sorted({p.fold for p in collection.pages if p.fold != collection.name})
        for fold in folds:
            subsets[fold] = [p for p in collection.pages if p.fold == fold]
        for group, pages in subsets.items():
            tallies = []
            ids = {p.id for p in pages}
            for tool in tools:
                entries = runs[collection.name][tool.name]
                outputs = {k: v["out"] for k, v in entries.items()}
                if times_of is not None:
                    sampled = times_of.get(collection.name, {}).get(tool.name, [])
                    times = sampled if group == collection.name else []
                else:
                    times = [v["ms"] for k, v in entries.items() if k in ids]
                tallies.append(
                    tally(pages, tool.name, outputs, peer=tool.peer, times=times, fields=tool.fields)
                )
            for name, ev in evaluations.items():
                inside = {p.id: ev.in_sample[(p.collection, p.id)] for p in pages}
                outside = {p.id: ev.held_out[(p.collection, p.id)] for p in pages}
                tallies.append(tally(pages, f"{name} (in-sample)", inside, peer=False))
                tallies.append(tally(pages, f"{name} (held-out)", outside, peer=False))
            groups[group] = tallies
    return groups


def render(
    collections: Sequence[Collection],
    tools: Sequence[Tool],
    groups: dict[str, list[Tally]],
    how: str,
    *,
    markdown: bool,
) -> str:
    parts = []
    if markdown:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        versions = ", ".join(f"{t.name} {t.version}" for t in tools)
        command = " ".join(["python -m bench.metadata", *sys.argv[1:]])
        parts.append(f"Generated by `{command}` on {stamp}: {how}. Versions: {versions}.")
    heading = "### " if markdown else "== "
    parts.append(heading + "Accuracy per field, per collection and per metadata-dev project")
    parts.append(overview(groups, markdown=markdown))
    parts.append(
        "Each metadata-dev project is a leave-one-out fold; fundus-dev and metadata-dev/fundus are the "
        "same pages, so neither is ever trained on while the other is held out. newsdesk's rules "
        "(`extraction/metadata_rules.py`) are written, not fitted, except one date threshold, "
        "`SHOWN_DATE_REACH` (how near the headline a shown date must stand to settle conflicting "
        "metadata dates): the `newsdesk-fitted` rows refit it on the other folds "
        "(`bench.tunables.ShownDateReach`), so `newsdesk-fitted (held-out)` is newsdesk's held-out "
        "figure; for every other rule held-out equals in-sample. Titles are the headline the page "
        "shows (the article's <h1>): where the metascraper and trafilatura projects assert the "
        "social or <title> title instead, newsdesk keeps the <h1> on purpose."
    )
    for collection in collections:
        parts.append(heading + f"{collection.name}: {len(collection.pages)} pages ({collection.about})")
        parts.append(collection_table(collection, groups[collection.name], markdown=markdown))
    return "\n\n".join(parts) + "\n"


def misses(collection: Collection, runs: Runs, n: int) -> str:
    lines = [f"\n{collection.name}: newsdesk's misses (first {n} per field)"]
    for f in ("title", "authors", "date"):
        shown = 0
        for page in collection.pages:
            out = runs[OURS][page.id]["out"]
            ok = match.score(page.truth, out)[f]
            if ok is False and shown < n:
                key = TRUTH_KEY[f]
                flag = " [suspect truth]" if key in page.suspect else ""
                lines.append(f"  {f}: {page.id}: got {out.get(key)!r} want {page.truth.get(key)!r}{flag}")
                shown += 1
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
