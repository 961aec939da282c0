"""Per-block votes: keep or drop each block only one extractor found, by a small learned model.

When the candidates agree on the region, most of the body is shared and the disagreement is in
single blocks: a "related articles" list or a newsletter prompt one extractor kept at the tail,
an embedded code or quote box in the middle, a paragraph one of them lost. Each such block is
described by a few generic features (where it sits relative to the shared blocks, its kind,
length, link text, how much of it the other candidate and the JSON-LD witness hold) and a
logistic model says whether it belongs to the article.

The weights are data (`data/body_blocks.json`), trained by `python -m bench.train_body tune`
on the development collections and chosen leave-one-collection-out; inference is plain Python.
Nothing here names a site.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal

from newsdesk.extraction.blocks import Block

Position = Literal["lead", "mid", "tail"]

FEATURES: tuple[str, ...] = (
    "bias",
    "from_second",
    "kind_heading",
    "kind_list",
    "kind_quote",
    "kind_table",
    "kind_code",
    "chars",
    "short",
    "link_ratio",
    "lead",
    "tail",
    "other_share",
    "witness_share",
    "has_witness",
    "agreement",
    "sentence_end",
    "distance",
    "size_vs_shared",
    "run_vs_shared",
)
_SENTENCE_END = frozenset('.!?:"”’)')


@dataclass(frozen=True)
class BlockContext:
    """Where an unshared block sits and what the other candidates say about it."""

    from_second: bool
    position: Position
    other_share: float  # share of its shingles the other candidate has (under `shared_at`)
    witness_share: float | None  # share the JSON-LD witness has; None without a witness
    agreement: float  # the two candidates' overall overlap
    distance: float  # blocks away from the nearest shared block, over the candidate's length
    # Characters of the block, and of the run of unshared blocks it is in, over the characters
    # the candidates share: a tail run bigger than the story itself is comments or a feed.
    size_vs_shared: float = 0.0
    run_vs_shared: float = 0.0


def block_features(block: Block, context: BlockContext) -> dict[str, float]:
    text = block.plain
    chars = len(text)
    return {
        "bias": 1.0,
        "from_second": float(context.from_second),
        "kind_heading": float(block.kind == "heading"),
        "kind_list": float(block.kind == "list"),
        "kind_quote": float(block.kind == "quote"),
        "kind_table": float(block.kind == "table"),
        "kind_code": float(block.kind == "code"),
        # log scale: a 30,000-character list and a 3,000-character one are both "huge"
        "chars": math.log1p(chars) / 10,
        "short": float(chars < 80),
        "link_ratio": block.link_ratio,
        "lead": float(context.position == "lead"),
        "tail": float(context.position == "tail"),
        "other_share": context.other_share,
        "witness_share": context.witness_share or 0.0,
        "has_witness": float(context.witness_share is not None),
        "agreement": context.agreement,
        "sentence_end": float(bool(text) and text.rstrip()[-1:] in _SENTENCE_END),
        "distance": context.distance,
        "size_vs_shared": _log_ratio(context.size_vs_shared),
        "run_vs_shared": _log_ratio(context.run_vs_shared),
    }


def _log_ratio(ratio: float) -> float:
    """A ratio on a log scale, clipped to [-1, 1] (a thousandth to a thousand times)."""
    if ratio <= 0:
        return -1.0
    return max(-1.0, min(1.0, math.log10(ratio) / 3))


@dataclass(frozen=True)
class BlockModel:
    """One logistic model for both sides: keeping a block only the primary has, adding one only
    the second has (`from_second` tells them apart; separate weights per side measured worse
    held-out).
    """

    weights: dict[str, float] = field(default_factory=dict)
    # A block is kept when its probability of belonging to the article is at least this.
    keep_at: float = 0.5

    def probability(self, features: dict[str, float]) -> float:
        score = sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        if score < -30:  # math.exp overflows far beyond any weight we train
            return 0.0
        return 1.0 / (1.0 + math.exp(-score))

    def keep(self, block: Block, context: BlockContext) -> bool:
        return self.probability(block_features(block, context)) >= self.keep_at

    def to_dict(self) -> dict[str, object]:
        return {"weights": dict(self.weights), "keep_at": self.keep_at}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> BlockModel:
        weights = data.get("weights")
        keep_at = data.get("keep_at", 0.5)
        if not isinstance(weights, dict) or not isinstance(keep_at, int | float):
            raise ValueError("a block model needs a weights mapping and a numeric keep_at")
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"block model weights for unknown features: {sorted(unknown)}")
        return cls({str(k): float(v) for k, v in weights.items()}, float(keep_at))


@lru_cache(maxsize=1)
def default_model() -> BlockModel | None:
    """The shipped model, or None when the data file turns block votes off (`"model": null`)."""
    path = resources.files("newsdesk") / "data" / "body_blocks.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    model = data.get("model")
    return BlockModel.from_dict(model) if isinstance(model, dict) else None
