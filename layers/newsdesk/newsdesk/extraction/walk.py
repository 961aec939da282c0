"""Turn markup into `Block`s: HTML (site adapters) and trafilatura's XML output (generic path)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from copy import copy

from lxml import etree

from newsdesk.extraction.blocks import Block, clean_text

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIP_HTML = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "iframe",
        "svg",
        "img",
        "picture",
        "video",
        "audio",
        "figure",
        "figcaption",
        "nav",
        "aside",
        "footer",
        "header",
    }
)
_HTML_BLOCKS = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "table",
        "div",
        "section",
        "article",
        "main",
        "figure",
        "aside",
        "nav",
        "header",
        "footer",
        "form",
        "dl",
        "hr",
        "li",
    }
)


def _tag(el: etree._Element) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _inline_text(el: etree._Element) -> str:
    """Text of an element, `<br>` as a line break, skipping scripts and the like."""
    parts: list[str] = []

    def visit(node: etree._Element) -> None:
        tag = _tag(node)
        if tag in _SKIP_HTML or not tag:
            return
        if tag == "br":
            parts.append("\n")
        elif node.text:
            parts.append(_ws(node.text))
        for child in node:
            visit(child)
            if child.tail:
                parts.append(_ws(child.tail))

    visit(el)
    return "".join(parts)


def _ws(text: str) -> str:
    """Source newlines are whitespace; only <br> / <lb/> break a line."""
    return text.replace("\r", " ").replace("\n", " ")


def _link_ratio(el: etree._Element, link_tag: str) -> float:
    total = len("".join(el.itertext()).strip())
    if not total:
        return 0.0
    linked = sum(len("".join(a.itertext()).strip()) for a in el.iter(link_tag))
    return min(1.0, linked / total)


def _paragraphs(text: str) -> Iterator[str]:
    for line in text.split("\n"):
        cleaned = clean_text(line)
        if cleaned:
            yield cleaned


def _list_entries(
    lst: etree._Element,
    item_tag: str,
    list_tags: tuple[str, ...],
    text_of: Callable[[etree._Element], str],
) -> list[tuple[str, etree._Element]]:
    """A list's items, nested lists flattened after their parent item, each item's text once.

    An item's own text leaves out its nested lists: taking the whole item and then each nested
    item again would print every sub-item twice (once run into its parent's line).
    """
    entries: list[tuple[str, etree._Element]] = []
    for item in lst:
        if _tag(item) != item_tag:
            continue
        nested = [child for child in item if _tag(child) in list_tags]
        if nested:
            own = copy(item)
            for child in list(own):
                if _tag(child) in list_tags:
                    remove_keep_tail(child)
            text = clean_text(text_of(own))
        else:
            text = clean_text(text_of(item))
        if text:
            entries.append((text, item))
        for sub in nested:
            entries.extend(_list_entries(sub, item_tag, list_tags, text_of))
    return entries


def remove_keep_tail(el: etree._Element) -> None:
    """Remove `el` from its tree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def html_blocks(container: etree._Element) -> list[Block]:
    blocks: list[Block] = []

    def loose(text: str | None) -> None:
        if text and text.strip():
            blocks.extend(Block("paragraph", p) for p in _paragraphs(text))

    def visit(el: etree._Element) -> None:
        tag = _tag(el)
        if not tag or tag in _SKIP_HTML:
            return
        if tag in _HEADINGS:
            text = clean_text(_inline_text(el))
            if text:
                blocks.append(Block("heading", text, level=_HEADINGS[tag]))
        elif tag == "p":
            ratio = _link_ratio(el, "a")
            blocks.extend(Block("paragraph", p, link_ratio=ratio) for p in _paragraphs(_inline_text(el)))
        elif tag in ("ul", "ol"):
            entries = _list_entries(el, "li", ("ul", "ol"), _inline_text)
            if entries:
                blocks.append(
                    Block(
                        "list",
                        items=[text for text, _ in entries],
                        ordered=tag == "ol",
                        link_ratio=min(_link_ratio(item, "a") for _, item in entries),
                    )
                )
        elif tag == "blockquote":
            text = "\n".join(_paragraphs(_inline_text(el)))
            if text:
                blocks.append(Block("quote", text))
        elif tag == "pre":
            text = "".join(el.itertext()).strip("\n")
            if text.strip():
                blocks.append(Block("code", text))
        elif tag == "table":
            rows = []
            for tr in el.iter("tr"):
                cells = [clean_text(_inline_text(c)) for c in tr if _tag(c) in ("td", "th")]
                if any(cells):
                    rows.append(" | ".join(cells))
            if rows:
                blocks.append(Block("table", items=rows))
        elif any(_tag(child) in _HTML_BLOCKS for child in el):
            loose(el.text)
            for child in el:
                visit(child)
                loose(child.tail)
        else:
            # a div or span of text: a teaser when it is mostly link, as for <p>
            ratio = _link_ratio(el, "a")
            blocks.extend(Block("paragraph", p, link_ratio=ratio) for p in _paragraphs(_inline_text(el)))

    visit(container)
    return blocks


def _xml_text(el: etree._Element) -> str:
    """Text of a trafilatura output element with `<lb/>` as a line break."""
    parts: list[str] = []

    def visit(node: etree._Element) -> None:
        if node.tag == "lb":
            parts.append("\n")
        elif node.tag == "graphic":
            pass
        elif node.text:
            parts.append(_ws(node.text))
        for child in node:
            visit(child)
            if child.tail:
                parts.append(_ws(child.tail))

    visit(el)
    return "".join(parts)


_XML_BLOCK_TAGS = frozenset({"p", "head", "list", "quote", "code", "table"})


def _is_layout_table(table: etree._Element) -> bool:
    """A table whose cells hold paragraphs or headings is page layout, not tabular data."""
    return any(
        child.tag in _XML_BLOCK_TAGS
        for cell in table.iter("cell")
        for child in cell
        if isinstance(child.tag, str)
    )


def xml_blocks(body: etree._Element) -> list[Block]:
    """Blocks from trafilatura's internal XML (`p`, `head`, `list/item`, `quote`, `table/row/cell`...)."""
    blocks: list[Block] = []
    _xml_into(body, blocks)
    return blocks


def _xml_into(body: etree._Element, blocks: list[Block]) -> None:
    for el in body:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "head":
            rend = el.get("rend") or "h2"
            level = int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1].isdigit() else 2
            text = clean_text(_xml_text(el))
            if text:
                blocks.append(Block("heading", text, level=level, link_ratio=_link_ratio(el, "ref")))
        elif tag == "list":
            entries = _list_entries(el, "item", ("list",), _xml_text)
            if entries:
                blocks.append(
                    Block(
                        "list",
                        items=[text for text, _ in entries],
                        ordered=(el.get("rend") or "") == "ol",
                        link_ratio=min(_link_ratio(item, "ref") for _, item in entries),
                    )
                )
        elif tag == "quote":
            text = "\n".join(_paragraphs(_xml_text(el)))
            if text:
                blocks.append(Block("quote", text))
        elif tag == "code":
            text = "".join(el.itertext()).strip("\n")
            if text.strip():
                blocks.append(Block("code", text))
        elif tag == "table" and _is_layout_table(el):
            for cell in el.iter("cell"):
                blocks.extend(Block("paragraph", p) for p in _paragraphs(cell.text or ""))
                _xml_into(cell, blocks)
        elif tag == "table":
            rows = []
            for row in el.iter("row"):
                cells = [clean_text(_xml_text(c)) for c in row.iter("cell")]
                if any(cells):
                    rows.append(" | ".join(cells))
            if rows:
                blocks.append(Block("table", items=rows))
        elif tag == "graphic":
            continue
        else:
            ratio = _link_ratio(el, "ref")
            blocks.extend(Block("paragraph", p, link_ratio=ratio) for p in _paragraphs(_xml_text(el)))
