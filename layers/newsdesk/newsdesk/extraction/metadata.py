"""Page metadata from every layer a page offers.

Precedence, field by field (the first layer that yields a valid value wins):

- title: JSON-LD article headline (its "name" instead when the page's <title>/<h1> confirms the
  name and not the headline: some put a tagline there) > og:title > twitter:title >
  parsely/Dublin Core title > microdata headline > the <h1> that the <title> starts or ends with
  > the <title>. A " | Site" suffix or "Site: " prefix naming the site (og:site_name, JSON-LD
  publisher) is stripped from the winner.
- description: JSON-LD > og:description > twitter:description > meta description > Dublin Core
  > microdata.
Meta tags are matched whatever the vocabulary's spelling ("dc.creator", "DC:creator",
"dcterms.creator"; "parsely-author") and a tag may name several properties ("dc:title og:title").
- authors: JSON-LD article author (or creator; @id references resolved) > author meta tags
  (author, article:author, byl, parsely-author, sailthru.author, dc.creator, citation_author,
  Twitter "Written by" label) > microdata author > rel=author links > the first byline element
  (class/id "byline"/"author", outside comments) naming somebody > twitter:creator. Names are
  cleaned by `authors.clean_authors` (no "By", roles, bios, emails, URLs, handles; "A, B and C"
  split). Persons beat organisations: the first layer naming a person wins; outlets next to a
  person ("Jill Disis, CNN Business") are dropped; only when no layer names a person do
  organisation bylines (JSON-LD Organization, outlet-like names, the site's own name) become the
  authors, so wire stories keep "Reuters". In the weak layers (links, byline elements) a lone
  word is a section or dateline, not a name, unless "by" introduces it.
- section: JSON-LD articleSection > article:section > meta section/parsely-section > microdata.
- tags: article:tag > JSON-LD keywords (string or list) > news_keywords > microdata keywords.
- published_at: JSON-LD datePublished > article:published_time and other date meta tags >
  JSON-LD dateCreated > microdata datePublished/dateCreated > <time datetime> (pubdate, then
  inside <article>, then <main>) > htmldate (fast mode, original date). A bare day is refined
  by a later layer giving the same day with its time.
- modified_at: JSON-LD dateModified > article:modified_time / og:updated_time / meta >
  microdata; dropped when it precedes published_at.
  Dates without an offset are UTC; offsets the page gives are kept; dates before 1995 or in the
  future are dropped and the next layer is tried (see `dates.parse_date`).
- language: <html lang> > Content-Language meta > og:locale > JSON-LD inLanguage > meta
  language; normalised to "en" / "en-US" / "zh-Hant-TW".
- canonical_url: link rel=canonical > og:url > JSON-LD url; absolute against `url`, http(s) only.
- site_name: og:site_name > JSON-LD publisher > JSON-LD WebSite/Organization > application-name.
- image_url: og:image > twitter:image > JSON-LD image > microdata image > link rel=image_src;
  absolute against `url`.
- image_caption / image_credit: JSON-LD image caption/credit > the lead figure's figcaption (the
  figure showing image_url, else the first figure of the <article> before its text); a credit
  element inside the figcaption, a trailing "(Name/Agency via Getty Images)" or "Photo: Name"
  is the credit, the rest the caption.
- article_body: JSON-LD articleBody, verbatim.

Nothing here raises on odd pages: a layer that breaks is skipped, garbage values become None.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from htmldate import find_date
from lxml.html import HtmlElement

from newsdesk.extraction import jsonld
from newsdesk.extraction.authors import clean_authors, fold, is_organisation
from newsdesk.extraction.dates import parse_date

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class PageMetadata:
    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    image_url: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None
    article_body: str | None = None  # JSON-LD articleBody, when the page offers one


_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»«:/\\~*]|::)\s+")
_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{4}))?(?:[-_]([a-zA-Z]{2}|\d{3}))?(?:[-_].*)?$")
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
_BYLINE_CLASS = re.compile(r"(?i)byline|by-line|written-?by|\bauthor(?:s|-?name|__name|_name)?\b|\bcreator\b")
_NOT_BYLINE_CLASS = re.compile(r"(?i)comment|bio|avatar|image|photo|img|about|description|social|share")
_META_PREFIX = re.compile(r"^(dcterms|dcterm|dc|parsely|sailthru)[.\-:_]")
_META_PREFIXES = {"dcterms": "dc", "dcterm": "dc"}
_HAS_TIME = re.compile(r"\d:\d\d")
_TAG = re.compile(r"<[^<>]{1,200}>")
_NO_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})
_COMMENTS = re.compile(r"(?i)comment")
_CREDIT_CLASS = re.compile(r"(?i)credit|copyright|attribution|source|photographer|byline|courtesy")
_MAX_TITLE = 400
_MAX_FIELD = 2000


def _text(value: str | None, limit: int = _MAX_FIELD) -> str | None:
    if not value or not isinstance(value, str):
        return None
    if "<" in value and ">" in value:  # markup inside a meta value: "<em>Dune</em> review"
        value = _TAG.sub("", value)
    if "&" in value:  # entities escaped twice by the CMS: "Review &#8211; a triumph"
        value = html.unescape(value)
    text = " ".join(value.split())
    if not text or len(text) > limit:
        return None
    return text


def _meta_key(key: str) -> str:
    """One spelling per vocabulary (keys arrive lower-cased): "dc.creator", "dcterms:creator" ->
    "dc:creator", "parsely-author" -> "parsely:author", "sailthru.date" -> "sailthru:date"."""
    return _META_PREFIX.sub(lambda match: _META_PREFIXES.get(match.group(1), match.group(1)) + ":", key)


def _first[V](candidates: Iterable[V | None]) -> V | None:
    for candidate in candidates:
        if candidate:
            return candidate
    return None


class _Page:
    """One page's metadata layers, read once and shared by the field extractors."""

    def __init__(self, tree: HtmlElement, url: str | None) -> None:
        self.tree = tree
        self.url = url
        self.meta: dict[str, list[str]] = {}
        self.itemprops: dict[str, list[HtmlElement]] = {}
        self._read_meta()
        self._read_itemprops()
        self.ld = self._guard("json-ld", lambda: jsonld.collect(tree), jsonld.JsonLd())
        self.article = jsonld.main_article(self.ld, self._raw_canonical()) or {}

    @staticmethod
    def _guard(layer: str, read: Callable[[], T], default: T) -> T:
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
                    self.meta.setdefault(_meta_key(key), []).append(content)

    def _read_itemprops(self) -> None:
        for element in self.tree.xpath("//*[@itemprop]"):
            for name in (element.get("itemprop") or "").split():
                self.itemprops.setdefault(name, []).append(element)

    def metas(self, *keys: str) -> Iterator[str]:
        for key in keys:
            yield from self.meta.get(key, [])

    def meta1(self, *keys: str) -> str | None:
        return _first(_text(value) for value in self.metas(*keys))

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
        return _first(_text(value) for value in self.prop_values(name))

    def _raw_canonical(self) -> str | None:
        for link in self.tree.iter("link"):
            rels = (link.get("rel") or "").lower().split()
            if "canonical" in rels and link.get("href"):
                return self.absolute(link.get("href"))
        return self.absolute(self.meta1("og:url"))

    def absolute(self, value: str | None) -> str | None:
        text = _text(value)
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


