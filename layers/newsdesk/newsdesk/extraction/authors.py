"""Raw bylines -> clean person names.

A byline as pages give it may carry "By", a role ("Reporter", "Staff Writer"), a bio, an
email, a profile URL, a Twitter handle, a date, or several people ("A and B", "A, B and C").
`clean_authors` turns any number of raw bylines into a de-duplicated list of names.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsdesk.extraction import jsonld
from newsdesk.extraction import metadata_rules as rules
from newsdesk.extraction.pagemeta import Page, clean_text

# Lead-ins before the name, in the languages newsdesk meets most; matched case-insensitively.
_LEAD_IN = re.compile(
    r"^(?:(?:written|words|reporting|reported|posted|published|story|text|photos?|edited|compiled)"
    r"\s+by|(?:(?:zeige\s+)?alle\s+(?:beiträge|artikel)|mehr|more\s+(?:posts|articles))\s+(?:von|by)"
    r"|(?:veröffentlicht|eingestellt|geschrieben|verfasst|erstellt|gepostet)(?:\s+am)?\s+von"
    r"|(?:published|posted)\s+on\s+by|über|about"
    r"|(?:publié|écrit|rédigé)\s+par|(?:escrito|publicado)\s+por|(?:scritto|pubblicato)\s+da"
    r"|by|from|par|von|vom|por|di|da|door|av|af|author|autor|autorin|auteur|от|автор|автори|текст)"
    # A space, or the name glued on by markup ("Veröffentlicht vonChris Jung").
    # Only after a lead-in of three letters or more: "DiCaprio" keeps his "Di".
    r"\s*[:\-–—]?(?:\s+|$|(?<=[a-zäöü]{3})(?-i:(?=[A-ZÄÖÜ])))",
    re.IGNORECASE,
)
# One person's name ends where these begin.
# Separators that always end a name, and joiners ("and", "&", "et"...) that end one only when
# both sides look like full names: "Mac & i" and "José Ortega y Gasset" stay whole.
_SPLIT = re.compile(r"\s*(?:,|;|\||/|\+|、|，|；)\s*")
_JOINER = re.compile(
    r"\s+(?:and|&|und|et|y|e|i|і|и|ta|with|avec|con|mit)\s+",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
_EMPTY_PARENS = re.compile(r"\(\s*\)|\[\s*\]")
# A reporter's initials after the name: "Elena Oberholzer (obe)".
_INITIALS_TAIL = re.compile(r"\s*\((?-i:[a-z]{2,5})\)\s*$")
# Photo credits that pages list among the authors ("Image: Getty Images", "iStockphoto").
_PHOTO_CREDIT = re.compile(
    r"(?i)^(?:image|photo|foto|bild|picture)s?\s*:|©|\b(?:getty|istock|istockphoto|shutterstock|alamy|imago)\b"
)
_BIO_TAIL = re.compile(
    r"\s+(?-i:is|was|has|writes|wrote|covers|joined|reports)\s.*$"
    r"|\s+(?:updated|published|posted|last updated|modified)\b.*$"
    # The word that introduced a date the byline lost: "MORITZ GATHMANN am", "Jane Doe on".
    r"|\s+(?-i:am|on|le|el|il|den|at)$",
    re.IGNORECASE,
)
_GLUED = re.compile(r"(?<=[A-Z]{2})(?=[A-Z][a-z])")
# Wire credits after a name: "Eric Tucker Associated Press" -> "Eric Tucker".
_WIRE_TAIL = re.compile(
    r"\s+(?:The\s+)?(?:Associated Press|AP|Reuters|AFP|Bloomberg|dpa|PTI|ANI|IANS|UPI|UNIAN|Ukrinform)$",
    re.IGNORECASE,
)
# Characters no name contains (what survives of handles, markup, templates).
# "_" stays: display names like "史蒂文的家_藍天" use it.
_NOT_IN_NAMES = re.compile(r"[@#/\\=<>{}|*~^$%]")
_DIGIT = re.compile(r"\d")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?"
# Dates and times that share a line with the name: "By Jeff Foust Monday, November 18, 2019",
# "By Gillian Mohney March 11, 2015 3:46 PM", "Updated 2019-11-18 10:00".
_DATE_PARTS = re.compile(
    rf"\b{_WEEKDAY},?(?=\s|$)|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?"
    rf"|\b\d{{1,2}}\.?\s+{_MONTH}\s+\d{{4}}|\b\d{{4}}-\d\d-\d\d(?:[T ]\d\d:\d\d\S*)?(?:\s+[A-Z]{{2,4}}\b)?"
    r"|\b\d{1,2}:\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4}\b)?"
    r"|\b(?:am\s+)?(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\b"
    r"|\b(?:updated|published|posted on|on|am|um|le|el)\s*:?\s*$",
    re.IGNORECASE,
)
# "FoustMonday": a weekday or month glued to the name by markup without spaces.
_GLUED_DATE = re.compile(
    r"(?<=[a-z])(?=(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|(?:January|February|March|April|May|June"
    r"|July|August|September|October|November|December)\b)"
)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


ROLE_WORDS = _wordset(
    """
    analyst analysts anchor associate author authors bureau business ceo chief columnist columnists
    cofounder director founder manager officer president vice
    contributing contributor contributors correspondence correspondent correspondents critic critics
    culture data deputy desk digital economics economy editor editorial editors executive feature
    features foreign freelance freelancer guest head health host house intern international interns
    investigative journalist journalists managing national news opinion photographer photographers
    political presenter producer producers reporter reporters reporting science senior special
    sports staff team tech technology video white writer writers
    """
)
# A fragment ending in one of these names a job, not a person: "Games Editor".
JOB_TITLES = _wordset(
    """
    analyst anchor columnist contributor correspondent critic editor intern journalist photographer
    presenter producer reporter writer
    """
)
COLLECTIVES = _wordset(
    """
    bureau desk editors newsroom report reporters reports staff team writers
    """
)
# A name with one of these words is an organisation: "CNN Business", "Detroit News wire".
ORGANISATION_WORDS = _wordset(
    """
    agency associated blog business channel company corp editorial foundation gazette group herald
    inc insider institute journal llc ltd magazine media network news newspaper online press radio
    reuters television times tribune tv university wire wires organization organisation association
    society council committee ministry department services developers nachrichten zeitung
    rundschau presse verlag noticias notizie nieuws actualités
    """
)
UI_WORDS = _wordset(
    """
    contact email facebook follow instagram linkedin more our profile rss share subscribe telegram
    updated published posted modified
    twitter view whatsapp
    """
)
# Tokens that make a fragment a credential, not a name: "Brenda Goodman, MA".
CREDENTIALS = _wordset(
    """
    ba bs bsc cfa cfp cpa cpt dds dnp do esq facs ii iii iv jd jr lcsw lpc ma mba md mfa mph ms msc
    np phd rd rdn rn sr
    """
)
# Words no name is made of: a fragment containing one is a sentence, i.e. a bio.
_SENTENCE_WORDS = _wordset(
    """
    a about all an are articles at based contact covered covering covers email follow for from had
    has have he her his in is it its joined lives more of on our posts published read share she
    stories that the their they this to updated view was which who writes wrote your
    """
)
GENERIC_NAMES = _wordset(
    """
    admin administrator anonymous author editor guest newsroom none null redacción redaktion
    redazione rédaction staff team undefined unknown user webmaster by гость редакция
    """
) | {"no author", "unserer redaktion", "our reporter", "our correspondent"}
_MAX_TOKENS = 6
_MAX_LEN = 80


def fold(text: str) -> str:
    """Case- and accent-insensitive key for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", stripped.casefold()))


