"""Fan-out: dispatch of due sources, one job per source, continuation, politeness across workers."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import replace
from typing import Any

import pytest
from support.crawl_table import CRAWL_TABLE
from support.feeds import article_html, rss_for
from support.http_server import Reply, TestServer
from support.sinks import MemorySink

from newsdesk.crawler import CrawlOptions, run_crawl
from newsdesk.crawling.hosts import ACQUIRE_AHEAD_SECONDS, MemoryHostSlots, TurnState
from newsdesk.fanout import FetchJob, JobResult, dispatch, run_job
from newsdesk.fetching.clock import ManualClock
from newsdesk.sources import Source
from newsdesk.storage.crawl_state import DynamoCrawlState
from newsdesk.storage.host_slots import DynamoHostSlots
from newsdesk.storage.source_runs import DynamoSourceRuns

HOST = "news.test"


class MemoryQueue:
    def __init__(self) -> None:
        self.bodies: list[str] = []
        self._lock = threading.Lock()

    def send(self, bodies: Any) -> None:
        with self._lock:
            self.bodies.extend(bodies)

    def take(self) -> list[FetchJob]:
        with self._lock:
            jobs = [FetchJob.model_validate_json(b) for b in self.bodies]
            self.bodies.clear()
        return jobs


@pytest.fixture
def runs(state: DynamoCrawlState) -> DynamoSourceRuns:
    return DynamoSourceRuns(CRAWL_TABLE, state._client)  # type: ignore[arg-type]


@pytest.fixture
def hosts(state: DynamoCrawlState) -> DynamoHostSlots:
    return DynamoHostSlots(CRAWL_TABLE, state._client)  # type: ignore[arg-type]


@pytest.fixture
def deps(  # noqa: PLR0917 - a fixture takes its fixtures positionally
    state: DynamoCrawlState,
    runs: DynamoSourceRuns,
    hosts: DynamoHostSlots,
    sink: MemorySink,
    options: CrawlOptions,
    clock: ManualClock,
) -> dict[str, Any]:
    """What a worker gets: the stores, the fetch queue, the options and the clock."""
    return {
        "runs": runs,
        "state": state,
        "sink": sink,
        "hosts": hosts,
        "queue": MemoryQueue(),
        "options": options,
        "clock": clock,
    }


def news_source(
    server: TestServer, source_id: str = "news", feed: str = "/feed.xml", **fields: Any
) -> Source:
    return Source(id=source_id, name=source_id, feeds=[server.url(feed, HOST)], **fields)


def serve_feed(server: TestServer, feed: str, paths: list[str], host: str = HOST) -> None:
    server.route(feed, Reply(body=rss_for([server.url(p, host) for p in paths]), content_type="text/xml"))
    for path in paths:
        server.route(path, Reply(body=article_html(f"Story {path}")))


def job_for(source: Source, **fields: Any) -> FetchJob:
    return FetchJob(source=source, dispatched_at=0.0, **fields)


# -- dispatch ------------------------------------------------------------------------------------


def test_dispatch_enqueues_each_due_source_once_per_interval(
    server: TestServer, runs: DynamoSourceRuns, clock: ManualClock
) -> None:
    wire = news_source(server, "wire", every="5m")
    weekly = news_source(server, "weekly", every="1d")
    plain = news_source(server, "plain")  # the default interval
    sources = [wire, weekly, plain]
    queue = MemoryQueue()

    def tick() -> list[str]:
        dispatch(sources, runs=runs, queue=queue, now=clock.time(), default_interval_seconds=3600)
        return sorted(job.source.id for job in queue.take())

    assert tick() == ["plain", "weekly", "wire"]
    assert tick() == []  # a retried schedule or a manual invoke at once: nothing is due
    clock.advance(301)
    assert tick() == ["wire"]
    clock.advance(3600)
    assert tick() == ["plain", "wire"]
    clock.advance(86400)
    assert tick() == ["plain", "weekly", "wire"]


def test_two_dispatchers_at_once_enqueue_each_source_once(
    server: TestServer, runs: DynamoSourceRuns, clock: ManualClock
) -> None:
    sources = [news_source(server, f"s{n}") for n in range(6)]
    queue = MemoryQueue()
    barrier = threading.Barrier(2)

    def dispatcher() -> None:
        barrier.wait()
        dispatch(sources, runs=runs, queue=queue, now=clock.time(), default_interval_seconds=3600)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(job.source.id for job in queue.take()) == [f"s{n}" for n in range(6)]


def test_an_invalid_interval_is_refused_with_the_sources_file() -> None:
    from newsdesk.errors import ConfigurationError
    from newsdesk.sources import parse_sources

    for every in ("0m", "5 minutes", "-1h"):
        with pytest.raises(ConfigurationError, match="every"):
            parse_sources({"sources": [{"id": "a", "name": "A", "every": every}]})
    (source,) = parse_sources({"sources": [{"id": "a", "name": "A", "every": "2h"}]})
    assert source.interval_seconds(60) == 7200


# -- one job per source --------------------------------------------------------------------------


def _run(job: FetchJob, **kwargs: Any) -> JobResult:
    defaults: dict[str, Any] = {"lease_seconds": 900.0}
    return run_job(job, **{**defaults, **kwargs})


def test_a_job_runs_its_source_and_records_the_run(server: TestServer, deps: dict[str, Any]) -> None:
    serve_feed(server, "/feed.xml", ["/news/a", "/news/b"])
    source = news_source(server)
    queue: MemoryQueue = deps["queue"]
    state: DynamoCrawlState = deps["state"]

    result = _run(job_for(source), **deps)

    assert (result.outcome, result.report and result.report.fetched) == ("finished", 2)
    (record,) = state.list_source_runs()
    assert (record.source, record.outcome, record.lease_owner) == ("news", "finished", None)
    assert record.counts["fetched"] == 2 and record.last_new_at is not None
    assert queue.bodies == []

    # While another run holds the source, a second job for it ends at once and fetches nothing.
    assert deps["runs"].start("news", owner="someone-else", now=deps["clock"].time(), lease_seconds=600)
    before = len(server.requests)
    assert _run(job_for(source), **deps).outcome == "running_elsewhere"
    assert len(server.requests) == before


def test_a_run_cut_short_continues_in_the_next_message_with_nothing_lost_or_fetched_twice(
    server: TestServer, deps: dict[str, Any]
) -> None:
    paths = [f"/news/{n}" for n in range(5)]
    serve_feed(server, "/feed.xml", paths)
    source = news_source(server)
    queue: MemoryQueue = deps["queue"]
    state: DynamoCrawlState = deps["state"]
    sink: MemorySink = deps["sink"]

    first = _run(job_for(source), should_stop=lambda: len(sink.pages) >= 2, **deps)

    assert first.outcome == "continued"
    (follow_up,) = queue.take()
    assert (follow_up.source, follow_up.continuation, follow_up.discover) == (source, 1, False)
    assert state.list_source_runs()[0].outcome == "continued"

    second = _run(follow_up, **deps)

    assert second.outcome == "finished" and queue.bodies == []
    assert len(sink.put_ids) == 5 and set(sink.put_ids.values()) == {1}
    assert server.hits("/feed.xml") == 1  # the continuation did not read the feed again
    assert all(server.hits(p) == 1 for p in paths)
    assert state.queued("news") == []


def test_a_run_stopped_during_discovery_continues_with_discovery(
    server: TestServer, deps: dict[str, Any]
) -> None:
    serve_feed(server, "/feed.xml", ["/news/a"])
    queue: MemoryQueue = deps["queue"]

    assert _run(job_for(news_source(server)), should_stop=lambda: True, **deps).outcome == "continued"
    (follow_up,) = queue.take()
    assert follow_up.discover is True
    assert _run(follow_up, **deps).report.fetched == 1  # type: ignore[union-attr]


# -- politeness across workers -------------------------------------------------------------------


class MonotonicClock:
    """Real time on the clock the test server stamps requests with: gaps compare like with like."""

    def time(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@pytest.mark.parametrize(
    ("interval", "robots", "spacing"),
    [
        (0.4, b"User-agent: *\nAllow: /\n", 0.4),
        (0.2, b"User-agent: *\nCrawl-delay: 0.5\n", 0.5),  # robots.txt asks for more
    ],
    ids=["interval", "crawl-delay"],
)
def test_two_workers_on_one_host_keep_its_interval_measured_at_the_server(  # noqa: PLR0917
    state: DynamoCrawlState,
    runs: DynamoSourceRuns,
    hosts: DynamoHostSlots,
    options: CrawlOptions,
    interval: float,
    robots: bytes,
    spacing: float,
) -> None:
    # Real time here: the request times are taken by the server as requests arrive. Two sources
    # on one host, and a duplicate job for one of them (two workers on one source), each worker
    # with its own table client as separate Lambda instances would have.
    with TestServer() as server:
        server.route("/robots.txt", Reply(body=robots, content_type="text/plain"))
        serve_feed(server, "/a.xml", [f"/a/{n}" for n in range(3)])
        serve_feed(server, "/b.xml", [f"/b/{n}" for n in range(3)])
        sources = [news_source(server, "a", "/a.xml"), news_source(server, "b", "/b.xml")]
        worker_options = replace(
            options,
            min_host_interval_seconds=interval,
            allowed_private_hosts=frozenset({server.hostport(HOST)}),
        )
        sink = MemorySink()
        queue = MemoryQueue()
        results: list[JobResult] = []
        barrier = threading.Barrier(3)

        def worker(job: FetchJob) -> None:
            barrier.wait()
            results.append(
                _run(
                    job,
                    runs=runs,
                    state=state,
                    sink=sink,
                    hosts=DynamoHostSlots(CRAWL_TABLE, state._client),  # type: ignore[arg-type]
                    queue=queue,
                    options=worker_options,
                    clock=MonotonicClock(),
                )
            )

        jobs = [job_for(sources[0]), job_for(sources[1]), job_for(sources[0])]
        threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        times = sorted(r.at for r in server.requests)

    assert sum(r.report.fetched for r in results if r.report) == 6
    assert len(sink.put_ids) == 6 and set(sink.put_ids.values()) == {1}
    # The invariant itself, as the server saw it, however loaded the machine: a turn is given
    # back `spacing` after the answer, which comes after the server received the request.
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= spacing, gaps


def test_a_host_answering_429_to_everything_is_backed_off_as_a_host(  # noqa: PLR0917
    server: TestServer,
    state: DynamoCrawlState,
    hosts: DynamoHostSlots,
    sink: MemorySink,
    options: CrawlOptions,
    clock: ManualClock,
) -> None:
    busy = [f"/busy/{n}" for n in range(5)]
    healthy = [f"/news/{n}" for n in range(3)]
    feed = rss_for([server.url(p, "other.test") for p in busy] + [server.url(p, HOST) for p in healthy])
    server.route("/feed.xml", Reply(body=feed, content_type="text/xml"))
    for path in busy:
        server.route(path, Reply(status=429, body=b"slow down", content_type="text/plain"))
    for path in healthy:
        server.route(path, Reply(body=article_html(path)))
    source = news_source(server, allowed_hosts=[HOST, "other.test"])

    report = run_crawl([source], state=state, sink=sink, options=options, clock=clock, hosts=hosts)

    busy_hits = sum(server.hits(p) for p in busy)
    # Not max_attempts (4) per URL: a few tries while the host's backoff grows, then the host waits.
    assert 1 <= busy_hits < options.max_attempts
    assert report.backed_off_hosts == [f"http://other.test:{server.port}"]
    assert report.fetched == 3 and report.failed == {}
    # Nothing is lost: the busy host's URLs stay queued, not failed, for a later run.
    assert sorted(q.url.rsplit("/", 1)[-1] for q in state.queued("news")) == ["0", "1", "2", "3", "4"]


def test_memory_and_dynamo_host_turns_agree(hosts: DynamoHostSlots) -> None:
    for slots in (MemoryHostSlots(), hosts):
        assert slots.try_acquire("h", owner="a", now=100.0, hold_until=130.0) == TurnState(True, None)
        # Held: nobody else gets the host while a's request is in flight, whatever the slot.
        assert slots.try_acquire("h", owner="b", now=101.0, hold_until=131.0) == TurnState(False, None, 130.0)
        slots.release("h", owner="b", next_slot=999.0)  # not b's to give back: no effect
        slots.release("h", owner="a", next_slot=102.5)  # answered at 101.5, spacing 1 s
        assert slots.try_acquire("h", owner="b", now=102.0, hold_until=132.0) == TurnState(False, 102.5)
        # A turn may be taken just ahead of the slot; the request still waits for the slot.
        ahead = 102.5 - ACQUIRE_AHEAD_SECONDS
        assert slots.try_acquire("h", owner="b", now=ahead, hold_until=140.0) == TurnState(True, 102.5)
        slots.release("h", owner="b", next_slot=None)  # stopped before sending: slot unchanged
        # A worker that died holding the turn blocks the host only until its turn lapses.
        assert slots.try_acquire("h", owner="c", now=103.0, hold_until=110.0).granted
        assert not slots.try_acquire("h", owner="d", now=109.0, hold_until=140.0).granted
        assert slots.try_acquire("h", owner="d", now=111.0, hold_until=140.0).granted
        slots.release("h", owner="d", next_slot=3700.0)  # backed off after a 429
        assert slots.try_acquire("h", owner="e", now=200.0, hold_until=230.0) == TurnState(False, 3700.0)
        assert slots.try_acquire("other", owner="e", now=200.0, hold_until=230.0).granted
