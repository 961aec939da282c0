"""JSON-LD blocks of a page: tolerant parsing, flattening and picking the article object.

Publishers' JSON-LD is often broken: HTML comments or CDATA around it, trailing commas, raw
newlines inside strings, several objects pasted one after another, a stray `;`. We repair
what is cheap to repair and skip what is not; nothing here raises.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

JsonObject = dict[str, Any]

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenews",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "asknewsarticle",
        "askpublicnewsarticle",
        "satiricalarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "techarticle",
        "scholarlyarticle",
        "medicalscholarlyarticle",
        "report",
    }
)
ORGANIZATION_TYPES = frozenset(
    {"organization", "newsmediaorganization", "corporation", "educationalorganization", "ngo"}
)

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_WRAPPERS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[|//\s*<!\[CDATA\[)|(?:-->|\]\]>|//\s*\]\]>)\s*$")
_MAX_DEPTH = 12
_MAX_OBJECTS = 500


@dataclass
class JsonLd:
    """Every object found in a page's JSON-LD, and an index of those with an @id."""

    objects: list[JsonObject] = field(default_factory=list)
    by_id: dict[str, JsonObject] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        """Follow a bare {"@id": ...} reference to the object it names, when the page has it."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            target = self.by_id.get(str(value["@id"]))
            if target is not None:
                return target
        return value

    def of_types(self, types: frozenset[str]) -> list[JsonObject]:
        return [obj for obj in self.objects if types & type_names(obj)]


def type_names(obj: JsonObject) -> set[str]:
    """The object's @type values, lower-cased, without any schema.org prefix."""
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(value).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for value in values if value}


def is_article(obj: JsonObject) -> bool:
    names = type_names(obj)
    return bool(names & ARTICLE_TYPES) or any(name.endswith("article") for name in names)


def _decode_all(text: str) -> Iterator[Any]:
    """Every JSON value in `text`, including several pasted one after another."""
    decoder = json.JSONDecoder(strict=False)  # strict=False: raw newlines/tabs inside strings
    position = 0
    length = len(text)
    while position < length:
        while position < length and text[position] in " \t\r\n;,":
            position += 1
        if position >= length:
            return
        try:
            value, position = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError):
            return
        yield value


def parse_block(text: str) -> list[Any]:
    """The JSON values of one <script type=application/ld+json>; [] when it is beyond repair."""
    text = _WRAPPERS.sub("", text.strip()).strip()
    if not text:
        return []
    values = list(_decode_all(text))
    if values:
        return values
    repaired = _TRAILING_COMMA.sub(r"\1", text)
    return list(_decode_all(repaired))


def _walk(value: Any, found: list[JsonObject], depth: int = 0) -> None:
    if depth > _MAX_DEPTH or len(found) >= _MAX_OBJECTS:
        return
    if isinstance(value, list):
        for item in value:
            _walk(item, found, depth + 1)
        return
    if not isinstance(value, dict):
        return
    if "@type" in value or "@id" in value:
        found.append(value)
    graph = value.get("@graph")
    if graph is not None:
        _walk(graph, found, depth + 1)
    # Articles hide inside pages (mainEntity), item lists and other wrappers.
    for key in ("mainEntity", "mainEntityOfPage", "itemListElement", "item", "hasPart", "subjectOf"):
        inner = value.get(key)
        if isinstance(inner, (dict, list)):
            _walk(inner, found, depth + 1)


def collect(tree: HtmlElement) -> JsonLd:
    """Parse every JSON-LD block of the page; broken blocks are skipped, never fatal."""
    result = JsonLd()
    for script in tree.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        if kind != "application/ld+json":
            continue
        for value in parse_block(script.text or ""):
            _walk(value, result.objects)
    for obj in result.objects:
        ident = obj.get("@id")
        if isinstance(ident, str) and len(obj) > 2:  # a real object, not just a reference
            result.by_id.setdefault(ident, obj)
    return result


def _page_urls(obj: JsonObject) -> set[str]:
    urls: set[str] = set()
    for key in ("url", "@id", "mainEntityOfPage"):
        value = obj.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str):
            urls.add(value.rstrip("/"))
    return urls


def main_article(data: JsonLd, canonical: str | None = None) -> JsonObject | None:
    """The object describing this page's article.

    Several article objects appear on pages that list related stories: prefer the one whose
    url matches the canonical url, then the one with the most article fields.
    """
    articles = [obj for obj in data.objects if is_article(obj)]
    if not articles:
        return None
    if canonical:
        wanted = canonical.rstrip("/")
        for obj in articles:
            if wanted in _page_urls(obj):
                return obj

    def richness(obj: JsonObject) -> int:
        keys = ("headline", "datePublished", "author", "articleBody", "image", "description")
        return sum(1 for key in keys if obj.get(key))

    return max(articles, key=richness)  # max keeps the first of equals: page order wins ties


def first_of_types(data: JsonLd, types: frozenset[str]) -> JsonObject | None:
    found = data.of_types(types)
    return found[0] if found else None


def text_value(value: Any) -> str | None:
    """A plain string from a JSON-LD value: a string, the first of a list, or an object's name."""
    if isinstance(value, list):
        for item in value:
            text = text_value(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        return text_value(value.get("name") or value.get("@value"))
    if isinstance(value, str):
        text = " ".join(value.split())
        return text or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):  # JSON-LD may carry NaN/Infinity
        return str(value)
    return None
