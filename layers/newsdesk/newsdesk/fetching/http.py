"""A small, safe HTTP GET: hand-followed redirects, checked addresses, streamed and capped bodies.

Built on urllib3 (which requests uses) because it lets the connection class decide which socket to
open: every hop's resolved address is checked there (`newsdesk.fetching.safety`). Bodies are
decoded and capped by `newsdesk.fetching.body`; the whole fetch is bounded by a total deadline on
every socket read (`newsdesk.fetching.deadline`). Retries live in `newsdesk.fetching.retries`.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationValueError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util import connection as urllib3_connection
from urllib3.util.wait import wait_for_read

from newsdesk.fetching.body import BodyFullError, BoundedBody
from newsdesk.fetching.deadline import DeadlineSocket, deadline_ssl_context, remaining, total_deadline
from newsdesk.fetching.errors import (
    BadUrlError,
    BodyTooLargeError,
    ConnectionFailedError,
    FetchError,
    FetchTimeoutError,
    HostNotAllowedError,
    HttpStatusError,
    NameResolutionFailedError,
    RedirectLoopError,
    TooManyRedirectsError,
    UnsupportedSchemeError,
)
from newsdesk.fetching.safety import AddressPolicy
from newsdesk.rawpage import MAX_PAGE_BYTES
from newsdesk.urls import HTTP_SCHEMES, check_url_length, host_matches, normalise_host

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024
HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


class UnwantedContentTypeError(FetchError):
    """The response's content type is not one the caller wants (a PDF where HTML was expected)."""

    reason = "non_html"

    def __init__(self, message: str, *, url: str | None = None, content_type: str | None = None) -> None:
        super().__init__(message, url=url)
        self.content_type = content_type


@dataclass(frozen=True)
class FetchResponse:
    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes = field(repr=False)
    redirects: tuple[str, ...] = ()
    truncated: bool = False  # the body is the first max_body_bytes of a longer one (truncate=True)

    @property
    def content_type(self) -> str | None:
        """The media type alone, lower-cased ('text/html'), or None when the server sent none."""
        value = self.headers.get("content-type")
        if not value:
            return None
        return value.split(";", 1)[0].strip().lower() or None

    @property
    def charset(self) -> str | None:
        return charset_from_content_type(self.headers.get("content-type"))

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def charset_from_content_type(value: str | None) -> str | None:
    if not value:
        return None
    for param in value.split(";")[1:]:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip().strip("\"'").strip()
            return charset or None
    return None


# -- connections that check the address they open -------------------------------------------------


class _CheckedConnectionMixin:
    """Resolves through the AddressPolicy and connects only to an address it allowed."""

    address_policy: AddressPolicy
    _dns_host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        addresses = self.address_policy.addresses_for(self._dns_host, self.port)
        last_error: Exception | None = None
        for address in addresses:
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port),
                    _connect_timeout(self.timeout),
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
                return DeadlineSocket.adopt(sock)
            except TimeoutError as exc:
                last_error = ConnectTimeoutError(self, f"connecting to {self._dns_host} timed out: {exc}")
            except OSError as exc:
                last_error = NewConnectionError(self, f"cannot connect to {self._dns_host}: {exc}")  # type: ignore[arg-type]
        assert last_error is not None
        raise last_error


def _connect_timeout(timeout: Any) -> Any:
    """The connect timeout, shortened to what is left of the fetch's total deadline."""
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise ConnectTimeoutError(None, "the fetch's total deadline passed before connecting")
    return min(timeout, left) if isinstance(timeout, int | float) else left


def _pool_manager(policy: AddressPolicy, maxsize: int, ca_file: str) -> urllib3.PoolManager:
    # urllib3 builds connections from class attributes, so the policy is bound into subclasses.
    http_conn = type(
        "CheckedHTTPConnection", (_CheckedConnectionMixin, HTTPConnection), {"address_policy": policy}
    )
    https_conn = type(
        "CheckedHTTPSConnection", (_CheckedConnectionMixin, HTTPSConnection), {"address_policy": policy}
    )
    http_pool = type("CheckedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("CheckedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
    manager = urllib3.PoolManager(
        num_pools=64, maxsize=maxsize, block=False, ssl_context=deadline_ssl_context(ca_file)
    )
    manager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}
    return manager


def _overran(response: Any) -> bool:
    """The server sent more than the response it declared: the connection is readable when idle."""
    connection = response.connection
    sock = getattr(connection, "sock", None)
    return sock is not None and wait_for_read(sock, timeout=0.0)


# -- the client ------------------------------------------------------------------------------------


