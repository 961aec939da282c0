"""Image captions on the generic path: out of the body, into the lead image when they describe it.

trafilatura drops a whole `<figure>` and, inside the container it picks, the div/p/span whose class
contains "caption" (lower case only). What gets through: a `<figcaption>` outside a figure,
`itemprop="caption"`, "Caption" / "wp-caption-text"-style classes on other tags, photo-credit
lines, slideshow and gallery slides, and the fallbacks (baseline, the continuation scan) that
work on the raw tree. Those are removed from the tree before any body extraction runs.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree
from lxml.etree import XPath
from lxml.html import HtmlElement

from newsdesk.extraction.pagemeta import clean_text as _clean
from newsdesk.extraction.walk import remove_keep_tail

# The credit vocabulary: words, labels and agencies that mark a caption's credit.
_CREDIT_WORDS = re.compile(
    r"(?i)\b(?:photo|photograph|image|picture|credit|courtesy|source|foto|getty|afp|reuters|ap|epa|"
    r"shutterstock|anadolu|alamy|istock|pool|handout|file|ukrinform|unsplash)\b|/|©| via "
)
_TRAILING_PARENS = re.compile(r"^(?P<caption>.*?)\s*\((?P<credit>[^()]+)\)\s*$", re.DOTALL)
_CREDIT_LEAD = re.compile(r"(?i)^(?:photograph|photo|image|picture|credit|foto)s?\b\s*(?:by\b)?\s*[:\-–]?\s*")
_TRAILING_PHOTO = re.compile(
    r"^(?P<caption>.*?)[\s.]*(?:\||—|–)?\s*(?P<credit>(?:Photo|Image|Picture|Credit|Foto)s?\s*(?:by)?\s*:"
    r"\s*[^.]+?)\s*\.?$",
    re.DOTALL,
)
_CAPTION_LABEL = re.compile(r"(?i)^(?:(?:media\s*)?caption\s*:?\s*|\d+\s*of\s*\d+\s*)")
# A "caption" that is all credit: "Image via Getty Images", "Photo: Jane Roe".
_ONLY_CREDIT = re.compile(
    r"(?i)^(?:photo|image|picture|foto)s?\s*(?:via|by|courtesy of|:)\s*(?P<credit>[^.]+?)\.?$"
)
# Credits marked by a copyright sign or a label ("© Provided by X", "Source: X"), and wire-agency
# credits, which agencies write in capitals ("REUTERS/Name", "Name, ASSOCIATED PRESS").
_MARKED_CREDIT = r"(?:©|\(c\)|copyright\b)\s*(?:provided\s+by\s+)?|(?:source|credits?)\s*:\s*"
_AGENCY_CREDIT = r"(?:REUTERS|AP Photo|AFP|EPA(?:-EFE)?|ASSOCIATED PRESS|Getty Images)\b"
_TRAILING_CREDIT = re.compile(
    rf"^(?P<caption>.*?[.!?\"”'’])\s+(?:(?i:{_MARKED_CREDIT})(?P<marked>[^.]+?)|(?P<agency>{_AGENCY_CREDIT}[^.]*?))\.?$",
    re.DOTALL,
)
_ONLY_MARKED_CREDIT = re.compile(rf"^(?i:{_MARKED_CREDIT})(?P<credit>[^.]+?)\.?$")
_ONLY_AGENCY_CREDIT = re.compile(
    rf"^(?P<credit>(?:[^.,]{{1,40}},\s*)?{_AGENCY_CREDIT}(?:/[^.]{{1,40}})?)\.?$"
)
_CREDIT_CLASS = re.compile(r"(?i)credit|copyright|attribution|source|photographer|byline|courtesy")


def _split_labelled(text: str | None) -> tuple[str | None, str | None]:
    """ "Caption. (Name/Agency via Getty Images)" -> ("Caption.", "Name/Agency via Getty Images")."""
    caption = _clean(text)
    if caption:
        # Screen-reader labels and slideshow counters: "Media captionWho is...", "1of4Grass..."
        caption = _clean(_CAPTION_LABEL.sub("", caption))
    if not caption:
        return None, None
    only_credit = _ONLY_CREDIT.match(caption)
    if only_credit and len(only_credit.group("credit").split()) <= 6:
        return None, _clean(only_credit.group("credit"))
    only_credit = _ONLY_MARKED_CREDIT.match(caption) or _ONLY_AGENCY_CREDIT.match(caption)
    if only_credit:
        return None, _clean(only_credit.group("credit"))
    match = _TRAILING_PARENS.match(caption)
    if match and _CREDIT_WORDS.search(match.group("credit")):
        credit = _CREDIT_LEAD.sub("", match.group("credit")).strip()
        return _clean(match.group("caption")), _clean(credit)
    match = _TRAILING_PHOTO.match(caption)
    if match and match.group("caption"):
        return _clean(match.group("caption")), _clean(_CREDIT_LEAD.sub("", match.group("credit")))
    match = _TRAILING_CREDIT.match(caption)
    if match:
        return _clean(match.group("caption")), _clean(match.group("marked") or match.group("agency"))
    return caption, None


# "(Harbour Gazette)", "(Jane Doe)": a parenthesised proper name closing a caption is its credit.
_NAME_CREDIT = re.compile(
    r"^(?P<caption>.*?)\s*\((?P<credit>[A-Z][\w.'&-]*(?:\s+(?:[A-Z][\w.'&-]*|of|de|van|von|la|le|del)){0,5})\)\s*$",
    re.S,
)


def split_caption(text: str | None) -> tuple[str | None, str | None]:
    """The one caption/credit splitter: "Caption. (Name/Agency via Getty Images)" -> (caption, credit).

    Every caption goes through here: the metadata's (JSON-LD, the lead figure) and the body's. A
    closing parenthesised proper name is a credit too (a caption does not end on a bare name in
    brackets otherwise).
    """
    caption, credit = _split_labelled(text)
    if credit is None and caption:
        match = _NAME_CREDIT.match(caption)
        if match and match.group("caption"):
            return match.group("caption").strip(), match.group("credit")
    return caption, credit


def figcaption_parts(figure: HtmlElement) -> tuple[str | None, str | None]:
    """A figure's figcaption as (caption, credit): a credit element inside it, else split_caption."""
    figcaption = figure.find(".//figcaption")
    if figcaption is None:
        return None, None
    credit_element = next(
        (el for el in figcaption.iterdescendants() if _CREDIT_CLASS.search(str(el.get("class") or ""))),
        None,
    )
    if credit_element is None:
        return split_caption(figcaption.text_content())
    credit = _clean(_CREDIT_LEAD.sub("", credit_element.text_content().strip(" \t\n()[]")))
    whole = figcaption.text_content()
    caption = whole.replace(credit_element.text_content(), " ")
    return _clean(caption), credit


