"""Leave-one-collection-out evaluation of anything tunable.

A `Tunable` learns JSON-able params from training pages grouped by fold and predicts one page's
output (body text, or a metadata dict) from them. `evaluate` fits it once per fold X on every
other fold and predicts X's pages (held-out), and once on all folds (in-sample). A page that also
sits in X under another collection (same URL, or same bytes: metadata-dev's fundus pages ARE
fundus-dev's) is dropped from X's training set, so no held-out page is ever trained on.

Folds are the collections, except metadata-dev, whose six source projects are six folds.
Predictions usually come from cached tool outputs (`bench.cache.outputs`), so a full evaluation
runs in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bench.data import Collection, Page

Params = Any  # JSON-able


class Tunable(Protocol):
    name: str

    def fit(self, train: Mapping[str, Sequence[Page]]) -> Params: ...

    def predict(self, params: Params, page: Page) -> Any: ...


@dataclass(frozen=True)
class Fold:
    held_out: str
    test: tuple[Page, ...]
    train: dict[str, tuple[Page, ...]]


def _keys(page: Page) -> set[str]:
    keys = {"bytes:" + page.content_key}
    if page.url_key:
        keys.add("url:" + page.url_key)
    return keys


def folds(collections: Sequence[Collection]) -> list[Fold]:
    groups: dict[str, list[Page]] = {}
    for collection in collections:
        for page in collection.pages:
            groups.setdefault(page.fold or page.collection, []).append(page)
    out = []
    for held_out, test in groups.items():
        seen = set().union(*(_keys(p) for p in test))
        train = {
            name: tuple(p for p in pages if not (_keys(p) & seen))
            for name, pages in groups.items()
            if name != held_out
        }
        out.append(Fold(held_out, tuple(test), {k: v for k, v in train.items() if v}))
    return out


@dataclass(frozen=True)
class Evaluation:
    """Per page (keyed by (collection, id)): the in-sample and the held-out prediction."""

    in_sample: dict[tuple[str, str], Any]
    held_out: dict[tuple[str, str], Any]
    params: dict[str, Params]  # fold -> params fitted without it; "*" -> fitted on all


def evaluate(tunable: Tunable, collections: Sequence[Collection]) -> Evaluation:
    all_folds = folds(collections)
    everything: dict[str, list[Page]] = {}
    for collection in collections:
        for page in collection.pages:
            everything.setdefault(page.fold or page.collection, []).append(page)
    params: dict[str, Params] = {"*": tunable.fit(everything)}
    in_sample = {(p.collection, p.id): tunable.predict(params["*"], p) for c in collections for p in c.pages}
    held_out: dict[tuple[str, str], Any] = {}
    for fold in all_folds:
        params[fold.held_out] = tunable.fit(fold.train)
        for page in fold.test:
            held_out[(page.collection, page.id)] = tunable.predict(params[fold.held_out], page)
    return Evaluation(in_sample, held_out, params)
