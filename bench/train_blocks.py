"""Fit the body consensus on training pages: its parameters, and the block vote's model.

`fit(train)` is what `bench.tunables.Consensus` (leave-one-collection-out in `make bench-extract`)
and `python -m bench.train_body tune --write` (the shipped data) both run, so the held-out figure
measures exactly the procedure that made the shipped files:

1. the consensus's parameters by grid search (`GRID`), block votes off, best mean F1 over the
   training collections (each collection weighs the same, whatever its page count);
2. the block model (`newsdesk.extraction.votes`): a logistic regression, plain Python, on every
   block only one candidate has on the training pages where the candidates agree; a block's
   label is whether the truth holds it (most of its shingles for a full-text truth, a `with` or
   a `without` snippet inside it for a snippet truth);
3. the vote's threshold, and whether to vote at all: kept only if it beats step 1's F1 on the
   training collections.

A `Sample` is one page with its cached candidates (`bench.train_body.candidates_for`).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from bench import score
from bench.data import Page
from newsdesk.extraction.blocks import Block, render_text
from newsdesk.extraction.consensus import (
    ConsensusParams,
    agreement,
    all_shingles,
    consensus_body,
    vote_contexts,
)
from newsdesk.extraction.votes import FEATURES, BlockModel, block_features

Candidates = tuple[list[Block], list[Block], list[Block]]


@dataclass(frozen=True)
class Sample:
    page: Page
    candidates: Candidates


# Coarse on purpose: few pages reach each branch, and a fine grid fits those pages, not the rule.
GRID: dict[str, list[Any]] = {
    "disagree_below": [0.0, 0.1, 0.2],
    "prose_factor": [2.5, 4.0, 10.0],
    "witness_margin": [0.05, 0.2],
    "add_min_chars": [60, 120],
    "add_max_link_ratio": [0.1, 0.3],
    "add_paragraphs": [True, False],
    "add_lead": [True, False],
    "add_tail": [True, False],
}
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)
L2 = 1e-3
EPOCHS = 300
STEP = 2.0


def grid() -> Iterator[ConsensusParams]:
    keys = list(GRID)
    for values in itertools.product(*(GRID[k] for k in keys)):
        yield ConsensusParams(**dict(zip(keys, values, strict=True)))


def _variant(agree: float, cands: Candidates, params: ConsensusParams) -> tuple[Any, ...]:
    """The parameters that decide this page's output (combine's branch), as a cache key."""
    if not cands[0] or not cands[1]:
        return ("trivial",)
    if agree < params.disagree_below:
        return ("pick", params.prose_factor, params.witness_margin)
    if not params.add_paragraphs or agree < params.add_min_agreement:
        return ("primary",)
    return ("add", params.add_min_chars, params.add_max_link_ratio, params.add_lead, params.add_tail)


class Scorer:
    """Each page's score per consensus variant, computed once and reused by every fit."""

    def __init__(self) -> None:
        self._scores: dict[tuple[str, str, tuple[Any, ...]], score.AnyScore] = {}
        self._agree: dict[tuple[str, str], float] = {}
        self._by_text: dict[tuple[str, str, str], score.AnyScore] = {}

    def agree(self, sample: Sample) -> float:
        key = (sample.page.collection, sample.page.id)
        if key not in self._agree:
            p, s, _ = sample.candidates
            self._agree[key] = agreement(p, s) if p and s else 0.0
        return self._agree[key]

    def page_score(
        self, sample: Sample, params: ConsensusParams, model: BlockModel | None = None
    ) -> score.AnyScore:
        agree = self.agree(sample)
        key: tuple[Any, ...] = _variant(agree, sample.candidates, params)
        voting = params.vote and model is not None and key[0] not in ("trivial", "pick")
        if voting:  # a vote's output depends on the model: not worth caching across fits
            return self._score(sample, params, model)
        cache_key = (sample.page.collection, sample.page.id, key)
        if cache_key not in self._scores:
            self._scores[cache_key] = self._score(sample, params, None)
        return self._scores[cache_key]

    def _score(self, sample: Sample, params: ConsensusParams, model: BlockModel | None) -> score.AnyScore:
        p, s, w = sample.candidates
        text = render_text(consensus_body(p, s, w, params, model)[0])
        # most variants give most pages the same text: score each distinct text once
        key = (sample.page.collection, sample.page.id, text)
        if key not in self._by_text:
            self._by_text[key] = score.body(sample.page.kind, sample.page.truth, text)
        return self._by_text[key]

    def mean_f1(
        self,
        train: Mapping[str, Sequence[Sample]],
        params: ConsensusParams,
        model: BlockModel | None = None,
    ) -> float:
        per_fold = [
            score.aggregate([self.page_score(x, params, model) for x in samples]).f1
            for samples in train.values()
        ]
        return statistics.mean(per_fold) if per_fold else 0.0