def _strip_noise(text: str) -> str:
    if "&" in text:  # entities escaped twice by the CMS: "Jane O&#8217;Neil"
        text = html.unescape(text)
    text = _EMAIL.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    # Markup without spaces glues the outlet to the name: "ERIC TUCKERAssociated Press".
    text = _GLUED.sub(" ", text)
    text = _EMPTY_PARENS.sub(" ", text)
    return " ".join(text.split())


def _word(token: str) -> str:
    # "Editor-at-large" is an editor.
    return token.strip(".,").casefold().split("-")[0]


def _strip_role_tail(tokens: list[str]) -> list[str]:
    # "Tim Zadorozhnyy Reporter", "Jane Doe Staff Writer": trailing role words go, the name stays.
    while len(tokens) > 2 and _word(tokens[-1]) in ROLE_WORDS:
        tokens = tokens[:-1]
    return tokens


def _has_case(text: str) -> bool:
    return any(ch.isupper() or ch.islower() for ch in text if ch.isalpha())


def clean_name(fragment: str, *, handles: bool = False) -> str | None:
    """One fragment of a byline -> a person's name, or None when it is not one.

    `handles`: keep a lone lower-case word ("swardley"), the display name an author chose,
    when the layer is one where the page names its author on purpose (JSON-LD, meta tags).
    """
    text = _strip_noise(fragment).strip(" \t-–—:·•|,;.\"'“”[]")
    if text.count("(") != text.count(")"):  # a bracket the split cut in two: "(with A"
        text = text.strip("() ")
    while True:
        stripped = _LEAD_IN.sub("", text)
        if stripped == text:
            break
        text = stripped.strip()
    if _PHOTO_CREDIT.search(text):
        return None
    # "Jane Doe is a reporter covering health": the bio goes, the name stays.
    text = _INITIALS_TAIL.sub("", _BIO_TAIL.sub("", text))
    if not text or len(text) > _MAX_LEN or _DIGIT.search(text):
        return None
    without_wire = _WIRE_TAIL.sub("", text)
    if len(without_wire.split()) >= 2 and without_wire.split()[0].casefold() != "the":
        text = without_wire
    original = text.split()
    tokens = _strip_role_tail(original)
    words = [_word(token) for token in tokens]
    if all(word in ROLE_WORDS or word in CREDENTIALS for word in words):
        return None
    # "Games Editor", "Our Foreign Staff", "Follow Author": a job, a desk or a button, no person.
    if (
        words[-1] in JOB_TITLES
        or _word(original[-1]) in COLLECTIVES
        or any(word in UI_WORDS for word in words)
    ):
        return None
    # "AP National Political Writer" lost its "Writer" above; what is left is no name either.
    if len(tokens) < len(original) and any(word in ROLE_WORDS for word in words):
        return None
    # Only lower-case occurrences count: "A Smith" and "The Associated Press" are fine. An
    # organisation may have them ("Organization for Transformative Works"): the caller decides.
    if any(token in _SENTENCE_WORDS for token in tokens) and not is_organisation(" ".join(tokens)):
        return None
    if len(tokens) > _MAX_TOKENS:
        return None
    # A lone lower-case word in a cased script is a user handle ("mcupdate"), not a name.
    if len(tokens) == 1 and _has_case(tokens[0]) and tokens[0].islower() and not handles:
        return None
    name = " ".join(tokens)
    if fold(name) in GENERIC_NAMES or _NOT_IN_NAMES.search(name) or sum(ch.isalpha() for ch in name) < 2:
        return None
    # A shouted person's name gets title case ("JOE HILDEBRAND"); an outlet keeps its
    # capitals ("BBC NEWS" is not "Bbc News").
    letters = [ch for ch in name if ch.isalpha()]
    shouted = len(letters) > 3 and all(ch.isupper() for ch in letters)
    if shouted and len(tokens) > 1 and not is_organisation(name):
        name = name.title()
    return name


