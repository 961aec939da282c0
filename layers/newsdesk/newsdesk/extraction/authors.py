"""Raw bylines -> clean person names.

A byline as pages give it may carry "By", a role ("Reporter", "Staff Writer"), a bio, an
email, a profile URL, a Twitter handle, a date, or several people ("A and B", "A, B and C").
`clean_authors` turns any number of raw bylines into a de-duplicated list of names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Lead-ins before the name, in the languages newsdesk meets most; matched case-insensitively.
_LEAD_IN = re.compile(
    r"^(?:(?:written|words|reporting|reported|posted|published|story|text|photos?|edited|compiled)"
    r"\s+by|by|from|par|von|por|di|da|door|av|af|от|автор|автори|текст)\s*[:\-–—]?\s+",
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
_BIO_TAIL = re.compile(r"\s+(?:is|was|has|writes|wrote|covers|joined|reports)\s.*$")
_DIGIT = re.compile(r"\d")
_MONTHS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d", re.IGNORECASE
)

ROLE_WORDS = frozenset(
    [
        "reporter",
        "reporters",
        "writer",
        "writers",
        "staff",
        "editor",
        "editors",
        "correspondent",
        "correspondents",
        "columnist",
        "columnists",
        "contributor",
        "contributors",
        "contributing",
        "senior",
        "chief",
        "managing",
        "associate",
        "deputy",
        "executive",
        "news",
        "editorial",
        "desk",
        "team",
        "producer",
        "producers",
        "photographer",
        "photographers",
        "journalist",
        "journalists",
        "analyst",
        "analysts",
        "intern",
        "interns",
        "freelance",
        "freelancer",
        "special",
        "guest",
        "author",
        "authors",
        "international",
        "national",
        "political",
        "foreign",
        "business",
        "science",
        "health",
        "tech",
        "technology",
        "sports",
        "culture",
        "investigative",
        "economics",
        "economy",
        "data",
        "video",
        "digital",
        "opinion",
        "features",
        "feature",
        "bureau",
        "head",
        "white",
        "house",
        "reporting",
        "correspondence",
        "anchor",
        "host",
        "presenter",
        "critic",
        "critics",
    ]
)
# A fragment ending in one of these names a job, not a person: "Games Editor".
JOB_TITLES = frozenset(
    {
        "reporter",
        "writer",
        "editor",
        "correspondent",
        "columnist",
        "contributor",
        "producer",
        "photographer",
        "journalist",
        "analyst",
        "intern",
        "critic",
        "presenter",
        "anchor",
    }
)
COLLECTIVES = frozenset({"staff", "team", "desk", "newsroom", "reporters", "writers", "editors", "bureau"})
UI_WORDS = frozenset({"follow", "subscribe", "share", "email", "contact", "profile", "more", "view", "our"})
# Tokens that make a fragment a credential, not a name: "Brenda Goodman, MA".
CREDENTIALS = frozenset(
    [
        "ma",
        "md",
        "phd",
        "mph",
        "rn",
        "msc",
        "bsc",
        "mba",
        "jd",
        "dds",
        "do",
        "rd",
        "lcsw",
        "mfa",
        "ms",
        "bs",
        "ba",
        "jr",
        "sr",
        "ii",
        "iii",
        "iv",
        "esq",
    ]
)
# Words no name is made of: a fragment containing one is a sentence, i.e. a bio.
_SENTENCE_WORDS = frozenset(
    [
        "is",
        "was",
        "are",
        "has",
        "have",
        "had",
        "writes",
        "wrote",
        "covers",
        "covered",
        "covering",
        "based",
        "lives",
        "joined",
        "who",
        "which",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "at",
        "for",
        "to",
        "about",
        "from",
        "his",
        "her",
        "their",
        "our",
        "your",
        "this",
        "that",
        "he",
        "she",
        "they",
        "it",
        "its",
        "read",
        "more",
        "follow",
        "email",
        "contact",
        "view",
        "all",
        "posts",
        "articles",
        "stories",
        "updated",
        "published",
        "share",
    ]
)
# Lower-case particles that do belong to names.
_PARTICLES = frozenset(
    [
        "de",
        "da",
        "di",
        "del",
        "della",
        "der",
        "den",
        "van",
        "von",
        "la",
        "le",
        "du",
        "dos",
        "das",
        "do",
        "bin",
        "ibn",
        "al",
        "el",
        "ter",
        "ten",
        "zu",
        "y",
        "e",
        "st",
    ]
)
GENERIC_NAMES = frozenset(
    [
        "admin",
        "administrator",
        "anonymous",
        "unknown",
        "guest",
        "null",
        "none",
        "undefined",
        "editor",
        "staff",
        "webmaster",
        "user",
        "author",
        "redaktion",
        "redacción",
        "rédaction",
        "redazione",
        "team",
        "newsroom",
    ]
)
_MAX_TOKENS = 6
_MAX_LEN = 80


def fold(text: str) -> str:
    """Case- and accent-insensitive key for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", stripped.casefold()))


