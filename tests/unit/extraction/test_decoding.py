"""Bytes to text: recorded encoding first, then BOM, declared charset, UTF-8, detection; typed errors."""

from __future__ import annotations

import codecs

import pytest

from newsdesk.errors import (
    BinaryContentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    UndecodableDocumentError,
)
from newsdesk.extraction.decoding import decode_html
from newsdesk.rawpage import MAX_PAGE_BYTES

PAGE = "<html><head><title>Київ</title></head><body><p>Zürich café — «Київ»</p></body></html>"


def test_utf8_without_declaration() -> None:
    assert decode_html(PAGE.encode("utf-8")) == PAGE


def test_recorded_encoding_wins() -> None:
    data = PAGE.encode("cp1251", errors="ignore")
    assert "Київ" in decode_html(data, encoding="windows-1251")


def test_wrong_recorded_encoding_falls_back_to_declared() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body><p>Київ</p></body></html>'
    assert "Київ" in decode_html(page.encode("cp1251"), encoding="utf-8")


def test_meta_charset() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-u"></head><p>Київ</p>'
    )
    assert "Київ" in decode_html(page.encode("koi8_u"))


def test_latin1_label_reads_as_windows_1252() -> None:
    page = '<meta charset="iso-8859-1"><p>\u201cquoted\u201d</p>'
    assert "\u201cquoted\u201d" in decode_html(page.encode("cp1252"))


def test_bom_utf16() -> None:
    assert decode_html(codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le")) == PAGE


def test_str_passes_through() -> None:
    assert decode_html(PAGE) == PAGE


@pytest.mark.parametrize("data", [b"", b"   \n\t ", ""])
def test_empty(data: bytes | str) -> None:
    with pytest.raises(EmptyDocumentError):
        decode_html(data)


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n....", b"\x1f\x8b\x08\x00....", b"<html>\x00\x01\x02</html>"],
)
def test_binary(data: bytes) -> None:
    with pytest.raises(BinaryContentError):
        decode_html(data)


def test_too_large() -> None:
    with pytest.raises(DocumentTooLargeError):
        decode_html(b"<p>" + b"a" * MAX_PAGE_BYTES)


def test_bad_bom_is_undecodable() -> None:
    with pytest.raises(UndecodableDocumentError):
        decode_html(codecs.BOM_UTF8 + b"<p>\xff\xfe\xfa</p>")
