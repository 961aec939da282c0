"""Tables (plain text for the terminal, Markdown for docs/benchmarks.md) and the docs splice."""

from __future__ import annotations

import contextlib
import io
import math
import re
import statistics
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.data import REPO

DOCS = REPO / "docs" / "benchmarks.md"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.{digits}f}"


def shown_name(name: str, covered: int, pages: int) -> str:
    """A tool's name in a table, saying so when it has outputs for only part of the collection
    (a --cache-only tool): such a tool is never taken as the best peer."""
    return name if covered == pages else f"{name} (on {covered} of {pages} pages)"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        first = str(row[0]).ljust(widths[0])
        return "  ".join([first, *(str(c).rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))])

    return "\n".join([line(header), *(line(r) for r in rows)])


def splice(section: str, content: str, path: Path = DOCS) -> None:
    """Replace the text between `<!-- section:begin -->` and `<!-- section:end -->` in the docs."""
    begin, end = f"<!-- {section}:begin -->", f"<!-- {section}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{begin}\n{content.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    text = (
        pattern.sub(lambda _m: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    )
    path.write_text(text, encoding="utf-8")


def run_and_record(section: str, command: str, run: Callable[[], int], *, docs: bool) -> int:
    """Run a benchmark that prints its figures; with `docs`, also put what it printed (and the
    command that made it) into its section of docs/benchmarks.md."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        status = run()
    text = captured.getvalue()
    print(text, end="")
    if docs and status == 0:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d")
        note = f"`{command}`, measured {stamp} on this project's 2-core machine:"
        splice(section, f"{note}\n\n```\n{text.rstrip()}\n```")
    return status


def docs_main(section: str, module: str, run: Callable[[list[str]], int], argv: list[str] | None) -> int:
    """A benchmark's `main`: its own arguments to `run`, and `--docs` to record what it printed."""
    args = list(sys.argv[1:] if argv is None else argv)
    rest = [a for a in args if a != "--docs"]
    command = " ".join([f"python -m {module}", *rest])
    return run_and_record(section, command, lambda: run(rest), docs="--docs" in args)
