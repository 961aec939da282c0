"""Body consensus: cache every candidate per page, tune `ConsensusParams` leave-one-collection-out.

    python -m bench.train_body cache [--only NAME] [--limit N]   # candidates + peers, per page
    python -m bench.train_body tune [--write]                    # grid search, in-sample and LOCO
    python -m bench.train_body score                             # ours (shipped params) vs peers
    python -m bench.train_body timing [--limit N]                # median ms, interleaved

`cache` runs, on every page of every body collection in ../shared, our generic path's candidates
(`generic_candidates`: trafilatura-based primary, readability-lxml, the JSON-LD witness) and the
peers (trafilatura default and favor_precision, readability-lxml), each timed, and stores them
under --cache. `tune` never re-extracts: it replays `consensus.combine` on the cached candidates
for each parameter set, picks the best by mean F1 over the training collections, and reports each
collection's F1 both in-sample (tuned on all four) and held out (tuned on the other three).
`--write` stores the all-collection choice in the package's data/body_consensus.json.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import trafilatura

from bench.score import PageScore, score_page, summarize
from newsdesk.errors import ExtractionError
from newsdesk.extraction import generic_candidates, parse_html
from newsdesk.extraction.blocks import Block, render_text
from newsdesk.extraction.consensus import ConsensusParams, agreement, combine
from newsdesk.extraction.decoding import decode_html
from newsdesk.extraction.metadata import extract_metadata
from newsdesk.extraction.peers import readability_blocks

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
COLLECTIONS = {
    "extraction-benchmark": SHARED / "extraction-benchmark",
    "dragnet": SHARED / "body-benchmarks" / "dragnet",
    "fundus-dev": SHARED / "body-benchmarks" / "fundus-dev",
    "trafilatura-eval": SHARED / "body-benchmarks" / "trafilatura-eval",
}
DATA_FILE = REPO / "layers" / "newsdesk" / "newsdesk" / "data" / "body_consensus.json"
PEERS = ("trafilatura", "trafilatura_precision", "readability")


@dataclass
class Page:
    page_id: str
    url: str | None
    truth: str | None  # full body text, or None for snippet truth
    with_snippets: list[str]
    without_snippets: list[str]
    path: Path


def load(name: str) -> list[Page]:
    folder = COLLECTIONS[name]
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, item in sorted(truth.items()):
        path = folder / "html" / f"{page_id}.html.gz"
        if not path.exists():
            continue
        url = item.get("url")
        url = url if isinstance(url, str) and url.startswith("http") else None
        body = item.get("articleBody") or item.get("body_text")
        pages.append(
            Page(page_id, url, body, list(item.get("with") or []), list(item.get("without") or []), path)
        )
    return pages


# --- scoring --------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(page: Page, predicted: str) -> tuple[int, int, int]:
    """(tp, fp, fn) as trafilatura's evaluation counts them: whitespace-normalised substrings."""
    text = _norm(predicted)
    tp = sum(1 for s in page.with_snippets if _norm(s) in text)
    fn = len(page.with_snippets) - tp
    fp = sum(1 for s in page.without_snippets if _norm(s) in text)
    return tp, fp, fn


def collection_f1(pages: list[Page], texts: list[str]) -> float:
    if pages and pages[0].truth is None:
        tp = fp = fn = 0
        for page, text in zip(pages, texts, strict=True):
            a, b, c = snippet_counts(page, text)
            tp, fp, fn = tp + a, fp + b, fn + c
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return summarize([score_page(p.truth, t) for p, t in zip(pages, texts, strict=True)]).f1


# --- cache ----------------------------------------------------------------------------------


def _blocks_json(blocks: list[Block]) -> list[dict[str, Any]]:
    return [asdict(b) for b in blocks]


def _blocks(data: list[dict[str, Any]]) -> list[Block]:
    return [Block(**b) for b in data]


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - start) * 1000


def page_record(page: Page, *, with_peers: bool = True) -> dict[str, Any]:
    raw = gzip.decompress(page.path.read_bytes())
    record: dict[str, Any] = {"id": page.page_id}

    def candidates() -> dict[str, Any]:
        text = decode_html(raw, None)
        tree = parse_html(text)
        meta = extract_metadata(tree, page.url)
        found = generic_candidates(tree, text, page.url, meta)
        return {
            "primary": _blocks_json(found.result.blocks),
            "second": _blocks_json(found.second),
            "witness": _blocks_json(found.witness),
        }

    try:
        record["candidates"], record["ms_candidates"] = _timed(candidates)
    except ExtractionError:
        record["candidates"], record["ms_candidates"] = {"primary": [], "second": [], "witness": []}, 0.0

    # extract() is metadata + these candidates + combine (microseconds): its time is theirs.
    record["ms_ours"] = record["ms_candidates"]
    if not with_peers:
        return record
    peers: dict[str, Callable[[], str]] = {
        "trafilatura": lambda: trafilatura.extract(raw, url=page.url) or "",
        "trafilatura_precision": lambda: trafilatura.extract(raw, url=page.url, favor_precision=True) or "",
        "readability": lambda: _readability_text(raw, page.url),
    }
    for name, run in peers.items():
        record[name], record[f"ms_{name}"] = _timed(run)
    return record


