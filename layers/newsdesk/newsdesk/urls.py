"""URL canonicalisation and stable ids: one URL, one article, whatever tracking junk it carries."""

from __future__ import annotations

import contextlib
import hashlib
import re
from typing import Literal
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from newsdesk.fetching.errors import UrlTooLongError

TrailingSlash = Literal["keep", "strip", "add"]

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
        "_ga", "_gl", "ref_src", "cmpid", "ocid", "spm", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
        "twclid", "ttclid", "li_fat_id", "s_cid", "at_medium", "at_campaign", "guccounter",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs", "_hs")
DEFAULT_PORTS = {"http": 80, "https": 443}
HTTP_SCHEMES = frozenset(DEFAULT_PORTS)
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
# Longest canonical URL kept. Browsers and crawlers stop near 2,000 characters, and the crawl state
# keys items by URL: DynamoDB refuses a key over 2,048 bytes, so one absurd link must stop here.
MAX_URL_LENGTH = 2000


def normalise_host(host: str) -> str:
    """The form hosts are compared and stored in: lower case, no trailing dot, IDNA (punycode).

    Applied to both sides of every comparison, so `пример.test` in a source's allowed_hosts
    matches the `xn--e1afmkfd.test` of a canonical URL.
    """
    host = host.strip().lower().rstrip(".")
    if host and not host.isascii():
        # Not a valid IDN: left as written, it can only match itself.
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    return host


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def is_http_url(url: str) -> bool:
    """True for absolute http(s) URLs with a host: the only ones newsdesk ever fetches."""
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in HTTP_SCHEMES and bool(parts.hostname)
    except ValueError:
        return False


def host_of(url: str) -> str:
    """The lower-cased host of `url` without port or trailing dot ('' when there is none)."""
    try:
        return normalise_host(urlsplit(url.strip()).hostname or "")
    except ValueError:
        return ""


def origin_of(url: str) -> str:
    """`scheme://host[:port]` with default ports dropped: the key robots.txt and pacing work on."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = normalise_host(parts.hostname or "")
    port = parts.port
    if ":" in host:
        host = f"[{host}]"
    return (
        f"{scheme}://{host}"
        if port is None or DEFAULT_PORTS.get(scheme) == port
        else f"{scheme}://{host}:{port}"
    )


def host_matches(host: str, allowed: str) -> bool:
    """`host` is `allowed` itself or one of its subdomains (www.example.com matches example.com)."""
    host = normalise_host(host)
    allowed = normalise_host(allowed)
    return host == allowed or host.endswith("." + allowed)


def resolve_link(base_url: str, href: str) -> str | None:
    """Absolute http(s) URL for a link found on `base_url`, or None for mailto:, javascript: and junk."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        absolute = urljoin(base_url, href)
    except ValueError:
        return None
    return absolute if is_http_url(absolute) else None


_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalise_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _normalise_path(path: str) -> str:
    # RFC 3986 normalisation: escapes upper-cased, unreserved characters unescaped, raw non-ASCII
    # escaped as UTF-8, so /caf%c3%a9, /caf%C3%A9 and /café are one article. %2F stays escaped.
    return quote(_ESCAPE.sub(_normalise_escape, path), safe=_PATH_SAFE + "%")


def canonicalize_url(url: str, *, trailing_slash: TrailingSlash = "keep") -> str:
    """Normalise scheme and host case, default ports, fragments, tracking parameters and the path's slash.

    Credentials (`user:secret@`) are dropped: they must never be stored, and the URL with and
    without them is one article. Raises UrlTooLongError (a ValueError) past MAX_URL_LENGTH.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = normalise_host(parts.hostname or "")
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = _normalise_path(parts.path or "/")
    if trailing_slash == "strip" and len(path) > 1:
        path = path.rstrip("/") or "/"
    elif trailing_slash == "add" and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    query_pairs = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)
    ]
    query = urlencode(sorted(query_pairs))
    canonical = urlunsplit((scheme, netloc, path, query, ""))
    check_url_length(canonical)
    return canonical


def check_url_length(url: str) -> None:
    """Raise UrlTooLongError when `url` is longer than MAX_URL_LENGTH characters."""
    if len(url) > MAX_URL_LENGTH:
        raise UrlTooLongError(
            f"URL of {len(url)} characters is over the {MAX_URL_LENGTH} limit: {url[:80]}...", url=url[:200]
        )


def url_id(url: str, *, trailing_slash: TrailingSlash = "keep") -> str:
    """A short stable id for the article at `url`: the same for every variant of the URL."""
    canonical = canonicalize_url(url, trailing_slash=trailing_slash)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]
