"""The other extractors we consult, each behind its public API: trafilatura and readability-lxml.

Every call into either library goes through this module, so a change of their API or of how we
read their output is a change here only. Both get a copy of our already-parsed tree (both mutate
what they are given) and hand back our own `Block`s; a failure inside them means "no opinion",
never a crash of the extraction.
"""

from __future__ import annotations

import logging
from copy import deepcopy

import trafilatura
from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring
from readability import Document as ReadabilityDocument  # type: ignore[import-untyped]

from newsdesk.extraction.blocks import Block
from newsdesk.extraction.walk import html_blocks, xml_blocks

LOGGER = logging.getLogger(__name__)

# What the libraries raise on odd trees, besides their own documented ValueError: their public
# entry points swallow most of these, not all (lxml.html asserts on a document without a body).
_FAILURES = (
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    KeyError,
    RecursionError,
    AssertionError,
    etree.LxmlError,
)


def trafilatura_blocks(
    tree: HtmlElement, url: str | None, *, fast: bool = True, precision: bool = False
) -> list[Block]:
    """trafilatura's main text as blocks (`fast`: without its readability/justext comparison).

    Comments are never article text; links stay in the output so that link-only teasers can be
    recognised later (boilerplate.py). `tree` is not modified (trafilatura copies it).
    """
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            fast=fast,
            favor_precision=precision,
            include_comments=False,
            include_tables=True,
            include_links=True,
            with_metadata=False,
        )
    except _FAILURES as err:
        LOGGER.warning("trafilatura failed on %s: %s", url, err)
        return []
    body = getattr(document, "body", None)
    if not isinstance(body, etree._Element):
        return []
    return xml_blocks(body)


# What readability would throw away or never score, and what our blocks skip anyway (walk.py):
# gone before it runs, its cleaner and candidate scan have a fraction of the tree to walk.
_NOT_FOR_READABILITY = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "form",
    "button",
    "select",
    "textarea",
    "nav",
    "footer",
    "aside",
)
# Link-bearing attributes: its cleaner rewrites every link of the page (half its time), and
# our blocks only need the <a> elements, not where they point.
_LINK_ATTRIBUTES = ("href", "src", "srcset", "data-src", "data-srcset", "action", "background", "poster")


def _lean_copy(tree: HtmlElement) -> HtmlElement:
    lean = deepcopy(tree)
    etree.strip_elements(lean, *_NOT_FOR_READABILITY, with_tail=False)
    etree.strip_attributes(lean, *_LINK_ATTRIBUTES)
    return lean


def readability_blocks(tree: HtmlElement, url: str | None) -> list[Block]:
    """readability-lxml's article as blocks. `tree` is not modified (readability gets a copy)."""
    try:
        summary = ReadabilityDocument(_lean_copy(tree), url=url).summary(html_partial=True)
    except _FAILURES as err:
        LOGGER.warning("readability failed on %s: %s", url, err)
        return []
    if not isinstance(summary, str) or not summary.strip():
        return []
    try:
        fragment = fragment_fromstring(summary, create_parent="div")
    except (etree.LxmlError, ValueError, AssertionError):
        return []
    return html_blocks(fragment)
