"""CrawlOptions built from the fetcher's environment settings."""

from __future__ import annotations

from newsdesk.crawler import CrawlOptions, CrawlReport
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
