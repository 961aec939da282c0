"""One body from several candidates: whichever extractor is wrong on a page is outvoted.

Candidates are our generic path (trafilatura-based, `primary`), readability-lxml (`second`) and,
when the page has one, the JSON-LD articleBody (`witness`: often a teaser, so it only ever votes,
it is never the output). Two failure classes are fixed here:

- the wrong block altogether (a hidden paywall box, a footer, a section nav chosen over the
  story): the two extractors barely overlap. The one the witness agrees with wins; without a
  witness, the one that reads more like prose.
- the extractors agree on the region but not on every block: a body split across sibling
  containers or cut after a paragraph or two (one has prose paragraphs the other lacks), or a
  "related" list, a code or quote box one of them kept. The primary keeps its shared blocks and
  order; each block only one of them has is voted on (votes.py, a small learned model) and a
  kept block of the second's goes after its nearest shared neighbour. Without a model, the
  second's prose paragraphs are added and the primary's own blocks all stay.

The thresholds are data (`data/body_consensus.json`, `data/body_blocks.json`), chosen by
`bench/train_body.py` with leave-one-collection-out validation; nothing here names a site.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources

from newsdesk.extraction.blocks import Block, is_substantial
from newsdesk.extraction.votes import BlockContext, BlockModel, Position, default_model

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
    # Decide every block only one candidate has by the block model (votes.py) instead.
    vote: bool = False

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


def all_shingles(blocks: list[Block]) -> Shingles:
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
    return overlap(all_shingles(primary), all_shingles(second))


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
        wit = all_shingles(witness)
        p_score = _contained(wit, all_shingles(primary))
        s_score = _contained(wit, all_shingles(second))
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
    primary_sh = all_shingles(primary)
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


def _nearest(flags: list[bool]) -> list[int]:
    """For each index, the distance to the nearest True flag (len(flags) when there is none)."""
    n = len(flags)
    out = [n] * n
    last = -n
    for i, flag in enumerate(flags):
        last = i if flag else last
        out[i] = i - last
    last = 2 * n
    for i in range(n - 1, -1, -1):
        last = i if flags[i] else last
        out[i] = min(out[i], last - i)
    return out


def _run_chars(blocks: list[Block], shared: list[bool]) -> list[int]:
    """For each unshared block, the characters of the run of unshared blocks it belongs to."""
    out = [0] * len(blocks)
    start = 0
    for end in range(len(blocks) + 1):
        if end == len(blocks) or shared[end]:
            total = sum(len(b.plain) for b in blocks[start:end])
            for i in range(start, end):
                out[i] = total
            start = end + 1
    return out


def vote_contexts(
    blocks: list[Block],
    other: Shingles,
    witness: Shingles | None,
    agree: float,
    params: ConsensusParams,
    *,
    from_second: bool,
) -> tuple[list[bool], list[BlockContext | None]]:
    """Which blocks the other candidate shares, and the vote's context for each one it lacks."""
    sets = [_shingles(b.plain) for b in blocks]
    shares = [_contained(sh, other) for sh in sets]
    shared = [bool(sh) and share >= params.shared_at for sh, share in zip(sets, shares, strict=True)]
    if not any(shared):
        return shared, [None] * len(blocks)
    first, last = shared.index(True), len(shared) - 1 - shared[::-1].index(True)
    distance = _nearest(shared)
    shared_chars = max(1, sum(len(b.plain) for b, s in zip(blocks, shared, strict=True) if s))
    run_chars = _run_chars(blocks, shared)
    contexts: list[BlockContext | None] = []
    for i, sh in enumerate(sets):
        if shared[i] or not sh:
            contexts.append(None)
            continue
        position: Position = "lead" if i < first else "tail" if i > last else "mid"
        contexts.append(
            BlockContext(
                from_second=from_second,
                position=position,
                other_share=shares[i],
                witness_share=_contained(sh, witness) if witness is not None else None,
                agreement=agree,
                distance=distance[i] / len(blocks),
                size_vs_shared=len(blocks[i].plain) / shared_chars,
                run_vs_shared=run_chars[i] / shared_chars,
            )
        )
    return shared, contexts


def _voted(
    primary: list[Block],
    second: list[Block],
    witness: list[Block],
    agree: float,
    *,
    params: ConsensusParams,
    model: BlockModel,
) -> list[Block]:
    """Shared blocks in the primary's order, and each block only one candidate has if voted in."""
    wit = all_shingles(witness) if witness else None
    p_shared, p_contexts = vote_contexts(primary, all_shingles(second), wit, agree, params, from_second=False)
    s_shared, s_contexts = vote_contexts(second, all_shingles(primary), wit, agree, params, from_second=True)
    if not any(p_shared) or not any(s_shared):
        return primary
    keep = [ctx is None or model.keep(block, ctx) for block, ctx in zip(primary, p_contexts, strict=True)]
    primary_sets = [_shingles(b.plain) for b in primary]
    inserts: list[list[Block]] = [[] for _ in range(len(primary) + 1)]  # [i]: after primary block i-1
    position = 0
    for block, is_shared, ctx in zip(second, s_shared, s_contexts, strict=True):
        if is_shared:
            sh = _shingles(block.plain)
            # after the last primary block it has anything in common with
            anchor = next((i + 1 for i in range(len(primary) - 1, -1, -1) if primary_sets[i] & sh), 0)
            position = max(position, anchor)
        elif ctx is not None and model.keep(block, ctx):
            inserts[position].append(block)
    merged: list[Block] = list(inserts[0])
    for index, block in enumerate(primary):
        if keep[index]:
            merged.append(block)
        merged.extend(inserts[index + 1])
    return merged


def combine(
    primary: list[Block],
    second: list[Block],
    witness: list[Block] | None = None,
    params: ConsensusParams | None = None,
    model: BlockModel | None = None,
) -> list[Block]:
    """The body the candidates agree on (see the module docstring).

    `model` is the block vote's (the shipped one when None); it is used when `params.vote`.
    """
    params = params or default_params()
    witness = witness or []
    if not second:
        return primary
    if not primary:
        return second
    agree = agreement(primary, second)
    if agree < params.disagree_below:
        return _pick(primary, second, witness, params)
    model = model or (default_model() if params.vote else None)
    if params.vote and model is not None:
        return _voted(primary, second, witness, agree, params=params, model=model)
    if params.add_paragraphs and agree >= params.add_min_agreement:
        return _with_missing_paragraphs(primary, second, params)
    return primary


def consensus_body(
    primary: list[Block],
    second: list[Block],
    witness: list[Block],
    params: ConsensusParams | None = None,
    model: BlockModel | None = None,
) -> tuple[list[Block], bool]:
    """The generic path's body from its candidates, and whether it is the JSON-LD witness's.

    The markup gave nothing (a script-rendered or paywalled page) but the page's JSON-LD
    carries the text: the witness stands in. On pages where both exist the markup wins: on the
    benchmark the JSON-LD body is more often a truncated teaser than the full text.
    """
    blocks = combine(primary, second, witness, params, model)
    if not is_substantial(blocks) and is_substantial(witness):
        return witness, True
    return blocks, False
