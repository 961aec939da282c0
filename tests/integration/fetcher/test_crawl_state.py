"""The DynamoDB crawl state on moto: claims, outcomes, the queue, validators, the status read API."""

from __future__ import annotations

import threading

from newsdesk.storage.crawl_state import DynamoCrawlState, QueueItem, Validators

NOW = 1_800_000_000.0


def test_a_url_is_claimed_by_one_owner_only(state: DynamoCrawlState) -> None:
    first = state.claim("src", "id1", "https://a.test/1", owner="run-a", now=NOW, lease_seconds=60)
    assert first is not None and first.status == "pending" and first.lease_owner == "run-a"
    assert state.claim("src", "id1", "https://a.test/1", owner="run-b", now=NOW + 1, lease_seconds=60) is None


def test_an_expired_lease_can_be_taken_over(state: DynamoCrawlState) -> None:
    state.claim("src", "id1", "https://a.test/1", owner="run-a", now=NOW, lease_seconds=60)
    taken = state.claim("src", "id1", "https://a.test/1", owner="run-b", now=NOW + 61, lease_seconds=60)
    assert taken is not None and taken.lease_owner == "run-b"


def test_released_url_can_be_claimed_again(state: DynamoCrawlState) -> None:
    state.claim("src", "id1", "https://a.test/1", owner="run-a", now=NOW, lease_seconds=60)
    state.release("src", "id1", owner="run-a")
    assert (
        state.claim("src", "id1", "https://a.test/1", owner="run-b", now=NOW + 1, lease_seconds=60)
        is not None
    )


def test_fetched_url_is_not_claimed_again_unless_it_changed(state: DynamoCrawlState) -> None:
    state.enqueue("src", [QueueItem("id1", "https://a.test/1", NOW, changed_at=NOW - 100)], now=NOW)
    state.claim("src", "id1", "https://a.test/1", owner="a", now=NOW, lease_seconds=60, changed_at=NOW - 100)
    state.mark_fetched("src", "id1", owner="a", now=NOW, raw_key="src/k.html.gz", changed_at=NOW - 100)
    assert state.queued("src") == []
    record = state.get_record("src", "id1")
    assert record is not None and record.status == "fetched" and record.raw_key == "src/k.html.gz"
    assert record.lease_owner is None
    claim = state.claim
    assert claim("src", "id1", "https://a.test/1", owner="b", now=NOW + 5, lease_seconds=60) is None
    assert (
        claim(
            "src", "id1", "https://a.test/1", owner="b", now=NOW + 5, lease_seconds=60, changed_at=NOW - 100
        )
        is None
    )
    assert (
        claim("src", "id1", "https://a.test/1", owner="b", now=NOW + 5, lease_seconds=60, changed_at=NOW + 3)
        is not None
    )


def test_failure_schedules_a_retry_and_gave_up_is_final(state: DynamoCrawlState) -> None:
    state.enqueue("src", [QueueItem("id1", "https://a.test/1", NOW)], now=NOW)
    record = state.claim("src", "id1", "https://a.test/1", owner="a", now=NOW, lease_seconds=60)
    assert record is not None
    state.mark_failed("src", "id1", owner="a", now=NOW, reason="http_503", attempts=1, retry_at=NOW + 900)
    [queued] = state.queued("src")
    assert queued.next_attempt_at == NOW + 900
    assert state.claim("src", "id1", "https://a.test/1", owner="b", now=NOW + 10, lease_seconds=60) is None
    again = state.claim("src", "id1", "https://a.test/1", owner="b", now=NOW + 901, lease_seconds=60)
    assert again is not None and again.attempts == 1 and again.last_error == "http_503"
    state.mark_failed("src", "id1", owner="b", now=NOW + 901, reason="http_404", attempts=2, retry_at=None)
    assert state.queued("src") == []
    final = state.get_record("src", "id1")
    assert final is not None and final.status == "gave_up" and final.last_error == "http_404"
    assert state.claim("src", "id1", "https://a.test/1", owner="c", now=NOW + 10**6, lease_seconds=60) is None


def test_concurrent_claims_have_one_winner(state: DynamoCrawlState) -> None:
    winners: list[str] = []
    lock = threading.Lock()

    def try_claim(owner: str) -> None:
        if state.claim("src", "hot", "https://a.test/hot", owner=owner, now=NOW, lease_seconds=60):
            with lock:
                winners.append(owner)

    threads = [threading.Thread(target=try_claim, args=(f"run-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1


def test_validators_round_trip(state: DynamoCrawlState) -> None:
    assert state.get_validators("https://a.test/feed") is None
    state.put_validators("https://a.test/feed", Validators('"abc"', "Tue, 03 Nov 2026 08:00:00 GMT"), now=NOW)
    validators = state.get_validators("https://a.test/feed")
    assert validators == Validators('"abc"', "Tue, 03 Nov 2026 08:00:00 GMT")
    assert validators.request_headers() == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Tue, 03 Nov 2026 08:00:00 GMT",
    }


def test_list_urls_for_the_status_command(state: DynamoCrawlState) -> None:
    state.enqueue("src", [QueueItem(f"id{n}", f"https://a.test/{n}", NOW + n) for n in range(4)], now=NOW)
    state.enqueue("other", [QueueItem("o1", "https://b.test/1", NOW)], now=NOW)
    state.claim("src", "id0", "https://a.test/0", owner="a", now=NOW, lease_seconds=60)
    state.mark_fetched("src", "id0", owner="a", now=NOW, raw_key="src/0.html.gz", changed_at=None)
    state.claim("src", "id1", "https://a.test/1", owner="a", now=NOW, lease_seconds=60)
    state.mark_failed("src", "id1", owner="a", now=NOW + 10, reason="timeout", attempts=1, retry_at=NOW + 900)

    everything = state.list_urls("src", None, limit=10)
    assert [r.url_id for r in everything[:2]] == ["id1", "id0"]  # latest outcome first, queue after
    assert {r.url_id: r.status for r in everything} == {
        "id0": "fetched",
        "id1": "failed",
        "id2": "pending",
        "id3": "pending",
    }
    [failed] = state.list_urls("src", "failed", limit=10)
    assert (failed.attempts, failed.last_error, failed.url) == (1, "timeout", "https://a.test/1")
    assert failed.as_dict()["next_attempt_at"] is not None
    assert len(state.list_urls(None, "pending", limit=10)) == 3
    assert len(state.list_urls("src", None, limit=2)) == 2
    assert state.counts("src") == {"pending": 2, "fetched": 1, "failed": 1, "gave_up": 0, "skipped": 0}
