"""The metadata benchmark's matching rules, checked on hand-made values (no benchmark data needed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "metadata.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_metadata", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("truth", "got", "ok"),
    [
        ("Headline here", "Headline here", True),
        ("Headline here | Site", "Headline here", True),
        ("Headline here", "Headline here - Site", True),
        ("Site: Headline here", "Headline here", True),
        ("标题_科技_腾讯网", "标题", True),
        ("It’s “quoted” — here", 'it\'s "quoted" - here', True),
        ("Headline here", "Headline", False),
        ("Headline here", "Headlines here", False),
        ("Headline here", None, False),
        (None, None, True),
        (None, "Something", False),
    ],
)
def test_title_rule(bench: ModuleType, truth: str | None, got: str | None, ok: bool) -> None:
    assert bench.title_matches(truth, got) is ok


@pytest.mark.parametrize(
    ("truth", "got", "ok"),
    [
        ("Jane Doe", ["Jane Doe"], True),
        ("By JANE DOE", ["Jane Doe"], True),
        ("By\n   Scott Cunningham", ["Scott Cunningham"], True),
        ("By Nathan Willis\n  March 25, 2015", ["Nathan Willis"], True),
        ("Jong, Michiel de", ["Michiel de Jong"], True),
        ("Stella Kim, Jennifer Jett", ["Stella Kim", "Jennifer Jett"], True),
        ("Stella Kim, Jennifer Jett", ["Stella Kim"], False),
        ("Céline Dupont", ["Celine Dupont"], True),
        ("Jane Doe", ["Jane Doe", "John Roe"], False),
        ("Jane Doe", [], False),
        (None, [], True),
        (None, ["Jane Doe"], False),
    ],
)
def test_authors_rule(bench: ModuleType, truth: str | None, got: list[str], ok: bool) -> None:
    assert bench.authors_match(truth, got) is ok


@pytest.mark.parametrize(
    ("truth", "got", "ok"),
    [
        ("2015-07-24T05:36:09+01:00", "2015-07-24", True),
        ("2015-07-24", "2015-07-24T23:00:00+00:00", True),
        ("2015-07-24T05:36:09+01:00", "2015-07-23", False),
        (None, None, True),
        (None, "2015-07-24", False),
        ("2015-07-24", None, False),
    ],
)
def test_date_rule(bench: ModuleType, truth: str | None, got: str | None, ok: bool) -> None:
    assert bench.date_matches(truth, got) is ok