# --- the block model ------------------------------------------------------------------------


def _block_label(page: Page, block: Block, truth_shingles: set[tuple[str, ...]]) -> float | None:
    """1.0 when the truth holds the block, 0.0 when it does not, None when the truth cannot say."""
    if page.kind == "snippets":
        text = " ".join(block.plain.split())
        inside = [" ".join(s.split()) for s in page.truth.get("with") or []]
        outside = [" ".join(s.split()) for s in page.truth.get("without") or []]
        if any(s and s in text for s in inside):
            return 1.0
        if any(s and s in text for s in outside):
            return 0.0
        return None
    own = set(score.shingles(block.plain))
    if not own:
        return None
    return 1.0 if len(own & truth_shingles) >= 0.5 * len(own) else 0.0


def block_samples(
    samples: Sequence[Sample], params: ConsensusParams
) -> list[tuple[dict[str, float], float, float]]:
    """(features, label, weight) of every block only one candidate has, on agreeing pages."""
    out: list[tuple[dict[str, float], float, float]] = []
    for sample in samples:
        p, s, w = sample.candidates
        if not p or not s:
            continue
        agree = agreement(p, s)
        if agree < params.disagree_below:
            continue
        page = sample.page
        truth = set(score.shingles(page.truth.get("text"))) if page.kind != "snippets" else set()
        wit = all_shingles(w) if w else None
        rows = []
        for blocks, other, from_second in ((p, s, False), (s, p, True)):
            _, contexts = vote_contexts(
                blocks, all_shingles(other), wit, agree, params, from_second=from_second
            )
            for block, ctx in zip(blocks, contexts, strict=True):
                if ctx is None:
                    continue
                label = _block_label(page, block, truth)
                if label is not None:
                    # a block weighs by its share of the page's text: the metric is per page
                    rows.append((block_features(block, ctx), label, math.log1p(len(block.plain))))
        total = sum(r[2] for r in rows)
        out.extend((f, y, wt / total) for f, y, wt in rows if total)
    return out


def train_model(rows: Sequence[tuple[dict[str, float], float, float]]) -> dict[str, float]:
    """Weighted logistic regression by full-batch gradient descent (a few thousand rows)."""
    weights = dict.fromkeys(FEATURES, 0.0)
    if not rows:
        return weights
    total = sum(r[2] for r in rows)
    vectors = [([f.get(name, 0.0) for name in FEATURES], y, wt / total) for f, y, wt in rows]
    w = [0.0] * len(FEATURES)
    for _ in range(EPOCHS):
        grad = [L2 * wi for wi in w]
        for x, y, wt in vectors:
            z = sum(wi * xi for wi, xi in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = (p - y) * wt
            for i, xi in enumerate(x):
                grad[i] += g * xi
        w = [wi - STEP * gi for wi, gi in zip(w, grad, strict=True)]
    return {name: round(wi, 4) for name, wi in zip(FEATURES, w, strict=True)}


# --- the whole fit --------------------------------------------------------------------------


def fit(
    train: Mapping[str, Sequence[Sample]],
    scorer: Scorer,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """JSON-able `{"params", "model", "train_f1"}`: what data/body_*.json ship."""
    candidates = list(grid())
    base = max(candidates, key=lambda c: scorer.mean_f1(train, c))
    base_f1 = scorer.mean_f1(train, base)
    log(f"base {base} -> {base_f1:.4f}")
    rows = block_samples([x for samples in train.values() for x in samples], base)
    weights = train_model(rows)
    best: tuple[float, ConsensusParams, BlockModel | None] = (base_f1, base, None)
    voting = replace(base, vote=True)
    for keep_at in THRESHOLDS:
        model = BlockModel(weights, keep_at)
        f1 = scorer.mean_f1(train, voting, model)
        log(f"vote keep_at={keep_at} -> {f1:.4f}")
        if f1 > best[0]:
            best = (f1, voting, model)
    f1, params, chosen = best
    return {
        "params": asdict(params),
        "model": chosen.to_dict() if chosen is not None else None,
        "train_f1": round(f1, 4),
        "blocks_trained_on": len(rows),
    }


def predict(fitted: Mapping[str, Any], candidates: Candidates) -> str:
    params = ConsensusParams.from_dict(dict(fitted["params"]))
    model = BlockModel.from_dict(dict(fitted["model"])) if fitted.get("model") else None
    p, s, w = candidates
    return render_text(consensus_body(p, s, w, params, model)[0])
