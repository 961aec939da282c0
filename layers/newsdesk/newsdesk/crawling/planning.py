"""Planning: what a source's discovered URLs mean for its queue in the crawl state."""

from __future__ import annotations

import logging

from newsdesk.crawling.context import CrawlContext
from newsdesk.crawling.model import Work, changed_at_of, needs_fetch
from newsdesk.discovery import DiscoveredUrl
from newsdesk.errors import StorageError
from newsdesk.fetching.errors import UrlTooLongError
from newsdesk.sources import Source
from newsdesk.storage.crawl_state import QueueItem, UrlRecord
from newsdesk.urls import canonicalize_url, host_matches, host_of

logger = logging.getLogger(__name__)


class PlanningStage(CrawlContext):
    def plan(self, source: Source, discovered: list[DiscoveredUrl]) -> list[Work]:
        now = self.clock.time()
        hosts = source.article_hosts()
        unique: dict[str, tuple[str, float | None]] = {}
        for item in discovered:
            try:
                # The canonical URL is what the crawl state keys and stores: its length is checked.
                canonical = canonicalize_url(item.url, trailing_slash=source.trailing_slash)
            except UrlTooLongError as exc:
                self._count("skipped", exc.reason)
                continue
            key = source.article_id(item.url)
            changed = changed_at_of(item)
            if key in unique:
                previous = unique[key][1]
                if changed is not None and (previous is None or changed > previous):
                    unique[key] = (unique[key][0], changed)
                continue
            unique[key] = (canonical, changed)
        self._count("discovered", n=len(unique))

        queue = self.state.queued(source.id)
        queued_ids = {q.url_id for q in queue}
        records = self._records(source, [k for k in unique if k not in queued_ids])
        work = [
            Work(source, q.url_id, q.url, q.changed_at)
            for q in queue
            if q.next_attempt_at is None or q.next_attempt_at <= now
        ]
        fresh: list[QueueItem] = []
        for key, (canonical, changed) in unique.items():
            if key in queued_ids:
                continue
            if not any(host_matches(host_of(canonical), allowed) for allowed in hosts):
                self._count("skipped", "host_not_allowed")
                continue
            if needs_fetch(records.get(key), changed):
                # queued_at keeps discovery order within the run (feeds list newest first).
                fresh.append(QueueItem(key, canonical, now + len(fresh) * 1e-3, changed))
        fresh = self._enqueue(source, fresh, now)
        self._count("new", n=len(fresh))
        work.extend(Work(source, q.url_id, q.url, q.changed_at) for q in fresh)
        over = len(work) - source.max_articles_per_run
        if over > 0:
            self._count("deferred", n=over)
            work = work[: source.max_articles_per_run]
        return work

    def _records(self, source: Source, url_ids: list[str]) -> dict[str, UrlRecord]:
        try:
            return self.state.get_records(source.id, url_ids)
        except StorageError as exc:
            # One bad key must not hide the rest: ask again one by one and lose only that one.
            logger.warning("batch read of %s records failed (%s); reading them one by one", source.id, exc)
        found: dict[str, UrlRecord] = {}
        for url_id_ in url_ids:
            try:
                found.update(self.state.get_records(source.id, [url_id_]))
            except StorageError as exc:
                self._count("failed", "storage_error")
                self._error(f"{source.id}/{url_id_}: {exc}")
                with self._lock:
                    self._incomplete_plans.add(source.id)
        return found

    def _enqueue(self, source: Source, fresh: list[QueueItem], now: float) -> list[QueueItem]:
        """Queue the new URLs; returns those queued (an item the table refuses is counted, not fatal)."""
        if not fresh:
            return fresh
        try:
            self.state.enqueue(source.id, fresh, now=now)
            return fresh
        except StorageError as exc:
            logger.warning("batch enqueue for %s failed (%s); queueing one by one", source.id, exc)
        queued = []
        for item in fresh:
            try:
                self.state.enqueue(source.id, [item], now=now)
                queued.append(item)
            except StorageError as exc:
                self._count("failed", "storage_error")
                self._error(f"{item.url[:200]}: not queued: {exc}")
                with self._lock:
                    self._incomplete_plans.add(source.id)
        return queued
