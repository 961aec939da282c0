"""Markup to blocks: lists (nested ones included) keep every item once."""

from __future__ import annotations

from lxml import etree
from lxml.html import fragment_fromstring

from newsdesk.extraction.walk import html_blocks, xml_blocks


def test_nested_html_list_prints_each_item_once() -> None:
    container = fragment_fromstring(
        "<div><ul><li>Fruit <ul><li>Apples</li><li>Pears</li></ul> in season</li><li>Bread</li></ul></div>"
    )
    (block,) = html_blocks(container)
    assert block.kind == "list"
    assert block.items == ["Fruit in season", "Apples", "Pears", "Bread"]


def test_nested_trafilatura_list_prints_each_item_once() -> None:
    body = etree.fromstring(
        "<body><list><item>Fruit<list><item>Apples</item><item>Pears</item></list></item>"
        "<item>Bread</item></list></body>"
    )
    (block,) = xml_blocks(body)
    assert block.items == ["Fruit", "Apples", "Pears", "Bread"]
    assert "\n".join(block.items).count("Apples") == 1


def test_flat_list_keeps_its_link_ratio() -> None:
    container = fragment_fromstring("<div><ul><li><a href='/a'>Read more</a></li><li>Plain</li></ul></div>")
    (block,) = html_blocks(container)
    assert block.items == ["Read more", "Plain"]
    assert block.link_ratio == 0.0  # the least linked item's
