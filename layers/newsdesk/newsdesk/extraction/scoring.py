"""Shingle-based body-text scoring, as in the scrapinghub article-extraction-benchmark.

Tokens are `\\w+` matches; a text's shingles are the multiset of its 4-token windows (a text shorter
than four tokens is one shingle). Per page, true/false positives and false negatives are the min and
excess counts, normalised by their sum so that every page weighs the same whatever its length.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
SHINGLE_SIZE = 4


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


@dataclass(frozen=True)
class Summary:
    precision: float
    recall: float
    f1: float


def summarize(scores: Sequence[PageScore]) -> Summary:
    """Precision averaged over pages with a prediction, recall over pages with a truth, F1 of the two."""
    precisions = [s.tp / (s.tp + s.fp) for s in scores if s.tp + s.fp > 0]
    recalls = [s.tp / (s.tp + s.fn) for s in scores if s.tp + s.fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 1.0
    recall = sum(recalls) / len(recalls) if recalls else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return Summary(precision, recall, f1)


def bootstrap_f1_std(scores: Sequence[PageScore], rounds: int = 1000, seed: int = 0) -> float:
    """Standard deviation of F1 over page resamples: how much the figure depends on which pages we have."""
    if not scores:
        return 0.0
    rng = random.Random(seed)
    values = []
    for _ in range(rounds):
        sample = [scores[rng.randrange(len(scores))] for _ in scores]
        values.append(summarize(sample).f1)
    mean = sum(values) / len(values)
    return float((sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5)
