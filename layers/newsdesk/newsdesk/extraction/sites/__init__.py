"""Site adapters as data: which CSS selectors hold a known site's body, and what to drop inside it.

An adapter is chosen by the page itself - the fetch URL's host, or the canonical URL's host, or
og:site_name - so a copy of a known site's page served from anywhere (e.g. the local demo site on
127.0.0.1) still gets its adapter.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from newsdesk.extraction.sites.base import SiteAdapter
from newsdesk.extraction.sites.kyiv_independent import KYIV_INDEPENDENT

ADAPTERS: tuple[SiteAdapter, ...] = (KYIV_INDEPENDENT,)


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url.strip()).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


def _host_matches(host: str, adapter: SiteAdapter) -> bool:
    return bool(host) and any(host == h or host.endswith("." + h) for h in adapter.hosts)


def choose_adapter(
    url: str | None,
    canonical_url: str | None,
    site_name: str | None,
    adapters: tuple[SiteAdapter, ...] | None = None,
) -> SiteAdapter | None:
    candidates = ADAPTERS if adapters is None else adapters
    for host in (_host(url), _host(canonical_url)):
        for adapter in candidates:
            if _host_matches(host, adapter):
                return adapter
    name = (site_name or "").strip().casefold()
    if name:
        for adapter in candidates:
            if name in (n.casefold() for n in adapter.site_names):
                return adapter
    return None


__all__ = ["ADAPTERS", "SiteAdapter", "choose_adapter"]
