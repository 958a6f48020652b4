"""XML answers decoded into nested dicts (xmltodict), DTDs refused."""

from __future__ import annotations

from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict

from .errors import InvalidResponse


def decode_xml(body: bytes | str) -> dict[str, Any]:
    """Decode XML into nested dicts, refusing DTDs and entity declarations.

    Tag names are kept as sent; callers compare them case-insensitively.
    """
    raw = body.encode() if isinstance(body, str) else body
    head = raw.lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise InvalidResponse("XML with a document type or entities is refused")
    try:
        parsed = xmltodict.parse(raw, disable_entities=True)
    except (ExpatError, ValueError, TypeError, LookupError, RecursionError) as err:
        # LookupError: a declared encoding that Python does not know
        raise InvalidResponse(f"malformed XML: {err}") from err
    if not isinstance(parsed, dict):
        raise InvalidResponse("XML has no root element")
    return parsed
