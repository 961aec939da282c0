"""URL canonicalisation: every variant of one article URL gets one id."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.fetching.errors import UrlTooLongError
from newsdesk.urls import (
    MAX_URL_LENGTH,
    canonicalize_url,
    host_matches,
    host_of,
    is_http_url,
    origin_of,
    resolve_link,
    url_id,
)


def test_tracking_parameters_case_ports_and_fragments_are_normalised() -> None:
    variants = [
        "https://news.example.com/world/story-1?id=7",
        "HTTPS://News.Example.COM:443/world/story-1?utm_source=twitter&id=7&utm_medium=social",
        "https://news.example.com/world/story-1?fbclid=abc&id=7#comments",
        "https://news.example.com./world/story-1?gclid=x&id=7&mc_cid=1",
    ]
    assert {canonicalize_url(v) for v in variants} == {"https://news.example.com/world/story-1?id=7"}
    assert len({url_id(v) for v in variants}) == 1


def test_meaningful_query_parameters_are_kept_and_sorted() -> None:
    assert canonicalize_url("http://a.test/s?page=2&q=kyiv") == canonicalize_url(
        "http://a.test/s?q=kyiv&page=2"
    )
    assert url_id("http://a.test/s?page=2") != url_id("http://a.test/s?page=3")


def test_non_default_port_and_scheme_distinguish_urls() -> None:
    assert canonicalize_url("http://a.test:8080/x") == "http://a.test:8080/x"
    assert url_id("http://a.test/x") != url_id("https://a.test/x")


def test_trailing_slash_policy_per_source() -> None:
    assert canonicalize_url("https://a.test/news/story", trailing_slash="add") == "https://a.test/news/story/"
    assert (
        canonicalize_url("https://a.test/news/story/", trailing_slash="strip") == "https://a.test/news/story"
    )
    assert (
        canonicalize_url("https://a.test/files/x.pdf", trailing_slash="add") == "https://a.test/files/x.pdf"
    )
    assert canonicalize_url("https://a.test/news/story/") != canonicalize_url("https://a.test/news/story")
    assert url_id("https://a.test/n/s", trailing_slash="add") == url_id(
        "https://a.test/n/s/", trailing_slash="add"
    )


def test_percent_encoding_variants_agree() -> None:
    assert canonicalize_url("https://a.test/caf%c3%a9") == canonicalize_url("https://a.test/café")
    assert canonicalize_url("https://a.test/%7Euser") == "https://a.test/~user"
    assert canonicalize_url("https://a.test/a%2Fb") == "https://a.test/a%2Fb"


def test_idn_hosts_compare_in_ascii() -> None:
    assert canonicalize_url("https://пример.рф/x") == canonicalize_url("https://xn--e1afmkfd.xn--p1ai/x")


def test_unicode_allowed_hosts_match_punycode_urls_both_ways() -> None:
    canonical_host = host_of(canonicalize_url("https://www.пример.test/a"))
    assert canonical_host == "www.xn--e1afmkfd.test"
    assert host_matches(canonical_host, "пример.test")
    assert host_matches("www.пример.test", "xn--e1afmkfd.test")
    assert host_matches("ПРИМЕР.test.", "пример.test")
    assert not host_matches(canonical_host, "другой.test")


def test_credentials_are_stripped_so_they_are_never_stored_or_a_second_article() -> None:
    with_credentials = "http://user:secret@news.test/a"
    assert canonicalize_url(with_credentials) == "http://news.test/a"
    assert canonicalize_url("http://user@news.test:8080/a") == "http://news.test:8080/a"
    assert url_id(with_credentials) == url_id("http://news.test/a")


def test_overlong_urls_are_a_typed_error() -> None:
    at_limit = "https://news.test/" + "a" * (MAX_URL_LENGTH - len("https://news.test/"))
    assert canonicalize_url(at_limit) == at_limit
    with pytest.raises(UrlTooLongError) as error:
        url_id(at_limit + "a")
    assert error.value.reason == "url_too_long" and not error.value.retryable
    # Measured on the canonical form: escaping can make a short-looking URL long.
    with pytest.raises(UrlTooLongError):
        canonicalize_url("https://news.test/" + "é" * 400)
    # ...and tracking junk that canonicalisation drops does not count.
    assert canonicalize_url("https://news.test/a?utm_source=" + "x" * 5000) == "https://news.test/a"


def test_link_resolution_and_scheme_checks() -> None:
    assert (
        resolve_link("https://a.test/news/", "../about?utm_source=x") == "https://a.test/about?utm_source=x"
    )
    assert resolve_link("https://a.test/", "mailto:x@a.test") is None
    assert resolve_link("https://a.test/", "javascript:alert(1)") is None
    assert resolve_link("https://a.test/", "#top") is None
    assert is_http_url("https://a.test/x") and not is_http_url("ftp://a.test/x") and not is_http_url("/x")
    assert origin_of("HTTPS://A.test:443/x?y") == "https://a.test"
    assert origin_of("http://127.0.0.1:8080/robots.txt") == "http://127.0.0.1:8080"
    assert host_matches("www.a.test", "a.test") and not host_matches("evila.test", "a.test")


@settings(deadline=None)  # a loaded CI machine must not fail a correctness property
@given(
    path=st.lists(st.text(alphabet="abcXYZ09-_.~é ", min_size=1, max_size=8), max_size=4),
    params=st.lists(
        st.tuples(st.sampled_from(["id", "utm_source", "page", "fbclid"]), st.text("ab1", max_size=3))
    ),
    slash=st.sampled_from(["keep", "strip", "add"]),
)
def test_canonicalisation_is_idempotent(path: list[str], params: list[tuple[str, str]], slash: str) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    url = "https://Example.test/" + "/".join(path) + (f"?{query}" if query else "")
    once = canonicalize_url(url, trailing_slash=slash)  # type: ignore[arg-type]
    assert canonicalize_url(once, trailing_slash=slash) == once  # type: ignore[arg-type]
    assert "utm_source" not in once and "fbclid" not in once
