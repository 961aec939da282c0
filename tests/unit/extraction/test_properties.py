"""Any bytes in give an Article or an ExtractionError: never another exception, never a hang."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from conftest import BENCHMARK_DIR, KI_PAGE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk import extract
from newsdesk.article import Article
from newsdesk.errors import ExtractionError

KI = KI_PAGE.read_bytes()
MAX_INPUT = 64 * 1024
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SNIPPETS = [
    b"<",
    b">",
    b"</p>",
    b"<p>",
    b"<script>",
    b"<!--",
    b"\x00",
    b"\xff\xfe",
    b"&#0;",
    b"<?xml",
    b"]]>",
]


def check(data: bytes | str, url: str | None = "https://example.org/a") -> None:
    try:
        article = extract(data, url)
    except ExtractionError as err:
        assert str(err)
    else:
        assert isinstance(article, Article)
        assert article.body_text.strip()


@st.composite
def mutated(draw: st.DrawFn, page: bytes) -> bytes:
    """A page with random cuts, byte flips and inserted markup fragments."""
    data = bytearray(page)
    for _ in range(draw(st.integers(0, 8))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["cut", "flip", "insert", "truncate"]))
        if op == "cut":
            del data[pos : pos + draw(st.integers(1, 2000))]
        elif op == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from(SNIPPETS)) * draw(st.integers(1, 50))
        else:
            del data[pos:]
    return bytes(data[:MAX_INPUT])


@SETTINGS
@given(st.binary(max_size=MAX_INPUT))
def test_arbitrary_bytes(data: bytes) -> None:
    check(data)


@SETTINGS
@given(
    st.text(max_size=4096), st.sampled_from([None, "https://example.org/a", "http://[::1", "http://x:99999/"])
)
def test_arbitrary_text_and_urls(data: str, url: str | None) -> None:
    check(data, url)


@SETTINGS
@given(mutated(KI), st.sampled_from([None, "utf-8", "latin-1", "utf-16", "bogus-charset"]))
def test_mutated_ki_page(data: bytes, encoding: str | None) -> None:
    try:
        article = extract(data, "http://127.0.0.1:8000/ki/", encoding=encoding)
    except ExtractionError:
        return
    assert article.body_text.strip()


def _benchmark_pages(limit: int = 5) -> list[bytes]:
    html_dir = BENCHMARK_DIR / "html"
    if not html_dir.is_dir():
        return []
    return [gzip.decompress(p.read_bytes()) for p in sorted(Path(html_dir).glob("*.html.gz"))[:limit]]


BENCH_PAGES = _benchmark_pages()


@pytest.mark.skipif(not BENCH_PAGES, reason="benchmark pages not available")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_benchmark_pages(data: st.DataObject) -> None:
    page = data.draw(st.sampled_from(BENCH_PAGES) if BENCH_PAGES else st.just(b""))
    check(data.draw(mutated(page[: MAX_INPUT * 4])))


def test_deeply_nested_markup() -> None:
    check(b"<div>" * 50_000 + b"<p>text</p>" + b"</div>" * 50_000)
