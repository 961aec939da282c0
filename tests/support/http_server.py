"""A real HTTP server on 127.0.0.1 for fetcher tests: scripted replies, recorded requests.

Routes map a path (with or without query) to a `Reply`, a list of replies served in turn (the
last one repeats), or a function of the request. Bodies may be a generator, streamed without
ever being held whole in memory, so tests can offer 50 MB without allocating it.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from newsdesk.fetching.http import HttpClient
from newsdesk.fetching.safety import AddressPolicy


@dataclass
class Reply:
    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds before the status line: a slow server
    # Seconds between the bytes of an endless header after the status line: a server that never
    # finishes its headers but never falls silent long enough for a read timeout.
    header_drip: float = 0.0
    # Bytes written after a bytes body, beyond its Content-Length: a short length that could
    # desynchronise a kept-alive connection.
    extra: bytes = b""


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    host: str
    at: float  # from the server's `clock` (a test's ManualClock), else time.monotonic()
    client_port: int = 0  # tells connections apart: two requests, one port = a kept-alive connection


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up on purpose (cut bodies, timeouts) are the point of these tests


Route = Reply | list[Reply] | Callable[[Request], Reply]


class TestServer:
    """`with TestServer() as server: server.route('/a', Reply(body=b'...')); server.url('/a')`."""

    __test__ = False  # not a pytest test class

    def __init__(self, clock: Any = None, *, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.clock = clock
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        if tls is not None:
            # The handshake happens on the first read, in the request's own thread.
            self._httpd.socket = tls.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self.scheme = "https" if tls is not None else "http"
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> TestServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def hostport(self, host: str) -> str:
        return f"{host}:{self.port}"

    def route(self, path: str, *replies: Reply | Callable[[Request], Reply]) -> None:
        if len(replies) == 1:
            self.routes[path] = replies[0]
        else:
            self.routes[path] = [r for r in replies if isinstance(r, Reply)]

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # -- the handler ---------------------------------------------------------------------------------

    def _reply_for(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            route = self.routes.get(request.path) or self.routes.get(request.path.split("?", 1)[0])
            if route is None:
                return Reply(status=404, body=b"not found", content_type="text/plain")
            if isinstance(route, list):
                return route.pop(0) if len(route) > 1 else route[0]
        return route(request) if callable(route) else route

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                at = server.clock.time() if server.clock is not None else time.monotonic()
                request = Request(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.headers.get("Host", ""),
                    at,
                    self.client_address[1],
                )
                reply = server._reply_for(request)
                if reply.delay and server._stopping.wait(reply.delay):
                    return
                try:
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _send(self, reply: Reply) -> None:
                if reply.header_drip:
                    self._drip_headers(reply)
                    return
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if isinstance(reply.body, bytes):
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body + reply.extra)
                    return
                # A streamed body without a length ends when the connection does.
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                for chunk in reply.body():
                    if server._stopping.is_set():
                        return
                    self.wfile.write(chunk)

            def _drip_headers(self, reply: Reply) -> None:
                self.close_connection = True
                self.wfile.write(f"HTTP/1.1 {reply.status} OK\r\nX-Slow: ".encode())
                self.wfile.flush()
                while not server._stopping.wait(reply.header_drip):
                    self.wfile.write(b"a")
                    self.wfile.flush()

        return Handler

    def drip(self, interval: float, chunk: bytes = b"x") -> Callable[[], Iterator[bytes]]:
        """A streamed body of one `chunk` every `interval` seconds, until the server stops."""

        def generate() -> Iterator[bytes]:
            while not self._stopping.wait(interval):
                yield chunk

        return generate


def repeated(chunk: bytes, total: int) -> Callable[[], Iterator[bytes]]:
    """A body of `total` bytes produced chunk by chunk, never allocated whole."""

    def generate() -> Iterator[bytes]:
        sent = 0
        while sent < total:
            piece = chunk[: total - sent]
            sent += len(piece)
            yield piece

    return generate


def resolver_to_loopback(host: str, port: int) -> list[str]:
    """Every made-up test host (news.test, other.test) lives on 127.0.0.1."""
    return ["127.0.0.1"]


TEST_USER_AGENT = "NewsdeskTest/1.0 (+https://example.org/bot)"


def client_for(server: TestServer, *hosts: str, **kwargs: Any) -> HttpClient:
    """A client that may reach the test server only under the given made-up names."""
    policy = AddressPolicy.build(
        allowed_private_hosts=[server.hostport(h) for h in hosts], resolver=resolver_to_loopback
    )
    return HttpClient(user_agent=TEST_USER_AGENT, policy=policy, **kwargs)
