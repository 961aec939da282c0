"""Body-extraction benchmark: newsdesk's extract() against trafilatura, side by side in one process.

Data: a folder in the scrapinghub article-extraction-benchmark format (`ground-truth.json`:
id -> {articleBody, url}; `html/ID.html.gz`). Scoring: `newsdesk.extraction.scoring` (4-token
shingles, per-page normalised tp/fp/fn, P and R averaged over pages, F1 of the averages).

    python bench/extraction.py [--data DIR] [--json out.json] [--tools ours,trafilatura] [--worst N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trafilatura

from newsdesk.errors import ExtractionError
from newsdesk.extraction import extract
from newsdesk.extraction.scoring import PageScore, bootstrap_f1_std, score_page, summarize

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "extraction-benchmark"

Extractor = Callable[[bytes, str], str]


def ours(html: bytes, url: str) -> str:
    try:
        return extract(html, url).body_text
    except ExtractionError:
        return ""


def trafilatura_default(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url) or ""


def trafilatura_precision(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url, favor_precision=True) or ""


def trafilatura_precision_no_comments(html: bytes, url: str) -> str:
    # The configuration behind the published ~0.96 anchors: reader comments are not article body.
    return trafilatura.extract(html, url=url, favor_precision=True, include_comments=False) or ""


TOOLS: dict[str, Extractor] = {
    "ours": ours,
    "trafilatura": trafilatura_default,
    "trafilatura_precision": trafilatura_precision,
    "trafilatura_precision_nocomments": trafilatura_precision_no_comments,
}


def load(data: Path) -> list[tuple[str, str, str, bytes]]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, item in sorted(truth.items()):
        path = data / "html" / f"{page_id}.html.gz"
        if path.exists():
            pages.append(
                (
                    page_id,
                    item.get("url") or "",
                    item.get("articleBody") or "",
                    gzip.decompress(path.read_bytes()),
                )
            )
    return pages


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(
    tools: dict[str, Extractor], pages: list[tuple[str, str, str, bytes]]
) -> dict[str, tuple[list[PageScore], list[float]]]:
    """Each page through every tool in turn, so load on the machine weighs on all tools alike."""
    out: dict[str, tuple[list[PageScore], list[float]]] = {name: ([], []) for name in tools}
    names = list(tools)
    for index, (_page_id, url, body, html) in enumerate(pages):
        # rotate the order too: no tool always runs right after another one warmed the caches
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            predicted = tools[name](html, url)
            elapsed = (time.perf_counter() - start) * 1000
            out[name][0].append(score_page(body, predicted))
            out[name][1].append(elapsed)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS)
    )
    parser.add_argument("--worst", type=int, default=0, help="list our N lowest-F1 pages")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").exists():
        print(f"no benchmark data at {args.data}", file=sys.stderr)
        return 2
    pages = load(args.data)
    names = [n for n in args.tools.split(",") if n]
    # Warm up imports and caches so the first page's timing is not an import.
    for name in names:
        TOOLS[name](pages[0][3], pages[0][1])
    results: dict[str, dict[str, Any]] = {}
    per_page: dict[str, list[PageScore]] = {}
    runs = run({name: TOOLS[name] for name in names}, pages)
    for name in names:
        scores, times = runs[name]
        s = summarize(scores)
        per_page[name] = scores
        results[name] = {
            "precision": s.precision,
            "recall": s.recall,
            "f1": s.f1,
            "f1_std": bootstrap_f1_std(scores),
            "median_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95),
        }
    base = results.get("trafilatura")
    print(f"{len(pages)} pages from {args.data}")
    print(
        f"{'tool':<34}{'P':>7}{'R':>7}{'F1':>7}{'±':>7}{'med ms':>9}{'p95 ms':>9}{'F1/traf':>9}{'ms/traf':>9}"
    )
    for name, r in results.items():
        f1_ratio = f"{r['f1'] / base['f1']:.3f}" if base else "-"
        ms_ratio = f"{r['median_ms'] / base['median_ms']:.2f}" if base else "-"
        print(
            f"{name:<34}{r['precision']:7.3f}{r['recall']:7.3f}{r['f1']:7.3f}{r['f1_std']:7.3f}"
            f"{r['median_ms']:9.1f}{r['p95_ms']:9.1f}{f1_ratio:>9}{ms_ratio:>9}"
        )
    if args.worst and "ours" in per_page:
        ranked = sorted(zip(pages, per_page["ours"], strict=True), key=lambda x: x[1].tp)
        for (page_id, url, _body, _html), s in ranked[: args.worst]:
            print(f"  {s.tp:.2f} tp {s.fp:.2f} fp {s.fn:.2f} fn  {page_id[:12]} {url}")
    if args.json:
        args.json.write_text(
            json.dumps({"pages": len(pages), "tools": results}, indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
