"""Content-Encoding decoding with a cap, whatever chunks the network delivers the body in."""

from __future__ import annotations

import gzip
import itertools
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.fetching.body import BoundedBody
from newsdesk.fetching.errors import BodyTooLargeError, UnsupportedContentEncodingError


def encode(payload: bytes, coding: str) -> bytes:
    if coding == "gzip":
        return gzip.compress(payload)
    if coding == "deflate":
        return zlib.compress(payload)
    if coding == "raw-deflate":
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return compressor.compress(payload) + compressor.flush()
    return payload


def feed_in_chunks(body: BoundedBody, data: bytes, cuts: list[int]) -> bytes:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for start, end in itertools.pairwise(points):
        body.feed(data[start:end])
    return body.finish()


@settings(deadline=None)  # a loaded CI machine must not fail a correctness property
@given(
    payload=st.binary(max_size=5000),
    coding=st.sampled_from(["identity", "gzip", "deflate", "raw-deflate"]),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12),
    limit=st.integers(min_value=0, max_value=6000),
)
def test_any_chunking_decodes_the_same_and_the_limit_is_exact(
    payload: bytes, coding: str, cuts: list[int], limit: int
) -> None:
    header = None if coding == "identity" else ("deflate" if "deflate" in coding else "gzip")
    body = BoundedBody(header, limit, "http://a.test/x")
    if len(payload) > limit:
        with pytest.raises(BodyTooLargeError):
            feed_in_chunks(body, encode(payload, coding), cuts)
    else:
        assert feed_in_chunks(body, encode(payload, coding), cuts) == payload


def test_concatenated_gzip_members_are_one_body() -> None:
    body = BoundedBody("gzip", 100, "http://a.test/x")
    body.feed(gzip.compress(b"hello ") + gzip.compress(b"world"))
    assert body.finish() == b"hello world"


def test_unknown_and_corrupt_encodings_are_typed_errors() -> None:
    with pytest.raises(UnsupportedContentEncodingError):
        BoundedBody("br", 100, "http://a.test/x")
    body = BoundedBody("gzip", 100, "http://a.test/x")
    with pytest.raises(UnsupportedContentEncodingError):
        body.feed(b"\x1f\x8b\x08\x00garbage-not-deflate")
        body.finish()
