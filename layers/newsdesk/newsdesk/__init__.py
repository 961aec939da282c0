"""Newsdesk: discover news articles, fetch them politely, extract clean structured articles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsdesk.errors import ExtractionError, NewsdeskError

if TYPE_CHECKING:
    from newsdesk.article import Article, LeadImage
    from newsdesk.extraction import extract

__version__ = "0.1.0"

__all__ = ["Article", "ExtractionError", "LeadImage", "NewsdeskError", "__version__", "extract"]


def __getattr__(name: str) -> object:
    # Every `import newsdesk.x` runs this package first: the Article model (pydantic) and `extract`
    # (lxml, trafilatura and friends) load on first use, so the dispatcher and the fetcher, which
    # need neither, do not pay for them at cold start.
    if name in {"Article", "LeadImage"}:
        from newsdesk import article

        return getattr(article, name)
    if name == "extract":
        from newsdesk.extraction import extract

        return extract
    raise AttributeError(name)
