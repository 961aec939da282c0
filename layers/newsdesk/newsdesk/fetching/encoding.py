"""Which text encoding a fetched page is in: declared (BOM, HTTP header, meta charset) and detected.

The raw bytes are stored untouched; the parser decodes them with `EncodingInfo.encoding`. Names are
Python codec names (`cp1251`, `utf-8`), which `bytes.decode` accepts directly.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# As HTML's prescan does: only the first 1024 bytes, both <meta charset> and http-equiv forms.
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
PRESCAN_BYTES = 1024
DETECT_SAMPLE_BYTES = 256 * 1024
# What browsers actually do (WHATWG Encoding): these labels decode as their superset.
_WHATWG_SUPERSETS = {"latin_1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254"}


@dataclass(frozen=True)
class EncodingInfo:
    encoding: str  # decode with this
    declared: str | None  # what the page or server declared, normalised; None if nothing
    source: str  # "bom", "http", "meta", "detected" or "default"


def normalise_encoding(label: str | None) -> str | None:
    """Python codec name for an encoding label, or None when Python knows no such encoding."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in {"x-user-defined", "utf-7", "utf7"}:
        return None  # never trust UTF-7 from the web
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _WHATWG_SUPERSETS.get(name, name)


def bom_encoding(body: bytes) -> str | None:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    return None


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:PRESCAN_BYTES])
    return match.group(1).decode("ascii", errors="ignore") if match else None


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(body: bytes, header_charset: str | None = None) -> EncodingInfo:
    """Pick the encoding to decode `body` with, recording what was declared.

    Precedence follows HTML: BOM, then the HTTP header, then <meta charset>. A declaration that does
    not decode the bytes (a page saying UTF-8 but sent in windows-1251) loses to detection.
    """
    bom = bom_encoding(body)
    if bom:
        return EncodingInfo(bom, bom, "bom")
    declared_http = normalise_encoding(header_charset)
    declared_meta = normalise_encoding(meta_charset(body))
    declared = declared_http or declared_meta
    for candidate, source in ((declared_http, "http"), (declared_meta, "meta")):
        if candidate and _decodes(body, candidate):
            return EncodingInfo(candidate, declared, source)
    if not body or _decodes(body, "ascii"):
        return EncodingInfo(declared or "utf-8", declared, "default")
    if _decodes(body, "utf-8"):
        return EncodingInfo("utf-8", declared, "detected")
    best = from_bytes(body[:DETECT_SAMPLE_BYTES]).best()
    detected = normalise_encoding(best.encoding) if best is not None else None
    # Without a BOM, a "UTF-16/32" guess on a web page is a misreading of short single-byte text.
    if detected and not detected.startswith(("utf-16", "utf-32")) and _decodes(body, detected):
        return EncodingInfo(detected, declared, "detected")
    return EncodingInfo("cp1252", declared, "default")  # decodes almost any byte string
