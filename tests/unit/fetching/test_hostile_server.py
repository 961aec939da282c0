"""A hostile server on 127.0.0.1: whatever it sends, one fetch ends, bounded, with a typed error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.http_server import Reply, TestServer, client_for
from support.tls import make_certificates

from newsdesk.fetching.clock import MAX_AHEAD_SECONDS, ManualClock, clamp_time, utc_datetime
from newsdesk.fetching.errors import (
    ConnectionFailedError,
    FetchTimeoutError,
    HostNotAllowedError,
    HttpStatusError,
    UrlTooLongError,
)
from newsdesk.fetching.retries import MAX_RETRY_AFTER_SECONDS, RetryPolicy, retry_after_of, with_retries
from newsdesk.urls import MAX_URL_LENGTH

# Per-read timeouts far longer than the total deadline: only the deadline can end these fetches.
PATIENT = {"read_timeout": 30.0, "connect_timeout": 30.0, "total_timeout": 0.5}


def test_a_body_dripping_forever_ends_at_the_total_deadline(server: TestServer) -> None:
    server.route("/drip", Reply(body=server.drip(0.05)))
    with pytest.raises(FetchTimeoutError):
        client_for(server, "news.test", **PATIENT).get(server.url("/drip", "news.test"))


def test_headers_dripping_forever_end_at_the_total_deadline(server: TestServer) -> None:
    server.route("/slow-headers", Reply(header_drip=0.05))
    with pytest.raises(FetchTimeoutError):
        client_for(server, "news.test", **PATIENT).get(server.url("/slow-headers", "news.test"))


def test_the_deadline_is_per_fetch_so_the_next_fetch_gets_its_own(server: TestServer) -> None:
    server.route("/drip", Reply(body=server.drip(0.05)))
    server.route("/ok", Reply(body=b"fine"))
    client = client_for(server, "news.test", **PATIENT)
    with pytest.raises(FetchTimeoutError):
        client.get(server.url("/drip", "news.test"))
    assert client.get(server.url("/ok", "news.test")).body == b"fine"
    assert client.get(server.url("/ok", "news.test")).body == b"fine"  # a kept-alive connection


def test_absurd_retry_after_is_a_bounded_backoff(server: TestServer, clock: ManualClock) -> None:
    server.route("/busy", Reply(status=429, headers={"Retry-After": "99999999999999999999"}))
    client = client_for(server, "news.test")
    with pytest.raises(HttpStatusError) as caught:
        with_retries(lambda: client.get(server.url("/busy", "news.test")), policy=RetryPolicy(), clock=clock)
    # Longer than a run may wait: failed for now, not slept on...
    assert clock.sleeps == []
    assert server.hits("/busy") == 1
    # ...and the next attempt is a day away at most, a time that stores and prints.
    wait = retry_after_of(caught.value, clock.time())
    assert wait == MAX_RETRY_AFTER_SECONDS
    next_attempt = clamp_time(clock.time() + wait, clock.time())
    assert next_attempt <= clock.time() + MAX_AHEAD_SECONDS
    assert utc_datetime(next_attempt).year < 2100


def test_unicode_allowed_hosts_admit_punycode_urls(server: TestServer) -> None:
    server.route("/a", Reply(body=b"idn"))
    client = client_for(server, "www.xn--e1afmkfd.test")
    url = server.url("/a", "www.xn--e1afmkfd.test")
    assert client.get(url, allowed_hosts=["пример.test"]).body == b"idn"
    with pytest.raises(HostNotAllowedError):
        client.get(url, allowed_hosts=["другой.test"])


def test_a_redirect_to_an_overlong_url_is_refused_unfetched(server: TestServer) -> None:
    long_path = "/" + "a" * MAX_URL_LENGTH
    server.route("/a", Reply(status=302, headers={"Location": long_path}))
    with pytest.raises(UrlTooLongError) as caught:
        client_for(server, "news.test").get(server.url("/a", "news.test"))
    assert caught.value.reason == "url_too_long"
    assert server.hits(long_path) == 0


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[TestServer, str]]:
    certificates = make_certificates(tmp_path, "news.test")
    with TestServer(tls=certificates.server_context) as server:
        yield server, certificates.ca_file


def test_https_is_verified_and_fetched_through_deadline_sockets(tls_server: tuple[TestServer, str]) -> None:
    server, ca_file = tls_server
    server.route("/a", Reply(body=b"secure"))
    client = client_for(server, "news.test", "other.test", ca_file=ca_file)
    assert client.get(server.url("/a", "news.test")).body == b"secure"
    assert client.get(server.url("/a", "news.test")).body == b"secure"
    with pytest.raises(ConnectionFailedError):  # the certificate names news.test only
        client.get(server.url("/a", "other.test"))


def test_https_body_dripping_forever_ends_at_the_total_deadline(tls_server: tuple[TestServer, str]) -> None:
    server, ca_file = tls_server
    server.route("/drip", Reply(body=server.drip(0.05)))
    server.route("/slow-headers", Reply(header_drip=0.05))
    client = client_for(server, "news.test", ca_file=ca_file, **PATIENT)
    with pytest.raises(FetchTimeoutError):
        client.get(server.url("/drip", "news.test"))
    with pytest.raises(FetchTimeoutError):
        client.get(server.url("/slow-headers", "news.test"))


def test_a_body_longer_than_its_content_length_does_not_poison_the_connection(server: TestServer) -> None:
    smuggled = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nEVIL!"
    server.route("/short", Reply(body=b"hello", extra=smuggled + b"x" * 20_000))
    server.route("/next", Reply(body=b"the real page"))
    client = client_for(server, "news.test")
    assert client.get(server.url("/short", "news.test")).body == b"hello"
    assert client.get(server.url("/next", "news.test")).body == b"the real page"
    assert client.get(server.url("/next", "news.test")).body == b"the real page"
    short, first, second = (*server.requests_to("/short"), *server.requests_to("/next"))
    assert first.client_port != short.client_port  # the overrun connection was closed...
    assert second.client_port == first.client_port  # ...while a clean one is kept alive


def test_the_deadline_covers_the_whole_redirect_chain(server: TestServer) -> None:
    # Each hop answers well within the read timeout; together they outlast the total deadline.
    for n in range(5):
        server.route(f"/hop{n}", Reply(status=302, headers={"Location": f"/hop{n + 1}"}, delay=0.2))
    server.route("/hop5", Reply(body=b"too late"))
    with pytest.raises(FetchTimeoutError):
        client_for(server, "news.test", **PATIENT).get(server.url("/hop0", "news.test"))
    assert server.hits("/hop5") == 0