# A caption never runs longer than this: a longer element whose class says "caption" is a page
# wrapper (`<div class="post has-captions">`) holding the article, and must stay.
MAX_CAPTION_CHARS = 700
# Caption-ish elements, by tag, microdata or class/id token: "caption" anywhere in a token
# (image-caption, wp-caption-text, Caption__text), a credit token (credit, photo-credit,
# image_credits), and slides of a slideshow or gallery (their text is the slides' captions).
_CREDIT_TOKEN = re.compile(r"(?i)(^|[\s_-])((photo|image|img|media|picture|pic)[_-]?)?credits?([\s_-]|$)")
_CAPTION_CLASS = re.compile(r"caption|" + _CREDIT_TOKEN.pattern.removeprefix("(?i)"), re.IGNORECASE)
_SLIDE_CLASS = re.compile(r"(?i)(^|\s)(slideshow|gallery|carousel|lightbox)")
# "Image copyright Getty Images": a credit under a label split_caption does not know.
_COPYRIGHT_LABEL = re.compile(r"(?i)^(?:image|photo|picture)\s+(?:copyright|credit)\s*:?\s*(?P<credit>.+)$")
_CREDIT_LABEL = re.compile(r"(?i)^(?:(?:image|photo|picture)\s+)?(?:copyright|credits?)\s*:\s*")
# A cheap prefilter in XPath, the exact rule in Python after. Each substring test costs a tenth of
# a millisecond per page (translate() or an EXSLT regex, ten times that), so only the stems that
# occur in the page's markup at all are tested. They drop the first letter: "Caption" matches too.
_CLASS_STEMS = ("aption", "redit", "lideshow", "allery", "arousel", "ightbox")


