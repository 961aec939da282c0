"""What an operator needs to see: per source, what the fetcher did and what is failing; the
parse queue and its dead letters. Read with the operator's credentials, never by a function."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsdesk.storage.crawl_state import URL_STATUSES, UrlRecord
from newsdesk.storage.parse_failures import ParseFailure
from newsdesk.storage.queues import QueueDepth
from newsdesk.storage.source_runs import SourceRun

FAILING_STATUSES = ("failed", "gave_up")


@dataclass(frozen=True)
class FailingUrl:
    url: str
    status: str
    attempts: int
    reason: str | None
    next_attempt_at: datetime | None


@dataclass
class SourceStatus:
    source: str
    # From the source's run record; for a source without one, the latest outcome the crawl
    # state holds for its URLs.
    last_run: datetime | None = None
    last_new_article: datetime | None = None
    last_outcome: str | None = None
    running: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(URL_STATUSES, 0))
    failing: list[FailingUrl] = field(default_factory=list)


@dataclass
class StatusReport:
    sources: list[SourceStatus]
    parse_queue: QueueDepth | None = None
    dead_letters: QueueDepth | None = None
    permanent_failures: list[ParseFailure] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        def depth(value: QueueDepth | None) -> dict[str, int] | None:
            return None if value is None else vars(value).copy()

        return {
            "sources": [
                {
                    "source": s.source,
                    "last_run": iso(s.last_run),
                    "last_new_article": iso(s.last_new_article),
                    "last_outcome": s.last_outcome,
                    "running": s.running,
                    "counts": s.counts,
                    "failing": [
                        {
                            "url": f.url,
                            "status": f.status,
                            "attempts": f.attempts,
                            "reason": f.reason,
                            "next_attempt_at": iso(f.next_attempt_at),
                        }
                        for f in s.failing
                    ],
                }
                for s in self.sources
            ],
            "parse_queue": depth(self.parse_queue),
            "dead_letters": depth(self.dead_letters),
            "permanent_failures": [f.as_dict() for f in self.permanent_failures],
        }


def _latest(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def summarise_sources(
    records: Iterable[UrlRecord], runs: Iterable[SourceRun] = (), *, failing_limit: int = 20
) -> list[SourceStatus]:
    """One SourceStatus per source seen in the crawl state or its run records, sorted by id;
    failing URLs most recent first, at most `failing_limit` each."""
    by_source: dict[str, list[UrlRecord]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record)
    run_of = {run.source: run for run in runs}
    summaries = []
    for source in sorted(set(by_source) | set(run_of)):
        own = by_source.get(source, [])
        run = run_of.get(source)
        counts = dict.fromkeys(URL_STATUSES, 0)
        counts.update(Counter(r.status for r in own))
        failing = sorted(
            (r for r in own if r.status in FAILING_STATUSES),
            key=lambda r: (r.updated_at.timestamp() if r.updated_at else 0.0, r.url),
            reverse=True,
        )
        summaries.append(
            SourceStatus(
                source=source,
                last_run=(run.finished_at or run.started_at)
                if run and (run.finished_at or run.started_at)
                else _latest(d for r in own for d in (r.updated_at, r.fetched_at)),
                last_new_article=(run.last_new_at if run and run.last_new_at else None)
                or _latest(r.fetched_at for r in own if r.status == "fetched"),
                last_outcome=run.outcome if run else None,
                running=bool(run and run.lease_owner),
                counts=counts,
                failing=[
                    FailingUrl(
                        url=r.url,
                        status=r.status,
                        attempts=r.attempts,
                        reason=r.last_error,
                        next_attempt_at=r.next_attempt_at,
                    )
                    for r in failing[:failing_limit]
                ],
            )
        )
    return summaries
