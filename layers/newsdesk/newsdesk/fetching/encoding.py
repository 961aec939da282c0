"""What a page's bytes are: binary or text, and in which encoding (declared and detected).

The one place these facts are decided: the fetcher uses it to skip binary files and to record the
encoding in the raw page's metadata, the parser (`newsdesk.extraction.decoding`) to refuse binary
content and to decode, so the two can never disagree. The raw bytes are stored untouched. Names are
Python codec names (`cp1251`, `utf-8`), which `bytes.decode` accepts directly.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Both <meta charset> and http-equiv forms. HTML's prescan reads 1024 bytes; pages with long heads
# put the declaration later, and browsers still honour it when the parser meets it, so read more.
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
PRESCAN_BYTES = 4096
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
    """The charset an XHTML page's XML declaration or an HTML <meta> names, as written."""
    head = body[:PRESCAN_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", errors="ignore") if match else None


# File signatures of formats a server may send where a page was expected.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"RIFF", "RIFF media"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x7fELF", "executable"),
    (b"MZ", "executable"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ", "xz data"),
    (b"wOFF", "font"),
    (b"wOF2", "font"),
)
BINARY_SAMPLE_BYTES = 8192
# C0 controls other than tab, newline, form feed and carriage return: the same bytes in every
# ASCII-compatible encoding, and rare in text. A few are tolerated (stray bytes in real pages).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")


def binary_kind(body: bytes) -> str | None:
    """What binary format `body` is ("PDF", "binary data"...), or None when it may be text.

    Text with a BOM is text (UTF-16 is full of NUL bytes). Otherwise a known file signature at the
    start, a NUL byte, or more than 1% control bytes in the first BINARY_SAMPLE_BYTES mean binary.
    """
    if bom_encoding(body):
        return None
    head = body[:BINARY_SAMPLE_BYTES]
    start = head.lstrip()
    for magic, kind in _MAGIC:
        if start.startswith(magic):
            return kind
    if b"\x00" in head:
        return "binary data (NUL bytes)"
    if len(_CONTROL_BYTES.findall(head)) > max(8, len(head) // 100):
        return "binary data (control characters)"
    return None


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
    # Rare (no declaration that decodes, not UTF-8): the detector is imported only then.
    from charset_normalizer import from_bytes

    best = from_bytes(body[:DETECT_SAMPLE_BYTES]).best()
    detected = normalise_encoding(best.encoding) if best is not None else None
    # Without a BOM, a "UTF-16/32" guess on a web page is a misreading of short single-byte text.
    if detected and not detected.startswith(("utf-16", "utf-32")) and _decodes(body, detected):
        return EncodingInfo(detected, declared, "detected")
    return EncodingInfo("cp1252", declared, "default")  # decodes almost any byte string