# --- title ---------------------------------------------------------------------------------


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


def _title_from_title_element(page: _Page) -> str | None:
    raw = _text(page.tree.findtext(".//title"), _MAX_TITLE)
    if not raw:
        return None
    # The page's own <h1> is the headline when the <title> is that headline plus decoration.
    for h1 in page.tree.iter("h1"):
        heading = _text(h1.text_content(), _MAX_TITLE)
        if heading and len(heading) >= 10 and heading != raw:
            key, whole = fold(heading), fold(raw)
            if key and (whole.startswith(key) or whole.endswith(key)):
                return heading
    return raw


def _title(page: _Page, site_names: list[str]) -> str | None:
    headline = _text(jsonld.text_value(page.article.get("headline")), _MAX_TITLE)
    name = _text(jsonld.text_value(page.article.get("name")), _MAX_TITLE)
    if headline and name and fold(headline) != fold(name):
        # Some publishers (Wikipedia) put a tagline in "headline" and the title in "name":
        # believe the one the visible page confirms (the <title> contains it or an <h1> says it).
        title_key = fold(page.tree.findtext(".//title") or "")
        h1_keys = {fold(h1.text_content()) for h1 in page.tree.iter("h1")}

        def visible(text: str) -> bool:
            return fold(text) in h1_keys or fold(text) in title_key

        if visible(name) and not visible(headline):
            headline = name
    candidates = [
        text
        for text in (
            _text(value, _MAX_TITLE)
            for value in [
                headline or name,
                page.meta1("og:title"),
                page.meta1("twitter:title"),
                page.meta1("parsely:title", "dc:title", "sailthru:title"),
                page.prop1("headline"),
                _title_from_title_element(page),
            ]
        )
        if text
    ]
    if not candidates:
        return None
    candidate = candidates[0]
    if candidate.endswith(("…", "...")):
        # Headlines cut to a length limit ("Ukraine's Security Council chief heads to…"):
        # a later layer that carries the whole of it wins.
        stem = fold(candidate)
        candidate = next((text for text in candidates[1:] if fold(text).startswith(stem)), candidate)
    return _strip_site(candidate, site_names) or candidate


