"""XML answers: accepted encodings, no DTDs, dicts out (xmltodict).

Every check looks at the decoded text, so no byte encoding can hide a
``<!DOCTYPE>`` or ``<!ENTITY>``; only encodings a server can sensibly send
are decoded at all.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
import re
from typing import Any, Final
from xml.parsers.expat import ExpatError

import xmltodict

from ._offload import yield_gil
from .errors import InvalidResponse

# The encodings an XML answer may come in (Python codec names): what servers
# really send. Anything else is refused: punycode takes seconds to decode
# 200 KB, and utf-7, idna, EBCDIC or the bytes-to-bytes codecs have no
# business in an HTTP answer.
XML_ENCODINGS: Final = frozenset(
    {
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "utf-32-le",
        "utf-32-be",
        "ascii",
        "iso8859-1",
        *(f"cp{page}" for page in range(1250, 1259)),
    }
)
# UTF-32 first: its little-endian mark starts with UTF-16's
_BYTE_ORDER_MARKS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED_ENCODING: Final = re.compile(
    rb"""<\?xml\s[^>]*?\bencoding\s*=\s*(?:"([^"]*)"|'([^']*)')"""
)
_DECLARATION_SPAN: Final = 1024
_ENCODING_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,39}")
_FORBIDDEN_XML: Final = re.compile(r"<!\s*(?:doctype|entity)", re.IGNORECASE)
# xmltodict costs ~56 ns per byte: a piece is ~1 ms of parsing
_XML_PIECE: Final = 16 * 1024


def _wide_encoding(head: bytes) -> str | None:
    """UTF-32 or UTF-16 without byte order mark, told by the zero bytes.

    XML text never holds U+0000, so zero bytes among the first four mean a
    wide encoding (XML 1.0, appendix F).
    """
    if len(head) >= 4:
        if head[:3] == b"\0\0\0" and head[3]:
            return "utf-32-be"
        if head[0] and head[1:4] == b"\0\0\0":
            return "utf-32-le"
    if len(head) >= 2:
        if not head[0] and head[1]:
            return "utf-16-be"
        if head[0] and not head[1]:
            return "utf-16-le"
    return None


def check_xml_encoding(raw: bytes) -> str:
    """The Python codec to decode an XML document with, if it is an accepted one.

    Decided, in this order, by a byte order mark; by the zero bytes of a
    UTF-16/32 document without one; by the ``encoding`` of the XML
    declaration; otherwise UTF-8. Raises InvalidResponse for a declared
    encoding outside ``XML_ENCODINGS`` (punycode, utf-7, idna, rot13,
    base64_codec, zlib_codec, EBCDIC …), an unknown one or a malformed name.

    For parsers that decode the text themselves (a fast path beside
    ``decode_xml``): ``raw.decode(check_xml_encoding(raw))``, mapping
    UnicodeDecodeError to InvalidResponse; the codec strips a byte order
    mark. Look for DTDs in the decoded text, never in the bytes (UTF-16 hides
    them from a byte search), and give the parser that text: a ``str`` makes
    expat ignore the declared encoding. ``xml_text`` does all of this.
    """
    for mark, encoding in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            return encoding
    if (wide := _wide_encoding(raw[:4])) is not None:
        return wide
    match = _DECLARED_ENCODING.match(raw[:_DECLARATION_SPAN])
    if match is None:
        return "utf-8"
    name = (match.group(1) or match.group(2) or b"").decode("latin-1")
    if not _ENCODING_NAME.fullmatch(name):
        raise InvalidResponse(f"XML declares a malformed encoding name {name[:40]!r}")
    try:
        encoding = codecs.lookup(name).name
    except LookupError:
        raise InvalidResponse(f"XML declares an unknown encoding {name!r}") from None
    if encoding not in XML_ENCODINGS:
        raise InvalidResponse(f"XML declares the encoding {name!r}, which is refused")
    return encoding


def xml_text(body: bytes | str) -> str:
    """An XML document as text, refusing document types and entity declarations.

    Bytes are decoded with the codec ``check_xml_encoding`` picks; the
    refusal looks at the decoded text, so no encoding can hide a DTD.
    """
    if isinstance(body, str):
        text = body
    else:
        encoding = check_xml_encoding(body)
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as err:
            raise InvalidResponse(f"XML is not valid {encoding} text") from err
    if _FORBIDDEN_XML.search(text):
        raise InvalidResponse("XML with a document type or entities is refused")
    return text


def _xml_pieces(data: bytes) -> Iterator[bytes]:
    """``data`` in pieces for expat, handing the GIL over between them."""
    for start in range(0, len(data), _XML_PIECE):
        if start:
            yield_gil()
        yield data[start : start + _XML_PIECE]


def decode_xml(body: bytes | str) -> dict[str, Any]:
    """Decode XML into nested dicts, refusing DTDs and entity declarations.

    The encoding must be one of ``XML_ENCODINGS`` (see ``check_xml_encoding``).
    Big documents are parsed in pieces, handing the GIL over between them, so
    that this can run in a worker thread (``off_loop``) without holding up
    the event loop. Tag names are kept as sent; callers compare them
    case-insensitively.
    """
    text = xml_text(body)
    try:
        if len(text) <= _XML_PIECE:
            parsed = xmltodict.parse(text, disable_entities=True)
        else:
            pieces = _xml_pieces(text.encode("utf-8"))
            parsed = xmltodict.parse(pieces, encoding="utf-8", disable_entities=True)
    except (ExpatError, ValueError, TypeError, LookupError, RecursionError) as err:
        raise InvalidResponse(f"malformed XML: {err}") from err
    if not isinstance(parsed, dict):
        raise InvalidResponse("XML has no root element")
    return parsed
