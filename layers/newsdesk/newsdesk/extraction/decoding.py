"""Bytes to text: the encoding the fetcher recorded, then BOM, declared charset, UTF-8, detection.

Every failure is a typed `ExtractionError` subclass so that callers can count and report them.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from newsdesk.errors import (
    BinaryContentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    UndecodableDocumentError,
)

# Real article pages are well under 2 MB; beyond this parse time and memory grow with no gain.
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# File signatures of formats a fetcher may be handed instead of a page.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"RIFF", "RIFF media"),
    (b"\x00\x00\x00", "binary data"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x7fELF", "executable"),
    (b"MZ", "executable"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ", "xz data"),
    (b"wOFF", "font"),
    (b"wOF2", "font"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG: browsers read these labels as windows-1252, and so do publishers who declare them.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _try(data: bytes, label: str | None) -> str | None:
    codec = _codec(label)
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, ValueError):
        return None


def _declared(data: bytes) -> str | None:
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def _check_text(text: str) -> str:
    if not text.strip():
        raise EmptyDocumentError("the document is empty (only whitespace)")
    sample = text[:8192]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise BinaryContentError("the document contains binary control characters, not text")
    return text


def decode_html(data: bytes | str, encoding: str | None = None) -> str:
    """Decode a fetched page; `encoding` is what the fetcher recorded (HTTP header), tried first."""
    if isinstance(data, str):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise DocumentTooLargeError(f"the document has {len(data)} characters, over {MAX_DOCUMENT_BYTES}")
        return _check_text(data)
    if not isinstance(data, bytes | bytearray | memoryview):
        raise UndecodableDocumentError(f"expected bytes or str, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLargeError(f"the document has {len(data)} bytes, over {MAX_DOCUMENT_BYTES}")
    if not data.strip():
        raise EmptyDocumentError("the document is empty")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is None:
                raise UndecodableDocumentError(
                    f"the document starts with a {codec} BOM but does not decode as it"
                )
            return _check_text(text)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise BinaryContentError(f"the document is {kind}, not HTML")
    if b"\x00" in data[:4096]:
        raise BinaryContentError("the document contains NUL bytes: binary data, not HTML")
    for label in (encoding, _declared(data), "utf-8"):
        text = _try(data, label)
        if text is not None:
            return _check_text(text)
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        text = _try(data, best.encoding)
        if text is None:
            text = data.decode(best.encoding, errors="replace")
        return _check_text(text)
    raise UndecodableDocumentError("the document's encoding could not be determined")
