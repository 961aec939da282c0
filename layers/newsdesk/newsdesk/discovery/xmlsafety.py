"""A strict, safe XML pre-check: no DTD entities, no external references, well-formed, bounded size.

Feeds are then handed to feedparser, which is forgiving; checking first with defusedxml means a
billion-laughs or XXE document is refused with a typed error before any lenient parser sees it.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from newsdesk.discovery import MalformedXmlError, UnsafeXmlError


def check_xml(body: bytes, *, url: str = "<document>") -> Element:
    """Parse `body` with entity expansion and external references forbidden; return the root."""
    if not body.strip():
        raise MalformedXmlError(f"{url}: empty document")
    try:
        root: Element = fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
        return root
    except DefusedXmlException as exc:
        raise UnsafeXmlError(f"{url}: refused unsafe XML ({type(exc).__name__}: {exc})") from exc
    except ParseError as exc:
        raise MalformedXmlError(f"{url}: malformed XML: {exc}") from exc
    except ValueError as exc:  # e.g. an encoding declaration Python does not know
        raise MalformedXmlError(f"{url}: unreadable XML: {exc}") from exc
