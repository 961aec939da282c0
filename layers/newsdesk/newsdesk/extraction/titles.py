"""The headline: the one the page shows its readers, with the metadata titles as witnesses.

Layers, believed in the order of `metadata_rules.TITLE_LAYERS`: the article header's <h1> when a
metadata title confirms it (a logo or section <h1> shares no words with the story's titles) >
JSON-LD article headline (its "name" instead when the page's <title>/<h1> confirms the name and
not the headline: some put a tagline there) > og:title > twitter:title > parsely/Dublin Core
title > microdata headline > the <h1> that the <title> starts or ends with > the <title>. A
" | Site" suffix or "Site: " prefix naming the site (og:site_name, JSON-LD publisher) is
stripped from the winner; a winner cut short with "…" gives way to a later layer that carries
the whole of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml.html import HtmlElement

from newsdesk.extraction import jsonld
from newsdesk.extraction import metadata_rules as rules
from newsdesk.extraction.authors import fold
from newsdesk.extraction.pagemeta import MAX_TITLE, Page, clean_text

_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»«:/\\~*]|::)\s+")
_URL = re.compile(r"(?i)(?:https?://|www\.)\S+$")
# Page chrome: an <h1> there is a logo or a menu, not the story's headline.
_CHROME_TAGS = frozenset({"nav", "footer", "aside"})
_CHROME_CLASS = re.compile(r"(?i)\b(?:logo|brand|masthead|site-?title|site-?name|navbar|menu)\b")


def _strip_site(title: str, site_names: list[str]) -> str:
    """Drop a " | Site" suffix or "Site: " prefix naming the site."""
    keys = {fold(name) for name in site_names if name}
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2 or not keys:
        return title
    if fold(parts[-1]) in keys:
        return _rejoin_without(title, last=True)
    if fold(parts[0]) in keys:
        return _rejoin_without(title, last=False)
    return title


def _rejoin_without(title: str, *, last: bool) -> str:
    matches = list(_TITLE_SEPARATORS.finditer(title))
    if last:
        return title[: matches[-1].start()].strip()
    return title[matches[0].end() :].strip()


def _title_from_title_element(page: Page) -> str | None:
    raw = clean_text(page.tree.findtext(".//title"), MAX_TITLE)
    if not raw:
        return None
    # The page's own <h1> is the headline when the <title> is that headline plus decoration.
    for h1 in page.tree.iter("h1"):
        heading = clean_text(h1.text_content(), MAX_TITLE)
        if heading and len(heading) >= 10 and heading != raw:
            key, whole = fold(heading), fold(raw)
            if key and (whole.startswith(key) or whole.endswith(key)):
                return heading
    return raw


def _jsonld_headline(page: Page) -> str | None:
    headline = clean_text(jsonld.text_value(page.article.get("headline")), MAX_TITLE)
    name = clean_text(jsonld.text_value(page.article.get("name")), MAX_TITLE)
    if headline and name and fold(headline) != fold(name):
        # Some publishers (Wikipedia) put a tagline in "headline" and the title in "name":
        # believe the one the visible page confirms (the <title> contains it or an <h1> says it).
        title_key = fold(page.tree.findtext(".//title") or "")
        h1_keys = {fold(h1.text_content()) for h1 in page.tree.iter("h1")}

        def visible(text: str) -> bool:
            return fold(text) in h1_keys or fold(text) in title_key

        if visible(name) and not visible(headline):
            headline = name
    return headline or name


def _in_chrome(element: HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        if node.tag in _CHROME_TAGS:
            return True
        if _CHROME_CLASS.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    return False


def article_h1(page: Page) -> HtmlElement | None:
    """The article header's <h1>: the first inside <article>, else <main>, else the page's first
    (outside the page chrome, and of a headline's length)."""
    headings = [h1 for h1 in page.tree.iter("h1") if not _in_chrome(h1)]
    for container in ("article", "main"):
        inside = [h1 for h1 in headings if any(a.tag == container for a in h1.iterancestors())]
        if inside:
            headings = inside
            break
    for h1 in headings:
        text = clean_text(h1.text_content(), MAX_TITLE)
        if text and rules.H1_MIN_CHARS <= len(text) <= rules.H1_MAX_CHARS:
            return h1
    return None


def _visible_h1(page: Page) -> str | None:
    h1 = article_h1(page)
    return None if h1 is None else clean_text(h1.text_content(), MAX_TITLE)


def _agrees(heading: str, title: str) -> bool:
    """The two name one story: most words of each are in the other.

    Both ways: a blog's name in its <h1> is all inside "Blog name: Post title", yet names no post.
    """
    a, b = set(fold(heading).split()), set(fold(title).split())
    if not a or not b:
        return False
    return len(a & b) / max(len(a), len(b)) >= rules.H1_CONFIRMING_OVERLAP


def _undecorated(title: str, heading: str | None) -> str:
    """The <h1> when `title` is that <h1> plus decoration ("Headline | DW | 28.04.2023")."""
    if not heading or fold(heading) == fold(title):
        return title
    parts = _TITLE_SEPARATORS.split(title)
    key = fold(heading)
    for cut in range(1, len(parts)):
        if fold(" ".join(parts[:cut])) == key or fold(" ".join(parts[cut:])) == key:
            return heading
    return title


def _confirmed(heading: str, witnesses: list[str], site_keys: set[str]) -> bool:
    # A logo or section <h1> is not confirmed: it names the site, or no title shares its words.
    if fold(heading) in site_keys:
        return False
    return not witnesses or any(_agrees(heading, witness) for witness in witnesses)


def _title_text(value: str | None) -> str | None:
    text = clean_text(value, MAX_TITLE)
    # A template that fills og:title with the page's address names no headline.
    return None if text is None or _URL.match(text) else text


_LAYERS: dict[str, Callable[[Page], str | None]] = {
    "jsonld_headline": _jsonld_headline,
    "og:title": lambda page: page.meta1("og:title"),
    "twitter:title": lambda page: page.meta1("twitter:title"),
    "meta_title": lambda page: page.meta1(*rules.TITLE_META_KEYS),
    "microdata_headline": lambda page: page.prop1("headline"),
    "title_element": _title_from_title_element,
}


def page_title(page: Page, site_names: list[str], order: tuple[str, ...] = rules.TITLE_LAYERS) -> str | None:
    """The headline, layer by layer in `order` (see the module docstring)."""
    site_keys = {fold(name) for name in site_names if name}
    values = {name: _title_text(read(page)) for name, read in _LAYERS.items() if name in order}
    # The <title> witnesses only when no structured title exists: on many blogs it is the blog's
    # name, which is also its <h1>, while og:title names the post.
    structured = [value for name, value in values.items() if value and name != "title_element"]
    fallback = [value for name, value in values.items() if value and name == "title_element"]
    witnesses = [_strip_site(value, site_names) for value in (structured or fallback)]
    candidates: list[str] = []
    heading = _visible_h1(page)
    for name in order:
        if name == "visible_h1":
            if heading and _confirmed(heading, witnesses, site_keys):
                candidates.append(heading)
        elif values.get(name):
            candidates.append(values[name] or "")
    if not candidates:
        return None
    candidate = candidates[0]
    if candidate.endswith(("…", "...")):
        # Headlines cut to a length limit ("Ukraine's Security Council chief heads to…"):
        # a later layer that carries the whole of it wins.
        stem = fold(candidate)
        candidate = next((text for text in candidates[1:] if fold(text).startswith(stem)), candidate)
    candidate = _strip_site(candidate, site_names) or candidate
    return _undecorated(candidate, heading) if rules.H1_TRIMS_DECORATION else candidate