_NOT_AUTHOR_LINE = re.compile(
    r"(?i)^\s*(?:(?:edited|photos?|photography|illustrations?|graphics|translated|fact-checked|powered"
    r"|sponsored|presented|supported|brought\s+to\s+you)\s+by|in\s+partnership\s+with)\b"
)


# "Martin Untersinger (avec Damien Leloup et Morgane Tual)": co-authors in brackets.
_BRACKETED_COAUTHORS = re.compile(r"\(\s*(?:with|avec|and|et|mit|con|und)\s+([^()]*)\)", re.IGNORECASE)


def _split_joined(part: str) -> list[str]:
    pieces = _JOINER.split(part)
    if len(pieces) > 1 and all(len(piece.split()) >= 2 for piece in pieces):
        return pieces
    return [part]


def _without_places(fragments: list[str]) -> list[str]:
    """Drop a dateline: "Frankfurt, Germany" names a place, not two people."""
    kept: list[str] = []
    for fragment in fragments:
        if fold(fragment) in rules.PLACE_NAMES:
            if kept and len(kept[-1].split()) == 1:
                kept.pop()  # the city before the country
            continue
        kept.append(fragment)
    return kept


def split_byline(raw: str) -> list[list[str]]:
    """Raw byline text -> its lines, each as name-sized fragments (not yet cleaned)."""
    lines: list[list[str]] = []
    for raw_line in re.split(r"[\r\n]+|\s{3,}", raw):
        line = _BRACKETED_COAUTHORS.sub(r", \1", _strip_noise(raw_line))
        if _NOT_AUTHOR_LINE.match(line):
            continue
        # "Posted on March 3 by Jane Doe": the name follows the last "by".
        match = re.search(r"(?i)\bby\s*:?\s+(.+)$", line)
        if match and match.start() > 0:
            line = match.group(1)
        line = _DATE_PARTS.sub(" ", _GLUED_DATE.sub(" ", line)).strip(" ,|·-–—")
        if not line:
            continue
        fragments = [piece for part in _SPLIT.split(line) for piece in _split_joined(part) if piece.strip()]
        fragments = _without_places(fragments)
        if fragments:
            lines.append(fragments)
    return lines


