"""The runner and its cache, with stand-in tools on hand-made pages (no ../shared, no peers run)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from bench import cache
from bench.data import Collection, Page
from bench.runner import run_collection
from bench.tools import Tool


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_BENCH_CACHE", str(tmp_path / "cache"))


def _collection(tmp_path: Path, n: int = 3) -> Collection:
    pages = []
    for i in range(n):
        path = tmp_path / f"p{i}.html.gz"
        path.write_bytes(gzip.compress(f"<p>page {i}</p>".encode()))
        pages.append(Page("demo", "shingles", f"p{i}", None, path, {"text": f"page {i}"}))
    return Collection("demo", "shingles", tuple(pages))


class _Counting:
    def __init__(self, fail_on: str = "") -> None:
        self.calls: list[bytes] = []
        self.fail_on = fail_on

    def __call__(self, html: bytes, url: str | None) -> str:
        self.calls.append(html)
        if self.fail_on and self.fail_on.encode() in html:
            raise LookupError("unknown encoding")
        return html.decode().removeprefix("<p>").removesuffix("</p>")


def test_outputs_are_cached_per_tool_version_and_not_rerun(tmp_path: Path) -> None:
    collection = _collection(tmp_path)
    run = _Counting()
    tool = Tool("fake", "fake", "1.0", run)
    first = run_collection("body", [tool], collection, progress=False)
    calls = len(run.calls)
    again = run_collection("body", [tool], collection, progress=False)
    assert {k: v["out"] for k, v in again["fake"].items()} == {"p0": "page 0", "p1": "page 1", "p2": "page 2"}
    assert again == first
    assert len(run.calls) == calls  # nothing re-run
    assert cache.outputs("fake", "demo") == {"p0": "page 0", "p1": "page 1", "p2": "page 2"}
    # a new version is a new tool as far as the cache goes
    run_collection("body", [Tool("fake", "fake", "2.0", run)], collection, progress=False)
    assert len(run.calls) > calls


def test_a_crash_on_one_page_is_a_recorded_miss(tmp_path: Path) -> None:
    collection = _collection(tmp_path)
    tool = Tool("fragile", "fragile", "1", _Counting(fail_on="page 1"))
    runs = run_collection("body", [tool], collection, progress=False)
    assert runs["fragile"]["p1"]["out"] == ""
    assert "LookupError" in runs["fragile"]["p1"]["error"]
    assert runs["fragile"]["p2"]["out"] == "page 2"


def test_cache_only_tools_are_never_run(tmp_path: Path) -> None:
    collection = _collection(tmp_path)
    run = _Counting()
    runs = run_collection(
        "body", [Tool("slow", "slow", "1", run)], collection, cache_only=frozenset({"slow"}), progress=False
    )
    assert run.calls == []
    assert runs["slow"] == {}


def test_fresh_reruns_everything(tmp_path: Path) -> None:
    collection = _collection(tmp_path)
    run = _Counting()
    tool = Tool("fake", "fake", "1.0", run)
    run_collection("body", [tool], collection, progress=False)
    before = len(run.calls)
    run_collection("body", [tool], collection, fresh=True, progress=False)
    assert len(run.calls) >= before + len(collection.pages)