# --- authors -------------------------------------------------------------------------------


@dataclass
class _Byline:
    persons: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    # Byline-looking elements repeat down the page (related stories, teasers): only the first
    # one that names somebody belongs to this article.
    first_only: bool = False
    # Links and classes are weak evidence: there a lone word ("World", "Washington") is a
    # section or a dateline, not a person.
    weak: bool = False


def _jsonld_people(page: _Page, value: Any, out: _Byline, depth: int = 0) -> None:
    value = page.ld.resolve(value)
    if depth > 3 or value is None:
        return
    if isinstance(value, list):
        for item in value:
            _jsonld_people(page, item, out, depth + 1)
        return
    if isinstance(value, str):
        out.persons.append(value)
        return
    if not isinstance(value, dict):
        return
    name = jsonld.text_value(value.get("name"))
    if not name:
        given = jsonld.text_value(value.get("givenName"))
        family = jsonld.text_value(value.get("familyName"))
        name = " ".join(part for part in (given, family) if part) or None
    if not name:
        return
    if jsonld.type_names(value) & jsonld.ORGANIZATION_TYPES:
        out.organisations.append(name)
    else:
        out.persons.append(name)


def _twitter_written_by(page: _Page) -> Iterator[str]:
    # Ghost, Yoast and others put the byline in Twitter's label/data pairs.
    for index in range(1, 5):
        label = page.meta1(f"twitter:label{index}") or ""
        if re.search(r"(?i)written by|author", label):
            yield from page.metas(f"twitter:data{index}")


def _in_comments(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        marker = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''} {ancestor.get('itemtype') or ''}"
        if _COMMENTS.search(marker):
            return True
    return False


def _first_cluster(elements: list[HtmlElement]) -> list[HtmlElement]:
    """The first element and those sharing its parent or grandparent.

    Co-authors sit side by side in one byline; the same markup further down the page belongs
    to related stories, comments or a "more from" box.
    """
    elements = [element for element in elements if not _in_comments(element)]
    if not elements:
        return []
    first = elements[0]
    homes = _homes(first)
    return [first] + [element for element in elements[1:] if any(home in homes for home in _homes(element))]


def _homes(element: HtmlElement) -> list[HtmlElement]:
    parent = element.getparent()
    grandparent = parent.getparent() if parent is not None else None
    return [home for home in (parent, grandparent) if home is not None]


