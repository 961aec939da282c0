"""CrawlOptions built from the fetcher's environment settings."""

from __future__ import annotations

import pytest

from newsdesk.crawler import CrawlOptions, CrawlReport
from newsdesk.errors import ConfigurationError, DocumentTooLargeError
from newsdesk.extraction.decoding import decode_html
from newsdesk.rawpage import MAX_PAGE_BYTES
from newsdesk.settings import FetcherSettings


def test_options_follow_the_settings() -> None:
    settings = FetcherSettings.load(
        {
            "RAW_BUCKET": "raw",
            "CRAWL_TABLE": "crawl",
            "USER_AGENT": "TestBot/2.0",
            "MAX_CONCURRENCY": "3",
            "MAX_BODY_BYTES": "2048",
            "MIN_HOST_INTERVAL_SECONDS": "2.5",
            "MAX_ATTEMPTS": "2",
            "ALLOW_PRIVATE_NETWORKS": "true",
        }
    )
    options = CrawlOptions.from_settings(settings)
    assert (options.user_agent, options.max_concurrency, options.max_body_bytes) == ("TestBot/2.0", 3, 2048)
    assert (options.min_host_interval_seconds, options.max_attempts, options.allow_private_networks) == (
        2.5,
        2,
        True,
    )
    assert options.allowed_private_hosts == frozenset()


def test_report_as_dict_is_plain_data() -> None:
    report = CrawlReport(discovered=3, new=2, fetched=1, skipped={"non_html": 1}, failed={"timeout": 1})
    data = report.as_dict()
    assert data["discovered"] == 3 and data["skipped"] == {"non_html": 1} and data["failed"] == {"timeout": 1}
    assert data["deferred"] == 0 and data["stored_keys"] == []


def test_the_fetcher_can_never_store_more_than_the_parser_reads() -> None:
    assert CrawlOptions(user_agent="x").max_body_bytes == MAX_PAGE_BYTES
    assert (
        FetcherSettings.load({"RAW_BUCKET": "raw", "CRAWL_TABLE": "crawl"}).max_body_bytes == MAX_PAGE_BYTES
    )
    with pytest.raises(ConfigurationError):
        FetcherSettings.load(
            {"RAW_BUCKET": "r", "CRAWL_TABLE": "c", "MAX_BODY_BYTES": str(MAX_PAGE_BYTES + 1)}
        )
    decode_html(b"<p>" + b"a" * (MAX_PAGE_BYTES - 3))  # the largest page the fetcher stores parses
    with pytest.raises(DocumentTooLargeError):
        decode_html(b"<p>" + b"a" * (MAX_PAGE_BYTES - 2))
