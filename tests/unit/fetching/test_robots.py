"""robots.txt rules per origin, cached with a TTL, fetched from a real server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from support.http_server import Reply, TestServer, repeated, resolver_to_loopback

from newsdesk.fetching.clock import ManualClock
from newsdesk.fetching.errors import BlockedAddressError
from newsdesk.fetching.http import FetchResponse, HttpClient
from newsdesk.fetching.robots import MAX_ROBOTS_BYTES, RobotsCache, fetch_robots_txt
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


def test_a_twelve_megabyte_robots_txt_is_parsed_from_its_start(server: TestServer) -> None:
    head = b"User-agent: *\nDisallow: /private/\nAllow: /news/world\n"
    filler = repeated(b"# " + b"x" * 1021 + b"\n", 12 * 1024 * 1024)
    server.route("/robots.txt", Reply(body=lambda: iter([head, *filler()]), content_type="text/plain"))
    client = HttpClient(
        user_agent=UA,
        policy=AddressPolicy.build(
            allowed_private_hosts=[server.hostport("news.test")], resolver=resolver_to_loopback
        ),
    )
    response = fetch_robots_txt(client, server.url("/robots.txt", "news.test"))
    assert response.truncated and len(response.body) == MAX_ROBOTS_BYTES

    cache = RobotsCache(user_agent=UA, clock=server.clock)
    rules = cache.rules_for(server.url("/", "news.test"), lambda url: fetch_robots_txt(client, url))
    assert not rules.unavailable
    assert not rules.can_fetch(server.url("/private/a", "news.test"), UA)
    assert rules.can_fetch(server.url("/news/world/a", "news.test"), UA)


def test_a_cut_inside_a_rule_drops_the_partial_line(server: TestServer) -> None:
    rules_head = b"User-agent: *\nDisallow: /\n"
    # The limit falls just after "Allow: /n".
    filler = b"#" * (MAX_ROBOTS_BYTES - len(rules_head) - 1 - len(b"Allow: /n"))
    head = rules_head + filler + b"\nAllow: /news/world\n"
    server.route("/robots.txt", Reply(body=head, content_type="text/plain"))
    cache, fetch = fetcher(server)
    rules = cache.rules_for(server.url("/", "news.test"), fetch)
    # Kept, the cut line would read "Allow: /n" and open /news/a: it is dropped instead.
    assert not rules.can_fetch(server.url("/news/a", "news.test"), UA)


def test_a_host_on_a_private_address_is_blocked_not_robots_unavailable(server: TestServer) -> None:
    server.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain"))
    client = HttpClient(user_agent=UA)  # the default policy: public addresses only
    cache = RobotsCache(user_agent=UA, clock=server.clock)
    with pytest.raises(BlockedAddressError) as caught:
        cache.rules_for(server.url("/a"), lambda url: fetch_robots_txt(client, url))
    assert (caught.value.reason, caught.value.retryable) == ("blocked_address", False)
    assert server.hits("/robots.txt") == 0
