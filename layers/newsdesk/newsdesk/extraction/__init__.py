"""Article extraction: bytes in, an Article (or a typed ExtractionError) out.

Placeholder until the extraction package lands: the signature is the contract.
"""

from __future__ import annotations

from datetime import datetime

from newsdesk.article import Article


def extract(
    html: bytes | str,
    url: str | None = None,
    *,
    encoding: str | None = None,
    source: str | None = None,
    raw_key: str | None = None,
    fetched_at: datetime | None = None,
) -> Article:
    raise NotImplementedError
