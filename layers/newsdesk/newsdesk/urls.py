"""URL canonicalisation and stable ids: one URL, one article, whatever tracking junk it carries."""

from __future__ import annotations

import hashlib
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TrailingSlash = Literal["keep", "strip", "add"]

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
        "_ga", "_gl", "ref_src", "cmpid", "ocid", "spm", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs", "_hs")
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str, *, trailing_slash: TrailingSlash = "keep") -> str:
    """Normalise scheme and host case, default ports, fragments, tracking parameters and the path's slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += f":{parts.password}"
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or "/"
    if trailing_slash == "strip" and len(path) > 1:
        path = path.rstrip("/") or "/"
    elif trailing_slash == "add" and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    query_pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    query = urlencode(sorted(query_pairs))
    return urlunsplit((scheme, netloc, path, query, ""))


def url_id(url: str, *, trailing_slash: TrailingSlash = "keep") -> str:
    """A short stable id for the article at `url`: the same for every variant of the URL."""
    canonical = canonicalize_url(url, trailing_slash=trailing_slash)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]
