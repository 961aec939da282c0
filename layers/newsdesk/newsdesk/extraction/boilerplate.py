"""Boilerplate that survives container selection: rules on the text of short blocks.

Each rule is a pattern for a *whole short block* (a line of a membership appeal, a newsletter
pitch, a "Read more" / "Related" link line, a share bar...), never for words inside prose, so a
real paragraph that mentions a newsletter is kept.
"""

from __future__ import annotations

import re

from lxml import etree

from newsdesk.extraction.blocks import Block
from newsdesk.extraction.walk import remove_keep_tail

# Blocks longer than this are prose, whatever words they contain.
MAX_BOILERPLATE_CHARS = 300
# A block at least this much link text is a teaser, a menu entry or a "related" list.
MAX_LINK_RATIO = 0.8

_PATTERNS = [
    # membership / donation appeals
    r"\d[\d,. ]* out of [\d,. ]+",
    r"help us reach .*",
    r"quality journalism takes work.*",
    r"(please )?(support|fund|back) (our|independent|quality) journalism.*",
    r"(become|join us as) a (member|subscriber|patron|supporter).*",
    r"(join|support) (us|now|today)[.!]?",
    r"donate( now| today)?[.!]?",
    r"if you (enjoyed|liked|value|appreciate) (this|our) .{0,120}(subscribe|join|support|donate|member).*",
    # newsletters, apps, social
    r"(sign up|subscribe|register) (for|to) (our|the|a) .{0,80}(newsletter|briefing|bulletin|digest).*",
    r"get (the|our) .{0,60} (app|newsletter).*",
    r"click here to (get|download|subscribe|sign up|read|follow).*",
    r"(follow|like) us on .*",
    r"share (this|on) .*",
    r"(share|tweet|email|print|copy link)( this( article| story)?)?",
    # link lists and teasers
    r"(read|see|watch|listen) (more|also|next)( \w+){0,6}[:.]?",
    r"(read|see|watch|listen) (more|also|next)( \w+){0,3}\s*[:|»›>-].*",
    r"(related|recommended|more from|most read|don'?t miss|trending|popular)( \w+){0,4}[:.]?",
    r"(related|recommended|also read|read also)\s*:.*",
    r"show more",
    r"(advertisement|advertising|sponsored( content)?|ad)",
    r"(we|this (site|website)) uses? cookies.*",
    r"\(?updated: *\)?",
]
_BOILERPLATE = re.compile(r"^\s*(?:" + "|".join(_PATTERNS) + r")\s*$", re.IGNORECASE)
_URL_ONLY = re.compile(r"^\s*(https?://|www\.)\S+\s*$", re.IGNORECASE)
_DATELINE = re.compile(
    r"^\s*(last )?(updated|published|posted|first published|modified)( on| at)?\s*:?\s*.{0,40}$",
    re.IGNORECASE,
)
_FOLLOW = re.compile(
    r"^\s*(follow|email|contact|reach) "
    r"(us|him|her|them|the (author|reporter|writer)s?|[A-Z][\w.'-]+( [A-Z][\w.'-]+){0,2})"
    r" (on|at|via) .{0,160}$"
)


# A heading that opens the page's trailing link lists: it and everything after it go.
_TAIL_MARKER = re.compile(
    r"^\s*(?:"
    r"(top|more|latest|related|recommended|popular|trending|other|partner|editor'?s'?|similar|recent)"
    r" (stories|news|articles|posts|reads|content|picks|links|videos|headlines)( \w+){0,2}"
    r"|you (may|might|will) (also )?(like|enjoy|be interested in)( \w+){0,3}"
    r"|most (read|popular|viewed|shared|watched)( \w+){0,3}"
    r"|related|recommended( for you)?|more (from|on|in|about) .{1,40}|trending( now)?|what to read next"
    r"|around the web|from (our|the) partners|sponsored (stories|content|links)|(\d+ )?comments?"
    r"|leave a (reply|comment)|mehr zum thema|about (the )?(author|writer|reporter|contributor)s?"
    r"|(author|writer) bio(graphy)?"
    r"|(notícias|artigos|matérias|noticias) relacionad[oa]s|mais lidas|(articoli|notizie) correlat[ie]"
    r")\s*[:.]?\s*$",
    re.IGNORECASE,
)


def _cut_tail(blocks: list[Block]) -> list[Block]:
    """Drop a trailing "Related" / "Top stories" section: a marker line after most of the text.

    A "section" holding a third of the text or more is the article going on after an inline
    widget heading ("Most read in world news" between two paragraphs), not a trailing list.
    """
    total = sum(len(b.plain) for b in blocks)
    before = 0
    for index, block in enumerate(blocks):
        text = block.plain
        if (
            index > 0
            and block.kind in ("heading", "paragraph")
            and len(text) < 60
            and _TAIL_MARKER.match(text)
            and before >= 0.5 * total
            and total - before - len(text) < total / 3
        ):
            return blocks[:index]
        before += len(text)
    return blocks


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def is_boilerplate_text(text: str) -> bool:
    if len(text) > MAX_BOILERPLATE_CHARS:
        return False
    return bool(_BOILERPLATE.match(text) or _DATELINE.match(text) or _FOLLOW.match(text))


