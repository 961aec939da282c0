"""The metadata benchmark's matching rules, checked on hand-made values (no benchmark data needed)."""

from __future__ import annotations

import pytest

from bench import match


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
def test_title_rule(truth: str | None, got: str | None, ok: bool) -> None:
    assert match.title_matches(truth, got) is ok


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
def test_authors_rule(truth: str | None, got: list[str], ok: bool) -> None:
    assert match.authors_match(truth, got) is ok


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
def test_date_rule(truth: str | None, got: str | None, ok: bool) -> None:
    assert match.date_matches(truth, got) is ok


@pytest.mark.parametrize(
    ("truth", "got", "ok"),
    [
        # a timestamp in another offset that is the same instant is the same day as written
        ("2024-05-03T23:30:00-05:00", "2024-05-04T04:30:00+00:00", True),
        ("2024-05-03T23:30:00-05:00", "2024-05-04", False),
        # fundus writes a space before the time; the zone is still honoured
        ("2024-05-03 15:47:42.389000+00:00", "2024-05-03T17:47:00+02:00", True),
        ("2016-05-24T14:00:00.000Z", "2016-05-24", True),
    ],
)
def test_same_day_takes_the_tool_value_in_the_truths_offset(truth: str, got: str, ok: bool) -> None:
    assert match.same_day(truth, got) is ok


@pytest.mark.parametrize(
    ("truth", "got", "ok"),
    [
        ("2024-05-03T15:47:42+00:00", "2024-05-03T17:48:10+02:00", True),  # within a minute
        ("2024-05-03T15:47:42+00:00", "2024-05-03T15:49:00+00:00", False),
        ("2024-05-03T15:47:42+00:00", "2024-05-03", False),  # a bare date is no instant
        ("2024-05-03T15:47:42", "2024-05-03T15:47:42+02:00", True),  # naive: wall clocks compared
        ("2024-05-03T15:47:42Z", None, False),
    ],
)
def test_same_instant_within_a_minute(truth: str, got: str | None, ok: bool) -> None:
    assert match.same_instant(truth, got) is ok


def test_score_leaves_unasserted_fields_unscored() -> None:
    truth: dict[str, object] = {"title": None, "authors": [], "published": "2024-05-03"}
    marks = match.score(truth, {"title": "Anything", "authors": ["Jane Doe"], "published": "2024-05-03"})
    # no title asserted; [] asserts "no author"; a bare truth date has no instant to compare
    assert marks == {"title": None, "authors": False, "date": True, "instant": None}


def test_author_list_truth_is_compared_as_one_token_set() -> None:
    assert match.authors_match(["Birgit Baumann", "Anna Giulia Fink"], ["Anna Giulia Fink", "Birgit Baumann"])
    assert not match.authors_match(["Birgit Baumann", "Anna Giulia Fink"], ["Birgit Baumann"])
