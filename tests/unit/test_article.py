"""The Article model and its published JSON Schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from newsdesk.article import Article, reading_time, schema_text

ROOT = Path(__file__).resolve().parents[2]


def test_published_schema_matches_the_model() -> None:
    # Regenerate with `make schema` when the model changes.
    assert (ROOT / "docs/article.schema.json").read_text(encoding="utf-8") == schema_text()


def test_dates_must_carry_an_offset() -> None:
    fields = {
        "id": "x",
        "url": None,
        "body_text": "a",
        "body_markdown": "a",
        "word_count": 1,
        "reading_time_minutes": 1,
        "content_hash": "h",
        "parser_version": "v",
    }
    with pytest.raises(ValidationError, match="timezone"):
        Article.model_validate({**fields, "published_at": "2025-11-11T12:00:00"})
    article = Article.model_validate({**fields, "published_at": "2025-11-11T12:00:00+02:00"})
    assert article.model_dump(mode="json")["published_at"] == "2025-11-11T12:00:00+02:00"


def test_reading_time_is_at_least_a_minute_and_rounds_up() -> None:
    assert reading_time(0) == 1
    assert reading_time(230) == 1
    assert reading_time(231) == 2
