"""Leave-one-collection-out folds and evaluation, on hand-made pages (no ../shared needed)."""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.data import Collection, Kind, Page
from bench.loco import evaluate, folds


def _page(tmp: Path, collection: str, page_id: str, html: str, url: str | None, *, fold: str = "") -> Page:
    path = tmp / f"{collection}-{page_id}.html.gz"
    path.write_bytes(gzip.compress(html.encode()))
    return Page(collection, "shingles", page_id, url, path, {"text": html}, fold=fold or collection)


def _collection(name: str, pages: Sequence[Page], kind: Kind = "shingles") -> Collection:
    return Collection(name, kind, tuple(pages))


def test_each_collection_is_held_out_once_and_trained_on_elsewhere(tmp_path: Path) -> None:
    a = _collection("a", [_page(tmp_path, "a", "1", "<p>one</p>", "https://x.org/1")])
    b = _collection("b", [_page(tmp_path, "b", "1", "<p>two</p>", "https://y.org/1")])
    c = _collection("c", [_page(tmp_path, "c", "1", "<p>three</p>", None)])
    by_name = {f.held_out: f for f in folds([a, b, c])}
    assert set(by_name) == {"a", "b", "c"}
    assert [p.collection for p in by_name["a"].test] == ["a"]
    assert set(by_name["a"].train) == {"b", "c"}


def test_a_page_shared_with_the_held_out_fold_never_trains(tmp_path: Path) -> None:
    # metadata-dev's fundus pages are fundus-dev's: same bytes (and URL, up to scheme and www.).
    fundus = _collection(
        "fundus-dev",
        [
            _page(tmp_path, "fundus-dev", "1", "<p>same page</p>", "https://www.news.de/a/"),
            _page(tmp_path, "fundus-dev", "2", "<p>same bytes</p>", None),
        ],
    )
    dev = _collection(
        "metadata-dev",
        [
            _page(
                tmp_path,
                "metadata-dev",
                "1",
                "<p>refetched copy</p>",
                "http://news.de/a",
                fold="metadata-dev/fundus",
            ),
            _page(
                tmp_path,
                "metadata-dev",
                "2",
                "<p>same bytes</p>",
                "https://z.org/2",
                fold="metadata-dev/fundus",
            ),
            _page(
                tmp_path, "metadata-dev", "3", "<p>other</p>", "https://z.org/3", fold="metadata-dev/fundus"
            ),
            _page(
                tmp_path,
                "metadata-dev",
                "4",
                "<p>date gold</p>",
                "https://h.org/4",
                fold="metadata-dev/htmldate",
            ),
        ],
    )
    by_name = {f.held_out: f for f in folds([fundus, dev])}
    assert set(by_name) == {"fundus-dev", "metadata-dev/fundus", "metadata-dev/htmldate"}
    trained = {p.id for pages in by_name["fundus-dev"].train.values() for p in pages}
    assert trained == {"3", "4"}
    back = {p.id for pages in by_name["metadata-dev/fundus"].train.values() for p in pages}
    assert back == {"4"}  # both fundus-dev pages are copies of held-out pages


class _RemembersTraining:
    """Predicts the folds it was fitted on: exposes exactly what each prediction was trained with."""

    name = "remembers"

    def fit(self, train: Mapping[str, Sequence[Page]]) -> list[str]:
        return sorted(train)

    def predict(self, params: list[str], page: Page) -> list[str]:
        return params


def test_evaluate_predicts_each_fold_without_it_and_in_sample_with_all(tmp_path: Path) -> None:
    cols = [
        _collection(name, [_page(tmp_path, name, str(i), f"<p>{name} {i}</p>", None) for i in range(2)])
        for name in ("a", "b", "c")
    ]
    ev = evaluate(_RemembersTraining(), cols)
    assert ev.held_out[("a", "0")] == ["b", "c"]
    assert ev.held_out[("c", "1")] == ["a", "b"]
    assert ev.in_sample[("b", "0")] == ["a", "b", "c"]
    assert set(ev.params) == {"*", "a", "b", "c"}
