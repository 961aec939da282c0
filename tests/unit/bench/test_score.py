"""The benchmark scorer on hand-made strings, where the right numbers can be worked out by hand."""

from __future__ import annotations

import pytest

from bench.score import (
    PageScore,
    SnippetScore,
    aggregate,
    body,
    bootstrap_f1_std,
    score_page,
    score_snippets,
    shingles,
    summarize,
    tokenize,
)


def test_tokens_are_unicode_words() -> None:
    assert tokenize("Kyiv's 2,500 POWs — «всі на всіх»") == [
        "Kyiv",
        "s",
        "2",
        "500",
        "POWs",
        "всі",
        "на",
        "всіх",
    ]


def test_short_text_is_one_shingle() -> None:
    assert shingles("a b") == {("a", "b"): 1}
    assert shingles("") == {}


def test_shingles_are_a_multiset() -> None:
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2


def test_identical_texts_score_all_true_positives() -> None:
    assert score_page("one two three four five", "one, two; three four five!") == PageScore(1.0, 0.0, 0.0)


def test_extra_and_missing_shingles_are_normalised_per_page() -> None:
    # truth: 2 shingles (a b c d, b c d e); prediction: a b c d + c d x y... -> 3 shingles
    score = score_page("a b c d e", "a b c d x")
    # shared: (a b c d); fp: (b c d x); fn: (b c d e)
    assert score == pytest.approx(PageScore(1 / 3, 1 / 3, 1 / 3))


def test_empty_prediction_counts_for_recall_only() -> None:
    scores = [score_page("a b c d e", ""), score_page("a b c d e", "a b c d e")]
    summary = summarize(scores)
    assert summary.precision == 1.0  # only the second page predicted anything
    assert summary.recall == 0.5
    assert summary.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_pages_weigh_the_same_whatever_their_length() -> None:
    long_truth = " ".join(f"w{i}" for i in range(1000))
    scores = [score_page(long_truth, long_truth), score_page("a b c d e", "x y z q r")]
    assert summarize(scores).precision == pytest.approx(0.5)


def test_snippets_match_as_whitespace_normalised_substrings() -> None:
    text = "First   paragraph of\nthe story.\n\nSecond one.\nRead more: elsewhere"
    got = score_snippets(
        ["paragraph of the story.", "Second one.", "Not there"], ["Read more:", "Share"], text
    )
    assert got == SnippetScore(tp=2, fn=1, fp=1, tn=1)


def test_snippet_metric_sums_over_the_corpus_before_dividing() -> None:
    # Page one: 1 of 1 found; page two: 0 of 3 found and 1 of 1 unwanted found.
    # Summed: tp 1, fn 3, fp 1 -> P 0.5, R 0.25 (a per-page average would give other figures).
    scores = [
        body("snippets", {"with": ["alpha beta"], "without": []}, "alpha beta gamma"),
        body("snippets", {"with": ["first", "second", "third"], "without": ["junk"]}, "junk only"),
    ]
    summary = aggregate(scores)
    assert summary.precision == pytest.approx(0.5)
    assert summary.recall == pytest.approx(0.25)
    assert summary.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)


def test_empty_output_finds_no_snippet_and_leaks_none() -> None:
    assert score_snippets(["a b"], ["c"], "") == SnippetScore(tp=0, fn=1, fp=0, tn=1)


def test_body_dispatches_shingle_truths_to_the_shingle_metric() -> None:
    assert body("shingles", {"text": "one two three four five"}, "one two three four five") == PageScore(
        1.0, 0.0, 0.0
    )


def test_bootstrap_spread_is_zero_when_every_page_scores_alike() -> None:
    same = [score_page("a b c d e", "a b c d e")] * 10
    mixed = [score_page("a b c d e", "a b c d e"), score_page("a b c d e", "")] * 5
    assert bootstrap_f1_std(same) == 0.0
    assert bootstrap_f1_std(mixed) > 0.0
