"""Reparse's pieces that do not need a parser: selecting raw pages, the notification, waiting."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

import boto3
import pytest

from newsdesk.events import S3Notification
from newsdesk.reparse import changed, notification, raw_keys, wait_until_drained


@pytest.mark.usefixtures("aws")
def test_raw_keys_select_by_source_and_fetch_day() -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="raw")
    for key in (
        "kyiv/2025/11/10/a.html.gz",
        "kyiv/2025/11/12/b.html.gz",
        "kyiv/2025/11/14/c.html.gz",
        "gazette/2025/11/12/d.html.gz",
        "kyiv/2025/11/12/notes.txt",
    ):
        s3.put_object(Bucket="raw", Key=key, Body=b"x")
    from datetime import date

    window = {"since": date(2025, 11, 11), "until": date(2025, 11, 13)}
    assert list(raw_keys(s3, "raw", source="kyiv", **window)) == ["kyiv/2025/11/12/b.html.gz"]
    assert sorted(raw_keys(s3, "raw", source=None, **window)) == [
        "gazette/2025/11/12/d.html.gz",
        "kyiv/2025/11/12/b.html.gz",
    ]


def test_the_notification_is_what_the_parser_reads_and_is_new_to_its_idempotency() -> None:
    body = notification("raw", "kyiv/2025/11/12/a b.html.gz", "run1")
    (record,) = S3Notification.model_validate_json(body).records
    assert unquote_plus(record.s3.object.key) == "kyiv/2025/11/12/a b.html.gz"
    assert record.s3.object.etag == "reparse-run1"
    assert json.loads(notification("raw", "k", "run2")) != json.loads(notification("raw", "k", "run1"))


def test_waiting_needs_the_queue_empty_twice_and_gives_up_at_the_deadline() -> None:
    now = [0.0]
    depths = iter([3, 0, 1, 0, 0])
    assert wait_until_drained(
        lambda: next(depths),
        timeout=100,
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        monotonic=lambda: now[0],
    )
    assert now[0] == 20.0  # five reads, four sleeps of 5 s
    now[0] = 0.0
    assert not wait_until_drained(
        lambda: 1, timeout=12, sleep=lambda s: now.__setitem__(0, now[0] + s), monotonic=lambda: now[0]
    )


def test_changed_counts_new_and_newer_versions_only() -> None:
    assert changed({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 1}) == 2