def is_organisation(name: str) -> bool:
    """A cleaned name that reads as an outlet or agency rather than a person."""
    tokens = name.split()
    if len(tokens) == 1 and tokens[0].isupper() and 2 <= len(tokens[0]) <= 5:
        return True  # "CNN", "AFP", "PTI"
    return any(_word(token) in ORGANISATION_WORDS for token in tokens)


def clean_authors(raw_bylines: Iterable[str], *, handles: bool = False) -> list[str]:
    """Every raw byline -> clean, de-duplicated person names, in page order.

    Within one raw byline only the first line that yields a name counts: the lines after it
    are the date, the outlet or an editor ("By Jane Doe, MA\nWebMD Health News").
    """
    names: list[str] = []
    seen: set[str] = set()
    for raw in raw_bylines:
        if not isinstance(raw, str):
            continue
        for fragments in split_byline(raw):
            found = [name for name in (clean_name(f, handles=handles) for f in fragments) if name]
            for name in found:
                key = fold(name)
                if key and key not in seen:
                    seen.add(key)
                    names.append(name)
            if found:
                break
    return names


# --- the page's authors: layers and precedence ---------------------------------------------

_BYLINE_CLASS = re.compile(r"(?i)byline|by-line|written-?by|\bauthor(?:s|-?name|__name|_name)?\b|\bcreator\b")
_NOT_BYLINE_CLASS = re.compile(r"(?i)comment|bio|avatar|image|photo|img|about|description|social|share")
_COMMENTS = re.compile(r"(?i)comment")


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
    # JSON-LD and meta tags name the author on purpose: a lone lower-case word there is the
    # author's chosen display name, elsewhere it is a handle in passing or a label.
    named_on_purpose: bool = False


def _jsonld_people(page: Page, value: Any, out: _Byline, depth: int = 0) -> None:
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


def _twitter_written_by(page: Page) -> Iterator[str]:
    # Ghost, Yoast and others put the byline in Twitter's label/data pairs.
    for index in range(1, 5):
        label = page.meta1(f"twitter:label{index}") or ""
        if re.search(r"(?i)written by|author", label):
            yield from page.metas(f"twitter:data{index}")


# Containers whose classes describe the whole page or story ("inline-comments" on <body>,
# "comments-open" on a WordPress <article>), never a comment thread.
_NOT_THREADS = frozenset({"html", "body", "article", "main"})


