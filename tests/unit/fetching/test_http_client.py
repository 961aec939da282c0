"""The safe HTTP client against a real server on 127.0.0.1."""

from __future__ import annotations

import gzip
import zlib

import pytest
from support.http_server import TEST_USER_AGENT, Reply, TestServer, client_for, repeated

from newsdesk.fetching.errors import (
    BadUrlError,
    BlockedAddressError,
    BodyTooLargeError,
    FetchTimeoutError,
    HostNotAllowedError,
    HttpStatusError,
    RedirectLoopError,
    TooManyRedirectsError,
    UnsupportedSchemeError,
)
from newsdesk.fetching.http import HttpClient, UnwantedContentTypeError
from newsdesk.fetching.safety import AddressPolicy

UA = TEST_USER_AGENT


def test_fetches_body_headers_and_sends_user_agent(server: TestServer) -> None:
    server.route("/a", Reply(body=b"<html>hi</html>", headers={"ETag": '"v1"'}))
    response = client_for(server, "news.test").get(server.url("/a", "news.test"))
    assert response.status == 200
    assert response.body == b"<html>hi</html>"
    assert response.etag == '"v1"'
    assert response.content_type == "text/html"
    assert response.charset == "utf-8"
    assert server.requests_to("/a")[0].headers["user-agent"] == UA


def test_default_policy_refuses_loopback(server: TestServer) -> None:
    server.route("/a", Reply(body=b"secret"))
    with pytest.raises(BlockedAddressError):
        HttpClient(user_agent=UA).get(server.url("/a"))
    assert server.hits("/a") == 0


def test_redirect_to_loopback_is_refused_even_when_first_hop_is_allowed(server: TestServer) -> None:
    server.route("/start", Reply(status=302, headers={"Location": server.url("/internal")}))
    server.route("/internal", Reply(body=b"metadata"))
    with pytest.raises(BlockedAddressError):
        client_for(server, "news.test").get(server.url("/start", "news.test"))
    assert server.hits("/start") == 1
    assert server.hits("/internal") == 0


def test_redirects_are_followed_by_hand(server: TestServer) -> None:
    server.route("/old", Reply(status=301, headers={"Location": "/mid"}))
    server.route("/mid", Reply(status=307, headers={"Location": server.url("/new", "www.news.test")}))
    server.route("/new", Reply(body=b"moved"))
    response = client_for(server, "news.test", "www.news.test").get(server.url("/old", "news.test"))
    assert response.body == b"moved"
    assert response.final_url == server.url("/new", "www.news.test")
    assert response.redirects == (server.url("/old", "news.test"), server.url("/mid", "news.test"))


def test_redirect_loop_is_detected(server: TestServer) -> None:
    server.route("/a", Reply(status=302, headers={"Location": "/b"}))
    server.route("/b", Reply(status=302, headers={"Location": "/a"}))
    with pytest.raises(RedirectLoopError):
        client_for(server, "news.test").get(server.url("/a", "news.test"))
    assert server.hits("/a") == 1


def test_more_than_five_redirects_are_refused(server: TestServer) -> None:
    for n in range(7):
        server.route(f"/r{n}", Reply(status=302, headers={"Location": f"/r{n + 1}"}))
    server.route("/r7", Reply(body=b"end"))
    with pytest.raises(TooManyRedirectsError):
        client_for(server, "news.test").get(server.url("/r0", "news.test"))
    assert server.hits("/r5") == 1
    assert server.hits("/r6") == 0


def test_five_redirects_are_fine(server: TestServer) -> None:
    for n in range(5):
        server.route(f"/r{n}", Reply(status=302, headers={"Location": f"/r{n + 1}"}))
    server.route("/r5", Reply(body=b"end"))
    assert client_for(server, "news.test").get(server.url("/r0", "news.test")).body == b"end"