@lru_cache(maxsize=64)
def _captions_xpath(stems: tuple[str, ...]) -> XPath:
    tests = ["self::figcaption", "contains(@itemprop, 'caption')"]
    if "aption" in stems:
        tests.append("contains(@id, 'aption')")
    tests.extend(f"contains(@class, '{stem}')" for stem in stems)
    return XPath(f"//*[{' or '.join(tests)}]")


def _is_caption(el: etree._Element) -> bool:
    if el.tag == "figcaption" or "caption" in (el.get("itemprop") or ""):
        return True
    if "caption" in (el.get("id") or "").lower():
        return True
    return bool(_CAPTION_CLASS.search(el.get("class") or "") or _is_slide(el))


def _is_slide(el: etree._Element) -> bool:
    """A slide of a slideshow or gallery: out of the body, but it describes no single lead image."""
    return bool(_SLIDE_CLASS.search(el.get("class") or ""))


def _is_credit(el: etree._Element) -> bool:
    prop = el.get("itemprop") or ""
    return bool(_CREDIT_TOKEN.search(el.get("class") or "")) or "copyright" in prop or "creditText" in prop


_NEVER = frozenset({"html", "body", "article", "main"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TEXT_BLOCKS = ("p", "li", "blockquote", "pre", "table", *_HEADINGS)
# How far up from a caption to look for the image it describes (caption and image are siblings,
# or cousins under one figure-like wrapper).
IMAGE_LEVELS = 3
# Text before the article's first real paragraph is the lead area (as the metadata module reads it).
LEAD_PARAGRAPH_CHARS = 80
# A file name this long is specific to one picture (a hash, a slug), shorter ones are generic.
MIN_DISTINCT_NAME = 12


@dataclass(frozen=True)
class LeadCaption:
    image_url: str
    caption: str | None
    credit: str | None


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _basename(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1].lower()


def _sources(img: etree._Element) -> set[str]:
    names: set[str] = set()
    for attr in ("src", "data-src", "data-lazy-src", "srcset", "data-srcset"):
        for candidate in (img.get(attr) or "").split(","):
            name = _basename(candidate.strip().split(" ")[0])
            if name:
                names.add(name)
    return names


def _address(url: str) -> str:
    """A URL without scheme, query and fragment, for comparing image addresses."""
    return url.split("#", 1)[0].split("?", 1)[0].split("://", 1)[-1].lower()


def _shows(img: etree._Element, image_url: str, base_url: str | None) -> bool:
    """The <img> shows `image_url`: the same address, or the same distinctive file name (the page
    often serves a resized copy of the og:image; "image.jpg" or "r" names no one picture)."""
    wanted = _address(image_url)
    for attr in ("src", "data-src", "data-lazy-src", "srcset", "data-srcset"):
        for candidate in (img.get(attr) or "").split(","):
            src = candidate.strip().split(" ")[0]
            if not src:
                continue
            with suppress(ValueError):
                src = urljoin(base_url, src) if base_url else src
            if _address(src) == wanted:
                return True
    name = _basename(image_url)
    return len(name) >= MIN_DISTINCT_NAME and name in _sources(img)


def _described_image(caption: etree._Element) -> tuple[etree._Element, etree._Element] | None:
    """(wrapper, img): the smallest wrapper around the caption holding one <img>, if just one."""
    node: etree._Element | None = caption
    for _ in range(IMAGE_LEVELS + 1):
        if node is None or node.tag in _NEVER:
            return None
        images = list(node.iter("img"))
        if len(images) == 1:
            return node, images[0]
        if len(images) > 1:
            return None
        node = node.getparent()
    return None


def _photo_block(caption: etree._Element, wrapper: etree._Element) -> bool:
    """The wrapper around a credit line is all picture: the image, the credit and at most one
    more line (the caption, unmarked), no heading. Only from a credit: next to a marked caption
    the one other line is as often the text of a how-to step as a credit."""
    if wrapper is caption or not _is_credit(caption) or len(_text(wrapper)) > MAX_CAPTION_CHARS:
        return False
    inside = set(caption.iter())
    others = [el for el in wrapper.iter(*_TEXT_BLOCKS) if el not in inside]
    return len(others) <= 1 and not any(el.tag in _HEADINGS for el in others)


def _caption_elements(tree: HtmlElement, html: str | None) -> list[etree._Element]:
    """The outermost caption-ish elements short enough to be captions, in document order."""
    stems = tuple(stem for stem in _CLASS_STEMS if html is None or stem in html)
    found = _captions_xpath(stems)(tree)
    chosen: list[etree._Element] = []
    taken: set[etree._Element] = set()
    for el in found if isinstance(found, list) else []:
        if not isinstance(el, etree._Element) or not isinstance(el.tag, str) or el.tag in _NEVER:
            continue
        if not _is_caption(el):
            continue
        if any(parent in taken for parent in el.iterancestors()):
            continue
        if len(_text(el)) > MAX_CAPTION_CHARS:
            continue
        chosen.append(el)
        taken.add(el)
    return chosen


def _parts(elements: list[etree._Element]) -> tuple[str | None, str | None]:
    """(caption, credit) from the caption elements of one image, credit elements apart."""
    captions: list[str] = []
    credits: list[str] = []
    for el in elements:
        credit_els = [c for c in el.iter() if isinstance(c.tag, str) and _is_credit(c)]
        if credit_els:
            credit_text = " ".join(_text(c) for c in credit_els)
            only_caption, only_credit = _split_labelled(credit_text.strip(" ()[]"))
            credits.append(_CREDIT_LABEL.sub("", only_credit or only_caption or ""))
            whole = _text(el)
            if only_credit and only_caption:  # "A boat at dawn. Photo: Jane Roe" all in one credit element
                captions.append(only_caption)
            for c in credit_els:
                whole = whole.replace(_text(c), " ")
            captions.append(whole)
        else:
            text = _text(el)
            label = _COPYRIGHT_LABEL.match(text)
            if label:
                credits.append(label.group("credit"))
            else:
                captions.append(text)
    # dict.fromkeys: a caption repeated for each responsive copy of the picture counts once
    caption, credit = split_caption(" ".join(dict.fromkeys(c for c in captions if c.strip())) or None)
    stated = " ".join(dict.fromkeys(c for c in credits if c)) or None
    return caption, stated or credit


def _in_lead_area(tree: HtmlElement, caption: etree._Element) -> bool:
    """The caption comes before the first real paragraph of the page's <article>."""
    article = next(tree.iter("article"), None)
    if article is None or not any(parent is article for parent in caption.iterancestors()):
        return False
    for el in article.iter():
        if el is caption:
            return True
        if el.tag == "p" and len(_text(el)) > LEAD_PARAGRAPH_CHARS:
            return False
    return False


def strip_captions(
    tree: HtmlElement, image_url: str | None, base_url: str | None = None, html: str | None = None
) -> LeadCaption | None:
    """Remove caption elements from `tree`; return the caption of the lead image among them.

    The lead image is `image_url` (og:image and friends) when a removed caption sits next to it;
    without `image_url`, the image of a caption in the article's lead area (before its text).
    A caption next to another image illustrates a paragraph, or a slideshow: it is dropped.
    `html`, the page's markup, only narrows which class names are worth looking for.
    """
    elements = _caption_elements(tree, html)
    if not elements:
        return None
    lead_img: etree._Element | None = None
    # What goes: the caption itself, or the whole picture block around it (which takes along an
    # unmarked caption or credit line beside the marked one).
    units: list[etree._Element] = []
    lead_group: list[etree._Element] = []
    for el in elements:
        found = _described_image(el)
        unit = found[0] if found is not None and _photo_block(el, found[0]) else el
        if unit not in units:
            units.append(unit)
        if found is None:
            continue
        img = found[1]
        if lead_img is None and not _is_slide(el):
            matches = _shows(img, image_url, base_url) if image_url else _in_lead_area(tree, el)
            if matches:
                lead_img = img
        if img is lead_img and unit not in lead_group and not _is_slide(el):
            lead_group.append(unit)
    # A credit's picture block may hold a caption found on its own: the block stands for both.
    units = _outermost(units)
    lead = None
    if lead_img is not None:
        caption, credit = _parts(_outermost(lead_group))
        src = image_url or (lead_img.get("src") or lead_img.get("data-src") or "").strip()
        if base_url and not image_url:
            # a malformed base: keep the page's own (relative) address
            with suppress(ValueError):
                src = urljoin(base_url, src)
        if (caption or credit) and src:
            lead = LeadCaption(src, caption, credit)
    for unit in units:
        remove_keep_tail(unit)
    return lead


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    chosen = set(elements)
    return [el for el in elements if not any(parent in chosen for parent in el.iterancestors())]