def _microdata_authors(page: _Page) -> Iterator[str]:
    for element in _first_cluster(page.itemprops.get("author", [])):
        names = [el for el in element.iter() if "name" in (el.get("itemprop") or "").split()]
        if names:
            for name_element in names:
                yield name_element.get("content") or name_element.text_content()
        else:
            yield element.get("content") or element.text_content()


def _rel_author_links(page: _Page) -> Iterator[str]:
    links = [link for link in page.tree.iter("a") if "author" in (link.get("rel") or "").lower().split()]
    for link in _first_cluster(links):
        yield link.text_content()


def _byline_elements(page: _Page) -> Iterator[str]:
    for element in page.tree.iter("*"):
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "meta", "link", "script"):
            continue
        marker = f"{element.get('class') or ''} {element.get('id') or ''}"
        if not _BYLINE_CLASS.search(marker) or _NOT_BYLINE_CLASS.search(marker):
            continue
        if any(
            _COMMENTS.search(f"{a.get('class') or ''} {a.get('id') or ''}") for a in element.iterancestors()
        ):
            continue
        text = element.text_content()
        if text and len(text) < 200:
            yield text


def _author_layers(page: _Page) -> Iterator[_Byline]:
    layer = _Byline()
    _jsonld_people(page, page.article.get("author") or page.article.get("creator"), layer)
    yield layer
    yield _Byline(
        persons=list(
            page.metas(
                "author",
                "article:author",
                "byl",
                "parsely:author",
                "sailthru:author",
                "dc:creator",
                "citation_author",
                "og:article:author",
            )
        )
        + list(_twitter_written_by(page))
    )
    yield _Byline(persons=list(_microdata_authors(page)))
    yield _Byline(persons=list(_rel_author_links(page)), weak=True)
    # Bounded: a page whose every teaser carries an "author" class must not cost seconds.
    yield _Byline(persons=list(islice(_byline_elements(page), 50)), first_only=True, weak=True)
    # Usually an @handle (which the cleaner drops), sometimes the author's display name.
    yield _Byline(persons=list(page.metas("twitter:creator")))


def _organisation_names(names: list[str]) -> list[str]:
    # Organisation names are kept as the page writes them: the person-name rules (no "to",
    # no lower-case words) would maim "Contributors to Wikimedia projects".
    kept: list[str] = []
    for name in names:
        text = _text(name, 100)
        if text and "://" not in text and fold(text) not in {fold(k) for k in kept}:
            kept.append(text)
    return kept


def _names_site(name: str, site_keys: set[str]) -> bool:
    # "CNN Business" on cnn.com, "Business Insider" on "Business Insider Deutschland".
    key = fold(name)
    return any(key == site or key.startswith(site + " ") or site.startswith(key + " ") for site in site_keys)


def _lone_cased_word(name: str) -> bool:
    # Chinese or Japanese names have no spaces and no case: one "word" is a whole name there.
    return " " not in name and any(ch.isupper() or ch.islower() for ch in name)


def _introduced(name: str, raws: list[str]) -> bool:
    # "Posted by Vortex": a lone word right after "by" is a (pen) name after all.
    pattern = re.compile(rf"(?i)\b(?:by|par|von|por)\s*:?\s+{re.escape(name)}\b")
    return any(pattern.search(raw) for raw in raws)


def _authors(page: _Page, site_names: list[str]) -> list[str]:
    site_keys = {fold(name) for name in site_names if name and fold(name)}
    fallback: list[str] = []
    for layer in _author_layers(page):
        groups = [[raw] for raw in layer.persons] if layer.first_only else [layer.persons]
        organisations = _organisation_names(layer.organisations)
        for group in groups:
            persons: list[str] = []
            for name in clean_authors(group):
                if layer.weak and _lone_cased_word(name) and not _introduced(name, group):
                    continue
                is_outlet = is_organisation(name) or _names_site(name, site_keys)
                (organisations if is_outlet else persons).append(name)
            if persons:
                return persons
        if organisations and not fallback:
            fallback = _organisation_names(organisations)
    return fallback


# --- dates ---------------------------------------------------------------------------------


