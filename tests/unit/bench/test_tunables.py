"""The best-tool baseline, fitted leave-one-collection-out on hand-made cached outputs."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from bench import cache, tunables
from bench.data import Collection, Page
from bench.loco import evaluate


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_BENCH_CACHE", str(tmp_path / "cache"))
    tunables.cached_outputs.cache_clear()
    tunables._own_metadata.cache_clear()


def _collection(tmp_path: Path, name: str, good: str, bad: str) -> Collection:
    """Two pages whose truth `good` reproduces and `bad` does not."""
    pages = []
    for i in range(2):
        path = tmp_path / f"{name}{i}.html.gz"
        path.write_bytes(gzip.compress(f"<p>{name} {i}</p>".encode()))
        truth = f"the story of {name} page {i} in words"
        pages.append(Page(name, "shingles", str(i), None, path, {"text": truth}))
        cache.save(
            "body", good, "v", name, {str(i): {"out": truth, "ms": 1.0}} | cache.load("body", good, "v", name)
        )
        cache.save(
            "body",
            bad,
            "v",
            name,
            {str(i): {"out": "menu login share", "ms": 1.0}} | cache.load("body", bad, "v", name),
        )
    return Collection(name, "shingles", tuple(pages))


def test_the_tool_is_chosen_on_the_other_collections_only(tmp_path: Path) -> None:
    # "a" wins on collections x and y, "b" only on z: held out, z is predicted with "a".
    cols = [
        _collection(tmp_path, "x", good="a", bad="b"),
        _collection(tmp_path, "y", good="a", bad="b"),
        _collection(tmp_path, "z", good="b", bad="a"),
    ]
    ev = evaluate(tunables.BestSingleTool(["a", "b"]), cols)
    assert ev.params["z"]["tool"] == "a"
    assert ev.held_out[("z", "0")] == "menu login share"
    assert ev.params["x"]["tool"] == "a"  # y still favours a; z favours b: a tie broken by order
    assert ev.in_sample[("x", "1")] == "the story of x page 1 in words"


_CONFLICT = (
    '<html lang="de"><head><meta itemprop="datePublished" content="2021-12-14T15:41:07+01:00">'
    '<meta name="DC.date.issued" content="2022-02-04T15:33:00+01:00"></head>'
    "<body><h1>Warum sich das Warten lohnt</h1><p>04.02.2022 | 15:33 Uhr</p></body></html>"
)


def _dated(tmp_path: Path, name: str, truth: str) -> Collection:
    path = tmp_path / f"{name}.html.gz"
    path.write_bytes(gzip.compress(_CONFLICT.encode()))
    page = Page(name, "metadata", "0", None, path, {"title": None, "authors": None, "published": truth})
    return Collection(name, "metadata", (page,))


def test_shown_date_reach_is_fitted_on_the_other_collections_only(tmp_path: Path) -> None:
    # On x and y the shown date is the truth (settling conflicts helps); on z the precedence's
    # date is: held out, z gets the reach x and y chose, and so the shown date.
    cols = [
        _dated(tmp_path, "x", "2022-02-04"),
        _dated(tmp_path, "y", "2022-02-04"),
        _dated(tmp_path, "z", "2021-12-14"),
    ]
    ev = evaluate(tunables.ShownDateReach(), cols)
    assert ev.params["z"]["reach"] is not None
    assert ev.held_out[("z", "0")]["published"].startswith("2022-02-04")
    assert ev.params["x"]["reach"] is not None  # y still favours settling; z does not: a tie
    assert ev.in_sample[("z", "0")]["published"].startswith("2022-02-04")
