"""One body from several candidates: whichever extractor is wrong on a page is outvoted.

Candidates are our generic path (trafilatura-based, `primary`), readability-lxml (`second`) and,
when the page has one, the JSON-LD articleBody (`witness`: often a teaser, so it only ever votes,
it is never the output). Two failure classes are fixed here:

- the wrong block altogether (a hidden paywall box, a footer, a section nav chosen over the
  story): the two extractors barely overlap. The one the witness agrees with wins; without a
  witness, the one that reads more like prose.
- a body split across sibling containers, or cut after a paragraph or two: the extractors agree
  on the region, but one has prose paragraphs the other lacks. The primary keeps its blocks
  and order and gains the second's prose paragraphs, each after its nearest shared neighbour.

The thresholds are data (`data/body_consensus.json`), chosen by `bench/train_body.py` with
leave-one-collection-out validation; nothing here names a site.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources

from newsdesk.extraction.blocks import Block

_TOKEN = re.compile(r"\w+")
SHINGLE = 3


@dataclass(frozen=True)
class ConsensusParams:
    # Below this overlap (shared shingles over the smaller candidate's) the two picked different blocks.
    disagree_below: float = 0.2
    # Without a witness, the second wins a disagreement when its prose outweighs the primary's
    # by this factor.
    prose_factor: float = 4.0
    # A witness decides only when it overlaps the favoured candidate at least this much more.
    witness_margin: float = 0.05
    # Paragraphs added from the second candidate: at least this long, at most this much link text.
    add_min_chars: int = 120
    add_max_link_ratio: float = 0.1
    # A paragraph counts as shared when this share of its shingles is in the other candidate.
    shared_at: float = 0.5
    # Paragraphs are added only where the two agree at least this much overall...
    add_min_agreement: float = 0.2
    # ... and, besides between shared paragraphs, also before the first / after the last one.
    add_lead: bool = True
    add_tail: bool = True
    # Turn the recall step off entirely (a LOCO fold may prefer it).
    add_paragraphs: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ConsensusParams:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def default_params() -> ConsensusParams:
    path = resources.files("newsdesk") / "data" / "body_consensus.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ConsensusParams()
    return ConsensusParams.from_dict(data.get("params", {}))


Shingles = frozenset[tuple[str, ...]]


@lru_cache(maxsize=4096)  # a page's blocks are compared several times; the bench replays many pages
def _shingles(text: str) -> Shingles:
    tokens = [t.casefold() for t in _TOKEN.findall(text)]
    if len(tokens) < SHINGLE:
        return frozenset({tuple(tokens)}) if tokens else frozenset()
    return frozenset(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def _all_shingles(blocks: list[Block]) -> Shingles:
    out: set[tuple[str, ...]] = set()
    for block in blocks:
        out |= _shingles(block.plain)
    return frozenset(out)


def overlap(a: Shingles, b: Shingles) -> float:
    """Shared shingles over the smaller set's (1.0: one is inside the other)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def agreement(primary: list[Block], second: list[Block]) -> float:
    """How much two candidate bodies overlap (what `combine` compares with `disagree_below`)."""
    return overlap(_all_shingles(primary), _all_shingles(second))


def _contained(a: Shingles, b: Shingles) -> float:
    """Share of `a` found in `b`."""
    return len(a & b) / len(a) if a else 0.0


def prose_chars(blocks: list[Block]) -> int:
    """Characters in paragraphs that read like an article's: long sentences, little link text."""
    return sum(
        len(b.text)
        for b in blocks
        if b.kind in ("paragraph", "quote") and len(b.text) >= 80 and b.link_ratio < 0.3
    )


def _pick(
    primary: list[Block], second: list[Block], witness: list[Block], params: ConsensusParams
) -> list[Block]:
    """The candidate to keep when the two extractors chose different parts of the page."""
    if witness:
        wit = _all_shingles(witness)
        p_score = _contained(wit, _all_shingles(primary))
        s_score = _contained(wit, _all_shingles(second))
        if s_score >= p_score + params.witness_margin:
            return second
        if p_score >= s_score + params.witness_margin:
            return primary
    if prose_chars(second) > params.prose_factor * prose_chars(primary):
        return second
    return primary


def _with_missing_paragraphs(
    primary: list[Block], second: list[Block], params: ConsensusParams
) -> list[Block]:
    """The primary's blocks plus the second's prose paragraphs it lacks, in the second's order."""
    primary_sh = _all_shingles(primary)
    primary_sets = [_shingles(b.plain) for b in primary]
    # For each of the second's blocks: shared (and where it sits in the primary), or missing.
    anchors: list[int | None] = []
    for block in second:
        sh = _shingles(block.plain)
        if sh and _contained(sh, primary_sh) >= params.shared_at:
            # after the last primary block it has anything in common with
            anchors.append(next((i + 1 for i in range(len(primary) - 1, -1, -1) if primary_sets[i] & sh), 0))
        else:
            anchors.append(None)
    shared = [i for i, a in enumerate(anchors) if a is not None]
    if not shared:
        return primary
    first, last = shared[0], shared[-1]
    inserts: list[list[Block]] = [[] for _ in range(len(primary) + 1)]  # [i]: after primary block i-1
    position = 0
    for index, (block, anchor) in enumerate(zip(second, anchors, strict=True)):
        if anchor is not None:
            position = max(position, anchor)
            continue
        if (index < first and not params.add_lead) or (index > last and not params.add_tail):
            continue
        if (
            block.kind == "paragraph"
            and len(block.text) >= params.add_min_chars
            and block.link_ratio <= params.add_max_link_ratio
        ):
            inserts[position].append(block)
    merged: list[Block] = list(inserts[0])
    for index, block in enumerate(primary):
        merged.append(block)
        merged.extend(inserts[index + 1])
    return merged


def combine(
    primary: list[Block],
    second: list[Block],
    witness: list[Block] | None = None,
    params: ConsensusParams | None = None,
) -> list[Block]:
    """The body the candidates agree on (see the module docstring)."""
    params = params or default_params()
    witness = witness or []
    if not second:
        return primary
    if not primary:
        return second
    agree = agreement(primary, second)
    if agree < params.disagree_below:
        return _pick(primary, second, witness, params)
    if params.add_paragraphs and agree >= params.add_min_agreement:
        return _with_missing_paragraphs(primary, second, params)
    return primary
