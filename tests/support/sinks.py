"""An in-memory RawPageSink for fetcher tests."""

from __future__ import annotations

import threading
from collections import Counter

from newsdesk.rawpage import RawPage


class MemorySink:
    """A RawPageSink keeping pages in memory; counts puts per page id to catch double stores."""

    def __init__(self) -> None:
        self.pages: dict[str, RawPage] = {}
        self.put_ids: Counter[str] = Counter()
        self._lock = threading.Lock()

    def put(self, page: RawPage) -> str:
        with self._lock:
            self.pages[page.key] = page
            self.put_ids[page.id] += 1
        return page.key

    def by_url(self) -> dict[str, RawPage]:
        with self._lock:
            return {p.url: p for p in self.pages.values()}
