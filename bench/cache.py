"""Disk cache of every tool's per-page output, so tuning loops never re-run the peers.

Layout: `bench/.cache/<task>/<tool>/<version>/<collection>.json` = `{page_id: {"out": ..., "ms": ...}}`
(gitignored). A new tool version (a new trafilatura, any change to newsdesk's source) is a new
folder, so stale outputs are never read. `ms` is the time measured when the output was made:
times are comparable only between tools run in the same run (`--fresh`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from bench.data import REPO

Entry = dict[str, Any]


def cache_dir() -> Path:
    return Path(os.environ.get("NEWSDESK_BENCH_CACHE") or REPO / "bench" / ".cache")


def _path(task: str, tool: str, version: str, collection: str) -> Path:
    return cache_dir() / task / tool / version / f"{collection}.json"


def load(task: str, tool: str, version: str, collection: str) -> dict[str, Entry]:
    path = _path(task, tool, version, collection)
    if not path.exists():
        return {}
    data: dict[str, Entry] = json.loads(path.read_text(encoding="utf-8"))
    return data


def save(task: str, tool: str, version: str, collection: str, entries: dict[str, Entry]) -> None:
    path = _path(task, tool, version, collection)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(path)  # a crash mid-write never leaves a truncated cache


def outputs(tool: str, collection: str, task: str = "body", version: str | None = None) -> dict[str, Any]:
    """`{page_id: output}` of a tool on a collection from the cache (latest cached version if None)."""
    if version is None:
        versions = _versions(task, tool, collection)
        if not versions:
            return {}
        version = versions[-1]
    return {page_id: entry["out"] for page_id, entry in load(task, tool, version, collection).items()}


def _versions(task: str, tool: str, collection: str) -> list[str]:
    root = cache_dir() / task / tool
    if not root.exists():
        return []
    found = [p.parent for p in root.glob(f"*/{collection}.json")]
    return [p.name for p in sorted(found, key=lambda p: (p / f"{collection}.json").stat().st_mtime)]
