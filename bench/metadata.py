"""Metadata benchmark: newsdesk's extract_metadata vs trafilatura's, side by side.

Data: a folder with `ground-truth.json` (name -> {title, byline, published, lang, site_name,
url}) and `html/NAME.html.gz` (default `../shared/metadata-benchmark` next to the repo). The
truth is Readability's output with a few bylines corrected: a strong hint, not gospel.

Each tool gets its own lxml tree of the page (parsed the same way, outside the timer) and the
page url; the timer covers the metadata call only.

Matching rules, the same for both tools (a page whose truth is empty counts as correct only
when the tool gives nothing either):

- title: after normalising (NFKC, case-folded, curly quotes/dashes unified, whitespace
  collapsed) the two are equal, or one is the other plus a separator (| - – — · : » / ::)
  and a site part before or after it ("Headline | Site" vs "Headline"; "_" needs no spaces).
- authors: the set of word tokens of the tool's names equals that of the truth byline's first
  line naming anybody, both case- and accent-folded, ignoring lead-ins and joiners ("by", "written", "par",
  "von", "and", "avec", "et", ...) and academic credentials ("MA", "PhD", ...). Token sets make
  the rule blind to how names are split and ordered ("Jong, Michiel de").
- published: the same calendar day as the truth's date as written (the tool's date taken in
  the offset the tool reports it with).

Besides the accuracy over all pages, each field is also scored over the pages whose truth has
a value ("truth given"): Readability reads dates from metadata only, so many pages that do show
a date have none in the truth, and a tool that finds it there is counted wrong.

Usage: python bench/metadata.py [--data DIR] [--json out.json] [--show-misses]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import lxml.html
import trafilatura

from newsdesk.extraction.metadata import extract_metadata

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(
    os.environ.get("NEWSDESK_METADATA_BENCH", REPO_ROOT.parent / "shared" / "metadata-benchmark")
)
FIELDS = ("title", "authors", "published")

# "_" separates the site in many Chinese titles, without spaces around it.
_SEPARATOR = re.compile(r"^(?:\s*(?:\||-|–|—|·|•|:|»|/|::)\s+|\s*_)")
_SEPARATOR_END = re.compile(r"(?:\s*(?:\||-|–|—|·|•|:|»|/|::)\s+|_\s*)$")
_IGNORED_TOKENS = frozenset(
    [
        "by",
        "written",
        "par",
        "von",
        "por",
        "de",
        "and",
        "und",
        "et",
        "y",
        "e",
        "avec",
        "with",
        "ma",
        "md",
        "phd",
        "mph",
        "rn",
        "msc",
    ]
)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-"})


@dataclass
class Prediction:
    title: str | None
    authors: list[str]
    published: str | None  # YYYY-MM-DD
    ms: float


@dataclass
class Tally:
    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    correct_given: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    ms: list[float] = field(default_factory=list)
    misses: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in FIELDS})


def _norm_title(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(_DASHES)
    return " ".join(text.casefold().split())


def title_matches(truth: str | None, predicted: str | None) -> bool:
    if not truth or not predicted:
        return not truth and not predicted
    a, b = _norm_title(truth), _norm_title(predicted)
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if not short:
        return False
    if long.startswith(short) and _SEPARATOR.match(long[len(short) :]):
        return True
    return long.endswith(short) and bool(_SEPARATOR_END.search(long[: -len(short)]))


def _tokens(text: str) -> set[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return {token for token in re.findall(r"\w+", plain) if token not in _IGNORED_TOKENS}


def authors_match(truth: str | None, predicted: list[str]) -> bool:
    # The first line naming anybody: "By\n  Scott Cunningham" names him on its second line.
    expected = next((_tokens(line) for line in (truth or "").splitlines() if _tokens(line)), set())
    got = _tokens(" ".join(predicted))
    if not expected or not got:
        return not expected and not got
    return expected == got


def date_matches(truth: str | None, predicted: str | None) -> bool:
    if not truth or not predicted:
        return not truth and not predicted
    return truth[:10] == predicted[:10]


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


def decode(raw: bytes) -> str:
    """Bytes -> text the way a browser would: UTF-8, else the declared charset, else detection."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(raw[:4096])
    if declared:
        try:
            return raw.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    best = charset_normalizer.from_bytes(raw).best()
    return str(best) if best is not None else raw.decode("utf-8", errors="replace")


def _parse(text: str) -> lxml.html.HtmlElement:
    # lxml refuses str input that still carries an XML encoding declaration.
    return lxml.html.document_fromstring(_XML_DECLARATION.sub("", text))


