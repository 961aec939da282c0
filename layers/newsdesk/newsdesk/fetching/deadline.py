"""A total deadline per fetch, enforced on every socket read: status line, headers, body, TLS.

A per-read timeout alone lets a server that drips one byte just inside it hold a fetch forever,
and a check between body chunks never sees a response stuck in its headers. Here every `recv`
first bounds the socket's timeout by what is left of the deadline, and refuses once it is spent.
The deadline belongs to the calling thread (set by `total_deadline()` around one GET, redirects
included); a pooled connection is only ever used by one thread at a time, so it reads the deadline
of whichever fetch is using it. Outside a deadline the sockets behave exactly as plain ones.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from urllib3.util.ssl_ import create_urllib3_context

_local = threading.local()


@contextmanager
def total_deadline(seconds: float | None) -> Iterator[None]:
    """Every socket read in this thread, until the block ends, finishes within `seconds` of now."""
    previous: float | None = getattr(_local, "deadline", None)
    _local.deadline = None if seconds is None else time.monotonic() + seconds
    try:
        yield
    finally:
        _local.deadline = previous


def remaining() -> float | None:
    """Seconds left before this thread's deadline (may be <= 0), or None without one."""
    deadline: float | None = getattr(_local, "deadline", None)
    return None if deadline is None else deadline - time.monotonic()


class DeadlineExceededError(TimeoutError):
    """The fetch's total deadline passed. A TimeoutError, so urllib3 reports it as a read timeout."""


class _DeadlineReads:
    """Mixed into socket classes: every receive is bounded by the thread's deadline."""

    _base_timeout: float | None = None

    def settimeout(self, value: float | None) -> None:
        # What the HTTP library asked for; _arm narrows the socket's real timeout per read.
        self._base_timeout = value
        super().settimeout(value)  # type: ignore[misc]

    def _arm(self) -> None:
        left = remaining()
        if left is None:
            super().settimeout(self._base_timeout)  # type: ignore[misc]
            return
        if left <= 0:
            raise DeadlineExceededError("the fetch's total deadline passed")
        base = self._base_timeout
        super().settimeout(left if base is None else min(base, left))  # type: ignore[misc]

    def recv(self, bufsize: int, *args: Any) -> bytes:
        self._arm()
        data: bytes = super().recv(bufsize, *args)  # type: ignore[misc]
        return data

    def recv_into(self, buffer: Any, *args: Any) -> int:
        self._arm()
        count: int = super().recv_into(buffer, *args)  # type: ignore[misc]
        return count


class DeadlineSocket(_DeadlineReads, socket.socket):
    """A plain TCP socket whose reads honour the deadline."""

    @classmethod
    def adopt(cls, sock: socket.socket) -> DeadlineSocket:
        """Take over a connected socket (its file descriptor and timeout)."""
        timeout = sock.gettimeout()
        adopted = cls(sock.family, sock.type, sock.proto, fileno=sock.detach())
        adopted.settimeout(timeout)
        return adopted


class DeadlineSSLSocket(_DeadlineReads, ssl.SSLSocket):  # type: ignore[misc]  # recv's optional args
    """A TLS socket whose reads honour the deadline (set as an SSLContext's `sslsocket_class`)."""


def deadline_ssl_context(ca_file: str) -> ssl.SSLContext:
    """urllib3's verifying client context, trusting `ca_file`, whose sockets honour the deadline.

    One context for the client: the trust store is loaded once, not on every connection.
    """
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    context.load_verify_locations(cafile=ca_file)
    context.check_hostname = True
    context.sslsocket_class = DeadlineSSLSocket
    return context