def test_redirect_to_other_scheme_is_refused(server: TestServer) -> None:
    server.route("/a", Reply(status=302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(UnsupportedSchemeError):
        client_for(server, "news.test").get(server.url("/a", "news.test"))


def test_redirect_to_host_outside_allowed_hosts_is_refused(server: TestServer) -> None:
    server.route("/a", Reply(status=302, headers={"Location": server.url("/b", "evil.test")}))
    server.route("/b", Reply(body=b"x"))
    client = client_for(server, "news.test", "evil.test")
    with pytest.raises(HostNotAllowedError):
        client.get(server.url("/a", "news.test"), allowed_hosts=["news.test"])
    assert server.hits("/b") == 0


def test_fifty_megabyte_body_is_cut_at_the_limit(server: TestServer) -> None:
    server.route("/huge", Reply(body=repeated(b"x" * 65536, 50 * 1024 * 1024)))
    with pytest.raises(BodyTooLargeError):
        client_for(server, "news.test").get(server.url("/huge", "news.test"))


def test_declared_oversize_length_is_refused_before_reading(server: TestServer) -> None:
    server.route("/big", Reply(body=b"y" * 5000))
    with pytest.raises(BodyTooLargeError):
        client_for(server, "news.test", max_body_bytes=4096).get(server.url("/big", "news.test"))


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(64)]  # 64 MB of zeros
    parts.append(compressor.flush())
    return b"".join(parts)


def test_gzip_bomb_is_cut_after_decompression(server: TestServer, gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 1024 * 1024
    server.route("/bomb", Reply(body=gzip_bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(BodyTooLargeError, match="decompressed"):
        client_for(server, "news.test").get(server.url("/bomb", "news.test"))


def test_gzip_and_deflate_bodies_are_decoded(server: TestServer) -> None:
    page = "<html><p>Привіт</p></html>".encode()
    server.route("/gz", Reply(body=gzip.compress(page), headers={"Content-Encoding": "gzip"}))
    server.route("/deflate", Reply(body=zlib.compress(page), headers={"Content-Encoding": "deflate"}))
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    server.route(
        "/raw", Reply(body=raw.compress(page) + raw.flush(), headers={"Content-Encoding": "deflate"})
    )
    client = client_for(server, "news.test")
    for path in ("/gz", "/deflate", "/raw"):
        assert client.get(server.url(path, "news.test")).body == page
    assert server.requests_to("/gz")[0].headers["accept-encoding"] == "gzip, deflate"


def test_unwanted_content_type_is_refused_before_the_body(server: TestServer) -> None:
    server.route(
        "/report.pdf", Reply(body=repeated(b"%PDF-1.7 ", 20 * 1024 * 1024), content_type="application/pdf")
    )
    client = client_for(server, "news.test")
    with pytest.raises(UnwantedContentTypeError) as caught:
        client.get(server.url("/report.pdf", "news.test"), accept_content=lambda t: t == "text/html")
    assert caught.value.content_type == "application/pdf"
    assert caught.value.reason == "non_html"


def test_slow_server_times_out(server: TestServer) -> None:
    server.route("/slow", Reply(body=b"late", delay=30))
    client = client_for(server, "news.test", read_timeout=0.2)
    with pytest.raises(FetchTimeoutError):
        client.get(server.url("/slow", "news.test"))


def test_status_errors_carry_status_and_retry_after(server: TestServer) -> None:
    server.route("/busy", Reply(status=429, headers={"Retry-After": "7"}))
    server.route("/gone", Reply(status=404))
    client = client_for(server, "news.test")
    with pytest.raises(HttpStatusError) as busy:
        client.get(server.url("/busy", "news.test"))
    assert (busy.value.status, busy.value.reason, busy.value.retryable) == (429, "http_429", True)
    assert busy.value.retry_after_header == "7"
    with pytest.raises(HttpStatusError) as gone:
        client.get(server.url("/gone", "news.test"))
    assert (gone.value.reason, gone.value.retryable) == ("http_404", False)


def test_not_modified_is_returned_not_raised(server: TestServer) -> None:
    server.route("/feed", Reply(status=304, content_type=None))
    response = client_for(server, "news.test").get(
        server.url("/feed", "news.test"), headers={"If-None-Match": '"x"'}
    )
    assert response.status == 304
    assert server.requests_to("/feed")[0].headers["if-none-match"] == '"x"'


def test_https_goes_through_the_same_address_check() -> None:
    # Refused before any TLS handshake: no server needs to listen there.
    with pytest.raises(BlockedAddressError):
        HttpClient(user_agent=UA).get("https://127.0.0.1:9/")
    rebinding = AddressPolicy.build(resolver=lambda host, port: ["169.254.169.254"])
    with pytest.raises(BlockedAddressError):
        HttpClient(user_agent=UA, policy=rebinding).get("https://metadata.example/latest/")


def test_unparseable_redirect_target_is_a_bad_url(server: TestServer) -> None:
    server.route("/a", Reply(status=302, headers={"Location": "http://news.test:99999/x"}))
    with pytest.raises(BadUrlError) as caught:
        client_for(server, "news.test").get(server.url("/a", "news.test"))
    assert not caught.value.retryable
