"""Body consensus: cache every candidate per page, fit the consensus leave-one-collection-out.

    python -m bench.train_body cache [--only NAME]     # our candidates on every body page
    python -m bench.train_body tune [--write]          # fit in-sample and per held-out collection
    python -m bench.train_body timing [--limit N]      # median ms, interleaved with trafilatura

`cache` runs our generic path's candidates (`generic_candidates`: the trafilatura-based primary,
readability-lxml, the JSON-LD witness) on every page of every body collection
(`bench.data.body_collections()`) and stores them under the benchmark cache
(`$NEWSDESK_BENCH_CACHE/body-candidates/<version>/`, the version a hash of the package's code
without the consensus's own code and data files, so a change to the candidates is a new folder
while a changed or retrained consensus reuses them). `tune` never re-extracts: it runs
`bench.loco.evaluate` on the `bench.tunables.Consensus` tunable (what `make bench-extract`
reports as newsdesk's held-out figure) and prints each collection in-sample and held out;
`--write` stores the fit on all collections in data/body_consensus.json and data/body_blocks.json.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trafilatura

from bench import cache as bench_cache
from bench import report, score
from bench.data import REPO, Collection, Page, body_collections
from bench.tools import dist_version
from newsdesk.errors import ExtractionError
from newsdesk.extraction import generic_candidates, parse_html
from newsdesk.extraction.blocks import Block
from newsdesk.extraction.decoding import decode_html
from newsdesk.extraction.metadata import extract_metadata

PACKAGE = REPO / "layers" / "newsdesk" / "newsdesk"
DATA = PACKAGE / "data"
# The consensus itself (its code and what it learns): a change to these is not a change to the
# candidates it decides between, which `generic_candidates` makes without them.
CONSENSUS_FILES = (
    "data/body_consensus.json",
    "data/body_blocks.json",
    "extraction/consensus.py",
    "extraction/votes.py",
)
# Outside extraction/, what the candidates' code imports from the package.
CORE_MODULES = ("__init__.py", "article.py", "errors.py", "urls.py", "rawpage.py", "fetching/encoding.py")
Candidates = tuple[list[Block], list[Block], list[Block]]


def candidates_version() -> str:
    """A hash of what makes the candidates: the extraction code and data (without the consensus's
    own), the modules it reads, and the versions of the libraries it calls."""
    digest = hashlib.sha256()
    for name in ("trafilatura", "readability-lxml", "lxml"):
        digest.update(f"{name}=={dist_version(name)}".encode())
    paths = [*PACKAGE.glob("extraction/**/*"), *PACKAGE.glob("data/*"), *(PACKAGE / n for n in CORE_MODULES)]
    for path in sorted(paths):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if path.relative_to(PACKAGE).as_posix() in CONSENSUS_FILES:
            continue
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    return "src-" + digest.hexdigest()[:12]


def default_cache() -> Path:
    return bench_cache.cache_dir() / "body-candidates" / candidates_version()


def _blocks(data: list[dict[str, Any]]) -> list[Block]:
    return [Block(**b) for b in data]


def candidate_record(raw: bytes, url: str | None) -> dict[str, Any]:
    """Our candidates on one page as JSON, and the time they took (extract()'s time, within noise)."""
    start = time.perf_counter()
    try:
        text = decode_html(raw, None)
        tree = parse_html(text)
        meta = extract_metadata(tree, url)
        found = generic_candidates(tree, text, url, meta)
        cands = {
            "primary": [asdict(b) for b in found.result.blocks],
            "second": [asdict(b) for b in found.second],
            "witness": [asdict(b) for b in found.witness],
        }
    except ExtractionError:
        cands = {"primary": [], "second": [], "witness": []}
    return {"candidates": cands, "ms": (time.perf_counter() - start) * 1000}


class CandidateStore:
    """Cached candidates per page (one JSON-lines file per collection), made on first request."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_cache()
        self._records: dict[str, dict[str, dict[str, Any]]] = {}

    def _path(self, collection: str) -> Path:
        return self.folder / f"{collection}.jsonl"

    def records(self, collection: str) -> dict[str, dict[str, Any]]:
        if collection not in self._records:
            out: dict[str, dict[str, Any]] = {}
            path = self._path(collection)
            if path.exists():
                for line in path.read_text(encoding="utf-8").splitlines():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:  # a run stopped mid-line: that page is redone
                        continue
                    out[record["id"]] = record
            self._records[collection] = out
        return self._records[collection]

    def record(self, page: Page) -> dict[str, Any]:
        records = self.records(page.collection)
        if page.id not in records:
            record = {"id": page.id, **candidate_record(page.html(), page.url)}
            self.folder.mkdir(parents=True, exist_ok=True)
            with self._path(page.collection).open("a", encoding="utf-8") as out:
                out.write(json.dumps(record) + "\n")
            records[page.id] = record
        return records[page.id]

    def candidates(self, page: Page) -> Candidates:
        found = self.record(page)["candidates"]
        return _blocks(found["primary"]), _blocks(found["second"]), _blocks(found["witness"])


def build_cache(store: CandidateStore, collections: list[Collection]) -> None:
    for collection in collections:
        for index, page in enumerate(collection.pages):
            store.record(page)
            if index % 100 == 0:
                print(f"{collection.name}: {index}/{len(collection.pages)}", file=sys.stderr)


def tune(collections: list[Collection], *, write: bool, docs: bool) -> None:
    from bench.loco import evaluate
    from bench.tunables import Consensus, cached_outputs

    tunable = Consensus(verbose=True)
    result = evaluate(tunable, collections)
    header = ["collection", "pages", "primary", "second", "in-sample", "held-out", "best peer"]
    lines = []
    for collection in collections:
        pages = collection.pages

        def f1(texts: Mapping[str, Any], pages: tuple[Page, ...] = pages) -> float:
            scores = [score.body(p.kind, p.truth, str(texts.get(p.id) or "")) for p in pages]
            return score.aggregate(scores).f1

        key = collection.name
        inside = {pid: v for (c, pid), v in result.in_sample.items() if c == key}
        held = {pid: v for (c, pid), v in result.held_out.items() if c == key}
        primary = {p.id: tunable.candidate_text(p, 0) for p in pages}
        second = {p.id: tunable.candidate_text(p, 1) for p in pages}
        peers = {peer: f1(cached_outputs("body", peer, key)) for peer in PEERS}
        best = max(peers, key=lambda k: peers[k])
        lines.append(
            [
                key,
                str(len(pages)),
                *(f"{f1(t):.3f}" for t in (primary, second, inside, held)),
                f"{best} {peers[best]:.3f}",
            ]
        )
    text = report.text_table(header, lines)
    fitted = "\n".join(f"{fold}: {json.dumps(params)}" for fold, params in result.params.items())
    print(text)
    print(fitted)
    if docs:
        report.splice("bench-extract-loco", _loco_docs(report.markdown_table(header, lines), result.params))
    if write:
        chosen = result.params["*"]
        stamp = {
            "trained_by": "python -m bench.train_body tune --write",
            "collections": [c.name for c in collections],
        }
        (DATA / "body_consensus.json").write_text(
            json.dumps({**stamp, "params": chosen["params"]}, indent=2) + "\n", encoding="utf-8"
        )
        (DATA / "body_blocks.json").write_text(
            json.dumps({**stamp, "model": chosen["model"]}, indent=2) + "\n", encoding="utf-8"
        )


PEERS = ("trafilatura", "trafilatura_precision", "readability")


def _loco_docs(table: str, params: Mapping[str, Any]) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    choices = "\n".join(
        f"- {'all four' if fold == '*' else 'without ' + fold}: {_choice(p)}" for fold, p in params.items()
    )
    return f"""Generated by `python -m bench.train_body tune --docs` on {stamp}. What is tuned on the
collections is the consensus (`extraction/consensus.py`, `extraction/votes.py`): its parameters
(`data/body_consensus.json`) and the block vote's logistic model (`data/body_blocks.json`).
`bench.train_blocks.fit` chooses the parameters by grid search, trains the model on every block
only one candidate has, and keeps the vote (and its threshold) only if it beats no vote on the
training collections. It is fitted once on all four collections (in-sample: the shipped files)
and once without each collection, which is then predicted (held-out). Candidates are cached per
page (`python -m bench.train_body cache`); the peers' columns are the same pages. This is the
figure `make bench-extract` shows as newsdesk's held-out F1.

{table}

Fitted:

{choices}
"""


def _choice(fitted: Mapping[str, Any]) -> str:
    params = fitted["params"]
    vote = f"vote at p >= {fitted['model']['keep_at']}" if fitted.get("model") else "no vote"
    return (
        f"disagree_below {params['disagree_below']}, prose_factor {params['prose_factor']}, "
        f"add_min_chars {params['add_min_chars']}, add_max_link_ratio {params['add_max_link_ratio']}, "
        f"{vote} (training F1 {fitted['train_f1']}, {fitted['blocks_trained_on']} blocks)"
    )


def timing(collections: list[Collection], per_collection: int) -> None:
    """Median wall time per page, ours (extract()) and trafilatura's, interleaved page by page."""
    from newsdesk.extraction import extract

    def ours(raw: bytes, url: str | None) -> str:
        try:
            return extract(raw, url).body_text
        except ExtractionError:
            return ""

    tools: dict[str, Callable[[bytes, str | None], str]] = {
        "ours": ours,
        "trafilatura": lambda raw, url: trafilatura.extract(raw, url=url) or "",
    }
    print(f"{'collection':<22}" + "".join(f"{n:>14}" for n in tools) + f"{'ours/traf':>11}")
    for collection in collections:
        pages = collection.pages[:: max(1, len(collection.pages) // per_collection)][:per_collection]
        times: dict[str, list[float]] = {n: [] for n in tools}
        for index, page in enumerate(pages):
            raw = gzip.decompress(page.path.read_bytes())
            order = list(tools)[index % len(tools) :] + list(tools)[: index % len(tools)]
            for tool in order:
                start = time.perf_counter()
                tools[tool](raw, page.url)
                times[tool].append((time.perf_counter() - start) * 1000)
        med = {n: statistics.median(t) for n, t in times.items()}
        print(
            f"{collection.name:<22}"
            + "".join(f"{med[n]:14.1f}" for n in tools)
            + f"{med['ours'] / med['trafilatura']:11.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("command", choices=("cache", "tune", "timing"))
    parser.add_argument("--cache", type=Path, help="candidate cache (default: versioned, in the bench cache)")
    parser.add_argument("--only", action="append", help="a collection (repeatable)")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--write", action="store_true", help="tune: store the fit in the package's data")
    parser.add_argument("--docs", action="store_true", help="tune: rewrite the LOCO section of the docs")
    args = parser.parse_args(argv)
    collections = [c for c in body_collections() if not args.only or c.name in args.only]
    if not collections:
        print("no body collections found", file=sys.stderr)
        return 1
    if args.command == "cache":
        build_cache(CandidateStore(args.cache), collections)
    elif args.command == "timing":
        timing(collections, args.limit or 30)
    else:
        tune(collections, write=args.write, docs=args.docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
