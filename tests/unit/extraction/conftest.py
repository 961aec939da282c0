"""Shared fixtures of the extraction tests: the Kyiv Independent sample page and benchmark data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import newsdesk

KI_PAGE = (
    Path(newsdesk.__file__).parent
    / "local/sample_site/kyiv-independent/news/ukraines-security-council-chief-heads-to-turkey/index.html"
)
# The demo serves the page from 127.0.0.1: the adapter must be chosen by the page, not this URL.
KI_LOCAL_URL = "http://127.0.0.1:8000/kyiv-independent/news/ukraines-security-council-chief-heads-to-turkey/"
REPO = Path(__file__).resolve().parents[3]
BENCHMARK_DIR = Path(
    os.environ.get("NEWSDESK_EXTRACTION_BENCHMARK", REPO.parent / "shared" / "extraction-benchmark")
)


@pytest.fixture(scope="session")
def ki_html() -> bytes:
    return KI_PAGE.read_bytes()
