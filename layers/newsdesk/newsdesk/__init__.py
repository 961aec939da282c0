"""Newsdesk: discover news articles, fetch them politely, extract clean structured articles."""

from newsdesk.article import Article, LeadImage
from newsdesk.errors import ExtractionError, NewsdeskError

__version__ = "0.1.0"

__all__ = ["Article", "ExtractionError", "LeadImage", "NewsdeskError", "__version__", "extract"]


def __getattr__(name: str) -> object:
    # `extract` pulls in lxml, trafilatura and friends; import it lazily so that
    # `import newsdesk` stays cheap for the fetcher and the CLI's other commands.
    if name == "extract":
        from newsdesk.extraction import extract

        return extract
    raise AttributeError(name)