class HttpClient:
    """GET with redirects followed by hand, each hop checked (scheme, allowed hosts, address)."""

    def __init__(
        self,
        *,
        user_agent: str,
        policy: AddressPolicy | None = None,
        max_body_bytes: int = MAX_PAGE_BYTES,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        total_timeout: float | None = 120.0,
        max_redirects: int = 5,
        pool_size: int = 8,
        ca_file: str | None = None,
    ) -> None:
        """`ca_file` (PEM) is the trust store; None means requests' CA bundle (certifi), the same
        wherever the fetcher runs."""
        self.user_agent = user_agent
        self.policy = policy or AddressPolicy()
        self.max_body_bytes = max_body_bytes
        self.timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        self.total_timeout = total_timeout
        self.max_redirects = max_redirects
        self._manager = _pool_manager(self.policy, pool_size, ca_file or certifi.where())

    def close(self) -> None:
        self._manager.clear()

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        allowed_hosts: Sequence[str] | None = None,
        accept_content: Callable[[str | None], bool] | None = None,
        max_body_bytes: int | None = None,
        truncate: bool = False,
    ) -> FetchResponse:
        """Fetch `url`. Returns 2xx and 304 responses; raises a FetchError subclass for anything else.

        `allowed_hosts` (None: any host) applies to every hop. `accept_content` sees the final media
        type before the body is read, so an unwanted PDF is never downloaded. The whole call,
        redirects, headers and body included, ends within `total_timeout`: every socket read is
        bounded by what is left of it (`newsdesk.fetching.deadline`). A body over the limit raises
        BodyTooLargeError, or with `truncate` is cut there (`truncated` says so).
        """
        with total_deadline(self.total_timeout):
            return self._get(
                url,
                headers=headers,
                allowed_hosts=allowed_hosts,
                accept_content=accept_content,
                max_body_bytes=max_body_bytes,
                truncate=truncate,
            )

    def _get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None,
        allowed_hosts: Sequence[str] | None,
        accept_content: Callable[[str | None], bool] | None,
        max_body_bytes: int | None,
        truncate: bool,
    ) -> FetchResponse:
        limit = self.max_body_bytes if max_body_bytes is None else max_body_bytes
        request_headers = {
            "User-Agent": self.user_agent,
            "Accept-Encoding": "gzip, deflate",
            "Accept": HTML_ACCEPT,
        }
        request_headers.update(headers or {})
        visited: list[str] = []
        current = url
        while True:
            self._check_hop(current, allowed_hosts, origin=url)
            if current in visited:
                raise RedirectLoopError(f"redirect loop: {' -> '.join([*visited, current])}", url=url)
            visited.append(current)
            response = self._open(current, request_headers)
            fully_read = False
            try:
                status = response.status
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise HttpStatusError(status, url=current)
                    if len(visited) > self.max_redirects:
                        raise TooManyRedirectsError(
                            f"more than {self.max_redirects} redirects from {url}", url=url
                        )
                    current = urljoin(current, location.strip())
                    continue
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                if status == 304:
                    fully_read = True
                    return FetchResponse(url, current, status, response_headers, b"", tuple(visited[:-1]))
                if not 200 <= status < 300:
                    raise HttpStatusError(
                        status, url=current, retry_after_header=response.headers.get("retry-after")
                    )
                if accept_content is not None:
                    media = FetchResponse(url, current, status, response_headers, b"").content_type
                    if not accept_content(media):
                        raise UnwantedContentTypeError(
                            f"{current} is {media or 'of no declared type'}", url=current, content_type=media
                        )
                body, truncated = self._read_body(response, current, limit, truncate)
                fully_read = not truncated
                return FetchResponse(
                    url, current, status, response_headers, body, tuple(visited[:-1]), truncated
                )
            finally:
                # A connection with unread body (redirect, error page, refused PDF, cut body) is
                # dropped rather than drained: draining could mean reading what we just refused.
                # So is one with bytes past the end of its body (a short Content-Length): kept,
                # they would be read as the start of the next response on that connection.
                if not fully_read or _overran(response):
                    response.close()
                response.release_conn()

    def _check_hop(self, url: str, allowed_hosts: Sequence[str] | None, *, origin: str) -> None:
        check_url_length(url)
        try:
            parts = urlsplit(url)
            host = normalise_host(parts.hostname or "")
            _ = parts.port  # raises on a malformed port
        except ValueError as exc:
            raise BadUrlError(f"malformed URL {url[:200]!r}: {exc}", url=origin) from exc
        if parts.scheme.lower() not in HTTP_SCHEMES or not host:
            raise UnsupportedSchemeError(f"only http(s) URLs are fetched, not {url!r}", url=origin)
        if allowed_hosts is not None and not any(host_matches(host, a) for a in allowed_hosts):
            raise HostNotAllowedError(f"{host} is not an allowed host for this source", url=origin)

    def _open(self, url: str, headers: Mapping[str, str]) -> Any:
        try:
            return self._manager.urlopen(
                "GET",
                url,
                headers=dict(headers),
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
                timeout=self.timeout,
            )
        except FetchError:
            raise
        except (LocationValueError, ValueError) as exc:  # before HTTPError: it is one too
            raise BadUrlError(f"cannot request {url!r}: {exc}", url=url) from exc
        except (ConnectTimeoutError, ReadTimeoutError, TimeoutError) as exc:
            raise FetchTimeoutError(f"timed out fetching {url}: {exc}", url=url) from exc
        except NameResolutionError as exc:
            raise NameResolutionFailedError(f"cannot resolve host of {url}", url=url) from exc
        except (HTTPError, OSError) as exc:
            raise ConnectionFailedError(f"connection failed for {url}: {exc}", url=url) from exc

    def _read_body(self, response: Any, url: str, limit: int, truncate: bool) -> tuple[bytes, bool]:
        """The body and whether it was truncated at `limit`."""
        declared = response.headers.get("content-length")
        encoding = response.headers.get("content-encoding")
        if (
            not truncate
            and declared
            and declared.isdigit()
            and not encoding
            # By length first: int() of a 5,000-digit header raises.
            and (len(declared) > 18 or int(declared) > limit)
        ):
            raise BodyTooLargeError(f"{url} declares {declared} bytes, over the {limit} limit", url=url)
        body = BoundedBody(encoding, limit, url, truncate=truncate)
        try:
            for chunk in response.stream(CHUNK_SIZE, decode_content=False):
                body.feed(chunk)
        except BodyFullError:
            return body.prefix(), True
        except (ReadTimeoutError, TimeoutError) as exc:
            raise FetchTimeoutError(f"timed out reading {url}: {exc}", url=url) from exc
        except (HTTPError, OSError) as exc:
            raise ConnectionFailedError(f"connection broke reading {url}: {exc}", url=url) from exc
        return body.finish(), False