def _strip_noise(text: str) -> str:
    text = _EMAIL.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    text = _EMPTY_PARENS.sub(" ", text)
    return " ".join(text.split())


def _strip_role_tail(tokens: list[str]) -> list[str]:
    # "Tim Zadorozhnyy Reporter", "Jane Doe Staff Writer": trailing role words go, the name stays.
    while len(tokens) > 2 and tokens[-1].strip(".").casefold() in ROLE_WORDS:
        tokens = tokens[:-1]
    return tokens


def _has_case(text: str) -> bool:
    return any(ch.isupper() or ch.islower() for ch in text if ch.isalpha())


def clean_name(fragment: str) -> str | None:
    """One fragment of a byline -> a person's name, or None when it is not one."""
    text = _strip_noise(fragment).strip(" \t-–—:·•|,;.\"'“”()[]")
    while True:
        stripped = _LEAD_IN.sub("", text)
        if stripped == text:
            break
        text = stripped.strip()
    # "Jane Doe is a reporter covering health": the bio goes, the name stays.
    text = _BIO_TAIL.sub("", text)
    if not text or len(text) > _MAX_LEN or _DIGIT.search(text):
        return None
    tokens = _strip_role_tail(text.split())
    words = [token.strip(".,").casefold() for token in tokens]
    if all(word in ROLE_WORDS or word in CREDENTIALS for word in words):
        return None
    # "Games Editor", "Our Foreign Staff", "Follow Author": a job, a desk or a button, no person.
    if words[-1] in JOB_TITLES or words[-1] in COLLECTIVES or any(word in UI_WORDS for word in words):
        return None
    # Only lower-case occurrences count: "A Smith" and "The Associated Press" are fine.
    if len(tokens) > _MAX_TOKENS or any(token in _SENTENCE_WORDS for token in tokens):
        return None
    # A lone lower-case word in a cased script is a user handle ("mcupdate"), not a name.
    if len(tokens) == 1 and _has_case(tokens[0]) and tokens[0].islower():
        return None
    name = " ".join(tokens)
    if fold(name) in GENERIC_NAMES:
        return None
    if _has_case(name):
        # A name is capitalised words and particles; "mama robotnik" style handles pass only
        # when the page gives nothing better, which the caller decides. Shouting gets title case.
        letters = [ch for ch in name if ch.isalpha()]
        if len(letters) > 3 and all(ch.isupper() for ch in letters) and len(tokens) > 1:
            name = name.title()
    return name


_NOT_AUTHOR_LINE = re.compile(
    r"(?i)^\s*(?:edited|photos?|photography|illustrations?|graphics|translated|fact-checked)\s+by\b"
)


# "Martin Untersinger (avec Damien Leloup et Morgane Tual)": co-authors in brackets.
_BRACKETED_COAUTHORS = re.compile(r"\(\s*(?:with|avec|and|et|mit|con|und)\s+([^()]*)\)", re.IGNORECASE)


def _split_joined(part: str) -> list[str]:
    pieces = _JOINER.split(part)
    if len(pieces) > 1 and all(len(piece.split()) >= 2 for piece in pieces):
        return pieces
    return [part]


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
        if not line or _MONTHS.search(line):
            continue
        fragments = [piece for part in _SPLIT.split(line) for piece in _split_joined(part) if piece.strip()]
        if fragments:
            lines.append(fragments)
    return lines


def clean_authors(raw_bylines: Iterable[str]) -> list[str]:
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
            found = [name for name in map(clean_name, fragments) if name]
            for name in found:
                key = fold(name)
                if key and key not in seen:
                    seen.add(key)
                    names.append(name)
            if found:
                break
    return names