def _readability_text(raw: bytes, url: str | None) -> str:
    # readability-lxml on its own, as a user of it would run it: the summary's text.
    try:
        tree = parse_html(decode_html(raw, None))
    except ExtractionError:
        return ""
    return render_text(readability_blocks(tree, url))


def cache_path(cache: Path, name: str) -> Path:
    return cache / f"{name}.jsonl"


def read_cache(cache: Path, name: str) -> dict[str, dict[str, Any]]:
    path = cache_path(cache, name)
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a run stopped mid-line: that page is simply redone
            continue
        out[record["id"]] = record
    return out


def build_cache(
    cache: Path,
    names: list[str],
    limit: int | None,
    stride: int,
    *,
    peers_from: Path | None = None,
    offset: int = 0,
) -> None:
    """`peers_from`: an older cache whose peer outputs are reused (only our candidates are redone)."""
    cache.mkdir(parents=True, exist_ok=True)
    for name in names:
        done = read_cache(cache, name)
        old = read_cache(peers_from, name) if peers_from else {}
        pages = load(name)[offset::stride][:limit]
        with cache_path(cache, name).open("a", encoding="utf-8") as out:
            for index, page in enumerate(pages):
                if page.page_id in done:
                    continue
                previous = old.get(page.page_id)
                record = page_record(page, with_peers=previous is None)
                if previous is not None:
                    record.update({k: v for k, v in previous.items() if k not in record})
                out.write(json.dumps(record) + "\n")
                out.flush()
                if index % 50 == 0:
                    print(f"{name}: {index}/{len(pages)}", file=sys.stderr)


# --- tuning ---------------------------------------------------------------------------------

# Coarse on purpose: few pages reach each branch, and a fine grid fits those pages, not the rule.
GRID: dict[str, list[Any]] = {
    "disagree_below": [0.0, 0.1, 0.2],
    "prose_factor": [2.5, 4.0, 10.0],
    "witness_margin": [0.05, 0.2],
    "add_min_chars": [60, 120],
    "add_max_link_ratio": [0.1, 0.3],
    "shared_at": [0.5],
    "add_paragraphs": [True, False],
    "add_min_agreement": [0.2, 0.5],
    "add_lead": [True, False],
    "add_tail": [True, False],
}


def grid() -> Iterator[ConsensusParams]:
    keys = list(GRID)
    for values in itertools.product(*(GRID[k] for k in keys)):
        yield ConsensusParams(**dict(zip(keys, values, strict=True)))


@dataclass
class Loaded:
    pages: list[Page]
    records: list[dict[str, Any]]
    cands: list[tuple[list[Block], list[Block], list[Block]]]


def load_cached(cache: Path, names: list[str]) -> dict[str, Loaded]:
    out = {}
    for name in names:
        records = read_cache(cache, name)
        pages = [p for p in load(name) if p.page_id in records]
        recs = [records[p.page_id] for p in pages]
        cands = [
            (
                _blocks(r["candidates"]["primary"]),
                _blocks(r["candidates"]["second"]),
                _blocks(r["candidates"]["witness"]),
            )
            for r in recs
        ]
        out[name] = Loaded(pages, recs, cands)
    return out


PageResult = tuple[float, float, float]


def page_result(page: Page, text: str) -> PageResult:
    """Snippet counts (tp, fp, fn) for snippet truth, the normalised shingle tp/fp/fn otherwise."""
    if page.truth is None:
        return tuple(float(x) for x in snippet_counts(page, text))  # type: ignore[return-value]
    s = score_page(page.truth, text)
    return s.tp, s.fp, s.fn


def aggregate(snippets: bool, results: list[PageResult]) -> float:
    if snippets:
        tp, fp, fn = (sum(r[i] for r in results) for i in range(3))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return summarize([PageScore(*r) for r in results]).f1


def _variant(agree: float, cands: tuple[list[Block], ...], params: ConsensusParams) -> tuple[Any, ...]:
    """The parameters that decide this page's output (combine's branch), as a cache key."""
    if not cands[0] or not cands[1]:
        return ("trivial",)
    if agree < params.disagree_below:
        return ("pick", params.prose_factor, params.witness_margin)
    if not params.add_paragraphs:
        return ("primary",)
    if agree < params.add_min_agreement:
        return ("primary",)
    return (
        "add",
        params.add_min_chars,
        params.add_max_link_ratio,
        params.shared_at,
        params.add_lead,
        params.add_tail,
    )