def run_newsdesk(raw: str, url: str) -> Prediction:
    tree = _parse(raw)
    start = time.perf_counter()
    meta = extract_metadata(tree, url)
    ms = (time.perf_counter() - start) * 1000
    published = meta.published_at.date().isoformat() if meta.published_at else None
    return Prediction(meta.title, meta.authors, published, ms)


def run_trafilatura(raw: str, url: str) -> Prediction:
    tree = _parse(raw)
    start = time.perf_counter()
    doc = trafilatura.extract_metadata(tree, default_url=url)
    ms = (time.perf_counter() - start) * 1000
    # trafilatura joins several authors with "; ".
    authors = [name.strip() for name in (doc.author or "").split(";") if name.strip()]
    return Prediction(doc.title, authors, doc.date, ms)


def score(truth: dict[str, Any], got: Prediction) -> dict[str, bool]:
    return {
        "title": title_matches(truth.get("title"), got.title),
        "authors": authors_match(truth.get("byline"), got.authors),
        "published": date_matches(truth.get("published"), got.published),
    }


def _truth_key(name: str) -> str:
    return {"authors": "byline"}.get(name, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path, help="write per-page results and the summary here")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)

    truth_file = args.data / "ground-truth.json"
    if not truth_file.exists():
        print(f"skipped: no benchmark data at {args.data} (ground-truth.json missing)", file=sys.stderr)
        return 0
    truths: dict[str, dict[str, Any]] = json.loads(truth_file.read_text(encoding="utf-8"))
    tools: dict[str, Callable[[str, str], Prediction]] = {
        "newsdesk": run_newsdesk,
        "trafilatura": run_trafilatura,
    }
    tallies = {name: Tally() for name in tools}
    pages: dict[str, Any] = {}
    given = dict.fromkeys(FIELDS, 0)
    for index, (name, truth) in enumerate(sorted(truths.items())):
        path = args.data / "html" / f"{name}.html.gz"
        if not path.exists():
            continue
        raw = decode(gzip.decompress(path.read_bytes()))
        url = truth.get("url") or ""
        for field_name in FIELDS:
            given[field_name] += bool(truth.get(_truth_key(field_name)))
        pages[name] = {"truth": truth}
        # Alternate which tool goes first so neither always meets a warm cache.
        order = list(tools.items()) if index % 2 == 0 else list(reversed(tools.items()))
        for tool, run in order:
            got = run(raw, url)
            marks = score(truth, got)
            tally = tallies[tool]
            tally.ms.append(got.ms)
            for field_name, ok in marks.items():
                tally.correct[field_name] += ok
                tally.correct_given[field_name] += ok and bool(truth.get(_truth_key(field_name)))
                if not ok:
                    value = getattr(got, field_name)
                    tally.misses[field_name].append(
                        f"{name}: got {value!r} want {truth.get(_truth_key(field_name))!r}"
                    )
            pages[name][tool] = {
                "title": got.title,
                "authors": got.authors,
                "published": got.published,
                "ms": round(got.ms, 3),
                "correct": marks,
            }

    total = len(pages)
    ours, theirs = tallies["newsdesk"], tallies["trafilatura"]
    summary: dict[str, Any] = {"pages": total, "fields": {}}
    print(f"metadata benchmark: {total} pages from {args.data}")
    header = f"{'field':<11}{'newsdesk':>10}{'trafilatura':>13}{'ratio':>8}"
    print(f"{header}   truth given: newsdesk / trafilatura")
    for field_name in FIELDS:
        a = ours.correct[field_name] / total
        b = theirs.correct[field_name] / total
        ratio = a / b if b else float("inf")
        n = given[field_name]
        ga = ours.correct_given[field_name] / n if n else 0.0
        gb = theirs.correct_given[field_name] / n if n else 0.0
        print(f"{field_name:<11}{a:>10.3f}{b:>13.3f}{ratio:>8.2f}   {ga:.3f} / {gb:.3f} on {n} pages")
        summary["fields"][field_name] = {
            "newsdesk": a,
            "trafilatura": b,
            "ratio": ratio,
            "given_pages": n,
            "newsdesk_given": ga,
            "trafilatura_given": gb,
        }
    ms_a, ms_b = statistics.median(ours.ms), statistics.median(theirs.ms)
    print(f"{'median ms':<11}{ms_a:>10.2f}{ms_b:>13.2f}{ms_a / ms_b:>8.2f}")
    summary["median_ms"] = {"newsdesk": ms_a, "trafilatura": ms_b}

    if args.show_misses:
        for tool, tally in tallies.items():
            for field_name in FIELDS:
                print(f"\n--- {tool} misses: {field_name} ({len(tally.misses[field_name])})")
                for line in tally.misses[field_name]:
                    print("  " + line)
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "pages": pages}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
