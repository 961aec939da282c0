"""URL canonicalisation and stable ids: one URL, one article, whatever tracking junk it carries."""

from __future__ import annotations

import contextlib
import hashlib
import re
from typing import Literal
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

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
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def origin_of(url: str) -> str:
    """`scheme://host[:port]` with default ports dropped: the key robots.txt and pacing work on."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
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
    host = host.lower().rstrip(".")
    allowed = allowed.lower().rstrip(".")
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
    """Normalise scheme and host case, default ports, fragments, tracking parameters and the path's slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    # IDN hosts compare in their ASCII form so that the Unicode and punycode spellings agree.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii") if host and not host.isascii() else host
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += f":{parts.password}"
        netloc = f"{userinfo}@{netloc}"
    path = _normalise_path(parts.path or "/")
    if trailing_slash == "strip" and len(path) > 1:
        path = path.rstrip("/") or "/"
    elif trailing_slash == "add" and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    query_pairs = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)
    ]
    query = urlencode(sorted(query_pairs))
    return urlunsplit((scheme, netloc, path, query, ""))


def url_id(url: str, *, trailing_slash: TrailingSlash = "keep") -> str:
    """A short stable id for the article at `url`: the same for every variant of the URL."""
    canonical = canonicalize_url(url, trailing_slash=trailing_slash)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]
