"""Page metadata from every layer a page offers.

Each field has its own module, its vocabularies and precedence are data (metadata_rules.py),
and the page's layers are read once (pagemeta.py):

- title: the headline the page shows (titles.py).
- authors: people, or a named desk, from JSON-LD, meta tags and the visible byline (authors.py).
- published_at / modified_at: with the precision the page gives (dates.py); a modification
  before the publication is a template default and is dropped.
- description: JSON-LD > og:description > twitter:description > meta description > Dublin Core
  > microdata.
Meta tags are matched whatever the vocabulary's spelling ("dc.creator", "DC:creator",
"dcterms.creator"; "parsely-author") and a tag may name several properties ("dc:title og:title").
- section: JSON-LD articleSection > article:section > meta section/parsely-section > microdata.
- tags: article:tag > JSON-LD keywords (string or list) > news_keywords > microdata keywords.
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

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsdesk.extraction import jsonld
from newsdesk.extraction import metadata_rules as rules
from newsdesk.extraction.authors import fold, page_authors
from newsdesk.extraction.captions import figcaption_parts
from newsdesk.extraction.captions import split_caption as split_caption  # noqa: PLC0414 (re-export)
from newsdesk.extraction.dates import not_before, page_modified, page_published
from newsdesk.extraction.pagemeta import Page as _Page
from newsdesk.extraction.pagemeta import clean_text as _text
from newsdesk.extraction.pagemeta import first as _first
from newsdesk.extraction.titles import page_title


@dataclass
class PageMetadata:
    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    # As the page states them: a date-time with its offset, or a bare day (see dates.py).
    published_at: datetime | date | None = None
    modified_at: datetime | date | None = None
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    image_url: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None
    article_body: str | None = None  # JSON-LD articleBody, when the page offers one


_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{4}))?(?:[-_]([a-zA-Z]{2}|\d{3}))?(?:[-_].*)?$")
_NO_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})


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
    caption, credit = figcaption_parts(figure)
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
            page.meta1(*rules.SECTION_META_KEYS),
            page.prop1("articleSection"),
        ]
    )


def _article_body(page: _Page) -> str | None:
    body = page.article.get("articleBody")
    return body if isinstance(body, str) and body.strip() else None


def extract_metadata(tree: HtmlElement, url: str | None = None) -> PageMetadata:
    """Every metadata field the page offers, by the precedence in this module's docstring."""
    guard = _Page.guard
    page = guard("page", lambda: _Page(tree, url), None)
    if page is None:
        return PageMetadata()
    site_name = guard("site_name", lambda: _site_name(page), None)
    publisher = page.ld.resolve(page.article.get("publisher"))
    site_names = [name for name in (site_name, jsonld.text_value(publisher)) if name]
    image_url = guard("image", lambda: _image_url(page), None)
    published = guard("published", lambda: page_published(page), None)
    # A modification before the publication is a template default, not a date.
    modified = guard("modified", lambda: page_modified(page), None)
    no_caption: tuple[str | None, str | None] = (None, None)
    caption, credit = guard("caption", lambda: _caption_credit(page, image_url), no_caption)
    return PageMetadata(
        title=guard("title", lambda: page_title(page, site_names), None),
        description=guard(
            "description",
            lambda: _first(
                [
                    jsonld.text_value(page.article.get("description")),
                    page.meta1(*rules.DESCRIPTION_META_KEYS),
                    page.prop1("description"),
                ]
            ),
            None,
        ),
        authors=guard("authors", lambda: page_authors(page, site_names), []),
        section=guard("section", lambda: _section(page), None),
        tags=guard("tags", lambda: _tags(page), []),
        published_at=published,
        modified_at=modified
        if modified is None or published is None or not_before(modified, published)
        else None,
        language=guard("language", lambda: _language(page), None),
        canonical_url=guard(
            "canonical",
            lambda: page.raw_canonical() or page.absolute(jsonld.text_value(page.article.get("url"))),
            None,
        ),
        site_name=site_name,
        image_url=image_url,
        image_caption=caption,
        image_credit=credit,
        article_body=guard("article_body", lambda: _article_body(page), None),
    )