def _time_elements(page: _Page) -> Iterator[str]:
    times = [el for el in page.tree.iter("time") if el.get("datetime")]
    for element in times:
        if element.get("pubdate") is not None:
            yield element.get("datetime") or ""
    for container in ("article", "main"):
        for element in times:
            if any(ancestor.tag == container for ancestor in element.iterancestors()):
                yield element.get("datetime") or ""


def _htmldate(page: _Page) -> datetime | None:
    found = find_date(
        page.tree,
        extensive_search=False,
        original_date=True,
        outputformat="%Y-%m-%dT%H:%M:%S",
        url=page.url,
    )
    return parse_date(found)


def _published(page: _Page) -> datetime | None:
    layers: list[Iterable[Any]] = [
        [page.article.get("datePublished")],
        page.metas(
            "article:published_time",
            "og:published_time",
            "article:published",
            "datepublished",
            "pubdate",
            "publishdate",
            "publish-date",
            "publish_date",
            "date",
            "dc:date",
            "dc:date.issued",
            "dc:created",
            "dc:issued",
            "sailthru:date",
            "parsely:pub-date",
            "citation_publication_date",
            "article.published",
            "published_time",
        ),
        # Creation precedes publication, sometimes by days: only when nothing says "published".
        [page.article.get("dateCreated")],
        page.prop_values("datePublished"),
        page.prop_values("dateCreated"),
        _time_elements(page),
    ]
    values = (value for layer in layers for value in layer)
    for value in values:
        parsed = parse_date(value)
        if parsed is None:
            continue
        if isinstance(value, str) and not _HAS_TIME.search(value):
            # A bare day: a later layer giving the same day with its time is more precise.
            for later in values:
                timed = parse_date(later) if isinstance(later, str) and _HAS_TIME.search(later) else None
                if timed is not None and timed.date() == parsed.date():
                    return timed
        return parsed
    return page._guard("htmldate", lambda: _htmldate(page), None)


def _modified(page: _Page) -> datetime | None:
    layers: list[Iterable[Any]] = [
        [page.article.get("dateModified")],
        page.metas(
            "article:modified_time", "og:updated_time", "dateModified", "last-modified", "dc:modified"
        ),
        page.prop_values("dateModified"),
    ]
    for layer in layers:
        for value in layer:
            parsed = parse_date(value)
            if parsed is not None:
                return parsed
    return None


# --- language, urls, site ------------------------------------------------------------------


def normalise_language(value: str | None) -> str | None:
    """ "en_us" -> "en-US", "EN" -> "en", "zh-hant-tw" -> "zh-Hant-TW"; None for non-tags."""
    text = _text(value, 64)
    if not text:
        return None
    text = text.split(",")[0].split(";")[0].strip()
    match = _LANG.match(text)
    if not match:
        return None
    language, script, region = match.groups()
    if language.lower() in _NO_LANGUAGE:  # "undetermined", "multiple", "no linguistic content"
        return None
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def _language(page: _Page) -> str | None:
    html_lang = page.tree.get("lang") or page.tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    return _first(
        normalise_language(value)
        for value in [
            html_lang,
            page.meta1("content-language"),
            page.meta1("og:locale"),
            jsonld.text_value(page.article.get("inLanguage")),
            page.meta1("language", "dc:language"),
        ]
    )


def _site_name(page: _Page) -> str | None:
    publisher = page.ld.resolve(page.article.get("publisher"))
    site = jsonld.first_of_types(page.ld, frozenset({"website"})) or {}
    organisation = jsonld.first_of_types(page.ld, jsonld.ORGANIZATION_TYPES) or {}
    return _first(
        [
            page.meta1("og:site_name"),
            jsonld.text_value(publisher) if isinstance(publisher, (dict, list, str)) else None,
            jsonld.text_value(site.get("name")),
            jsonld.text_value(organisation.get("name")),
            page.meta1("application-name", "apple-mobile-web-app-title"),
        ]
    )


