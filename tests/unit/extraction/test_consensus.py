"""The consensus of candidate bodies: wrong-block arbitration and recall for split bodies."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import pytest

from newsdesk.extraction.blocks import Block, render_text
from newsdesk.extraction.consensus import ConsensusParams, combine, consensus_body, default_params
from newsdesk.extraction.votes import BlockModel, default_model

STORY = [
    "The harbour authority approved the plan on Tuesday after a long debate about costs and the fleet.",
    "Fishermen said the new quay would double the space for boats that now moor three abreast in winter.",
    "Work starts in spring and should end before the summer season, the authority's chair told reporters.",
    "A second phase, dredging the channel, still needs money from the regional government next year.",
]
FOOTER = [
    "Copyright 2012 Harbour Gazette. All rights reserved. Terms of use and privacy policy apply here.",
    "Latest articles: Council approves budget; Ferry timetable changes; New school opens its doors.",
]
PARAMS = ConsensusParams(disagree_below=0.35, prose_factor=1.5, witness_margin=0.1, add_min_chars=60)


def para(text: str, link_ratio: float = 0.0) -> Block:
    return Block("paragraph", text, link_ratio=link_ratio)


def test_the_story_wins_over_a_footer_chosen_by_one_extractor() -> None:
    footer = [para(t) for t in FOOTER]
    story = [para(t) for t in STORY]
    assert combine(footer, story, [], PARAMS) == story


def test_the_witness_decides_a_disagreement() -> None:
    # Two prose candidates of similar weight: the JSON-LD body says which one is the article.
    first = [para(t) for t in STORY[:2]]
    other = [para(t + " " + t) for t in FOOTER]
    assert combine(first, other, [para(STORY[0])], PARAMS) == first
    assert combine(other, first, [para(STORY[1])], PARAMS) == first


def test_paragraphs_of_a_split_body_are_added_in_place() -> None:
    primary = [para(STORY[0]), para(STORY[3])]
    second = [para(t) for t in STORY]
    assert render_text(combine(primary, second, [], PARAMS)) == render_text(second)


def test_link_text_and_short_lines_of_the_other_candidate_are_not_added() -> None:
    primary = [para(t) for t in STORY]
    second = [
        *primary,
        para(
            "Read the full report on our partner site today, with maps and the council's own figures.",
            link_ratio=1.0,
        ),
        para("Share"),
    ]
    assert combine(primary, second, [], PARAMS) == primary


def test_an_empty_candidate_defers_to_the_other() -> None:
    story = [para(t) for t in STORY]
    assert combine([], story, [], PARAMS) == story
    assert combine(story, [], [], PARAMS) == story


def test_the_shipped_parameters_are_the_trained_file() -> None:
    shipped = json.loads((resources.files("newsdesk") / "data" / "body_consensus.json").read_text("utf-8"))
    assert default_params() == ConsensusParams.from_dict(shipped["params"])


# A model that keeps prose and drops lists and code: the vote's plumbing, not trained weights.
PROSE_ONLY = BlockModel({"bias": 2.0, "kind_list": -6.0, "kind_code": -6.0, "short": -6.0}, keep_at=0.5)
VOTING = replace(PARAMS, vote=True)


def test_a_tail_list_only_one_extractor_kept_is_voted_out() -> None:
    story = [para(t) for t in STORY]
    related = Block("list", items=["Council approves budget", "Ferry timetable changes"])
    assert combine([*story, related], story, [], VOTING, PROSE_ONLY) == story


def test_a_paragraph_only_the_second_found_is_voted_in_at_its_place() -> None:
    primary = [para(STORY[0]), para(STORY[1]), para(STORY[3])]
    second = [para(t) for t in STORY]
    assert combine(primary, second, [], VOTING, PROSE_ONLY) == second


def test_blocks_both_candidates_share_are_never_voted_out() -> None:
    story = [para(t) for t in STORY]
    drop_all = BlockModel({"bias": -10.0}, keep_at=0.5)
    assert combine(story, story, [], VOTING, drop_all) == story


def test_without_the_vote_flag_the_model_is_not_consulted() -> None:
    story = [para(t) for t in STORY]
    related = Block("list", items=["Council approves budget", "Ferry timetable changes"])
    assert combine([*story, related], story, [], PARAMS, PROSE_ONLY) == [*story, related]


def test_the_jsonld_witness_stands_in_only_when_the_markup_gave_nothing() -> None:
    witness = [para(t) for t in STORY]
    assert consensus_body([], [para("Menu")], witness, PARAMS) == (witness, True)
    story = [para(t) for t in STORY[:2]]
    assert consensus_body(story, story, witness, PARAMS) == (story, False)


def test_the_shipped_block_model_is_the_trained_file() -> None:
    shipped = json.loads((resources.files("newsdesk") / "data" / "body_blocks.json").read_text("utf-8"))
    model = shipped["model"]
    assert default_model() == (BlockModel.from_dict(model) if model else None)


def test_a_block_model_with_unknown_features_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown features"):
        BlockModel.from_dict({"weights": {"site_is_bbc": 1.0}, "keep_at": 0.5})


def test_a_block_weighs_by_the_side_it_comes_from() -> None:
    # The same tail list: dropped when only the primary kept it, added when only the second has it.
    story = [para(t) for t in STORY]
    related = Block("list", items=["Council approves budget", "Ferry timetable changes"])
    model = BlockModel({"bias": -5.0, "from_second": 10.0}, keep_at=0.5)
    assert combine([*story, related], story, [], VOTING, model) == story
    assert combine(story, [*story, related], [], VOTING, model) == [*story, related]
