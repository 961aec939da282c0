"""Article extraction: bytes in, an `Article` (or a typed `ExtractionError`) out.

Steps: decode (decoding.py), parse once with lxml, page metadata (metadata.py), then the body - a
site adapter's selectors for a site we know (sites/); for every other page, captions out of the
tree (captions.py), sign-up forms and author cards out by structure (boilerplate.py), then
trafilatura and readability-lxml (peers.py, their public APIs), cleaned of boilerplate and
reconciled by consensus.py (the JSON-LD articleBody as a witness) - rendered as text and Markdown
(blocks.py).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring

import newsdesk
from newsdesk.article import Article, LeadImage, content_hash, count_words, reading_time
from newsdesk.errors import DocumentTooLargeError, ExtractionError, NotAnArticleError
from newsdesk.extraction.blocks import MIN_BODY_WORDS, Block, is_substantial, render_markdown, render_text
from newsdesk.extraction.body import (
    BodyResult,
    adapter_body,
    generic_body,
    jsonld_body_blocks,
    stated_reading_time,
)
from newsdesk.extraction.boilerplate import drop_boilerplate
from newsdesk.extraction.captions import split_caption
from newsdesk.extraction.consensus import consensus_body
from newsdesk.extraction.decoding import decode_html
from newsdesk.extraction.metadata import PageMetadata, extract_metadata
from newsdesk.extraction.peers import readability_blocks
from newsdesk.extraction.sites import choose_adapter
from newsdesk.urls import url_id

LOGGER = logging.getLogger(__name__)

__all__ = ["GenericCandidates", "extract", "generic_candidates", "page_metadata", "parse_html"]

_PARSER = HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Markup at all: a tag name after '<' (so "a < b" in plain text does not count).
_HAS_TAG = re.compile(r"<[a-zA-Z!/]")
# Real article pages have a few thousand elements; trafilatura's time grows faster than linearly
# with the count, so a page far beyond this would hold a Lambda for minutes.
MAX_ELEMENTS = 50_000


def parse_html(text: str) -> HtmlElement:
    """Parse a decoded page once; the tree is shared by metadata and body extraction."""
    if not _HAS_TAG.search(text):
        raise NotAnArticleError("the document has no HTML markup")
    # lxml refuses str input that still declares a byte encoding.
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        tree = document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as err:
        raise NotAnArticleError(f"the document does not parse as HTML: {err}") from err
    if tree is None or not isinstance(tree, HtmlElement):
        raise NotAnArticleError("the document does not parse as HTML")
    elements = sum(1 for _ in tree.iter())
    if elements > MAX_ELEMENTS:
        raise DocumentTooLargeError(f"the document has {elements} HTML elements, over {MAX_ELEMENTS}")
    return tree


def _metadata(tree: HtmlElement, url: str | None) -> PageMetadata:
    try:
        return extract_metadata(tree, url)
    except Exception:  # metadata is a best effort: a bug there must not lose the article body
        LOGGER.exception("metadata extraction failed for %s", url)
        return PageMetadata()


def _aware(value: datetime | None) -> datetime | None:
    if value is None or not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None and value.utcoffset() is not None else value.replace(tzinfo=UTC)


def _page_date(value: datetime | date | None) -> datetime | date | None:
    """A bare day stays a day; a date-time is made aware (metadata already gives them aware)."""
    return value if isinstance(value, date) and not isinstance(value, datetime) else _aware(value)


def _article_id(url: str | None, canonical_url: str | None, body_hash: str) -> str:
    for candidate in (url, canonical_url):
        if candidate and candidate.strip():
            try:
                return url_id(candidate)
            except ValueError:  # e.g. a port out of range: fall through to the next candidate
                continue
    return body_hash[:24]


def _lead_image(meta: PageMetadata, body: BodyResult) -> LeadImage | None:
    if body.lead_image is not None:
        lead = body.lead_image
        if lead.caption is None and lead.credit is None and (meta.image_caption or meta.image_credit):
            return LeadImage(url=lead.url, caption=meta.image_caption, credit=meta.image_credit)
        return lead
    if not meta.image_url:
        return None
    caption, credit = meta.image_caption, meta.image_credit
    if caption and not credit:
        caption, credit = split_caption(caption)
    return LeadImage(url=meta.image_url, caption=caption, credit=credit)


@dataclass
class GenericCandidates:
    """The generic path's candidate bodies, each already cleaned of boilerplate."""

    result: BodyResult  # our trafilatura-based path, with the lead image and reading time
    second: list[Block]  # readability-lxml
    witness: list[Block]  # the JSON-LD articleBody (a vote, often only a teaser)


