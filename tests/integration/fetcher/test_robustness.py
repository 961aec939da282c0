"""One hostile item never ends a run; absurd server values are bounded; the reasons are true."""

from __future__ import annotations

from typing import Any

from support.feeds import article_html, rss_for
from support.http_server import Reply, TestServer
from support.sinks import MemorySink

from newsdesk.crawler import CrawlOptions, run_crawl
from newsdesk.errors import StorageError
from newsdesk.fetching.clock import ManualClock
from newsdesk.sources import Source
from newsdesk.storage.crawl_state import DynamoCrawlState, Validators
from newsdesk.urls import MAX_URL_LENGTH, url_id

HOST = "news.test"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def source(server: TestServer, **fields: Any) -> Source:
    fields.setdefault("feeds", [server.url("/feed.xml", HOST)])
    return Source(id="news", name="News", **fields)


def test_urls_over_2000_characters_are_skipped_and_counted_and_the_rest_fetched(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    huge = server.url("/news/" + "x" * 450_000, HOST)
    long_child = server.url("/sitemap-" + "y" * 3000 + ".xml", HOST)
    server.route(
        "/feed.xml", Reply(body=rss_for([huge, server.url("/news/a", HOST)]), content_type="text/xml")
    )
    index = f'<sitemapindex xmlns="{SITEMAP_NS}"><sitemap><loc>{long_child}</loc></sitemap></sitemapindex>'
    server.route("/sitemap.xml", Reply(body=index.encode(), content_type="text/xml", headers={"ETag": '"i"'}))
    server.route("/news/a", Reply(body=article_html("A")))
    sources = [source(server, sitemaps=[server.url("/sitemap.xml", HOST)])]

    for _ in range(2):  # and again: nothing stored by the first run breaks the second
        report = run_crawl(sources, state=state, sink=sink, options=options, clock=clock)
        assert report.skipped.get("url_too_long") == 2
        assert report.failed == {}

    assert len(sink.put_ids) == 1
    assert all(len(r.url) <= MAX_URL_LENGTH for r in state.list_urls("news", None, 10))


def test_validators_of_a_document_with_a_long_url_fit_a_key(
    state: DynamoCrawlState, clock: ManualClock
) -> None:
    url = "https://news.test/sitemap-" + "z" * 1990 + ".xml"  # under the URL cap, over half a key

    state.put_validators(url, Validators(etag='"v"'), now=clock.time())

    assert state.get_validators(url) == Validators(etag='"v"')


class RefusesOneItem(DynamoCrawlState):
    """The real state, except that DynamoDB refuses every write about one URL (an oversized item)."""

    bad_id = ""

    def mark_fetched(self, source: str, url_id: str, **kwargs: Any) -> None:
        if url_id == self.bad_id:
            raise StorageError("ValidationException: Item size has exceeded the maximum allowed size")
        super().mark_fetched(source, url_id, **kwargs)


def test_one_items_storage_error_never_ends_a_run(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    paths = ["/news/a", "/news/b", "/news/c"]
    server.route(
        "/feed.xml", Reply(body=rss_for([server.url(p, HOST) for p in paths]), content_type="text/xml")
    )
    for path in paths:
        server.route(path, Reply(body=article_html(path)))
    refusing = RefusesOneItem(state.table_name, state._client)
    refusing.bad_id = url_id(server.url("/news/b", HOST))

    report = run_crawl([source(server)], state=refusing, sink=sink, options=options, clock=clock)

    assert report.fetched == 2 and report.failed == {"internal_error": 1}
    statuses = {r.url.rsplit("/", 1)[-1]: r.status for r in state.list_urls("news", None, 10)}
    assert statuses == {"a": "fetched", "b": "failed", "c": "fetched"}


def test_a_feed_link_to_a_private_address_is_blocked_not_retried(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    # private.test resolves to 127.0.0.1 like every test host, but is not on the allow-list.
    server.route(
        "/feed.xml", Reply(body=rss_for([server.url("/a", "private.test")]), content_type="text/xml")
    )
    server.route("/a", Reply(body=article_html("A")))

    report = run_crawl(
        [source(server, allowed_hosts=[HOST, "private.test"])],
        state=state,
        sink=sink,
        options=options,
        clock=clock,
    )

    assert report.failed == {"blocked_address": 1}
    (record,) = state.list_urls("news", None, 10)
    assert (record.status, record.last_error, record.next_attempt_at) == ("gave_up", "blocked_address", None)
    assert server.hits("/a") == 0


def test_an_absurd_retry_after_is_a_bounded_backoff(
    server: TestServer, state: DynamoCrawlState, sink: MemorySink, options: CrawlOptions, clock: ManualClock
) -> None:
    server.route("/feed.xml", Reply(body=rss_for([server.url("/news/a", HOST)]), content_type="text/xml"))
    server.route("/news/a", Reply(status=503, headers={"Retry-After": "99999999999999999999"}))
    start = clock.time()

    run_crawl([source(server)], state=state, sink=sink, options=options, clock=clock)

    (record,) = state.list_urls("news", None, 10)
    assert record.next_attempt_at is not None
    assert record.next_attempt_at.timestamp() <= start + options.max_retry_delay_seconds + 3600
    # Planning, status and a later run all read the stored time without overflowing.
    server.route("/news/a", Reply(body=article_html("A")))
    clock.advance(options.max_retry_delay_seconds + 3600)
    again = run_crawl([source(server)], state=state, sink=sink, options=options, clock=clock)
    assert again.fetched == 1
