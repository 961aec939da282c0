"""Tunables that `make bench-extract` / `make bench-metadata` evaluate leave-one-collection-out.

Register one by adding its "module:attribute" to BODY or METADATA below (or pass `--tunable`);
the attribute is a zero-argument factory (a class) returning a `bench.loco.Tunable`.

`BestSingleTool` is the baseline any learned combination has to beat held-out: it picks, on the
training folds, the one tool whose cached output scores best (mean of per-fold F1) and predicts
that tool's cached output. `BestToolPerField` does the same for metadata, field by field.
`ShownDateReach` is newsdesk itself with its one fitted date threshold
(`metadata_rules.SHOWN_DATE_REACH`) chosen on the training folds.

`Consensus` is newsdesk's own body consensus (`extraction/consensus.py`, `votes.py`): its fit is
the one that made the shipped data files (`bench.train_blocks.fit`), and it stands for the
`newsdesk` tool (`tool`), whose held-out F1 is the consensus fitted without that collection.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from bench import cache, match, score
from bench.data import Page
from bench.tools import body_tools, iso, metadata_tools, newsdesk_version

BODY: list[str] = ["bench.tunables:Consensus", "bench.tunables:BestSingleTool"]
METADATA: list[str] = ["bench.tunables:BestToolPerField", "bench.tunables:ShownDateReach"]


@functools.lru_cache(maxsize=256)
def cached_outputs(task: str, tool: str, collection: str) -> Mapping[str, Any]:
    """The latest cached outputs of a tool, read once per process."""
    return cache.outputs(tool, collection, task=task)


class BestSingleTool:
    name = "best-tool"

    def __init__(self, tools: Sequence[str] | None = None) -> None:
        self.tools = list(tools) if tools is not None else list(body_tools())
        self._scores: dict[tuple[str, str, str], score.AnyScore] = {}

    def _text(self, tool: str, page: Page) -> str:
        return str(cached_outputs("body", tool, page.collection).get(page.id) or "")

    def _score(self, tool: str, page: Page) -> score.AnyScore:
        # every fold's fit scores the same pages again: score each (tool, page) once
        key = (tool, page.collection, page.id)
        if key not in self._scores:
            self._scores[key] = score.body(page.kind, page.truth, self._text(tool, page))
        return self._scores[key]

    def fit(self, train: Mapping[str, Sequence[Page]]) -> dict[str, Any]:
        means = {}
        for tool in self.tools:
            per_fold = [score.aggregate([self._score(tool, p) for p in pages]).f1 for pages in train.values()]
            means[tool] = sum(per_fold) / len(per_fold) if per_fold else 0.0
        return {"tool": max(means, key=lambda t: means[t]), "train_f1": means}

    def predict(self, params: dict[str, Any], page: Page) -> str:
        return self._text(str(params["tool"]), page)


class Consensus:
    name = "newsdesk-consensus"
    tool = "newsdesk"  # the tool whose held-out figure this is

    def __init__(self, *, verbose: bool = False) -> None:
        from bench.train_blocks import Scorer
        from bench.train_body import CandidateStore

        self.store = CandidateStore()
        self.scorer = Scorer()
        self.verbose = verbose
        self._samples: dict[tuple[str, str], Any] = {}

    def _sample(self, page: Page) -> Any:
        from bench.train_blocks import Sample

        key = (page.collection, page.id)
        if key not in self._samples:
            self._samples[key] = Sample(page, self.store.candidates(page))
        return self._samples[key]

    def candidate_text(self, page: Page, index: int) -> str:
        from newsdesk.extraction.blocks import render_text

        return render_text(self._sample(page).candidates[index])

    def fit(self, train: Mapping[str, Sequence[Page]]) -> dict[str, Any]:
        from bench.train_blocks import fit

        samples = {fold: [self._sample(p) for p in pages] for fold, pages in train.items()}
        log = (lambda line: print(f"[{','.join(train)}] {line}", file=sys.stderr)) if self.verbose else None
        return fit(samples, self.scorer, log or (lambda _: None))

    def predict(self, params: dict[str, Any], page: Page) -> str:
        from bench.train_blocks import predict

        return predict(params, self._sample(page).candidates)


# The output key behind each scored metadata field.
_OUTPUT_KEY = {"title": "title", "authors": "authors", "date": "published"}


class BestToolPerField:
    name = "best-tool-per-field"

    def __init__(self, tools: Sequence[str] | None = None) -> None:
        self.tools = {
            name: tool.fields for name, tool in metadata_tools().items() if tools is None or name in tools
        }

    def _out(self, tool: str, page: Page) -> dict[str, Any]:
        return dict(cached_outputs("metadata", tool, page.collection).get(page.id) or {})

    def fit(self, train: Mapping[str, Sequence[Page]]) -> dict[str, str]:
        chosen = {}
        for field, key in _OUTPUT_KEY.items():
            means = {}
            for tool, fields in self.tools.items():
                if field not in fields:
                    continue
                per_fold = []
                for pages in train.values():
                    marks = [match.score(p.truth, self._out(tool, p))[field] for p in pages]
                    scored = [m for m in marks if m is not None]
                    if scored:
                        per_fold.append(sum(scored) / len(scored))
                means[tool] = sum(per_fold) / len(per_fold) if per_fold else 0.0
            chosen[key] = max(means, key=lambda t: means[t])
        return chosen

    def predict(self, params: dict[str, str], page: Page) -> dict[str, Any]:
        return {key: self._out(tool, page).get(key) for key, tool in params.items()}


class ShownDateReach:
    """newsdesk's metadata with `metadata_rules.SHOWN_DATE_REACH` fitted on the training folds.

    The reach is how far (in texts) from the headline a shown date may stand to settle a conflict
    between metadata dates. Each candidate's published date is computed once per page (the rest
    of the output is newsdesk's cached output); a fit picks the candidate with the best mean of
    per-fold same-day accuracy, the shipped value winning ties.
    """

    name = "newsdesk-fitted"
    CANDIDATES: tuple[int | None, ...] = (None, 0, 3, 6, 10, 20, 40)

    def __init__(self) -> None:
        from newsdesk.extraction import metadata_rules

        self.shipped = metadata_rules.SHOWN_DATE_REACH
        self._dates: dict[tuple[str, str], dict[int | None, str | None]] = {}

    def _published(self, page: Page) -> dict[int | None, str | None]:
        key = (page.collection, page.id)
        if key not in self._dates:
            self._dates[key] = _published_per_reach(page, self.CANDIDATES)
        return self._dates[key]

    def fit(self, train: Mapping[str, Sequence[Page]]) -> dict[str, Any]:
        means: dict[int | None, float] = {}
        for reach in self.CANDIDATES:
            per_fold = []
            for pages in train.values():
                marks = [
                    match.same_day(p.truth["published"], self._published(p)[reach])
                    for p in pages
                    if p.truth.get("published")
                ]
                if marks:
                    per_fold.append(sum(marks) / len(marks))
            means[reach] = sum(per_fold) / len(per_fold) if per_fold else 0.0
        best = max(means.values())
        tied = [r for r, m in means.items() if m == best]
        reach = self.shipped if self.shipped in tied else tied[0]
        return {"reach": reach, "train_accuracy": {str(r): m for r, m in means.items()}}

    def predict(self, params: dict[str, Any], page: Page) -> dict[str, Any]:
        out = dict(_own_metadata(page.collection).get(page.id) or {})
        if page.truth.get("published"):
            out["published"] = self._published(page)[params["reach"]]
        return out


@functools.lru_cache(maxsize=16)
def _own_metadata(collection: str) -> Mapping[str, Any]:
    """This tree's newsdesk metadata outputs (the latest cached version may be another tree's)."""
    return cache.outputs("newsdesk", collection, task="metadata", version=newsdesk_version())


def _published_per_reach(page: Page, candidates: Sequence[int | None]) -> dict[int | None, str | None]:
    from newsdesk.extraction import metadata_rules, parse_html
    from newsdesk.extraction.dates import page_published
    from newsdesk.extraction.decoding import decode_html
    from newsdesk.extraction.pagemeta import Page as PageLayers

    shipped = metadata_rules.SHOWN_DATE_REACH
    try:
        layers = PageLayers(parse_html(decode_html(page.html())), page.url)
    except Exception:  # a page newsdesk cannot parse has no date under any reach
        return dict.fromkeys(candidates)
    out: dict[int | None, str | None] = {}
    try:
        for reach in candidates:
            metadata_rules.SHOWN_DATE_REACH = reach
            out[reach] = iso(page_published(layers))
    finally:
        metadata_rules.SHOWN_DATE_REACH = shipped
    return out