def generic_candidates(
    tree: HtmlElement, html: str, url: str | None, meta: PageMetadata
) -> GenericCandidates:
    """The candidates `consensus.combine` decides between. `tree` loses its captions."""
    result = generic_body(tree, url, meta.image_url, html, meta.title)
    if meta.image_caption or meta.image_credit:
        # The metadata's caption (JSON-LD, the lead figure) is the better read of the same image.
        result.lead_image = None

    def clean(blocks: list[Block]) -> list[Block]:
        return drop_boilerplate(blocks, meta.title, (url, meta.canonical_url), (meta.section, *meta.tags))

    result.blocks = clean(result.blocks)
    result.reading_time = stated_reading_time(html)
    # readability reads the tree without its captions, as trafilatura did
    second = clean(readability_blocks(tree, url))
    witness = jsonld_body_blocks(meta.article_body) if meta.article_body else []
    return GenericCandidates(result, second, witness)


def _body(tree: HtmlElement, html: str, url: str | None, meta: PageMetadata) -> BodyResult:
    adapter = choose_adapter(url, meta.canonical_url, meta.site_name)
    if adapter is not None:
        result = adapter_body(tree, adapter, meta.canonical_url or url)
        if result is not None:
            result.blocks = drop_boilerplate(
                result.blocks, meta.title, (url, meta.canonical_url), (meta.section, *meta.tags)
            )
            if is_substantial(result.blocks):
                result.reading_time = result.reading_time or stated_reading_time(html)
                return result
    candidates = generic_candidates(tree, html, url, meta)
    result = candidates.result
    blocks, from_jsonld = consensus_body(result.blocks, candidates.second, candidates.witness)
    if from_jsonld:
        return BodyResult(blocks, "jsonld", reading_time=result.reading_time)
    result.blocks = blocks
    return result


def page_metadata(html: bytes | str, url: str | None = None, *, encoding: str | None = None) -> PageMetadata:
    """The page's metadata alone, whether or not it holds an article body.

    Raises the same typed errors as `extract` for bytes that are not an HTML page at all.
    """
    return _metadata(parse_html(decode_html(html, encoding)), url)


def extract(
    html: bytes | str,
    url: str | None = None,
    *,
    encoding: str | None = None,
    source: str | None = None,
    raw_key: str | None = None,
    fetched_at: datetime | None = None,
    article_id: str | None = None,
) -> Article:
    """Extract the article in `html` fetched from `url`; raises an `ExtractionError` subclass otherwise.

    `article_id` is the id the fetcher gave the page (`Source.article_id`); without one, the id
    is derived from the URL with no source's slash policy, or from the body.
    """
    text = decode_html(html, encoding)
    tree = parse_html(text)
    meta = _metadata(tree, url)
    try:
        body = _body(tree, text, url, meta)
    except RecursionError as err:  # absurdly deep nesting
        raise NotAnArticleError("the document is nested too deeply to extract", meta) from err
    if not body.blocks:
        raise NotAnArticleError("no article body found on the page", meta)
    body_text = render_text(body.blocks)
    words = count_words(body_text)
    if words < MIN_BODY_WORDS:
        raise NotAnArticleError(f"the page's text is too short to be an article ({words} words)", meta)
    body_hash = content_hash(body_text)
    try:
        return Article(
            id=article_id or _article_id(url, meta.canonical_url, body_hash),
            url=url,
            canonical_url=meta.canonical_url,
            source=source,
            title=meta.title,
            description=meta.description,
            authors=list(meta.authors),
            section=meta.section,
            tags=list(meta.tags),
            published_at=_page_date(meta.published_at),
            modified_at=_page_date(meta.modified_at),
            language=meta.language,
            lead_image=_lead_image(meta, body),
            body_text=body_text,
            body_markdown=render_markdown(body.blocks),
            word_count=words,
            reading_time_minutes=body.reading_time or reading_time(words),
            content_hash=body_hash,
            parser_version=newsdesk.__version__,
            raw_key=raw_key,
            fetched_at=_aware(fetched_at),
        )
    except ValueError as err:  # pydantic's ValidationError: metadata we cannot store as given
        raise ExtractionError(f"the extracted article is invalid: {err}") from err
