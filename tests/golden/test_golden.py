"""Every recorded fixture in this folder parses to its reviewed golden file; record() writes both.

To add a fixture: `record(url, Path("tests/golden"))`, review the `.golden.json` by hand, commit.
"""

from __future__ import annotations

import functools
import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import newsdesk
from newsdesk.extraction.record import RecordedPage, fixture_name, golden_dict, parse_fixture, record

HERE = Path(__file__).parent
FIXTURES = sorted(HERE.glob("*.html"))
SAMPLE_SITE = Path(newsdesk.__file__).parent / "local" / "sample_site"


def test_there_are_fixtures() -> None:
    assert FIXTURES


@pytest.mark.parametrize("html_path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_matches_its_golden_file(html_path: Path) -> None:
    golden_path = html_path.with_suffix(".golden.json")
    assert golden_path.exists(), f"{html_path.name} has no reviewed golden file"
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    assert golden_dict(parse_fixture(html_path)) == golden


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sample_site() -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(SAMPLE_SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _urllib_fetch(url: str) -> RecordedPage:
    with urllib.request.urlopen(url, timeout=5) as response:  # 127.0.0.1 only
        headers = {k.lower(): v for k, v in response.headers.items()}
        return RecordedPage(url, response.read(), headers, response.geturl(), response.status)


def test_record_writes_fixture_headers_and_golden(sample_site: str, tmp_path: Path) -> None:
    url = f"{sample_site}/kyiv-independent/news/ukraines-security-council-chief-heads-to-turkey/"
    paths = record(url, tmp_path, _urllib_fetch)
    html_path, headers_path, golden_path = paths
    assert [p.name for p in paths] == [
        "127.0.0.1-news-ukraines-security-council-chief-heads-to-turkey.html",
        "127.0.0.1-news-ukraines-security-council-chief-heads-to-turkey.headers.json",
        "127.0.0.1-news-ukraines-security-council-chief-heads-to-turkey.golden.json",
    ]
    assert (
        html_path.read_bytes()
        == (
            SAMPLE_SITE / "kyiv-independent/news/ukraines-security-council-chief-heads-to-turkey/index.html"
        ).read_bytes()
    )
    headers = json.loads(headers_path.read_text(encoding="utf-8"))
    assert headers["url"] == url
    assert headers["status"] == 200
    assert headers["headers"]["content-type"].startswith("text/html")
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    assert golden["url"] == url
    assert golden["authors"] == ["Tim Zadorozhnyy"]
    assert golden["body_text"].count("\n\n") == 7
    assert "parser_version" not in golden
    assert golden == golden_dict(parse_fixture(html_path))


def test_fixture_name_is_file_safe() -> None:
    assert fixture_name("https://www.example.com/a/b c/?q=1") == "example.com-a-b-c"
    assert fixture_name("https://example.com") == "example.com"
