"""Table helpers shared by the extraction and metadata benchmarks."""

from __future__ import annotations

from bench import report


def test_a_tool_with_outputs_for_part_of_a_collection_is_labelled_so() -> None:
    assert report.shown_name("newspaper4k", 60, 125) == "newspaper4k (on 60 of 125 pages)"
    assert report.shown_name("trafilatura", 125, 125) == "trafilatura"
