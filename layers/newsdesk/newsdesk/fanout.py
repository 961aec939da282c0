"""Fan-out: the dispatcher enqueues one fetch job per due source; workers run one job each.

Plain Python (the handlers in `functions/dispatcher` and `functions/fetcher` wire it to Lambda).

- A source is due when its interval (`every`, else the deployment's default) has passed since it
  was last dispatched or started. Recording the dispatch is a conditional write, so a retried
  schedule or a manual invoke never enqueues a source twice.
- A worker takes the source's lease first (another run of the same source, from an overlapping
  schedule or a duplicate message, makes it skip), then runs discovery and fetching for that
  source alone, so a slow or hostile source delays only itself.
- A run cut short by the time budget leaves its work queued in the crawl state and sends a
  continuation job for the same source, which skips discovery if discovery had finished. Claims
  on each URL make sure nothing is fetched twice, whichever worker picks it up.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from newsdesk.errors import StorageError
from newsdesk.sources import Source

if TYPE_CHECKING:
    # The crawler (and the fetching and discovery stack under it) is for workers only: the
    # dispatcher imports this module too, and must not pay for it at cold start.
    from newsdesk.crawler import CrawlOptions, CrawlReport, RawPageSink
    from newsdesk.crawling.hosts import HostSlots
    from newsdesk.fetching.clock import Clock
    from newsdesk.fetching.robots import RobotsCache
    from newsdesk.storage.crawl_state import CrawlState
    from newsdesk.storage.source_runs import RunOutcome, SourceRun

logger = logging.getLogger(__name__)

# A source that keeps running out of time continues this many times per dispatch; after that the
# next scheduled dispatch picks up its queue, so a runaway source cannot keep a worker forever.
MAX_CONTINUATIONS = 20
# The last run may have started a little after its dispatch tick: without slack a source due
# every 5 minutes on a 5-minute schedule would be seen as not yet due on every other tick.
MAX_DUE_SLACK_SECONDS = 60.0


class FetchJob(BaseModel):
    """One fetch-queue message: the source (as validated by the dispatcher) and where to resume."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Source
    dispatched_at: float
    continuation: int = Field(default=0, ge=0)
    discover: bool = True  # False: discovery finished in an earlier part of this run


class SourceRuns(Protocol):
    def get(self, sources: Sequence[str]) -> dict[str, SourceRun]: ...

    def mark_dispatched(self, source: str, *, now: float, not_since: float) -> bool: ...

    def start(self, source: str, *, owner: str, now: float, lease_seconds: float) -> bool: ...

    def finish(
        self,
        source: str,
        *,
        owner: str,
        now: float,
        outcome: RunOutcome,
        counts: Mapping[str, int],
        stored_new: bool,
    ) -> None: ...


class JobQueue(Protocol):
    def send(self, bodies: Sequence[str]) -> None: ...


# -- dispatch ----------------------------------------------------------------------------------------


@dataclass
class DispatchReport:
    dispatched: list[str] = field(default_factory=list)
    not_due: int = 0
    dispatched_elsewhere: int = 0  # another dispatcher recorded it first (retry, manual invoke)

    def as_dict(self) -> dict[str, object]:
        return {
            "dispatched": list(self.dispatched),
            "not_due": self.not_due,
            "dispatched_elsewhere": self.dispatched_elsewhere,
        }


def due_since(source: Source, *, now: float, default_interval_seconds: int) -> float:
    """A source is due if it was neither dispatched nor started after this time."""
    interval = source.interval_seconds(default_interval_seconds)
    return now - interval + min(MAX_DUE_SLACK_SECONDS, interval / 10)


def _last_activity(run: SourceRun | None) -> float | None:
    if run is None:
        return None
    stamps = [d.timestamp() for d in (run.dispatched_at, run.started_at) if d is not None]
    return max(stamps, default=None)


