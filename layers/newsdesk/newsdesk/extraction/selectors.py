"""A small CSS-selector subset compiled to XPath, so site adapters can be written as CSS.

Supported: `tag`, `.class`, `#id`, `[attr]`, `[attr=value]`, `[attr*=value]`, `[attr^=value]`,
compounds of those (`div.post-content`), descendant (` `) and child (`>`) combinators, and
comma-separated groups. That covers what adapters need without a cssselect dependency.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

_TOKEN = re.compile(
    r"""\s*(?P<comb>>)\s*|(?P<ws>\s+)|(?P<tag>[a-zA-Z][a-zA-Z0-9-]*|\*)|\.(?P<cls>[\w-]+)|\#(?P<id>[\w-]+)"""
    r"""|\[\s*(?P<attr>[\w-]+)\s*(?:(?P<op>[*^$]?=)\s*["']?(?P<val>[^"'\]]*)["']?\s*)?\]"""
)


class SelectorError(ValueError):
    """A selector outside the supported subset (a programming error in an adapter)."""


def _literal(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    return 'concat("' + value.replace('"', "") + '")'


def _compile_one(selector: str) -> str:
    steps: list[str] = []
    axis = "descendant-or-self::"
    tag = "*"
    preds: list[str] = []
    pos = 0
    selector = selector.strip()

    def flush() -> None:
        nonlocal tag, preds
        steps.append(axis + tag + "".join(f"[{p}]" for p in preds))
        tag, preds = "*", []

    pending = False
    while pos < len(selector):
        m = _TOKEN.match(selector, pos)
        if not m or m.end() == pos:
            raise SelectorError(f"unsupported selector: {selector!r}")
        pos = m.end()
        if m.group("comb") or m.group("ws"):
            if pending:
                flush()
                pending = False
            axis = "/" if m.group("comb") else "//"
            continue
        pending = True
        if m.group("tag"):
            tag = m.group("tag").lower()
        elif m.group("cls"):
            preds.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {m.group('cls')} ')")
        elif m.group("id"):
            preds.append(f"@id={_literal(m.group('id'))}")
        elif m.group("attr"):
            attr, op, val = m.group("attr"), m.group("op"), m.group("val") or ""
            if not op:
                preds.append(f"@{attr}")
            elif op == "=":
                preds.append(f"@{attr}={_literal(val)}")
            elif op == "*=":
                preds.append(f"contains(@{attr}, {_literal(val)})")
            elif op == "^=":
                preds.append(f"starts-with(@{attr}, {_literal(val)})")
            else:
                raise SelectorError(f"unsupported attribute operator in {selector!r}")
    if not pending:
        raise SelectorError(f"empty selector: {selector!r}")
    flush()
    # The first step is relative to the context node's descendants.
    first = steps[0].removeprefix("descendant-or-self::")
    return ".//" + first + "".join(steps[1:])


@lru_cache(maxsize=256)
def css_to_xpath(selector: str) -> etree.XPath:
    parts = [_compile_one(s) for s in selector.split(",") if s.strip()]
    if not parts:
        raise SelectorError(f"empty selector: {selector!r}")
    return etree.XPath(" | ".join(parts))
