"""JSON-LD parsing: repairs, flattening and choosing the article object."""

from __future__ import annotations

import lxml.html

from newsdesk.extraction import jsonld


def collect(*blocks: str) -> jsonld.JsonLd:
    scripts = "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)
    return jsonld.collect(lxml.html.document_fromstring(f"<html><head>{scripts}</head><body></body></html>"))


def test_parse_block_repairs_common_breakage() -> None:
    assert jsonld.parse_block('{"a": 1,}') == [{"a": 1}]
    assert jsonld.parse_block('<![CDATA[ {"a": 1} ]]>') == [{"a": 1}]
    assert jsonld.parse_block('{"a": "line\nbreak"}') == [{"a": "line\nbreak"}]
    assert jsonld.parse_block('{"a": 1}{"b": 2}') == [{"a": 1}, {"b": 2}]
    assert jsonld.parse_block("{nope") == []
    assert jsonld.parse_block("") == []


def test_graph_nested_main_entity_and_lists_are_flattened() -> None:
    data = collect(
        '{"@graph": [{"@type": "WebPage", "@id": "p",'
        ' "mainEntity": {"@type": "NewsArticle", "headline": "H"}}]}',
        '[{"@type": ["Thing", "BlogPosting"], "headline": "B"}]',
    )
    assert {obj.get("headline") for obj in data.objects if jsonld.is_article(obj)} == {"H", "B"}


def test_type_names_strip_prefixes() -> None:
    assert jsonld.type_names({"@type": ["http://schema.org/NewsArticle", "schema:Thing"]}) == {
        "newsarticle",
        "thing",
    }


def test_main_article_prefers_the_richest_object_without_canonical() -> None:
    data = collect(
        '{"@type": "NewsArticle", "headline": "Teaser"}',
        '{"@type": "NewsArticle", "headline": "Full", "author": "A B", "datePublished": "2020-01-01"}',
    )
    article = jsonld.main_article(data)
    assert article is not None and article["headline"] == "Full"


def test_resolve_follows_id_references_only() -> None:
    data = collect('{"@graph": [{"@type": "Person", "@id": "#me", "name": "Me"}]}')
    assert data.resolve({"@id": "#me"}) == {"@type": "Person", "@id": "#me", "name": "Me"}
    assert data.resolve({"@id": "#missing"}) == {"@id": "#missing"}
    assert data.resolve("plain") == "plain"


def test_text_value_rejects_non_finite_numbers_and_takes_names() -> None:
    assert jsonld.text_value(float("nan")) is None
    assert jsonld.text_value(float("inf")) is None
    assert jsonld.text_value(2024) == "2024"
    assert jsonld.text_value([None, {"name": "  Spaced   name "}]) == "Spaced name"