def _in_comments(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in _NOT_THREADS:
            continue
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


def _microdata_authors(page: Page) -> Iterator[str]:
    for element in _first_cluster(page.itemprops.get("author", [])):
        names = [el for el in element.iter() if "name" in (el.get("itemprop") or "").split()]
        if names:
            for name_element in names:
                yield name_element.get("content") or name_element.text_content()
        else:
            yield element.get("content") or element.text_content()


_HCARD_AUTHOR = re.compile(r"(?i)(?:^|\s)(?:author|byline)(?:\s|$)")


def _hcard_authors(page: Page) -> Iterator[str]:
    """hCard names in the author's card: `<span class="author vcard"><a class="fn">Name</a>`."""
    names = [
        element
        for element in page.tree.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' fn ')]")
        if any(_HCARD_AUTHOR.search(a.get("class") or "") for a in (element, *element.iterancestors()))
    ]
    for element in _first_cluster(names):
        yield element.text_content()


def _rel_author_links(page: Page) -> Iterator[str]:
    links = [link for link in page.tree.iter("a") if "author" in (link.get("rel") or "").lower().split()]
    for link in _first_cluster(links):
        yield link.text_content()


def _byline_elements(page: Page) -> Iterator[str]:
    for element in page.tree.iter("*"):
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "meta", "link", "script"):
            continue
        marker = f"{element.get('class') or ''} {element.get('id') or ''}"
        if not _BYLINE_CLASS.search(marker) or _NOT_BYLINE_CLASS.search(marker):
            continue
        if _in_comments(element):
            continue
        text = element.text_content()
        if text and len(text) < 200:
            yield text


_AUTHOR_PATH = re.compile(r"(?i)/(?:" + "|".join(map(re.escape, rules.AUTHOR_PATH_SEGMENTS)) + r")/[^/?#\s]+")
_LEAD_WORD = r"^\s*(?:" + "|".join(map(re.escape, rules.BYLINE_LEAD_INS)) + r")"
_STARTS_WITH_LEAD = re.compile(_LEAD_WORD + r"\b", re.IGNORECASE)
_BY_LINE = re.compile(_LEAD_WORD + r"\s*:?\s+\w", re.IGNORECASE)
_LEAD_ONLY = re.compile(_LEAD_WORD + r"\s*:?\s*$", re.IGNORECASE)
# Page chrome and related-story boxes: their author links and bylines are not this article's.
_NOT_ARTICLE_TAGS = frozenset({"nav", "footer", "aside"})
_NOT_ARTICLE_CLASS = re.compile(r"(?i)comment|related|teaser|recommend|footer|sidebar|more-from|newsletter")


def _outside_article(element: HtmlElement) -> bool:
    for node in element.iterancestors():
        if node.tag in _NOT_ARTICLE_TAGS or _NOT_ARTICLE_CLASS.search(
            f"{node.get('class') or ''} {node.get('id') or ''}"
        ):
            return True
    return False


def _author_links(page: Page) -> Iterator[str]:
    """Links to an author page ("/autor/frank_g"), the first cluster of them."""
    links = [
        link
        for link in page.tree.iter("a")
        if _AUTHOR_PATH.search(link.get("href") or "") and not _outside_article(link)
    ]
    for link in _first_cluster(links):
        yield link.text_content()


def _by_lines(page: Page) -> Iterator[str]:
    """Short visible lines that begin "By <Name>", in the page's languages; the first counts.

    A lead-in alone in its element ("<span>By</span><a>Name</a>", "<h5>Autor:</h5>Name") is
    read with the text that follows it.
    """
    tags = ("p", "span", "div", "i", "em", "strong", "b", "small", "address", "li", "h5", "h6", "dt", "label")
    for element in islice(page.tree.iter(*tags), rules.BY_LINE_MAX_LINES):
        # The element's own leading text must start with the lead-in: cheap, and it keeps a
        # long container whose first child is a byline from counting as one.
        if not _STARTS_WITH_LEAD.match(element.text or ""):
            continue
        text = element.text_content()
        if _LEAD_ONLY.match(text):
            text = f"{text} {_following_text(element)}"
        if len(text) > rules.BY_LINE_MAX_CHARS or not _BY_LINE.match(text):
            continue
        if not _outside_article(element):
            yield text