def f1_table(data: Loaded, params_list: list[ConsensusParams]) -> list[float]:
    """F1 of every parameter set on one collection, each page's output computed once per variant."""
    snippets = bool(data.pages) and data.pages[0].truth is None
    per_page: list[list[PageResult]] = [[] for _ in params_list]
    for page, (p, s, w) in zip(data.pages, data.cands, strict=True):
        agree = agreement(p, s) if p and s else 0.0
        seen: dict[tuple[Any, ...], PageResult] = {}
        for index, params in enumerate(params_list):
            key = _variant(agree, (p, s), params)
            if key not in seen:
                seen[key] = page_result(page, render_text(combine(p, s, w, params)))
            per_page[index].append(seen[key])
    return [aggregate(snippets, results) for results in per_page]


def tune(cache: Path, names: list[str], write: bool) -> None:
    data = load_cached(cache, names)
    params_list = list(grid())
    print(f"{len(params_list)} parameter sets", file=sys.stderr)
    table = {name: f1_table(d, params_list) for name, d in data.items()}

    def best(train: list[str]) -> int:
        return max(range(len(params_list)), key=lambda i: statistics.mean(table[n][i] for n in train))

    overall = best(names)
    print(f"in-sample choice: {params_list[overall]}")
    header = f"{'collection':<22}{'pages':>6}{'primary':>9}{'second':>8}{'in-samp':>9}{'LOCO':>8}"
    header += "".join(f"{p:>13}" for p in PEERS)
    print(header)
    for name in names:
        d = data[name]
        held = best([n for n in names if n != name])
        primary = collection_f1(d.pages, [render_text(c[0]) for c in d.cands])
        second = collection_f1(d.pages, [render_text(c[1]) for c in d.cands])
        peers = "".join(f"{collection_f1(d.pages, [r[p] for r in d.records]):13.3f}" for p in PEERS)
        print(
            f"{name:<22}{len(d.pages):>6}{primary:9.3f}{second:8.3f}{table[name][overall]:9.3f}"
            f"{table[name][held]:8.3f}{peers}"
        )
        print(f"    held-out choice: {params_list[held]}")
    if write:
        DATA_FILE.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "trained_by": "python -m bench.train_body tune --write",
            "collections": names,
            "params": asdict(params_list[overall]),
        }
        DATA_FILE.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def score(cache: Path, names: list[str]) -> None:
    """Ours with the shipped parameters against the peers, and the median time ratio."""
    data = load_cached(cache, names)
    print(f"{'collection':<22}{'ours':>8}" + "".join(f"{p:>13}" for p in PEERS) + f"{'ms ratio':>10}")
    for name in names:
        d = data[name]
        ours = collection_f1(d.pages, [render_text(combine(p, s, w)) for p, s, w in d.cands])
        peers = "".join(f"{collection_f1(d.pages, [r[p] for r in d.records]):13.3f}" for p in PEERS)
        ratio = statistics.median(r["ms_ours"] for r in d.records) / statistics.median(
            r["ms_trafilatura"] for r in d.records
        )
        print(f"{name:<22}{ours:8.3f}{peers}{ratio:10.2f}")


def timing(names: list[str], per_collection: int) -> None:
    """Median wall time per page, ours (extract()) and each peer, interleaved page by page."""
    from newsdesk.extraction import extract

    def ours(raw: bytes, url: str | None) -> str:
        try:
            return extract(raw, url).body_text
        except ExtractionError:
            return ""

    tools: dict[str, Callable[[bytes, str | None], str]] = {
        "ours": ours,
        "trafilatura": lambda raw, url: trafilatura.extract(raw, url=url) or "",
        "trafilatura_precision": lambda raw, url: (
            trafilatura.extract(raw, url=url, favor_precision=True) or ""
        ),
    }
    print(f"{'collection':<22}" + "".join(f"{n:>22}" for n in tools) + f"{'ours/traf':>11}")
    for name in names:
        pages = load(name)
        pages = pages[:: max(1, len(pages) // per_collection)][:per_collection]
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
            f"{name:<22}"
            + "".join(f"{med[n]:22.1f}" for n in tools)
            + f"{med['ours'] / med['trafilatura']:11.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("command", choices=("cache", "tune", "score", "timing"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/newsdesk-body-cache"))
    parser.add_argument("--only", action="append", choices=list(COLLECTIONS))
    parser.add_argument("--limit", type=int)
    parser.add_argument("--peers-from", type=Path, help="reuse the peers' outputs cached here")
    parser.add_argument("--offset", type=int, default=0, help="start at the Nth page (with --stride)")
    parser.add_argument("--stride", type=int, default=1, help="cache every Nth page only")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    names = args.only or list(COLLECTIONS)
    if args.command == "cache":
        build_cache(
            args.cache, names, args.limit, args.stride, peers_from=args.peers_from, offset=args.offset
        )
    elif args.command == "timing":
        timing(names, args.limit or 30)
    elif args.command == "tune":
        tune(args.cache, names, args.write)
    else:
        score(args.cache, names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
