"""The fetcher's domain entry point: discover new article URLs per source, fetch them, store raw pages.

Plain Python: a fetch worker (one source per job, see `newsdesk.fanout`) builds the state, the
sink and the options and calls `run_crawl`.

Each source goes through the stages on its own (sources given together run in parallel, so a
slow one delays only itself), each stage in its own module of `newsdesk.crawling`:
(1) `discovery`: read the feeds, sitemaps and archive pages (conditional GETs for feeds and
sitemaps); (2) `planning`: compare what they list with the crawl state and put every URL that
needs fetching in the source's queue before fetching anything, and only then store the
documents' ETag/Last-Modified; (3) `fetching`: fetch the queue, oldest first, one thread per host
under a concurrency limit, each URL claimed with a conditional write first, and record each
outcome. `context` holds what the stages share, including polite fetching: robots.txt, per-host
slots shared with every other worker (`hosts`), host backoff, retries. Whatever is left when
`should_stop()` says time is up stays queued, and the next run (or the job's continuation)
starts with it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from newsdesk.crawling.discovery import DiscoveryStage
from newsdesk.crawling.fetching import FetchingStage
from newsdesk.crawling.hosts import HostSlots, MemoryHostSlots
from newsdesk.crawling.model import CrawlOptions, CrawlReport, Discovery, RawPageSink, Work
from newsdesk.crawling.planning import PlanningStage
from newsdesk.errors import StorageError
from newsdesk.fetching.clock import Clock, SystemClock
from newsdesk.fetching.robots import RobotsCache
from newsdesk.sources import Source
from newsdesk.storage.crawl_state import CrawlState
from newsdesk.urls import origin_of

logger = logging.getLogger(__name__)

__all__ = ["Clock", "CrawlOptions", "CrawlReport", "RawPageSink", "run_crawl"]


class _Crawl(DiscoveryStage, PlanningStage, FetchingStage):
    """A run: every stage on one shared context."""

    # -- the run -----------------------------------------------------------------------------------

    def run(self, sources: Sequence[Source], *, discover: bool = True) -> CrawlReport:
        # Each source goes from discovery to fetching on its own: a slow feed delays only its source.
        # Two sources on one host still share that host's slots.
        if sources:
            workers = max(1, min(self.options.max_concurrency, len(sources)))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="source") as pool:
                for future in [pool.submit(self.run_source, s, discover=discover) for s in sources]:
                    future.result()
        return self.report

    def run_source(self, source: Source, *, discover: bool = True) -> None:
        discovery = self.discover(source) if discover else Discovery()
        if self.report.stopped_early:
            with self._lock:
                self.report.discovery_complete = False
        # Even a discovery cut short is planned: what it found is queued for the next run.
        work = self.plan(source, discovery.found)
        # Validators only once the URLs are queued: a 304 next run must never hide URLs
        # this run read but did not record.
        with self._lock:
            validated = {} if source.id in self._incomplete_plans else discovery.validated
        for url, validators in validated.items():
            if validators.etag or validators.last_modified:
                try:
                    self.state.put_validators(url, validators, now=self.clock.time())
                except StorageError as exc:  # costs one unconditional GET next run, nothing more
                    self._error(f"{url}: validators not stored: {exc}")
        if self.report.stopped_early:
            self._count("deferred", n=len(work))
            return
        by_host: dict[str, list[Work]] = defaultdict(list)
        for item in work:
            by_host[origin_of(item.url)].append(item)
        if not by_host:
            return
        workers = max(1, min(self.options.max_concurrency, len(by_host)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            for future in [pool.submit(self.fetch_host, items) for items in by_host.values()]:
                future.result()


def run_crawl(
    sources: Sequence[Source],
    *,
    state: CrawlState,
    sink: RawPageSink,
    options: CrawlOptions,
    should_stop: Callable[[], bool] = lambda: False,
    clock: Clock | None = None,
    robots: RobotsCache | None = None,
    hosts: HostSlots | None = None,
    discover: bool = True,
) -> CrawlReport:
    """Discover and fetch what is new for each source; see the module docstring for the steps.

    `hosts` shares per-host slots with other workers (default: this run's own); `discover=False`
    continues a run cut short after its discovery: it fetches what the source has queued.
    """
    crawl = _Crawl(
        state=state,
        sink=sink,
        options=options,
        should_stop=should_stop,
        clock=clock or SystemClock(),
        robots=robots,
        hosts=hosts or MemoryHostSlots(),
    )
    try:
        report = crawl.run(sources, discover=discover)
    finally:
        crawl.client.close()
    logger.info("crawl finished: %s", {k: v for k, v in report.as_dict().items() if k != "stored_keys"})
    return report
