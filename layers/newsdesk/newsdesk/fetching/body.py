"""A response body collected with Content-Encoding decoded on the fly and a cap on its size.

Decoding here, incrementally and bounded by the decompressed size, means a gzip bomb costs at most
the limit in memory whatever its ratio.
"""

from __future__ import annotations

import zlib
from typing import Any

from newsdesk.fetching.errors import BodyTooLargeError, UnsupportedContentEncodingError


class BodyFullError(Exception):
    """A truncating body reached its limit: stop reading, keep what is there."""


class BoundedBody:
    """Collects the body, decoding Content-Encoding on the fly, never growing past `limit` bytes.

    Past the limit it raises BodyTooLargeError, or with `truncate` keeps the first `limit` bytes.
    """

    def __init__(self, content_encoding: str | None, limit: int, url: str, *, truncate: bool = False) -> None:
        self._limit = limit
        self._truncate = truncate
        self.truncated = False
        self._url = url
        self._parts: list[bytes] = []
        self._size = 0
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        for coding in codings:
            if coding not in {"gzip", "x-gzip", "deflate"}:
                raise UnsupportedContentEncodingError(f"unsupported Content-Encoding {coding!r}", url=url)
        if len(codings) > 1:
            raise UnsupportedContentEncodingError(f"stacked Content-Encoding {content_encoding!r}", url=url)
        self._coding = codings[0] if codings else None
        self._decoder: Any = None
        if self._coding in {"gzip", "x-gzip"}:
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._deflate_probe = b""

    def _emit(self, data: bytes) -> None:
        if not data:
            return
        self._size += len(data)
        if self._size > self._limit and self._truncate:
            self._parts.append(data[: len(data) - (self._size - self._limit)])
            self.truncated = True
            raise BodyFullError
        if self._size > self._limit:
            kind = "decompressed body" if self._coding else "body"
            raise BodyTooLargeError(f"{kind} of {self._url} exceeds {self._limit} bytes", url=self._url)
        self._parts.append(data)

    def feed(self, chunk: bytes) -> None:
        if self._coding is None:
            self._emit(chunk)
            return
        if self._decoder is None:
            # "deflate" is zlib-wrapped by the RFC but raw deflate on some servers: look at the header.
            self._deflate_probe += chunk
            if len(self._deflate_probe) < 2:
                return
            wrapped = (self._deflate_probe[0] & 0x0F) == 8 and int.from_bytes(
                self._deflate_probe[:2]
            ) % 31 == 0
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            chunk, self._deflate_probe = self._deflate_probe, b""
        data = chunk
        try:
            while data:
                out = self._decoder.decompress(data, self._limit - self._size + 1)
                self._emit(out)
                data = self._decoder.unconsumed_tail
                if not data and self._decoder.eof and self._decoder.unused_data:
                    # Concatenated gzip members are one body.
                    data = self._decoder.unused_data
                    self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        except zlib.error as exc:
            raise UnsupportedContentEncodingError(
                f"corrupt {self._coding} body: {exc}", url=self._url
            ) from exc

    def prefix(self) -> bytes:
        """What was collected so far (after a truncation: exactly `limit` bytes)."""
        return b"".join(self._parts)

    def finish(self) -> bytes:
        if self._deflate_probe:
            self._decoder = zlib.decompressobj()
            probe, self._deflate_probe = self._deflate_probe, b""
            self.feed(probe)
        if self._decoder is not None:
            try:
                self._emit(self._decoder.flush())
            except zlib.error as exc:
                raise UnsupportedContentEncodingError(f"corrupt body: {exc}", url=self._url) from exc
        return b"".join(self._parts)
