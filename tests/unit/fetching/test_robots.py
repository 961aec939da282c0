"""robots.txt rules per origin, cached with a TTL, fetched from a real server."""

from __future__ import annotations

from collections.abc import Callable

from support.http_server import Reply, TestServer, resolver_to_loopback

from newsdesk.fetching.clock import ManualClock
from newsdesk.fetching.http import FetchResponse, HttpClient
from newsdesk.fetching.robots import RobotsCache
from newsdesk.fetching.safety import AddressPolicy

UA = "NewsdeskBot/0.1 (+https://example.org/bot)"
ROBOTS = b"""User-agent: *
Disallow: /

User-agent: NewsdeskBot
Disallow: /private/
Crawl-delay: 7

Sitemap: http://news.test/sitemap.xml
"""


def fetcher(server: TestServer) -> tuple[RobotsCache, Callable[[str], FetchResponse]]:
    client = HttpClient(
        user_agent=UA,
        policy=AddressPolicy.build(
            allowed_private_hosts=[server.hostport("news.test")], resolver=resolver_to_loopback
        ),
    )

    def fetch(url: str) -> FetchResponse:
        return client.get(url)

    return RobotsCache(user_agent=UA, clock=server.clock, ttl_seconds=600), fetch


def test_rules_for_our_user_agent(server: TestServer) -> None:
    server.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain"))
    cache, fetch = fetcher(server)
    rules = cache.rules_for(server.url("/news/a", "news.test"), fetch)
    assert rules.can_fetch(server.url("/news/a", "news.test"), UA)
    assert not rules.can_fetch(server.url("/private/b", "news.test"), UA)
    assert not rules.can_fetch(server.url("/news/a", "news.test"), "OtherBot/1.0")
    assert rules.crawl_delay(UA) == 7.0
    assert rules.sitemaps == ["http://news.test/sitemap.xml"]


def test_cached_per_origin_until_the_ttl_passes(server: TestServer, clock: ManualClock) -> None:
    server.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain"))
    cache, fetch = fetcher(server)
    for path in ("/a", "/b", "/private/c"):
        cache.rules_for(server.url(path, "news.test"), fetch)
    assert server.hits("/robots.txt") == 1
    clock.advance(601)
    cache.rules_for(server.url("/d", "news.test"), fetch)
    assert server.hits("/robots.txt") == 2


def test_missing_robots_allows_all_and_server_error_disallows(server: TestServer) -> None:
    cache, fetch = fetcher(server)
    assert cache.rules_for(server.url("/x", "news.test"), fetch).can_fetch(server.url("/x", "news.test"), UA)

    server.route("/robots.txt", Reply(status=503))
    other = RobotsCache(user_agent=UA, clock=server.clock)
    assert not other.rules_for(server.url("/x", "news.test"), fetch).can_fetch(
        server.url("/x", "news.test"), UA
    )
