"""Typed errors. Every failure a user can cause has its own class and a clear message."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the extraction package imports this module: no import at run time
    from newsdesk.extraction.metadata import PageMetadata


class NewsdeskError(Exception):
    """Base class of every error newsdesk raises on purpose."""


class ConfigurationError(NewsdeskError):
    """A settings value or a sources file is missing or invalid."""


class ExtractionError(NewsdeskError):
    """The bytes given to the parser do not yield an article."""

    reason = "extraction_failed"


class EmptyDocumentError(ExtractionError):
    reason = "empty"


class BinaryContentError(ExtractionError):
    reason = "binary"


class DocumentTooLargeError(ExtractionError):
    reason = "too_large"


class UndecodableDocumentError(ExtractionError):
    reason = "undecodable"


class NotAnArticleError(ExtractionError):
    """The page parsed but holds no article body.

    `metadata` is the page's metadata (headline, authors, dates...) when it could be read: the
    pipeline rejects the page, a caller that wants what the page says about itself still has it.
    """

    reason = "not_an_article"

    def __init__(self, message: str, metadata: PageMetadata | None = None) -> None:
        super().__init__(message)
        self.metadata = metadata


class StorageError(NewsdeskError):
    """An object or item that should exist is missing or malformed."""


class ConflictError(NewsdeskError):
    """Another writer changed the item first; retrying reads the new state (transient)."""


class QueryError(NewsdeskError):
    """A query (SQL, a filter combination) cannot be run as given."""
