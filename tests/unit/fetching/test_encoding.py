"""Declared and detected encodings of fetched pages."""

from __future__ import annotations

import codecs

import pytest

from newsdesk.extraction.decoding import decode_html
from newsdesk.fetching.encoding import binary_kind, detect_encoding, meta_charset, normalise_encoding

UKRAINIAN = "Київ — столиця України. Новини дня: політика, економіка, культура і спорт. " * 12


def test_windows_1251_without_declaration_is_detected() -> None:
    body = f"<html><body><p>{UKRAINIAN}</p></body></html>".encode("cp1251")
    info = detect_encoding(body)
    assert info.encoding == "cp1251"
    assert info.declared is None
    assert body.decode(info.encoding).count("Київ") == 12


def test_meta_charset_is_declared_and_used() -> None:
    body = f'<html><head><meta charset="windows-1251"></head><body>{UKRAINIAN}</body></html>'.encode("cp1251")
    info = detect_encoding(body)
    assert (info.encoding, info.declared, info.source) == ("cp1251", "cp1251", "meta")


def test_http_equiv_form_is_read() -> None:
    body = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>Z\xfcrich</p>'
    assert meta_charset(body) == "ISO-8859-1"
    info = detect_encoding(body)
    assert info.encoding == "cp1252"  # what browsers use for an ISO-8859-1 label
    assert body.decode(info.encoding).endswith("Zürich</p>")


def test_header_beats_meta_and_bom_beats_both() -> None:
    body = '<meta charset="utf-8"><p>Grüße</p>'.encode("latin-1")
    assert detect_encoding(body, "iso-8859-15").encoding == "iso8859-15"
    bom = codecs.BOM_UTF8 + '<meta charset="windows-1251"><p>Привіт</p>'.encode()
    assert detect_encoding(bom, "iso-8859-1").source == "bom"


def test_a_wrong_utf8_declaration_loses_to_detection() -> None:
    body = f'<meta charset="utf-8"><p>{UKRAINIAN}</p>'.encode("cp1251")
    info = detect_encoding(body)
    assert info.declared == "utf-8"
    assert info.encoding == "cp1251"


def test_unknown_and_dangerous_labels_are_ignored() -> None:
    assert normalise_encoding("no-such-charset") is None
    assert normalise_encoding("utf-7") is None
    assert normalise_encoding("Windows-1251") == "cp1251"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"%PDF-1.7\n...", "PDF"),
        (b"\n  %PDF-1.4 after a blank line", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "PNG image"),
        (b"\x1f\x8b\x08\x00....", "gzip data"),
        (b"<html>\x00</html>", "binary data (NUL bytes)"),
        (b"<html>" + bytes(range(1, 9)) * 20 + b"</html>", "binary data (control characters)"),
    ],
)
def test_binary_content_is_named(body: bytes, kind: str) -> None:
    assert binary_kind(body) == kind


@pytest.mark.parametrize(
    "body",
    [
        b"<!doctype html><p>hello</p>",
        codecs.BOM_UTF16_LE + "<p>Київ</p>".encode("utf-16-le"),
        f"<p>{UKRAINIAN}</p>".encode("cp1251"),
        b"<p>a stray \x0b vertical tab</p>",
    ],
)
def test_text_is_not_binary(body: bytes) -> None:
    assert binary_kind(body) is None


@pytest.mark.parametrize(
    ("body", "header"),
    [
        (f"<p>{UKRAINIAN}</p>".encode("cp1251"), None),
        (f'<meta charset="utf-8"><p>{UKRAINIAN}</p>'.encode("cp1251"), "utf-8"),
        ('<meta charset="iso-8859-1"><p>\u201cZ\u00fcrich\u201d</p>'.encode("cp1252"), None),
        ("<p>Київ, Україна</p>".encode("koi8_u"), "koi8-u"),
        ('<?xml version="1.0" encoding="windows-1251"?><html><p>Київ</p></html>'.encode("cp1251"), None),
        (codecs.BOM_UTF8 + "<p>Київ</p>".encode(), "iso-8859-1"),
    ],
)
def test_the_parser_reads_a_page_exactly_as_the_fetcher_recorded_it(body: bytes, header: str | None) -> None:
    recorded = detect_encoding(body, header).encoding  # what the fetcher stores in the metadata
    expected = body.decode(recorded).removeprefix("\ufeff")
    assert decode_html(body, recorded) == expected
    # With nothing recorded (`newsdesk parse FILE`), the parser still decides as the fetcher would.
    assert decode_html(body, header) == expected
