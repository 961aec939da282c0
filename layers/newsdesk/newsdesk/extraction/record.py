"""Record a live page as a test fixture plus its current parse as a golden file to review.

    paths = record("https://kyivindependent.com/some-story/", Path("tests/golden"))

writes `NAME.html` (the bytes as served), `NAME.headers.json` (url, final url, status, response
headers) and `NAME.golden.json` (what `extract()` makes of it today). Review the golden file by
hand before committing it: `tests/golden/test_golden.py` then holds the parser to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsdesk.article import STORE_FIELDS, Article
from newsdesk.extraction import extract

# Fields that change with every release or fetch, not with the parse: left out of golden files.
VOLATILE_FIELDS = frozenset({"parser_version", "fetched_at", "raw_key", "source"}) | STORE_FIELDS


@dataclass(frozen=True)
class RecordedPage:
    url: str
    body: bytes = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)
    final_url: str | None = None
    status: int = 200

    @property
    def charset(self) -> str | None:
        match = re.search(r"charset=([\w.:-]+)", self.headers.get("content-type", ""), re.IGNORECASE)
        return match.group(1) if match else None


Fetch = Callable[[str], RecordedPage]


def http_fetch(url: str, *, allow_private_networks: bool = False) -> RecordedPage:
    """The fetcher's own client: same safety checks, same size limits."""
    from newsdesk.fetching.http import HttpClient
    from newsdesk.fetching.safety import AddressPolicy
    from newsdesk.settings import DEFAULT_USER_AGENT

    client = HttpClient(
        user_agent=DEFAULT_USER_AGENT,
        policy=AddressPolicy.build(allow_private_networks=allow_private_networks),
    )
    try:
        response = client.get(url)
    finally:
        client.close()
    headers = {k.lower(): v for k, v in response.headers.items()}
    return RecordedPage(response.url, response.body, headers, response.final_url, response.status)


def fixture_name(url: str) -> str:
    """A file-system-safe name from the URL's host and last path segments."""
    parts = urlsplit(url)
    host = (parts.hostname or "page").removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s][-2:]
    raw = "-".join([host, *segments]) if segments else host
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-.")[:120]
    return name or "page"


def golden_dict(article: Article) -> dict[str, Any]:
    data = article.model_dump(mode="json")
    return {k: v for k, v in data.items() if k not in VOLATILE_FIELDS}


def parse_fixture(html_path: Path) -> Article:
    """Parse a recorded fixture the way the parser Lambda would: URL and charset from its headers."""
    meta = json.loads(html_path.with_suffix(".headers.json").read_text(encoding="utf-8"))
    page = RecordedPage(meta["url"], b"", meta.get("headers") or {})
    return extract(html_path.read_bytes(), meta["url"], encoding=page.charset)


def record(url: str, dest_dir: Path, fetch: Fetch | None = None, *, name: str | None = None) -> list[Path]:
    """Fetch `url`, save it as a fixture in `dest_dir` and write its current parse next to it.

    Raises the fetcher's `FetchError` or an `ExtractionError`; in the latter case the page and
    headers files stay, for a look at why the page does not parse.
    """
    page = (fetch or http_fetch)(url)
    dest_dir.mkdir(parents=True, exist_ok=True)
    stem = name or fixture_name(url)
    html_path = dest_dir / f"{stem}.html"
    headers_path = dest_dir / f"{stem}.headers.json"
    golden_path = dest_dir / f"{stem}.golden.json"
    html_path.write_bytes(page.body)
    headers = {
        "url": url,
        "final_url": page.final_url or url,
        "status": page.status,
        "headers": dict(page.headers),
    }
    headers_path.write_text(json.dumps(headers, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    golden = golden_dict(parse_fixture(html_path))
    golden_path.write_text(json.dumps(golden, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [html_path, headers_path, golden_path]
