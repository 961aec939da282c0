"""The Article model and its published JSON Schema."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from newsdesk.article import Article, reading_time, schema_text, sort_instant

ROOT = Path(__file__).resolve().parents[2]


def test_published_schema_matches_the_model() -> None:
    # Regenerate with `make schema` when the model changes.
    assert (ROOT / "docs/article.schema.json").read_text(encoding="utf-8") == schema_text()


FIELDS: dict[str, Any] = {
    "id": "x",
    "url": None,
    "body_text": "a",
    "body_markdown": "a",
    "word_count": 1,
    "reading_time_minutes": 1,
    "content_hash": "h",
    "parser_version": "v",
}


def test_dates_must_carry_an_offset() -> None:
    fields = FIELDS
    with pytest.raises(ValidationError, match="timezone"):
        Article.model_validate({**fields, "published_at": "2025-11-11T12:00:00"})
    article = Article.model_validate({**fields, "published_at": "2025-11-11T12:00:00+02:00"})
    assert article.model_dump(mode="json")["published_at"] == "2025-11-11T12:00:00+02:00"


def test_reading_time_is_at_least_a_minute_and_rounds_up() -> None:
    assert reading_time(0) == 1
    assert reading_time(230) == 1
    assert reading_time(231) == 2


@pytest.mark.parametrize(
    ("given", "value", "as_json"),
    [
        # A bare day stays a day: midnight UTC would be a false instant, on the wrong day in UTC-5.
        ("2025-11-11", date(2025, 11, 11), "2025-11-11"),
        (
            "2025-11-11T14:03:00+02:00",
            datetime(2025, 11, 11, 14, 3, tzinfo=timezone(timedelta(hours=2))),
            "2025-11-11T14:03:00+02:00",
        ),
        # A stated midnight UTC is an instant, and stays one.
        ("2025-11-11T00:00:00Z", datetime(2025, 11, 11, tzinfo=UTC), "2025-11-11T00:00:00Z"),
        ("2025-11-11T00:00:00+00:00", datetime(2025, 11, 11, tzinfo=UTC), "2025-11-11T00:00:00Z"),
    ],
)
def test_page_dates_keep_their_precision_through_json(given: str, value: date, as_json: str) -> None:
    article = Article.model_validate({**FIELDS, "published_at": given, "modified_at": given})
    assert article.published_at == value
    assert type(article.published_at) is type(value)
    dumped = article.model_dump(mode="json")
    assert dumped["published_at"] == as_json
    again = Article.model_validate_json(article.model_dump_json())
    assert again == article
    assert type(again.published_at) is type(value) and type(again.modified_at) is type(value)
    # The storage path validates the dumped dict, not JSON text.
    assert Article.model_validate(dumped) == article


@pytest.mark.parametrize("given", ["2025-11-11T00:00:00", datetime(2025, 11, 11), "11/11/2025", "2025-13-01"])
def test_naive_or_malformed_dates_are_refused_not_read_as_a_day(given: object) -> None:
    with pytest.raises(ValidationError):
        Article.model_validate({**FIELDS, "published_at": given})


def test_sort_instant_orders_days_and_instants_together() -> None:
    day = Article.model_validate({**FIELDS, "published_at": "2025-11-11"})
    local = Article.model_validate({**FIELDS, "published_at": "2025-11-11T01:00:00+02:00"})
    assert day.published_instant == datetime(2025, 11, 11, tzinfo=UTC)
    # 01:00 at UTC+2 is 23:00 UTC the day before: it sorts before the bare 11 November.
    assert local.published_instant == datetime(2025, 11, 10, 23, 0, tzinfo=UTC)
    assert sort_instant(None) is None
