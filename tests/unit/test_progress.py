"""Long commands report progress: plain lines when the output is not a terminal."""

from __future__ import annotations

import io

from newsdesk.progress import progress


def test_progress_prints_plain_lines_when_the_output_is_not_a_terminal() -> None:
    out = io.StringIO()
    with progress("parsing pages", 250, stream=out) as advance:
        for _ in range(25):
            advance(10)
    assert out.getvalue().splitlines() == [
        "parsing pages: 100/250",
        "parsing pages: 200/250",
        "parsing pages: 250/250 done",
    ]
