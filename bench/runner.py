"""Runs tools over collections, page by page and tool by tool in turn, through the cache.

Each page goes through every tool that has no cached output for it, in an order rotated page by
page, so machine load and warm caches weigh on all tools alike. `fresh=True` ignores the cache and
re-runs everything (the only way to get timings comparable across tools); results are written
back to the cache either way.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Sequence
from typing import Any

from bench import cache
from bench.data import Collection
from bench.tools import Tool

Runs = dict[str, dict[str, dict[str, Any]]]  # tool -> page id -> {"out", "ms"}


def run_collection(
    task: str,
    all_tools: Sequence[Tool],
    collection: Collection,
    *,
    fresh: bool = False,
    cache_only: frozenset[str] = frozenset(),
    progress: bool = True,
) -> Runs:
    """Every tool's output on every page; tools named in `cache_only` are read from the cache only
    (their missing pages stay missing, and the tables say so)."""
    results: Runs = {
        t.name: {}
        if fresh and t.name not in cache_only
        else cache.load(task, t.name, t.version, collection.name)
        for t in all_tools
    }
    tools = [t for t in all_tools if t.name not in cache_only]
    wanted = {p.id for p in collection.pages}
    todo = [p for p in collection.pages if any(p.id not in results[t.name] for t in tools)]
    if todo:
        # Warm imports and lazily built tables once, so the first page's timing is not an import.
        html = todo[0].html()
        for tool in tools:
            with contextlib.suppress(Exception):  # a crash is recorded when the page itself is run
                tool.run(html, todo[0].url)
    for index, page in enumerate(todo):
        html = page.html()
        shift = index % len(tools)
        for tool in [*tools[shift:], *tools[:shift]]:
            if page.id in results[tool.name]:
                continue
            start = time.perf_counter()
            try:
                out, error = tool.run(html, page.url), None
            except Exception as err:  # a tool that crashes on a page misses that page; the run goes on
                out, error = tool.empty, f"{type(err).__name__}: {err}"
            ms = (time.perf_counter() - start) * 1000
            results[tool.name][page.id] = {"out": out, "ms": round(ms, 3)}
            if error:
                results[tool.name][page.id]["error"] = error[:300]
                print(f"  {tool.name} failed on {collection.name}/{page.id}: {error[:200]}", file=sys.stderr)
        if progress and (index + 1) % 50 == 0:
            print(f"  {collection.name}: {index + 1}/{len(todo)} pages run", file=sys.stderr)
        if (index + 1) % 200 == 0:
            _save(task, tools, collection, results)
    if todo:
        _save(task, tools, collection, results)
    return {name: {k: v for k, v in entries.items() if k in wanted} for name, entries in results.items()}


def time_sample(tools: Sequence[Tool], collection: Collection, pages: int) -> dict[str, list[float]]:
    """Re-run every tool on a deterministic sample of the collection now, for comparable timings.

    Outputs are deterministic for a tool version, so F1 can come from the cache while the timing
    columns come from this one run, where every tool met the same machine load.
    """
    sample = collection.quick(pages).pages
    times: dict[str, list[float]] = {t.name: [] for t in tools}
    if not sample:
        return times
    html = sample[0].html()
    for tool in tools:
        with contextlib.suppress(Exception):  # warm-up only
            tool.run(html, sample[0].url)
    for index, page in enumerate(sample):
        html = page.html()
        shift = index % len(tools)
        for tool in [*tools[shift:], *tools[:shift]]:
            start = time.perf_counter()
            with contextlib.suppress(Exception):  # timed all the same: a crash costs what it costs
                tool.run(html, page.url)
            times[tool.name].append((time.perf_counter() - start) * 1000)
    return times


def _save(task: str, tools: Sequence[Tool], collection: Collection, results: Runs) -> None:
    for tool in tools:
        # merge with what is on disk: a --quick run must not drop the full run's pages
        merged = cache.load(task, tool.name, tool.version, collection.name)
        merged.update(results[tool.name])
        cache.save(task, tool.name, tool.version, collection.name, merged)


Timings = dict[str, dict[str, list[float]]]  # collection -> tool -> ms per page


def timings(
    tools: Sequence[Tool], collections: Sequence[Collection], *, fresh: bool, sample: int
) -> tuple[Timings | None, str]:
    """The timing source of a run and how to describe it: the fresh run itself, a fresh timing
    sample of `sample` pages per collection, or (neither) the times cached with the outputs."""
    if fresh:
        return None, "every tool re-run on every page in this run"
    if sample > 0:
        out = {}
        for collection in collections:
            print(f"{collection.name}: timing every tool on {sample} pages", file=sys.stderr)
            out[collection.name] = time_sample(tools, collection, sample)
        return out, (
            f"outputs from the cache (deterministic per tool version); times from re-running every tool "
            f"on the same {sample} pages per collection in this run"
        )
    return None, "outputs and times from the cache: times may come from different runs"
