"""The benchmark collections in ../shared, loaded into one shape.

A `Page` carries its collection, id, url, fold and truth (normalised per task) and reads its HTML
lazily. Body truths are `{"text": ...}` (shingle collections) or `{"with": [...], "without": [...]}`
(trafilatura's snippet set). Metadata truths are `{"title", "authors", "published"}`, each None
where the collection asserts nothing for that field (`authors` is a list, `[]` asserting "none",
or metadata-benchmark's byline string).

The shared folder is `$NEWSDESK_SHARED`, else `../shared` next to the repository. Loaders return
an empty list when it is missing, so callers (and tests) can skip cleanly.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
Kind = Literal["shingles", "snippets", "metadata"]


def shared_dir() -> Path:
    return Path(os.environ.get("NEWSDESK_SHARED") or REPO.parent / "shared")


@dataclass(frozen=True)
class Page:
    collection: str
    kind: Kind
    id: str
    url: str | None
    path: Path = field(repr=False)
    truth: Mapping[str, Any] = field(repr=False)
    # The leave-one-out fold: the collection itself, except metadata-dev's source projects.
    fold: str = ""
    # Per-field flags for the "cleaned" metadata figure: fields whose asserted value is suspect.
    suspect: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()

    def html(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())

    @functools.cached_property
    def content_key(self) -> str:
        """Hash of the page's bytes: the same page under two collections gets the same key."""
        return hashlib.sha256(self.html()).hexdigest()[:20]

    @property
    def url_key(self) -> str | None:
        return url_key(self.url)


def url_key(url: str | None) -> str | None:
    """A URL with scheme, `www.`, query and trailing slash dropped: the same article page."""
    if not url or "://" not in url:
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}" or None


@dataclass(frozen=True)
class Collection:
    name: str
    kind: Kind
    pages: tuple[Page, ...]
    about: str = ""

    def quick(self, limit: int = 30) -> Collection:
        """A deterministic subset (by hash of the id) for development loops."""
        ranked = sorted(self.pages, key=lambda p: hashlib.sha256(p.id.encode()).hexdigest())
        keep = {p.id for p in ranked[:limit]}
        return Collection(self.name, self.kind, tuple(p for p in self.pages if p.id in keep), self.about)


def _truths(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "ground-truth.json"
    if not path.exists():
        return {}
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _pages(
    name: str,
    kind: Kind,
    folder: Path,
    truth_of: Any,
    *,
    fold_of: Any = None,
    suspect_of: Any = None,
    flagged: Sequence[str] = (),
) -> tuple[Page, ...]:
    out = []
    for page_id, item in sorted(_truths(folder).items()):
        path = folder / "html" / f"{page_id}.html.gz"
        if not path.exists():
            continue
        out.append(
            Page(
                collection=name,
                kind=kind,
                id=page_id,
                url=item.get("url") or None,
                path=path,
                truth=truth_of(item),
                fold=fold_of(item) if fold_of else name,
                suspect=frozenset(suspect_of(item)) if suspect_of else frozenset(),
                flags=frozenset(["damaged"]) if page_id in flagged else frozenset(),
            )
        )
    return tuple(out)


# Dragnet's SOURCE.md: under half of the gold's shingles occur in the page's <body> text.
DRAGNET_DAMAGED = ("R237",)


def body_collections() -> list[Collection]:
    root = shared_dir()
    specs: list[tuple[str, Path, Kind, str, Sequence[str]]] = [
        ("scrapinghub", root / "extraction-benchmark", "shingles", "articleBody", ()),
        ("dragnet", root / "body-benchmarks" / "dragnet", "shingles", "articleBody", DRAGNET_DAMAGED),
        ("fundus-dev", root / "body-benchmarks" / "fundus-dev", "shingles", "body_text", ()),
        ("trafilatura-eval", root / "body-benchmarks" / "trafilatura-eval", "snippets", "", ()),
    ]
    about = {
        "scrapinghub": "131 news pages, hand-checked article bodies",
        "dragnet": "402 news/blog pages from 2012; gold starts with the title",
        "fundus-dev": "125 recent news pages, fundus's per-publisher parser output",
        "trafilatura-eval": "990 pages, with/without snippets (in-sample for trafilatura)",
    }
    out = []
    for name, folder, kind, key, flagged in specs:
        if kind == "snippets":
            pages = _pages(
                name,
                kind,
                folder,
                lambda item: {"with": item.get("with") or [], "without": item.get("without") or []},
            )
        else:
            pages = _pages(
                name, kind, folder, lambda item, k=key: {"text": item.get(k) or ""}, flagged=flagged
            )
        if pages:
            out.append(Collection(name, kind, pages, about[name]))
    return out


def _list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value]


def _metadata_dev_suspect(item: Mapping[str, Any]) -> set[str]:
    """Fields whose asserted value the set's own checks show to be doubtful (see its README)."""
    checks = item.get("checks") or {}
    notes = item.get("notes") or ""
    out = set()
    if checks.get("title_in_html") is False:
        out.add("title")
    if any(v is False for v in checks.get("authors_in_html") or []):
        out.add("authors")
    # htmldate's gold (or metascraper's date) that is the page's modified date, not its publication.
    if checks.get("published_matches_only_modified_fields") or "matches only the page's modified" in notes:
        out.add("published")
    if "conflict" in notes and "published" in notes:
        out.add("published")
    return out


_PROJECT_FOLD = {
    "adbar/htmldate": "htmldate",
    "adbar/trafilatura": "trafilatura",
    "flairNLP/fundus": "fundus",
    "microlinkhq/metascraper": "metascraper",
    "goose3/goose3": "goose3",
    "AndyTheFactory/newspaper4k": "newspaper",
    "codelucas/newspaper": "newspaper",
}


def metadata_collections() -> list[Collection]:
    root = shared_dir()
    out = []
    bench = _pages(
        "metadata-benchmark",
        "metadata",
        root / "metadata-benchmark",
        lambda item: {
            "title": item.get("title"),
            # A byline string: its first line naming anybody is the truth (see bench.match).
            # Readability's null byline means it found none, not that the page has none.
            "authors": item.get("byline") or None,
            "published": item.get("published"),
        },
    )
    if bench:
        out.append(Collection("metadata-benchmark", "metadata", bench, "94 pages, Readability's output"))
    dev = _pages(
        "metadata-dev",
        "metadata",
        root / "metadata-dev",
        lambda item: {
            "title": item.get("title"),
            "authors": _list(item.get("authors")),
            "published": item.get("published"),
        },
        fold_of=lambda item: (
            "metadata-dev/"
            + _PROJECT_FOLD.get(item.get("source_project", ""), item.get("source_project", ""))
        ),
        suspect_of=_metadata_dev_suspect,
    )
    if dev:
        out.append(Collection("metadata-dev", "metadata", dev, "1364 pages asserted by six projects' tests"))
    fundus = _pages(
        "fundus-dev",
        "metadata",
        root / "body-benchmarks" / "fundus-dev",
        lambda item: {
            "title": item.get("title"),
            "authors": _list(item.get("authors")),
            "published": item.get("publishing_date"),
        },
    )
    if fundus:
        out.append(Collection("fundus-dev", "metadata", fundus, "125 recent news pages (fundus parsers)"))
    return out
