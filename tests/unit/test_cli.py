"""The `newsdesk parse` command: an Article as JSON, or one clear line on stderr and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.article import Article
from newsdesk.cli import main
from newsdesk.local.sample_site import SITE_ROOT, SampleSiteServer
from newsdesk.sources import load_sources
from newsdesk.urls import url_id

SEA_WALL = SITE_ROOT / "harbour-gazette/2025/11/sea-wall-repairs.html"


def test_parse_file_prints_the_article_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "parse",
            str(SEA_WALL),
            "--url",
            "https://harbour-gazette.example/2025/11/sea-wall-repairs?utm_source=x",
            "--format",
            "json",
        ]
    )
    assert code == 0
    article = Article.model_validate_json(capsys.readouterr().out)
    assert article.title == "Council approves sea wall repairs before winter storms"
    assert article.url == "https://harbour-gazette.example/2025/11/sea-wall-repairs?utm_source=x"
    assert article.canonical_url == "https://harbour-gazette.example/2025/11/sea-wall-repairs"
    assert "- raising the lowest part of the wall by forty centimetres." in article.body_markdown


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\x01\x02\x03" * 100, "binary"), (b"<html><body></body></html>", "")],
)
def test_parse_bad_input_exits_non_zero_with_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(content)
    code = main(["parse", str(page)])
    captured = capsys.readouterr()
    assert code != 0
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsdesk: error: ")
    assert message in lines[0].lower()


def test_parse_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "/no/such/page.html"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == "newsdesk: error: cannot read /no/such/page.html: No such file or directory"
    )


def test_parse_url_refuses_loopback_unless_private_networks_are_allowed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with SampleSiteServer() as site:
        url = f"{site.base_url}/harbour-gazette/2025/11/sea-wall-repairs.html"
        assert main(["parse", url]) == 2
        assert "non-public address 127.0.0.1" in capsys.readouterr().err
        assert main(["parse", url, "--allow-private-networks"]) == 0
    article = json.loads(capsys.readouterr().out)
    assert article["url"] == url
    assert article["authors"] == ["Owen Pike", "Lena Sand"]


def test_record_saves_fixture_headers_and_golden_parse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SampleSiteServer() as site:
        url = f"{site.base_url}/harbour-gazette/2025/11/fish-market-hall.html"
        code = main(["record", url, "--dest", str(tmp_path), "--name", "fish", "--allow-private-networks"])
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fish.golden.json",
        "fish.headers.json",
        "fish.html",
    ]
    headers = json.loads((tmp_path / "fish.headers.json").read_text(encoding="utf-8"))
    assert headers["headers"]["content-type"] == "text/html; charset=iso-8859-1"
    golden = json.loads((tmp_path / "fish.golden.json").read_text(encoding="utf-8"))
    assert golden["authors"] == ["Jonas Müller"]
    assert "The café at the north end" in golden["body_text"]
    assert "review the .golden.json" in capsys.readouterr().err


def test_parse_gives_the_id_the_fetcher_stored_for_the_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(
        "sources:\n  - id: gazette\n    name: Gazette\n    feeds: [https://harbour-gazette.example/feed]\n"
        "    trailing_slash: add\n",
        encoding="utf-8",
    )
    url = "https://harbour-gazette.example/2025/11/sea-wall-repairs"
    [source] = load_sources(sources_file)
    stored_id = source.article_id(url)  # what the crawler names the raw page and the article
    assert stored_id != url_id(url)  # the slash policy matters here

    assert main(["parse", str(SEA_WALL), "--url", url, "--sources", str(sources_file)]) == 0
    article = Article.model_validate_json(capsys.readouterr().out)
    assert (article.id, article.source) == (stored_id, "gazette")
    assert (
        main(["parse", str(SEA_WALL), "--url", url, "--sources", str(sources_file), "--source", "gazette"])
        == 0
    )
    assert Article.model_validate_json(capsys.readouterr().out).id == stored_id
    assert (
        main(["parse", str(SEA_WALL), "--url", url, "--sources", str(sources_file), "--source", "nope"]) == 2
    )