def _jsonld_image(page: _Page) -> tuple[str | None, dict[str, Any]]:
    image = page.ld.resolve(page.article.get("image"))
    if isinstance(image, list):
        image = page.ld.resolve(image[0]) if image else None
    if isinstance(image, str):
        return image, {}
    if isinstance(image, dict):
        url = image.get("url") or image.get("contentUrl")
        return (url if isinstance(url, str) else None), image
    return None, {}


def _image_url(page: _Page) -> str | None:
    ld_url, _ = _jsonld_image(page)
    link_src = next(
        (link.get("href") for link in page.tree.iter("link") if link.get("rel") == "image_src"), None
    )
    return _first(
        page.absolute(value)
        for value in [
            page.meta1("og:image", "og:image:url", "og:image:secure_url"),
            page.meta1("twitter:image", "twitter:image:src"),
            ld_url,
            page.prop1("image"),
            link_src,
        ]
    )


# --- image caption / credit ----------------------------------------------------------------


def split_caption(text: str | None) -> tuple[str | None, str | None]:
    """ "Caption. (Name/Agency via Getty Images)" -> ("Caption.", "Name/Agency via Getty Images")."""
    caption = _text(text)
    if caption:
        # Screen-reader labels and slideshow counters: "Media captionWho is...", "1of4Grass..."
        caption = _text(_CAPTION_LABEL.sub("", caption))
    if not caption:
        return None, None
    only_credit = _ONLY_CREDIT.match(caption)
    if only_credit and len(only_credit.group("credit").split()) <= 6:
        return None, _text(only_credit.group("credit"))
    only_credit = _ONLY_MARKED_CREDIT.match(caption) or _ONLY_AGENCY_CREDIT.match(caption)
    if only_credit:
        return None, _text(only_credit.group("credit"))
    match = _TRAILING_PARENS.match(caption)
    if match and _CREDIT_WORDS.search(match.group("credit")):
        credit = _CREDIT_LEAD.sub("", match.group("credit")).strip()
        return _text(match.group("caption")), _text(credit)
    match = _TRAILING_PHOTO.match(caption)
    if match and match.group("caption"):
        return _text(match.group("caption")), _text(_CREDIT_LEAD.sub("", match.group("credit")))
    match = _TRAILING_CREDIT.match(caption)
    if match:
        return _text(match.group("caption")), _text(match.group("marked") or match.group("agency"))
    return caption, None


def _basename(url: str | None) -> str | None:
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name.lower() or None


def _image_sources(figure: HtmlElement) -> set[str]:
    names: set[str] = set()
    for img in figure.iter("img", "source"):
        for attr in ("src", "data-src", "data-lazy-src", "srcset", "data-srcset"):
            for candidate in (img.get(attr) or "").split(","):
                name = _basename(candidate.strip().split(" ")[0])
                if name:
                    names.add(name)
    return names


def _lead_figure(page: _Page, image_url: str | None) -> HtmlElement | None:
    figures = [fig for fig in page.tree.iter("figure") if fig.find(".//figcaption") is not None]
    if not figures:
        return None
    wanted = _basename(image_url)
    if wanted:
        for figure in figures:
            if wanted in _image_sources(figure):
                return figure
    # Without a match, the first captioned figure of the article counts only if it comes
    # before the article's text: a figure further down illustrates a paragraph, not the story.
    article = next(page.tree.iter("article"), None)
    if article is None:
        return None
    for element in article.iter("figure", "p"):
        if element.tag == "p" and len(element.text_content().strip()) > 80:
            return None
        if element.tag == "figure" and element.find(".//figcaption") is not None:
            return element
    return None


def _figcaption_parts(figure: HtmlElement) -> tuple[str | None, str | None]:
    figcaption = figure.find(".//figcaption")
    if figcaption is None:
        return None, None
    credit_element = next(
        (el for el in figcaption.iterdescendants() if _CREDIT_CLASS.search(str(el.get("class") or ""))),
        None,
    )
    if credit_element is None:
        return split_caption(figcaption.text_content())
    credit = _text(_CREDIT_LEAD.sub("", credit_element.text_content().strip(" \t\n()[]")))
    whole = figcaption.text_content()
    caption = whole.replace(credit_element.text_content(), " ")
    return _text(caption), credit


