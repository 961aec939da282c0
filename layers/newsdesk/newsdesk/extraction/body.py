"""Finding the body: a site adapter's selectors when we know the site, trafilatura otherwise.

The generic path runs trafilatura (through `peers.py`, its public API) in fast mode first and
with its full cascade only when the result looks like a menu; consensus.py then weighs it against
readability-lxml.
"""

from __future__ import annotations

import logging
import re
from copy import copy
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring

from newsdesk.article import LeadImage
from newsdesk.extraction.blocks import Block, clean_text
from newsdesk.extraction.boilerplate import remove_widgets
from newsdesk.extraction.captions import split_caption, strip_captions
from newsdesk.extraction.peers import trafilatura_blocks
from newsdesk.extraction.selectors import css_to_xpath
from newsdesk.extraction.sites.base import SiteAdapter
from newsdesk.extraction.walk import html_blocks, remove_keep_tail

LOGGER = logging.getLogger(__name__)

# Signs that trafilatura's main extractor failed and its last-resort baseline dumped the page
# text: many very short blocks (a menu), mostly link text, or one long unstructured block.
MENU_MIN_BLOCKS = 20
MENU_MEAN_CHARS = 30
MENU_LINK_RATIO = 0.5
DUMP_MIN_CHARS = 1000
RETRY_MAX_ELEMENTS = 10_000

_READING_TIME = re.compile(
    r"^\s*(\d{1,3})\s*(?:min|mins|minutes?)\.?\s*(?:read|reading|de lecture|lesezeit)?\s*$", re.I
)
# "2 min read" as the whole text of an element, found by one scan of the markup (an XPath over
# every text node costs more than the rest of the metadata).
_READING_TIME_MARKUP = re.compile(
    r">\s*(\d{1,3})\s*(?:min|mins|minutes?)\.?\s*(?:read|reading)\s*<", re.IGNORECASE
)


@dataclass
class BodyResult:
    blocks: list[Block]
    # "adapter:<name>", "generic", "generic:full" (menu-dump retry), "generic:continued", "jsonld"
    method: str
    lead_image: LeadImage | None = None
    reading_time: int | None = None


def _first(tree: etree._Element, selectors: str) -> etree._Element | None:
    """The first element matching the first selector (in the order written) that matches at all."""
    for selector in selectors.split(","):
        if selector.strip():
            found = css_to_xpath(selector.strip())(tree)
            if isinstance(found, list) and found and isinstance(found[0], etree._Element):
                return found[0]
    return None


def parse_reading_time(text: str | None) -> int | None:
    match = _READING_TIME.match(clean_text(text or ""))
    if not match:
        return None
    minutes = int(match.group(1))
    return minutes if 0 < minutes < 600 else None


def stated_reading_time(html: str) -> int | None:
    """The page's own "N min read", when an element says exactly that."""
    match = _READING_TIME_MARKUP.search(html)
    if not match:
        return None
    minutes = int(match.group(1))
    return minutes if 0 < minutes < 600 else None


def _lead_image(figure: etree._Element, base_url: str | None) -> LeadImage | None:
    img = next(iter(figure.iter("img")), None)
    if img is None:
        return None
    src = img.get("src") or img.get("data-src") or ""
    if not src.strip():
        return None
    caption_el = next(iter(figure.iter("figcaption")), None)
    caption, credit = split_caption("".join(caption_el.itertext()) if caption_el is not None else None)
    try:
        url = urljoin(base_url, src.strip()) if base_url else src.strip()
    except ValueError:
        url = src.strip()
    return LeadImage(url=url, caption=caption, credit=credit)


def adapter_body(tree: HtmlElement, adapter: SiteAdapter, base_url: str | None) -> BodyResult | None:
    """The body by the adapter's selectors; None when the page does not have the expected layout."""
    container = _first(tree, adapter.body)
    if container is None:
        return None
    reading_time = None
    if adapter.reading_time:
        el = _first(tree, adapter.reading_time)
        reading_time = parse_reading_time("".join(el.itertext())) if el is not None else None
    lead = None
    if adapter.lead_figure:
        figure = _first(tree, adapter.lead_figure)
        lead = _lead_image(figure, base_url) if figure is not None else None
    # Work on a copy: the generic path may still need the untouched tree if this one comes up empty.
    container = copy(container)
    remove_widgets(container)
    if adapter.drop:
        for el in css_to_xpath(adapter.drop)(container):
            if isinstance(el, etree._Element) and el is not container and el.getparent() is not None:
                remove_keep_tail(el)
    blocks = html_blocks(container)
    if not blocks:
        return None
    return BodyResult(blocks, f"adapter:{adapter.name}", lead_image=lead, reading_time=reading_time)


