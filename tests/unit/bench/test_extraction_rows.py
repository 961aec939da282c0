"""The body table: a tunable that stands for a tool gives that tool's held-out F1."""

from __future__ import annotations

import gzip
from pathlib import Path

from bench.data import Collection, Page
from bench.extraction import rows_for
from bench.loco import Evaluation
from bench.tools import Tool

TRUTH = "the harbour authority approved the plan after a long debate"


def test_the_stand_in_tunable_gives_the_tool_its_held_out_figure(tmp_path: Path) -> None:
    path = tmp_path / "p.html.gz"
    path.write_bytes(gzip.compress(b"<p>x</p>"))
    collection = Collection("x", "shingles", (Page("x", "shingles", "1", None, path, {"text": TRUTH}),))
    tool = Tool("newsdesk", "newsdesk", "v", lambda html, url: TRUTH, peer=False)
    runs = {"newsdesk": {"1": {"out": TRUTH, "ms": 1.0}}}
    # fitted on everything the tunable reproduces the page; fitted without it, it gets a menu
    evaluation = Evaluation({("x", "1"): TRUTH}, {("x", "1"): "menu login share"}, {})
    plain = rows_for(collection, [tool], runs, {"consensus": evaluation})
    stood = rows_for(collection, [tool], runs, {"consensus": evaluation}, stand_ins={"newsdesk": "consensus"})
    assert plain[0].held_out == 1.0  # an untuned tool: held-out is in-sample
    assert stood[0].held_out == 0.0
    assert stood[0].summary.f1 == 1.0  # the in-sample figure is still the tool's own output