def _caption_credit(page: _Page, image_url: str | None) -> tuple[str | None, str | None]:
    _, image = _jsonld_image(page)
    caption_value = jsonld.text_value(image.get("caption")) if image else None
    credit_value = None
    if image:
        credit_value = _first(
            jsonld.text_value(image.get(key))
            for key in ("creditText", "copyrightHolder", "author", "creator")
        )
    if caption_value:
        caption, credit = split_caption(caption_value)
        return caption, credit_value or credit
    figure = _lead_figure(page, image_url)
    if figure is None:
        return None, credit_value
    caption, credit = _figcaption_parts(figure)
    return caption, credit or credit_value


# --- the entry point -----------------------------------------------------------------------


def _tags(page: _Page) -> list[str]:
    keywords = page.article.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    layers: list[list[Any]] = [
        list(page.metas("article:tag")),
        keywords if isinstance(keywords, list) else [],
        [tag for value in page.metas("news_keywords") for tag in value.split(",")],
        [tag for value in page.prop_values("keywords") for tag in value.split(",")],
    ]
    for layer in layers:
        tags: list[str] = []
        seen: set[str] = set()
        for value in layer:
            tag = jsonld.text_value(value)
            if tag and len(tag) <= 100 and fold(tag) not in seen:
                seen.add(fold(tag))
                tags.append(tag)
        if tags:
            return tags
    return []


def _section(page: _Page) -> str | None:
    section = _section_value(page)
    # "news,crime-news" is a machine path of sections: its first part is the section.
    if section and "," in section and " " not in section:
        section = section.split(",")[0] or None
    return section


def _section_value(page: _Page) -> str | None:
    return _first(
        [
            jsonld.text_value(page.article.get("articleSection")),
            page.meta1(
                "article:section", "section", "parsely:section", "article.section", "sailthru:section"
            ),
            page.prop1("articleSection"),
        ]
    )


def _article_body(page: _Page) -> str | None:
    body = page.article.get("articleBody")
    return body if isinstance(body, str) and body.strip() else None


def extract_metadata(tree: HtmlElement, url: str | None = None) -> PageMetadata:
    """Every metadata field the page offers, by the precedence in this module's docstring."""
    guard = _Page._guard
    page = guard("page", lambda: _Page(tree, url), None)
    if page is None:
        return PageMetadata()
    site_name = guard("site_name", lambda: _site_name(page), None)
    publisher = page.ld.resolve(page.article.get("publisher"))
    site_names = [name for name in (site_name, jsonld.text_value(publisher)) if name]
    image_url = guard("image", lambda: _image_url(page), None)
    published = guard("published", lambda: _published(page), None)
    # A modification before the publication is a template default, not a date.
    modified = guard("modified", lambda: _modified(page), None)
    no_caption: tuple[str | None, str | None] = (None, None)
    caption, credit = guard("caption", lambda: _caption_credit(page, image_url), no_caption)
    return PageMetadata(
        title=guard("title", lambda: _title(page, site_names), None),
        description=guard(
            "description",
            lambda: _first(
                [
                    jsonld.text_value(page.article.get("description")),
                    page.meta1("og:description", "twitter:description", "description", "dc:description"),
                    page.prop1("description"),
                ]
            ),
            None,
        ),
        authors=guard("authors", lambda: _authors(page, site_names), []),
        section=guard("section", lambda: _section(page), None),
        tags=guard("tags", lambda: _tags(page), []),
        published_at=published,
        modified_at=modified if modified is None or published is None or modified >= published else None,
        language=guard("language", lambda: _language(page), None),
        canonical_url=guard(
            "canonical",
            lambda: page._raw_canonical() or page.absolute(jsonld.text_value(page.article.get("url"))),
            None,
        ),
        site_name=site_name,
        image_url=image_url,
        image_caption=caption,
        image_credit=credit,
        article_body=guard("article_body", lambda: _article_body(page), None),
    )
