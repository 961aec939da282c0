"""Declared and detected encodings of fetched pages."""

from __future__ import annotations

import codecs

from newsdesk.fetching.encoding import detect_encoding, meta_charset, normalise_encoding

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