def dispatch(
    sources: Sequence[Source],
    *,
    runs: SourceRuns,
    queue: JobQueue,
    now: float,
    default_interval_seconds: int,
) -> DispatchReport:
    report = DispatchReport()
    records = runs.get([s.id for s in sources])
    jobs: list[str] = []
    for source in sources:
        since = due_since(source, now=now, default_interval_seconds=default_interval_seconds)
        last = _last_activity(records.get(source.id))
        if last is not None and last > since:
            report.not_due += 1
            continue
        if not runs.mark_dispatched(source.id, now=now, not_since=since):
            report.dispatched_elsewhere += 1
            continue
        jobs.append(FetchJob(source=source, dispatched_at=now).model_dump_json())
        report.dispatched.append(source.id)
    # Recorded, then sent: if the send fails the invocation fails (and is retried or
    # dead-lettered by Lambda), and the sources' queued URLs wait in the crawl state.
    queue.send(jobs)
    logger.info("dispatched %d sources", len(jobs), extra={"dispatch": report.as_dict()})
    return report


# -- one job -----------------------------------------------------------------------------------------


JobOutcome = Literal["finished", "continued", "failed", "running_elsewhere"]


@dataclass
class JobResult:
    source: str
    outcome: JobOutcome
    report: CrawlReport | None = None

    def as_dict(self) -> dict[str, object]:
        summary: dict[str, object] = {"source": self.source, "outcome": self.outcome}
        if self.report is not None:
            summary.update(self.report.as_dict())
        return summary


def _counts(report: CrawlReport) -> dict[str, int]:
    counts = {
        "discovered": report.discovered,
        "new": report.new,
        "fetched": report.fetched,
        "not_modified": report.not_modified,
        "deferred": report.deferred,
        "skipped": sum(report.skipped.values()) + report.skipped_robots,
    }
    counts.update({f"failed.{reason}": n for reason, n in report.failed.items()})
    return counts


def run_job(
    job: FetchJob,
    *,
    runs: SourceRuns,
    state: CrawlState,
    sink: RawPageSink,
    hosts: HostSlots,
    queue: JobQueue,
    options: CrawlOptions,
    clock: Clock,
    lease_seconds: float,
    should_stop: Callable[[], bool] = lambda: False,
    robots: RobotsCache | None = None,
) -> JobResult:
    """Run one source (or continue it); see the module docstring."""
    from newsdesk.crawler import run_crawl

    source = job.source
    owner = f"worker-{uuid.uuid4().hex[:12]}"
    if not runs.start(source.id, owner=owner, now=clock.time(), lease_seconds=lease_seconds):
        logger.info("%s is being fetched by another run; this job ends here", source.id)
        return JobResult(source.id, "running_elsewhere")
    try:
        report = run_crawl(
            [source],
            state=state,
            sink=sink,
            options=options,
            should_stop=should_stop,
            clock=clock,
            robots=robots,
            hosts=hosts,
            discover=job.discover,
        )
    except Exception:
        # A failure (not a killed process: that leaves the lease to lapse) is recorded at once,
        # so the source's next message can run.
        runs.finish(source.id, owner=owner, now=clock.time(), outcome="failed", counts={}, stored_new=False)
        raise
    continues = report.stopped_early and job.continuation < MAX_CONTINUATIONS
    outcome: RunOutcome = "continued" if continues else "finished"
    # The lease goes before the continuation is sent, or the continuation would find the
    # source still running and end there.
    runs.finish(
        source.id,
        owner=owner,
        now=clock.time(),
        outcome=outcome,
        counts=_counts(report),
        stored_new=report.fetched > 0,
    )
    if outcome == "continued":
        follow_up = FetchJob(
            source=source,
            dispatched_at=job.dispatched_at,
            continuation=job.continuation + 1,
            discover=not report.discovery_complete,
        )
        try:
            queue.send([follow_up.model_dump_json()])
        except StorageError:
            # Nothing is lost: the source's URLs stay queued and its next dispatch fetches them.
            logger.exception("continuation of %s not sent; its next dispatch resumes it", source.id)
    return JobResult(source.id, outcome, report)
