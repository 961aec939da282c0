"""Progress for long commands: a rich progress bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

# Plain mode prints a line every this many items (and at the end).
PLAIN_EVERY = 100


@contextlib.contextmanager
def progress(
    description: str, total: int | None, *, stream: TextIO | None = None
) -> Iterator[Callable[[int], None]]:
    """Yields `advance(n)`. rich is a dev tool, not in the layer: without it, plain lines."""
    out = stream or sys.stderr
    if out.isatty():
        try:
            from rich.progress import Progress
        except ImportError:
            pass
        else:
            with Progress(transient=True) as bar:
                task = bar.add_task(description, total=total)

                def advance_bar(n: int = 1) -> None:
                    bar.advance(task, n)

                yield advance_bar
            return
    done = 0

    def advance(n: int = 1) -> None:
        nonlocal done
        before, done = done, done + n
        if before // PLAIN_EVERY != done // PLAIN_EVERY:
            print(f"{description}: {done}" + (f"/{total}" if total is not None else ""), file=out, flush=True)

    yield advance
    print(
        f"{description}: {done}" + (f"/{total}" if total is not None else "") + " done", file=out, flush=True
    )