def _following_text(element: HtmlElement) -> str:
    tail = (element.tail or "").strip()
    if tail:
        return tail
    following = element.getnext()
    return following.text_content() if following is not None else ""


def _jsonld_layer(page: Page) -> _Byline:
    layer = _Byline(named_on_purpose=True)
    _jsonld_people(page, page.article.get("author") or page.article.get("creator"), layer)
    return layer


_AUTHOR_LAYERS: dict[str, Callable[[Page], _Byline]] = {
    "jsonld": _jsonld_layer,
    "meta": lambda page: _Byline(
        persons=[*page.metas(*rules.AUTHOR_META_KEYS), *_twitter_written_by(page)], named_on_purpose=True
    ),
    # schema.org microdata and hCard names ("author vcard" > "fn") mark the author on purpose.
    "microdata": lambda page: _Byline(persons=list(_microdata_authors(page)), named_on_purpose=True),
    "hcard": lambda page: _Byline(persons=list(_hcard_authors(page)), named_on_purpose=True),
    "rel_author": lambda page: _Byline(persons=list(_rel_author_links(page)), weak=True),
    # Bounded: a page whose every teaser carries an "author" class must not cost seconds.
    "byline_element": lambda page: _Byline(
        persons=list(islice(_byline_elements(page), 50)), first_only=True, weak=True
    ),
    "author_link": lambda page: _Byline(persons=list(_author_links(page)), weak=True),
    # "by" introduces these: a lone word there is a name ("von Matthias").
    "by_line": lambda page: _Byline(persons=list(islice(_by_lines(page), 5)), first_only=True),
    # Usually an @handle (which the cleaner drops), sometimes the author's display name.
    "twitter_creator": lambda page: _Byline(persons=list(page.metas("twitter:creator"))),
}


def _author_layers(page: Page, order: tuple[str, ...]) -> Iterator[_Byline]:
    for name in order:
        yield _AUTHOR_LAYERS[name](page)


def _organisation_names(names: list[str]) -> list[str]:
    # Organisation names are kept as the page writes them: the person-name rules (no "to",
    # no lower-case words) would maim "Contributors to Wikimedia projects".
    kept: list[str] = []
    for name in names:
        text = clean_text(name, 100)
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


def _host_names(page: Page) -> list[str]:
    """The site as its address names it: "stern.de" and "stern" for www.stern.de."""
    host = (urlsplit(page.raw_canonical() or page.url or "").hostname or "").removeprefix("www.")
    labels = host.split(".")
    return [host, labels[-2]] if len(labels) >= 2 and len(labels[-2]) >= 3 else [host]


def page_authors(
    page: Page, site_names: list[str], order: tuple[str, ...] = rules.AUTHOR_LAYERS
) -> list[str]:
    """The article's authors, layer by layer in `order` (metadata_rules.AUTHOR_LAYERS).

    Persons beat organisations: the first layer naming a person wins; outlets next to a
    person ("Jill Disis, CNN Business") are dropped; only when no layer names a person do
    organisation bylines (JSON-LD Organization, outlet-like names, the site's own name) become
    the authors, so wire stories keep "Reuters". In the weak layers (links, byline elements) a
    lone word is a section or dateline, not a name, unless "by" introduces it.
    """
    site_keys = {fold(name) for name in [*site_names, *_host_names(page)] if name and fold(name)}
    fallback: list[str] = []
    for layer in _author_layers(page, order):
        groups = [[raw] for raw in layer.persons] if layer.first_only else [layer.persons]
        organisations = _organisation_names(layer.organisations)
        for group in groups:
            persons: list[str] = []
            handles = layer.named_on_purpose and rules.HANDLES_AS_AUTHORS
            for name in clean_authors(group, handles=handles):
                if layer.weak and _lone_cased_word(name) and not _introduced(name, group):
                    continue
                is_outlet = is_organisation(name) or _names_site(name, site_keys)
                (organisations if is_outlet else persons).append(name)
            if persons:
                return persons
        if organisations and not fallback:
            fallback = _organisation_names(organisations)
    return fallback
