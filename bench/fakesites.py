"""A synthetic news network on loopback for the fetcher benchmark and the scale simulation.

Each site is one loopback address (127.0.x.y, all routed to `lo` on Linux) on one shared port, so
that the fetcher sees one host per site, as it would on the web. One server socket bound to
0.0.0.0 answers for every address and tells the sites apart by the address the client dialled.
Each site serves `robots.txt`, an RSS feed of its newest articles and the article pages, after an
injected latency; a site can be made slow (latency) or failing (every request 503). ETags are
stable, so a second run sees conditional GETs answered 304. Every request is logged with the time
the server received it, per site: the benchmark checks politeness from the server's side.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

_PARAGRAPH = (
    "The council met on Tuesday to discuss the budget for the coming year, and members of the public "
    "asked about the state of the roads, the library's opening hours and the plans for the harbour. "
)


@dataclass(frozen=True)
class Site:
    address: str
    articles: int = 50
    latency: float = 0.1
    failing: bool = False
    feed_items: int | None = None  # defaults to every article

    @property
    def name(self) -> str:
        return "site-" + self.address.replace(".", "-")


def site_addresses(count: int, start: int = 2) -> list[str]:
    """`count` distinct loopback addresses, 127.0.0.2 upwards (127.0.0.1 stays for other servers)."""
    out = []
    for index in range(start, start + count):
        out.append(f"127.0.{index // 250}.{index % 250 + 2}" if index >= 250 else f"127.0.0.{index}")
    return out


def article_html(site: Site, number: int) -> bytes:
    title = f"Story {number} from {site.name}"
    body = "".join(f"<p>{_PARAGRAPH}Paragraph {i} of story {number}.</p>\n" for i in range(8))
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
        f'<meta name="author" content="Reporter {number % 7}">'
        f'<meta property="article:published_time" content="2026-11-{1 + number % 28:02d}T10:00:00+00:00">'
        f"</head><body><header><nav><a href='/'>Home</a></nav></header><main><article>"
        f"<h1>{title}</h1>{body}</article></main><footer>© {site.name}</footer></body></html>"
    ).encode()


def feed_xml(site: Site, base: str) -> bytes:
    count = site.articles if site.feed_items is None else site.feed_items
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/articles/{n}</link>"
        f"<pubDate>Mon, {1 + n % 28:02d} Nov 2026 10:00:00 GMT</pubDate></item>"
        for n in range(count)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{site.name}</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: NewsNetwork
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        address = self.connection.getsockname()[0]
        received = time.monotonic()
        site = self.server.sites.get(address)
        self.server.log(address, received, self.path)
        if site is None:
            self._send(HTTPStatus.NOT_FOUND, b"", "text/plain")
            return
        time.sleep(site.latency)  # a benchmark server: the latency is the point
        if site.failing:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"down", "text/plain")
            return
        base = f"http://{address}:{self.server.port}"
        path = urlsplit(self.path).path
        if path == "/robots.txt":
            body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
        elif path == "/feed.xml":
            body, kind = feed_xml(site, base), "application/rss+xml"
        elif path.startswith("/articles/") and path.removeprefix("/articles/").isdigit():
            number = int(path.removeprefix("/articles/"))
            if number >= site.articles:
                self._send(HTTPStatus.NOT_FOUND, b"", "text/plain")
                return
            body, kind = article_html(site, number), "text/html; charset=utf-8"
        else:
            self._send(HTTPStatus.NOT_FOUND, b"", "text/plain")
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(HTTPStatus.OK, body, kind, etag)

    def _send(self, status: HTTPStatus, body: bytes, kind: str, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the benchmark prints its own figures."""


class NewsNetwork(ThreadingHTTPServer):
    """`with NewsNetwork(sites) as net:` serves every site until the block ends."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, sites: list[Site], port: int = 0) -> None:
        super().__init__(("0.0.0.0", port), _Handler)  # one socket answers for many loopback hosts
        self.sites = {s.address: s for s in sites}
        self.port = self.server_address[1]
        self.requests: dict[str, list[tuple[float, str]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, name="news-network", daemon=True)

    def log(self, address: str, when: float, path: str) -> None:
        with self._lock:
            self.requests[address].append((when, path))

    def base_url(self, site: Site) -> str:
        return f"http://{site.address}:{self.port}"

    def sources_yaml(self, every: str | None = None) -> str:
        lines = ["sources:"]
        for site in self.sites.values():
            lines += [
                f"  - id: {site.name}",
                f"    name: {site.name}",
                f"    feeds: [{self.base_url(site)}/feed.xml]",
                f"    max_articles_per_run: {max(site.articles, 1)}",
            ]
            if every:
                lines.append(f"    every: {every}")
        return "\n".join(lines) + "\n"

    def min_gaps(self) -> dict[str, float]:
        """Per site, the shortest gap between two requests as the server saw them."""
        out = {}
        for address, entries in self.requests.items():
            times = sorted(t for t, _path in entries)
            out[address] = min((b - a for a, b in itertools.pairwise(times)), default=float("inf"))
        return out

    def __enter__(self) -> NewsNetwork:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.shutdown()
        self.server_close()
