"""run_crawl against hostile input at the transport and parsing layer (issue 11, section 1).

Each test serves one kind of bad input from a real server on 127.0.0.1 and checks that the run
ends normally, reports the input for what it is, and still does the healthy work beside it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from support.crawl_table import CRAWL_TABLE
from support.http_server import Reply, TestServer, repeated
from support.sinks import MemorySink

from newsdesk.crawler import CrawlOptions, CrawlReport, run_crawl
from newsdesk.fetching.clock import MAX_AHEAD_SECONDS, ManualClock
from newsdesk.sources import Source
from newsdesk.storage.crawl_state import DynamoCrawlState
from newsdesk.urls import MAX_URL_LENGTH

HOST = "news.test"
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ARTICLE = (
    b"<!doctype html><html><head><title>Story</title></head><body><article><h1>Story</h1>"
    + b"<p>A paragraph of a story long enough to count as an article body.</p>" * 6
    + b"</article></body></html>"
)


def rss_for(urls: list[str]) -> bytes:
    items = "".join(f"<item><title>S{n}</title><link>{u}</link></item>" for n, u in enumerate(urls))
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>http://news.test/</link>'
        f"<description>d</description>{items}</channel></rss>"
    ).encode()


def feed_of(server: TestServer, *urls: str) -> None:
    server.route("/feed.xml", Reply(body=rss_for(list(urls)), content_type="application/rss+xml"))


def news_source(server: TestServer, **fields: Any) -> Source:
    fields.setdefault("feeds", [server.url("/feed.xml", HOST)])
    return Source(id="news", name="News", **fields)


def crawl(
    sources: list[Source],
    state: DynamoCrawlState,
    sink: MemorySink,
    options: CrawlOptions,
    clock: ManualClock,
) -> CrawlReport:
    return run_crawl(sources, state=state, sink=sink, options=options, clock=clock)


def test_a_sitemap_larger_than_a_page_is_read_up_to_the_sitemap_limit(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    # Scaled down: pages capped at 64 KiB, a 1 MiB sitemap. The sitemap's own limit applies.
    head = f'<urlset xmlns="{NS}"><url><loc>{server.url("/news/a", HOST)}</loc></url>'.encode()
    comment = b"<!-- " + b"x" * 1000 + b" -->\n"
    filler = repeated(comment, 1024 * len(comment))
    server.route("/sitemap.xml", Reply(body=lambda: iter([head, *filler(), b"</urlset>"])))
    server.route("/news/a", Reply(body=ARTICLE))
    options = replace(options, max_body_bytes=64 * 1024)
    source = news_source(server, feeds=[], sitemaps=[server.url("/sitemap.xml", HOST)])

    report = crawl([source], state, sink, options, clock)

    assert report.failed == {}
    assert report.fetched == 1


def test_a_twelve_megabyte_robots_txt_does_not_close_the_site(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    head = b"User-agent: *\nDisallow: /private/\n"
    filler = repeated(b"# " + b"x" * 1021 + b"\n", 12 * 1024 * 1024)
    server.route("/robots.txt", Reply(body=lambda: iter([head, *filler()]), content_type="text/plain"))
    feed_of(server, server.url("/news/a", HOST), server.url("/private/b", HOST))
    server.route("/news/a", Reply(body=ARTICLE))

    report = crawl([news_source(server)], state, sink, options, clock)

    assert report.failed == {}
    assert (report.fetched, report.skipped_robots) == (1, 1)


def test_a_discovery_document_on_a_private_address_is_blocked_not_robots_unavailable(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    server.route("/feed.xml", Reply(body=rss_for([]), content_type="application/rss+xml"))
    # 127.0.0.1 itself is not among the test's exempt host:port pairs.
    source = news_source(server, feeds=[server.url("/feed.xml")])

    report = crawl([source], state, sink, options, clock)

    assert report.failed == {"blocked_address": 1}
    assert server.hits("/robots.txt") == 0 and server.hits("/feed.xml") == 0


def test_an_article_on_a_private_address_is_blocked_for_good(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    feed_of(server, server.url("/news/a", "private.test"))
    source = news_source(server, allowed_hosts=[HOST, "private.test"])

    report = crawl([source], state, sink, options, clock)

    assert report.failed == {"blocked_address": 1}
    [record] = state.list_urls("news", None, 10)
    assert (record.status, record.last_error) == ("gave_up", "blocked_address")


def test_credentials_in_a_link_are_stripped_and_do_not_make_a_second_article(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    plain = server.url("/news/a", HOST)
    feed_of(server, plain.replace("://", "://user:secret@"), plain)
    server.route("/news/a", Reply(body=ARTICLE))

    report = crawl([news_source(server)], state, sink, options, clock)

    assert (report.discovered, report.fetched) == (1, 1)
    [page] = sink.pages.values()
    assert page.url == plain
    assert all("secret" not in (r.url or "") for r in state.list_urls("news", None, 10))
    assert "authorization" not in server.requests_to("/news/a")[0].headers


def test_an_overlong_url_is_skipped_and_counted_and_the_rest_fetched(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    feed_of(server, server.url("/news/" + "a" * MAX_URL_LENGTH, HOST), server.url("/news/b", HOST))
    server.route("/news/b", Reply(body=ARTICLE))

    report = crawl([news_source(server)], state, sink, options, clock)

    assert report.skipped == {"url_too_long": 1}
    assert report.fetched == 1


def test_unicode_allowed_hosts_admit_their_punycode_articles(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    idn = "xn--e1afmkfd.test"  # пример.test
    feed_of(server, server.url("/news/a", idn))
    server.route("/news/a", Reply(body=ARTICLE))
    options = replace(options, allowed_private_hosts=options.allowed_private_hosts | {server.hostport(idn)})
    source = news_source(server, allowed_hosts=["пример.test"])

    report = crawl([source], state, sink, options, clock)

    assert report.skipped == {} and report.fetched == 1


def test_an_absurd_retry_after_is_stored_as_a_bounded_time(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    feed_of(server, server.url("/news/a", HOST))
    server.route("/news/a", Reply(status=429, headers={"Retry-After": "99999999999999999999"}))
    start = clock.time()

    report = crawl([news_source(server)], state, sink, options, clock)
    again = crawl([news_source(server)], state, sink, options, clock)

    assert report.failed == {"http_429": 1}
    assert again.failed == {}  # not due yet, and planning did not trip over it
    [record] = state.list_urls("news", None, 10)  # converts every stored time
    assert record.next_attempt_at is not None
    assert record.next_attempt_at.timestamp() <= start + MAX_AHEAD_SECONDS + 60


def test_a_sitemap_index_cut_to_the_child_cap_reports_the_rest(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    children = "".join(f"<sitemap><loc>{server.url(f'/s-{n}.xml', HOST)}</loc></sitemap>" for n in range(25))
    server.route("/index.xml", Reply(body=f'<sitemapindex xmlns="{NS}">{children}</sitemapindex>'.encode()))
    for n in range(25):
        server.route(f"/s-{n}.xml", Reply(body=f'<urlset xmlns="{NS}"></urlset>'.encode()))
    options = replace(options, max_sitemap_children=2)
    source = news_source(server, feeds=[], sitemaps=[server.url("/index.xml", HOST)])

    report = crawl([source], state, sink, options, clock)

    assert report.skipped == {"over_document_cap": 23}
    assert sum(server.hits(f"/s-{n}.xml") for n in range(25)) == 2


def test_a_dripping_feed_ends_at_the_total_deadline(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    server.route("/feed.xml", Reply(body=server.drip(0.05), content_type="application/rss+xml"))
    options = replace(options, total_timeout=0.3, max_attempts=2)

    report = crawl([news_source(server)], state, sink, options, clock)

    assert report.failed == {"timeout": 1}


def test_binary_content_labelled_html_is_skipped_by_the_rule_the_parser_uses(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    feed_of(server, server.url("/news/a", HOST), server.url("/news/b", HOST))
    server.route("/news/a", Reply(body=b"%PDF-1.7\n" + bytes(4096)))  # served as text/html
    server.route("/news/b", Reply(body=ARTICLE))

    report = crawl([news_source(server)], state, sink, options, clock)

    assert report.skipped == {"non_html": 1}
    assert report.fetched == 1


def test_an_overlong_sitemap_child_is_skipped_before_it_reaches_the_crawl_state(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    long_child = server.url("/s-" + "x" * 3000 + ".xml", HOST)
    children = "".join(
        f"<sitemap><loc>{child}</loc></sitemap>" for child in (long_child, server.url("/s.xml", HOST))
    )
    server.route("/index.xml", Reply(body=f'<sitemapindex xmlns="{NS}">{children}</sitemapindex>'.encode()))
    server.route(
        "/s.xml",
        Reply(
            body=f'<urlset xmlns="{NS}"><url><loc>{server.url("/news/a", HOST)}</loc></url></urlset>'.encode()
        ),
    )
    server.route("/news/a", Reply(body=ARTICLE))
    source = news_source(server, feeds=[], sitemaps=[server.url("/index.xml", HOST)])

    report = crawl([source], state, sink, options, clock)

    assert report.skipped == {"url_too_long": 1}
    assert report.fetched == 1


def test_the_crawl_state_clamps_what_it_stores_and_reads_back_any_old_absurd_time(
    state: DynamoCrawlState, dynamodb: Any, clock: ManualClock
) -> None:
    now = clock.time()
    assert state.claim("news", "id-1", "http://news.test/1", owner="run-1", now=now, lease_seconds=900)
    state.mark_failed("news", "id-1", owner="run-1", now=now, reason="http_429", attempts=1, retry_at=1e20)
    [record] = state.list_urls("news", None, 10)
    assert record.next_attempt_at is not None
    assert record.next_attempt_at.timestamp() == now + MAX_AHEAD_SECONDS
    # A value stored before the clamp existed still lists (status used to raise OverflowError).
    dynamodb.Table(CRAWL_TABLE).update_item(
        Key={"pk": "URL#news#id-1", "sk": "STATE"},
        UpdateExpression="SET next_attempt_at = :n",
        ExpressionAttributeValues={":n": Decimal("1e20")},
    )
    [record] = state.list_urls("news", None, 10)
    assert record.next_attempt_at is not None and record.next_attempt_at.year == 9999
