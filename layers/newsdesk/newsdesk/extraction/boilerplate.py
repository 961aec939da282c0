"""Boilerplate that survives container selection: rules on the text of short blocks.

Each rule is a pattern for a *whole short block* (a line of a membership appeal, a newsletter
pitch, a "Read more" / "Related" link line, a share bar...), never for words inside prose, so a
real paragraph that mentions a newsletter is kept.
"""

from __future__ import annotations

import re

from newsdesk.extraction.blocks import Block

# Blocks longer than this are prose, whatever words they contain.
MAX_BOILERPLATE_CHARS = 300

_PATTERNS = [
    # membership / donation appeals
    r"\d[\d,. ]* out of [\d,. ]+",
    r"help us reach .*",
    r"quality journalism takes work.*",
    r"(please )?(support|fund|back) (our|independent|quality) journalism.*",
    r"(become|join us as) a (member|subscriber|patron|supporter).*",
    r"(join|support) (us|now|today)[.!]?",
    r"donate( now| today)?[.!]?",
    # newsletters, apps, social
    r"(sign up|subscribe|register) (for|to) (our|the|a) .{0,80}(newsletter|briefing|bulletin|digest).*",
    r"get (the|our) .{0,60} (app|newsletter).*",
    r"click here to (get|download|subscribe|sign up|read|follow).*",
    r"(follow|like) us on .*",
    r"share (this|on) .*",
    r"(share|tweet|email|print|copy link)( this( article| story)?)?",
    # link lists and teasers
    r"(read|see|watch|listen) (more|also|next)( \w+){0,6}[:.]?",
    r"(read|see|watch|listen) (more|also|next)( \w+){0,3}\s*[:|»›>-].*",
    r"(related|recommended|more from|most read|don'?t miss|trending|popular)( \w+){0,4}[:.]?",
    r"(related|recommended|also read|read also)\s*:.*",
    r"show more",
    r"(advertisement|advertising|sponsored( content)?|ad)",
    r"(we|this (site|website)) uses? cookies.*",
    r"\(?updated: *\)?",
]
_BOILERPLATE = re.compile(r"^\s*(?:" + "|".join(_PATTERNS) + r")\s*$", re.IGNORECASE)


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def is_boilerplate_text(text: str) -> bool:
    return len(text) <= MAX_BOILERPLATE_CHARS and bool(_BOILERPLATE.match(text))


def drop_boilerplate(blocks: list[Block], title: str | None = None) -> list[Block]:
    """Remove boilerplate blocks, and the headline when it opens the body (it is the title, not text)."""
    kept: list[Block] = []
    title_key = _norm(title) if title else ""
    for index, block in enumerate(blocks):
        text = block.plain
        if block.kind in ("paragraph", "heading") and is_boilerplate_text(text):
            continue
        if block.kind == "list":
            items = [i for i in block.items if not is_boilerplate_text(i)]
            if not items:
                continue
            kept.append(Block("list", items=items, ordered=block.ordered))
            continue
        if title_key and index < 3 and block.kind in ("paragraph", "heading") and _norm(text) == title_key:
            continue
        kept.append(block)
    return kept
