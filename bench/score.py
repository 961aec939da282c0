"""Body-text scoring: the scrapinghub shingle metric and trafilatura's snippet metric.

Shingle metric (scrapinghub article-extraction-benchmark): tokens are `\\w+` matches; a text's
shingles are the multiset of its 4-token windows (a text shorter than four tokens is one
shingle). Per page, true/false positives and false negatives are the min and excess counts,
normalised by their sum so that every page weighs the same whatever its length. Precision is
averaged over pages with a prediction, recall over pages with a truth, F1 of the two averages.

Snippet metric (trafilatura's tests/eval_common.py, its own official metric): each page lists
`with` snippets that must appear in the output and `without` snippets that must not. After
collapsing whitespace, a snippet "appears" when it is a substring of the output. tp = with-snippets
found, fn = with-snippets missing, fp = without-snippets found, tn = without-snippets absent;
all four are SUMMED over the corpus and P, R, F1 are computed on the sums.

`body(kind, truth, text)` scores one page for either kind; `aggregate(kind, scores)` gives the
collection's `Summary`; `bootstrap_f1_std` resamples pages for the ± column.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")
SHINGLE_SIZE = 4

BodyKind = Literal["shingles", "snippets"]


def tokenize(text: str | None) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, n: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


@dataclass(frozen=True)
class PageScore:
    """tp, fp and fn of one page as fractions of tp + fp + fn (all zero when both texts are empty)."""

    tp: float
    fp: float
    fn: float


@dataclass(frozen=True)
class SnippetScore:
    """Counts of one page's snippets: found/missing `with` ones, found/absent `without` ones."""

    tp: int
    fn: int
    fp: int
    tn: int


def score_page(truth: str | None, prediction: str | None) -> PageScore:
    true_sh = shingles(truth)
    pred_sh = shingles(prediction)
    tp = fp = fn = 0
    for key in true_sh.keys() | pred_sh.keys():
        t, p = true_sh.get(key, 0), pred_sh.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


def _squash(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def score_snippets(with_: Sequence[str], without: Sequence[str], prediction: str | None) -> SnippetScore:
    """trafilatura's rule: whitespace-normalised substring match of each snippet in the output."""
    output = _squash(prediction or "")
    found = [bool(_squash(s)) and _squash(s) in output for s in with_]
    leaked = [bool(_squash(s)) and _squash(s) in output for s in without]
    return SnippetScore(
        tp=sum(found), fn=len(found) - sum(found), fp=sum(leaked), tn=len(leaked) - sum(leaked)
    )


@dataclass(frozen=True)
class Summary:
    precision: float
    recall: float
    f1: float


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def summarize(scores: Sequence[PageScore]) -> Summary:
    """Precision averaged over pages with a prediction, recall over pages with a truth, F1 of the two."""
    precisions = [s.tp / (s.tp + s.fp) for s in scores if s.tp + s.fp > 0]
    recalls = [s.tp / (s.tp + s.fn) for s in scores if s.tp + s.fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 1.0
    recall = sum(recalls) / len(recalls) if recalls else 1.0
    return Summary(precision, recall, _f1(precision, recall))


def summarize_snippets(scores: Sequence[SnippetScore]) -> Summary:
    """P, R and F1 on the corpus-wide sums, as trafilatura's evaluation computes them."""
    tp = sum(s.tp for s in scores)
    fn = sum(s.fn for s in scores)
    fp = sum(s.fp for s in scores)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Summary(precision, recall, _f1(precision, recall))


AnyScore = PageScore | SnippetScore


def body(kind: str, truth: Mapping[str, Any], text: str | None) -> AnyScore:
    """Score one page's extracted text against its truth (`text` for shingles, `with`/`without`)."""
    if kind == "snippets":
        return score_snippets(truth.get("with") or [], truth.get("without") or [], text)
    return score_page(truth.get("text"), text)


def aggregate(scores: Sequence[AnyScore]) -> Summary:
    """The collection's figure: the kind is read off the scores themselves (never mixed)."""
    if scores and isinstance(scores[0], SnippetScore):
        return summarize_snippets([s for s in scores if isinstance(s, SnippetScore)])
    return summarize([s for s in scores if isinstance(s, PageScore)])


def bootstrap_f1_std(scores: Sequence[AnyScore], rounds: int = 1000, seed: int = 0) -> float:
    """Standard deviation of F1 over page resamples: how much the figure depends on which pages we have."""
    if not scores:
        return 0.0
    rng = random.Random(seed)
    values = []
    for _ in range(rounds):
        sample = [scores[rng.randrange(len(scores))] for _ in scores]
        values.append(aggregate(sample).f1)
    mean = sum(values) / len(values)
    return float((sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5)


def page_f1(score: AnyScore) -> float:
    """One page's own F1 (for ranking the worst pages and per-page comparisons)."""
    if isinstance(score, SnippetScore):
        return summarize_snippets([score]).f1
    return summarize([score]).f1
