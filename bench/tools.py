"""Every tool the benchmarks run, behind one signature per task, each with a version for the cache.

Body tools take (html bytes, url) and return plain text, paragraphs separated by blank lines.
Metadata tools take (html bytes, url) and return `{"title", "authors", "published"}` with
`published` an ISO string at the precision the tool gives (a bare `YYYY-MM-DD` for a date).
A tool that fails on a page returns its empty output: a crash is a miss, not a lost run.

Peers are dev dependencies (pyproject's `dev` extra), never shipped in the layer. newsdesk's own
version is a hash of its source, so the cache re-runs it whenever the extractor changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from bench.data import REPO

Metadata = dict[str, Any]
BodyFn = Callable[[bytes, str | None], str]
MetaFn = Callable[[bytes, str | None], Metadata]

LOGGER = logging.getLogger(__name__)
EMPTY_METADATA: Metadata = {"title": None, "authors": [], "published": None}


@dataclass(frozen=True)
class Tool:
    name: str
    label: str
    version: str
    run: Callable[[bytes, str | None], Any]
    peer: bool = True
    # The metadata fields the tool answers at all (htmldate gives only a date).
    fields: tuple[str, ...] = ("title", "authors", "date", "instant")
    # What a crash on a page counts as: no output.
    empty: Any = ""


def newsdesk_version() -> str:
    """A hash of the package's code and data: any change to the extractor is a new version."""
    root = REPO / "layers" / "newsdesk" / "newsdesk"
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and "sample_site" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return "src-" + digest.hexdigest()[:12]


def dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


# --- newsdesk ---------------------------------------------------------------------------------


def newsdesk_body(html: bytes, url: str | None) -> str:
    from newsdesk.errors import ExtractionError
    from newsdesk.extraction import extract

    try:
        return extract(html, url).body_text
    except ExtractionError:
        return ""


def iso(value: Any) -> str | None:
    """A date or datetime as ISO text at its own precision (a date stays a bare date)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def newsdesk_metadata(html: bytes, url: str | None) -> Metadata:
    from newsdesk.errors import ExtractionError
    from newsdesk.extraction import parse_html
    from newsdesk.extraction.decoding import decode_html
    from newsdesk.extraction.metadata import extract_metadata

    try:
        meta = extract_metadata(parse_html(decode_html(html)), url)
    except ExtractionError:
        return dict(EMPTY_METADATA)
    return {"title": meta.title, "authors": list(meta.authors), "published": iso(meta.published_at)}


# --- trafilatura ------------------------------------------------------------------------------


def trafilatura_body(html: bytes, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def trafilatura_precision_body(html: bytes, url: str | None) -> str:
    import trafilatura

    # The configuration behind the published anchors: reader comments are not article body.
    return trafilatura.extract(html, url=url, favor_precision=True, include_comments=False) or ""


def trafilatura_metadata(html: bytes, url: str | None) -> Metadata:
    import trafilatura

    # The metadata stage alone (public API), so its timing is not that of a whole extraction.
    doc = trafilatura.extract_metadata(html, default_url=url)
    if doc is None:
        return dict(EMPTY_METADATA)
    # trafilatura joins several authors with "; ".
    authors = [name.strip() for name in (doc.author or "").split(";") if name.strip()]
    return {"title": doc.title, "authors": authors, "published": doc.date}


# --- readability-lxml -------------------------------------------------------------------------

_BLOCKS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "section",
        "article",
        "br",
        "dd",
        "dt",
        "figcaption",
    ]
)


def html_text(fragment: HtmlElement) -> str:
    """Text of an HTML fragment with a line break at every block edge (words never run together)."""
    for element in fragment.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in fragment.text_content().splitlines())
    return "\n\n".join(line for line in lines if line)


def readability_body(html: bytes, url: str | None) -> str:
    import lxml.html
    from readability import Document

    try:
        # Text, not bytes: readability's own charset sniffing crashes on a `charset=` that is not
        # one (an inline SVG data URL); the collections' pages are all UTF-8.
        summary = Document(html.decode("utf-8", errors="replace"), url=url).summary(html_partial=True)
        if not summary.strip():
            return ""
        return html_text(lxml.html.fragment_fromstring(summary, create_parent="div"))
    except (etree.ParserError, ValueError, TypeError, LookupError) as err:  # Unparseable is a ValueError
        LOGGER.debug("readability failed on %s: %s", url, err)
        return ""


# --- newspaper4k ------------------------------------------------------------------------------


def _newspaper_article(html: bytes, url: str | None) -> Any:
    import newspaper

    article = newspaper.Article(url or "http://localhost/", fetch_images=False)
    # input_html: newspaper parses what it is given and never fetches.
    article.download(input_html=html.decode("utf-8", errors="replace"))
    article.parse()
    return article


def newspaper_body(html: bytes, url: str | None) -> str:
    try:
        return str(_newspaper_article(html, url).text or "")
    except Exception as err:  # newspaper raises bare ArticleException and more: any failure is a miss
        LOGGER.debug("newspaper4k failed on %s: %s", url, err)
        return ""


def newspaper_metadata(html: bytes, url: str | None) -> Metadata:
    try:
        article = _newspaper_article(html, url)
    except Exception as err:  # see newspaper_body
        LOGGER.debug("newspaper4k failed on %s: %s", url, err)
        return dict(EMPTY_METADATA)
    return {
        "title": article.title or None,
        "authors": list(article.authors or []),
        "published": iso(article.publish_date),
    }


# --- htmldate ---------------------------------------------------------------------------------


def htmldate_metadata(html: bytes, url: str | None) -> Metadata:
    from htmldate import find_date

    found = find_date(html, url=url, original_date=True, extensive_search=True)
    return {"title": None, "authors": [], "published": found or None}


# --- registries -------------------------------------------------------------------------------


def body_tools() -> dict[str, Tool]:
    traf = dist_version("trafilatura")
    return {
        "newsdesk": Tool("newsdesk", "newsdesk `extract()`", newsdesk_version(), newsdesk_body, peer=False),
        "trafilatura": Tool("trafilatura", "trafilatura default", traf, trafilatura_body),
        "trafilatura_precision": Tool(
            "trafilatura_precision",
            "trafilatura favor_precision, no comments",
            traf,
            trafilatura_precision_body,
        ),
        "readability": Tool(
            "readability", "readability-lxml", dist_version("readability-lxml"), readability_body
        ),
        "newspaper4k": Tool("newspaper4k", "newspaper4k", dist_version("newspaper4k"), newspaper_body),
    }


def metadata_tools() -> dict[str, Tool]:
    tools = {
        "newsdesk": Tool(
            "newsdesk", "newsdesk `extract_metadata()`", newsdesk_version(), newsdesk_metadata, peer=False
        ),
        "trafilatura": Tool(
            "trafilatura", "trafilatura metadata", dist_version("trafilatura"), trafilatura_metadata
        ),
        "newspaper4k": Tool("newspaper4k", "newspaper4k", dist_version("newspaper4k"), newspaper_metadata),
        "htmldate": Tool(
            "htmldate",
            "htmldate (dates only)",
            dist_version("htmldate"),
            htmldate_metadata,
            fields=("date", "instant"),
        ),
    }
    return {name: dataclasses.replace(tool, empty=dict(EMPTY_METADATA)) for name, tool in tools.items()}