def _is_title(key: str, title_key: str) -> bool:
    """The headline, possibly the page title with a " | Site" suffix (or prefix) around it."""
    if not key or not title_key:
        return False
    if key == title_key:
        return True
    return len(key) >= 0.5 * len(title_key) and (title_key.startswith(key) or title_key.endswith(key))


def drop_boilerplate(
    blocks: list[Block],
    title: str | None = None,
    urls: tuple[str | None, ...] = (),
    labels: tuple[str | None, ...] = (),
) -> list[Block]:
    """Remove boilerplate blocks, and what opens a body but belongs to metadata: the headline
    (`title`) and a kicker naming the section (`labels`: section, tags)."""
    # First the trailing sections, while their marker headings are still there to be seen.
    blocks = _cut_tail(blocks)
    kept: list[Block] = []
    title_key = _norm(title) if title else ""
    # The page's own address printed in the body (print views, share widgets).
    own_urls = {u.strip().rstrip("/") for u in urls if u}
    label_keys = {_norm(label) for label in labels if label}
    for index, block in enumerate(blocks):
        text = block.plain
        if block.kind in ("paragraph", "heading") and (
            is_boilerplate_text(text) or (_URL_ONLY.match(text) and text.strip().rstrip("/") in own_urls)
        ):
            continue
        if block.link_ratio >= MAX_LINK_RATIO and (
            block.kind == "list" or (block.kind == "paragraph" and len(text) <= MAX_BOILERPLATE_CHARS)
        ):
            continue
        if block.kind == "list":
            items = [i for i in block.items if not is_boilerplate_text(i)]
            if not items:
                continue
            if len(items) < len(block.items):
                block = Block("list", items=items, ordered=block.ordered, link_ratio=block.link_ratio)  # noqa: PLW2901
        key = _norm(block.plain)
        if (
            index < 3
            and block.kind in ("paragraph", "heading")
            and (_is_title(key, title_key) or (key and key in label_keys))
        ):
            continue
        kept.append(block)
    return kept


# --- widgets recognised by structure, whatever their class names ---------------------------------

# A sign-up unit: a small form and the few short lines around it ("Get the latest news in your
# inbox", a heading). A form holding more text than this is a page wrapped in a form (ASP.NET).
MAX_FORM_CHARS = 400
MAX_SIGNUP_CHARS = 400
SIGNUP_LEVELS = 2
# An author card: a link to an author page beside a picture (the avatar), with at most one long
# text (the bio). Bylines in the header go too: they are metadata, read before this runs.
MAX_AUTHOR_CARD_CHARS = 1200
AUTHOR_CARD_LEVELS = 3
LONG_TEXT_CHARS = 150
_AUTHOR_HREF = re.compile(
    r"/(authors?|autor(en)?|auteurs?|people|staff|profiles?)/[^/?#]+/?(?:[?#].*)?$", re.I
)
_CONTAINERS = frozenset({"html", "body", "article", "main"})


def _text_len(el: etree._Element) -> int:
    return len(" ".join("".join(el.itertext()).split()))


def _long_texts(el: etree._Element) -> int:
    """How many leaf text elements (paragraphs, divs without element children) run long."""
    return sum(
        1
        for node in el.iter("p", "div", "span")
        if not any(isinstance(c.tag, str) and c.tag in ("p", "div") for c in node)
        and _text_len(node) > LONG_TEXT_CHARS
    )


def _holds(el: etree._Element, title: str | None) -> bool:
    """Whether the element shows the article's headline: then it is the story (a short post with
    a comment form, a byline with a picture), never a widget beside it."""
    return title is not None and title in " ".join("".join(el.itertext()).split()).casefold()


def _signup_unit(form: etree._Element, title: str | None = None) -> etree._Element | None:
    if _text_len(form) > MAX_FORM_CHARS or _holds(form, title):
        return None
    unit = form
    node = form.getparent()
    for _ in range(SIGNUP_LEVELS):
        if node is None or node.tag in _CONTAINERS or _text_len(node) > MAX_SIGNUP_CHARS:
            break
        if _long_texts(node) or _holds(node, title):
            break
        unit = node
        node = node.getparent()
    return unit


def _author_card(link: etree._Element, title: str | None = None) -> etree._Element | None:
    node = link.getparent()
    for _ in range(AUTHOR_CARD_LEVELS):
        if node is None or node.tag in _CONTAINERS:
            return None
        if _text_len(node) > MAX_AUTHOR_CARD_CHARS or any(True for _ in node.iter("h1", "h2")):
            return None
        if _holds(node, title):
            return None
        if any(True for _ in node.iter("img")):
            return node if _long_texts(node) <= 1 else None
        node = node.getparent()
    return None


def remove_widgets(root: etree._Element, title: str | None = None) -> None:
    """Remove sign-up forms with their blurb and author cards with their bio from `root`.

    `title`, the article's headline: no unit showing it is removed.
    """
    key = " ".join(title.split()).casefold() if title and title.strip() else None
    units: list[etree._Element] = []
    for form in root.iter("form"):
        unit = _signup_unit(form, key)
        if unit is not None:
            units.append(unit)
    for link in root.iter("a"):
        if link.get("rel") == "author" or _AUTHOR_HREF.search(link.get("href") or ""):
            card = _author_card(link, key)
            if card is not None:
                units.append(card)
    chosen = set(units)
    for unit in units:
        if unit.getparent() is not None and not any(a in chosen for a in unit.iterancestors()):
            remove_keep_tail(unit)