def jsonld_body_blocks(article_body: str) -> list[Block]:
    """Paragraph blocks from a JSON-LD articleBody: plain text with newlines, or an HTML fragment."""
    text = article_body.strip()
    if not text:
        return []
    if "<" in text and ">" in text:
        try:
            fragment = fragment_fromstring(text, create_parent="div")
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            fragment = None
        if fragment is not None:
            return html_blocks(fragment)
    return [Block("paragraph", p) for p in (clean_text(line) for line in text.splitlines()) if p]


def generic_body(
    tree: HtmlElement,
    url: str | None,
    image_url: str | None = None,
    html: str | None = None,
    title: str | None = None,
) -> BodyResult:
    """trafilatura's main extractor on our already-parsed tree. The tree is modified: call last.

    Image captions are taken out of the tree first (every later stage works on it); the one that
    describes the lead image (`image_url`, else the article's first image) becomes `lead_image`.
    `html` (the markup `tree` was parsed from) makes the caption search cheaper; `title` (the
    headline) keeps the story from being taken for a widget.
    """
    caption = strip_captions(tree, image_url, url, html)
    remove_widgets(tree, title)
    result = _generic_blocks(tree, url)
    if caption is not None:
        result.lead_image = LeadImage(url=caption.image_url, caption=caption.caption, credit=caption.credit)
    return result


def _generic_blocks(tree: HtmlElement, url: str | None) -> BodyResult:
    blocks = trafilatura_blocks(tree, url, fast=True)
    # The full cascade (readability, justext) on a very large page costs seconds: not worth it.
    if _looks_like_menu(blocks) and sum(1 for _ in tree.iter()) <= RETRY_MAX_ELEMENTS:
        retry = trafilatura_blocks(tree, url, fast=False)
        if retry and not _looks_like_menu(retry):
            return BodyResult(retry, "generic:full")
    more = _continuation(tree, blocks)
    if more:
        return BodyResult(blocks + more, "generic:continued")
    return BodyResult(blocks, "generic")


CONTINUATION_MIN_CHARS = 200
CONTINUATION_LEVELS = 3


def _continuation(tree: HtmlElement, blocks: list[Block]) -> list[Block]:
    """Text in repeats of the body's own container (a body split in chunks around ads).

    trafilatura keeps the best single container; when the page repeats it (`div.article__body`
    twice around an ad rail), the later chunks are lost. A chunk is a later sibling of one of
    the last paragraph's close ancestors with the same tag and class, holding prose and no
    headline of its own (which would make it the next article of an endless scroll).
    """
    paragraphs = [b.text for b in blocks if b.kind == "paragraph" and len(b.text) >= 60]
    if not paragraphs:
        return []
    probe = paragraphs[-1][:50]
    anchor = next((p for p in tree.iter("p") if clean_text("".join(p.itertext())).startswith(probe)), None)
    if anchor is None:
        return []
    seen = {clean_text(b.plain) for b in blocks}
    node = anchor.getparent()
    for _ in range(CONTINUATION_LEVELS):
        if node is None or node.getparent() is None or node.tag in ("body", "html"):
            return []
        cls = node.get("class")
        if cls:
            more: list[Block] = []
            for sibling in node.itersiblings():
                if (
                    sibling.tag == node.tag
                    and sibling.get("class") == cls
                    and not any(True for _ in sibling.iter("h1"))
                ):
                    more.extend(b for b in html_blocks(sibling) if clean_text(b.plain) not in seen)
            chars = sum(len(b.plain) for b in more)
            linked = sum(len(b.plain) * b.link_ratio for b in more)
            if chars >= CONTINUATION_MIN_CHARS and linked < 0.3 * chars:
                return more
        node = node.getparent()
    return []


def _looks_like_menu(blocks: list[Block]) -> bool:
    if not blocks:
        return False
    total = sum(len(b.plain) for b in blocks)
    if len(blocks) >= MENU_MIN_BLOCKS and total < MENU_MEAN_CHARS * len(blocks):
        return True
    if sum(len(b.plain) * b.link_ratio for b in blocks) >= MENU_LINK_RATIO * total:
        return True
    return len(blocks) == 1 and blocks[0].kind == "paragraph" and total >= DUMP_MIN_CHARS
