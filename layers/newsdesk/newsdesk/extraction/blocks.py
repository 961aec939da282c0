"""The body as a list of blocks, and its two renderings: plain text and Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from newsdesk.article import count_words

BlockKind = Literal["paragraph", "heading", "list", "quote", "table", "code"]

# A body shorter than this is a menu or a stub left by a failed extraction, not an article.
MIN_BODY_WORDS = 5
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_MD_SPECIAL_START = re.compile(r"^(#{1,6}\s|[-+*]\s|\d+[.)]\s|>)")


def clean_text(text: str) -> str:
    """Collapse runs of spaces (keeping newlines out: a block is one line of prose)."""
    return _SPACE.sub(" ", text.replace("\n", " ")).strip()


@dataclass
class Block:
    kind: BlockKind
    text: str = ""
    level: int = 2  # heading level
    items: list[str] = field(default_factory=list)  # list items, table rows
    ordered: bool = False
    # Share of the text inside links (for a list: of its least linked item). A short block that
    # is nearly all link is a teaser or a menu entry, not prose.
    link_ratio: float = 0.0

    @property
    def plain(self) -> str:
        if self.kind in ("list", "table"):
            return "\n".join(self.items)
        return self.text

    def markdown(self) -> str:
        if self.kind == "heading":
            return "#" * max(1, min(6, self.level)) + " " + self.text
        if self.kind == "list":
            return "\n".join(
                (f"{i}. " if self.ordered else "- ") + item for i, item in enumerate(self.items, start=1)
            )
        if self.kind == "quote":
            return "\n".join("> " + line for line in self.text.split("\n"))
        if self.kind == "table":
            return "\n".join(self.items)
        if self.kind == "code":
            return f"```\n{self.text}\n```"
        # A paragraph that starts like Markdown block syntax would change meaning: escape it.
        return "\\" + self.text if _MD_SPECIAL_START.match(self.text) else self.text


def render_text(blocks: list[Block]) -> str:
    return "\n\n".join(b.plain for b in blocks if b.plain)


def render_markdown(blocks: list[Block]) -> str:
    return "\n\n".join(b.markdown() for b in blocks if b.plain)


def is_substantial(blocks: list[Block]) -> bool:
    """Enough words to be an article body at all (see MIN_BODY_WORDS)."""
    return count_words(render_text(blocks)) >= MIN_BODY_WORDS
