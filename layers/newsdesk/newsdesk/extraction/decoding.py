"""Bytes to text, with the facts decided by `newsdesk.fetching.encoding`, the module the fetcher uses.

The fetcher records the encoding it chose in the raw page's metadata; passing it back here as
`encoding` makes the parser read the bytes exactly as the fetcher did (it is tried after a BOM, as
an HTTP header charset would be). Binary content and the size limit are the fetcher's rules too.
Every failure is a typed `ExtractionError` subclass so that callers can count and report them.
"""

from __future__ import annotations

from newsdesk.errors import (
    BinaryContentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    UndecodableDocumentError,
)
from newsdesk.fetching.encoding import BINARY_SAMPLE_BYTES, binary_kind, detect_encoding
from newsdesk.rawpage import MAX_PAGE_BYTES


def _refuse_binary(sample: bytes) -> None:
    kind = binary_kind(sample)
    if kind is not None:
        raise BinaryContentError(f"the document is {kind}, not HTML")


def _nonempty(text: str) -> str:
    if not text.strip():
        raise EmptyDocumentError("the document is empty (only whitespace)")
    return text


def decode_html(data: bytes | str, encoding: str | None = None) -> str:
    """Decode a fetched page; `encoding` is what the fetcher recorded, tried first after a BOM."""
    if isinstance(data, str):
        if len(data) > MAX_PAGE_BYTES:
            raise DocumentTooLargeError(f"the document has {len(data)} characters, over {MAX_PAGE_BYTES}")
        _refuse_binary(data[:BINARY_SAMPLE_BYTES].encode("utf-8", errors="replace"))
        return _nonempty(data)
    if not isinstance(data, bytes | bytearray | memoryview):
        raise UndecodableDocumentError(f"expected bytes or str, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_PAGE_BYTES:
        raise DocumentTooLargeError(f"the document has {len(data)} bytes, over {MAX_PAGE_BYTES}")
    if not data.strip():
        raise EmptyDocumentError("the document is empty")
    _refuse_binary(data)
    info = detect_encoding(data, encoding)
    try:
        text = data.decode(info.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        if info.source == "bom":
            raise UndecodableDocumentError(
                f"the document starts with a {info.encoding} BOM but does not decode as it"
            ) from exc
        # A best guess that does not fit every byte: keep the text, mark the few that do not.
        text = data.decode(info.encoding, errors="replace")
    return _nonempty(text.removeprefix("\ufeff"))
