"""The consensus's fit: block labels from either kind of truth, and a model that learns them."""

from __future__ import annotations

import gzip
from pathlib import Path

from bench.data import Page
from bench.train_blocks import Sample, Scorer, block_samples, fit, predict, train_model
from newsdesk.extraction.blocks import Block
from newsdesk.extraction.consensus import ConsensusParams
from newsdesk.extraction.votes import BlockContext, BlockModel

STORY = [
    "The harbour authority approved the plan on Tuesday after a long debate about costs and the fleet.",
    "Fishermen said the new quay would double the space for boats that now moor three abreast in winter.",
    "Work starts in spring and should end before the summer season, the authority's chair told reporters.",
]
RELATED = Block("list", items=["Council approves budget today", "Ferry timetable changes next week"])


def _page(tmp_path: Path, name: str, kind: str, truth: dict[str, object]) -> Page:
    path = tmp_path / f"{name}.html.gz"
    path.write_bytes(gzip.compress(b"<p>x</p>"))
    return Page(name, kind, "1", None, path, truth)  # type: ignore[arg-type]


def _sample(page: Page) -> Sample:
    story = [Block("paragraph", t) for t in STORY]
    return Sample(page, ([*story, RELATED], story, []))


def test_blocks_are_labelled_by_shingle_and_by_snippet_truth(tmp_path: Path) -> None:
    shingles = _page(tmp_path, "a", "shingles", {"text": "\n\n".join(STORY)})
    snippets = _page(tmp_path, "b", "snippets", {"with": [STORY[0]], "without": ["Ferry timetable changes"]})
    rows = block_samples([_sample(shingles), _sample(snippets)], ConsensusParams())
    # one unshared block per page (the related list), labelled "not the article" both times
    assert [(r[0]["kind_list"], r[1]) for r in rows] == [(1.0, 0.0), (1.0, 0.0)]


def test_the_model_learns_a_separable_feature() -> None:
    rows = [({"bias": 1.0, "kind_list": 1.0}, 0.0, 1.0), ({"bias": 1.0, "kind_list": 0.0}, 1.0, 1.0)] * 5
    model = BlockModel(train_model(rows), keep_at=0.5)
    context = BlockContext(False, "tail", 0.0, None, 1.0, 0.1)
    assert not model.keep(RELATED, context)
    assert model.keep(Block("paragraph", STORY[0]), context)


def test_the_fit_votes_out_what_the_training_truth_never_holds(tmp_path: Path) -> None:
    train = {
        name: [_sample(_page(tmp_path, name, "shingles", {"text": "\n\n".join(STORY)}))]
        for name in ("x", "y")
    }
    fitted = fit(train, Scorer())
    assert fitted["model"] is not None
    assert predict(fitted, train["x"][0].candidates) == "\n\n".join(STORY)
