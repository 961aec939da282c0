"""One page's metadata layers (meta tags, microdata, JSON-LD), read once and shared.

The field extractors (titles.py, authors.py, dates.py, metadata.py) all read the page through
`Page`, so each layer is parsed once and a layer that breaks costs only itself.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from newsdesk.extraction import jsonld

LOGGER = logging.getLogger("newsdesk.extraction.metadata")
T = TypeVar("T")

_META_PREFIX = re.compile(r"^(dcterms|dcterm|dc|parsely|sailthru)[.\-:_]")
_META_PREFIXES = {"dcterms": "dc", "dcterm": "dc"}
_TAG = re.compile(r"<[^<>]{1,200}>")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
MAX_TITLE = 400
MAX_FIELD = 2000


def clean_text(value: str | None, limit: int = MAX_FIELD) -> str | None:
    if not value or not isinstance(value, str):
        return None
    if "<" in value and ">" in value:  # markup inside a meta value: "<em>Dune</em> review"
        value = _TAG.sub("", value)
    if "&" in value:  # entities escaped twice by the CMS: "Review &#8211; a triumph"
        value = html.unescape(value)
    # Soft hyphens and zero-width characters are invisible hints for line breaking.
    text = " ".join(value.translate(_INVISIBLE).split())
    if not text or len(text) > limit:
        return None
    return text


def meta_key(key: str) -> str:
    """One spelling per vocabulary (keys arrive lower-cased): "dc.creator", "dcterms:creator" ->
    "dc:creator", "parsely-author" -> "parsely:author", "sailthru.date" -> "sailthru:date"."""
    return _META_PREFIX.sub(lambda match: _META_PREFIXES.get(match.group(1), match.group(1)) + ":", key)


def first[V](candidates: Iterable[V | None]) -> V | None:
    for candidate in candidates:
        if candidate:
            return candidate
    return None


class Page:
    """One page's metadata layers, read once and shared by the field extractors."""

    def __init__(self, tree: HtmlElement, url: str | None) -> None:
        self.tree = tree
        self.url = url
        self.meta: dict[str, list[str]] = {}
        self.itemprops: dict[str, list[HtmlElement]] = {}
        self._read_meta()
        self._read_itemprops()
        self.ld = self.guard("json-ld", lambda: jsonld.collect(tree), jsonld.JsonLd())
        self.article = jsonld.main_article(self.ld, self.raw_canonical()) or {}

    @staticmethod
    def guard(layer: str, read: Callable[[], T], default: T) -> T:
        try:
            return read()
        except Exception:  # a broken layer must not cost the page its other layers
            LOGGER.warning("metadata layer %s failed", layer, exc_info=True)
            return default

    def _read_meta(self) -> None:
        for element in self.tree.iter("meta"):
            content = element.get("content")
            if content is None:
                continue
            for attr in ("property", "name", "http-equiv", "itemprop"):
                # One tag may serve several vocabularies: property="dc:title og:title".
                for key in (element.get(attr) or "").lower().split():
                    self.meta.setdefault(meta_key(key), []).append(content)

    def _read_itemprops(self) -> None:
        for element in self.tree.xpath("//*[@itemprop]"):
            for name in (element.get("itemprop") or "").split():
                self.itemprops.setdefault(name, []).append(element)

    def metas(self, *keys: str) -> Iterator[str]:
        for key in keys:
            yield from self.meta.get(key, [])

    def meta1(self, *keys: str) -> str | None:
        return first(clean_text(value) for value in self.metas(*keys))

    def prop_values(self, name: str) -> Iterator[str]:
        """Microdata values: content/datetime/href/src attributes before the element text."""
        for element in self.itemprops.get(name, []):
            for attr in ("content", "datetime", "href", "src"):
                value = element.get(attr)
                if value:
                    yield value
                    break
            else:
                yield element.text_content()

    def prop1(self, name: str) -> str | None:
        return first(clean_text(value) for value in self.prop_values(name))

    def raw_canonical(self) -> str | None:
        for link in self.tree.iter("link"):
            rels = (link.get("rel") or "").lower().split()
            if "canonical" in rels and link.get("href"):
                return self.absolute(link.get("href"))
        return self.absolute(self.meta1("og:url"))

    def absolute(self, value: str | None) -> str | None:
        text = clean_text(value)
        if not text or " " in text:
            return None
        try:
            joined = urljoin(self.url, text) if self.url else text
            parts = urlsplit(joined)
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        return joined
