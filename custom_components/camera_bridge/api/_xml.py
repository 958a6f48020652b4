"""XML answers: accepted encodings, no document types, element trees and dicts.

Document types and entities are refused by the XML parser itself: expat is
given handlers (``harden``) that raise ``InvalidResponse`` for a
``<!DOCTYPE``, any entity declaration (general, parameter, unparsed) and any
reference to an external entity, so that the refusal is decided on what
expat reads, in whatever encoding it reads it. A search of the decoded text
cannot do that: expat takes a document whose first byte is zero for UTF-16
whatever it is told, so a UTF-16 document behind a UTF-8 byte order mark
decodes to text with a NUL between the characters, where no search finds
``<!DOCTYPE``, and expat then read it as UTF-16 and expanded its entities
(issue 17).

Every XML parser of the project comes from here: ``XmlTreeParser`` /
``XmlPullParser`` / ``parse_element`` for ElementTree, ``decode_xml`` for
dicts (xmltodict over a hardened expat). Only encodings a server can
sensibly send are decoded at all (``check_xml_encoding``).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
import re
from typing import Any, Final, NoReturn, cast
from xml.etree import ElementTree as ET
from xml.parsers import expat

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
_REFUSED: Final = "XML with a document type or entities is refused"
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
    mark. Give a parser of this module that text: a ``str`` makes expat
    ignore the declared encoding. ``xml_text`` does the decoding.
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
    """An XML document as text, decoded with the codec ``check_xml_encoding`` picks.

    Decoding only: document types are refused by the parsers of this module,
    which read the text as expat does (see the module's docstring).
    """
    if isinstance(body, str):
        return body
    encoding = check_xml_encoding(body)
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as err:
        raise InvalidResponse(f"XML is not valid {encoding} text") from err


class MalformedXml(InvalidResponse):
    """The text is not well-formed XML (as opposed to XML saying the wrong thing).

    A document type is not malformed: it is refused with InvalidResponse.
    """


def _refuse(*_args: object) -> NoReturn:
    raise InvalidResponse(_REFUSED)


def harden(parser: expat.XMLParserType) -> expat.XMLParserType:
    """Make an expat parser refuse document types and entities; return it.

    A ``<!DOCTYPE`` (internal subset or not), a general, parameter or
    unparsed entity declaration and a reference to an external entity each
    raise InvalidResponse from inside the parser, which stops at once: no
    entity is ever declared, expanded or fetched, whatever the encoding.
    """
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


class _HardenedExpat:
    """What xmltodict calls for a parser (its ``expat`` argument): a hardened one."""

    @staticmethod
    def ParserCreate(  # noqa: N802 - the name xmltodict calls
        encoding: str | None = None, namespace_separator: str | None = None
    ) -> expat.XMLParserType:
        return harden(expat.ParserCreate(encoding, namespace_separator))


class _RootStarted(Exception):
    """The guard reached the root element: the prolog, DTD included, is over."""


def _root_started(*_args: object) -> NoReturn:
    raise _RootStarted


class _Guard:
    """A hardened expat parser that reads a document up to its root element.

    ElementTree's C parser builds the trees, but it has no handler to refuse
    a document type with (a target's ``doctype`` is only called for targets
    other than ``TreeBuilder``, which lose the C fast path and pull events).
    So every piece goes to the guard first, until the root element starts: a
    document type can only stand before it (after it expat reports a syntax
    error). Guard and tree parser are the same expat library set up alike
    (namespace separator ``}``, no encoding, text fed as ``str``, which both
    hand expat as UTF-8, and a zero first byte switches both to UTF-16) and
    fed the same pieces (expat guesses UTF-16 from the first two bytes of its
    first piece), so the guard reads the prolog as the tree parser does and
    refuses a DTD before the tree parser gets the piece that completes it
    (tests/test_xml.py checks this against the C parser alone).

    The guard costs ~5 µs a document. Building the tree through expat's
    Python handlers instead (one parser, as the pure-Python ElementTree and
    defusedxml do) cost 10.0 ms instead of 6.2 ms for an export list of
    1,000 exports.
    """

    __slots__ = ("_parser",)

    def __init__(self) -> None:
        """A guard that has read nothing yet."""
        parser = harden(expat.ParserCreate(None, "}"))
        parser.StartElementHandler = _root_started
        self._parser: expat.XMLParserType | None = parser

    def check(self, text: str, final: bool) -> None:
        """Read the next piece while in the prolog; raise for a DTD or bad XML."""
        if (parser := self._parser) is None:
            return
        try:
            parser.Parse(text, final)
        except _RootStarted:
            self._parser = None
        except (expat.ExpatError, ValueError) as err:
            raise MalformedXml(f"malformed XML: {err}") from err


class XmlTreeParser:
    """ElementTree's C parser, with document types refused by expat (``_Guard``).

    ``feed`` text (``str``), then ``close`` for the root element. Malformed
    text raises MalformedXml (a lone surrogate included), a document type
    InvalidResponse.
    """

    __slots__ = ("_guard", "_tree")

    def __init__(self) -> None:
        """A fresh parser."""
        self._guard = _Guard()
        self._tree = ET.XMLParser()  # noqa: S314 - DTDs refused by the guard

    def feed(self, text: str) -> None:
        """Parse the next piece of the document."""
        self._guard.check(text, False)
        try:
            self._tree.feed(text)
        except (ET.ParseError, ValueError) as err:
            raise MalformedXml(f"malformed XML: {err}") from err

    def close(self) -> ET.Element:
        """The root element, once the whole document is read."""
        self._guard.check("", True)
        try:
            root: ET.Element = self._tree.close()
        except (ET.ParseError, ValueError) as err:
            raise MalformedXml(f"malformed XML: {err}") from err
        return root


class XmlPullParser:
    """ElementTree's C ``XMLPullParser`` of start events, DTDs refused by expat.

    As ``XMLPullParser(("start",))``: ``feed`` text, ``read_events`` as they
    come, ``close`` at the end (no root returned: it is the first event). A
    document type raises InvalidResponse from ``feed`` or ``close``, a lone
    surrogate MalformedXml; other malformed text raises ``ET.ParseError``
    from ``read_events`` or ``close``, as ``XMLPullParser`` does.
    """

    __slots__ = ("_guard", "_tree")

    def __init__(self) -> None:
        """A fresh parser."""
        self._guard = _Guard()
        self._tree: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(("start",))

    def feed(self, text: str) -> None:
        """Parse the next piece of the document."""
        self._guard.check(text, False)
        try:
            self._tree.feed(text)
        except ValueError as err:
            raise MalformedXml(f"malformed XML: {err}") from err

    def read_events(self) -> Iterator[tuple[str, ET.Element]]:
        """The start events of what was fed so far: ("start", element)."""
        # only start events were asked for: all of elements
        return cast("Iterator[tuple[str, ET.Element]]", self._tree.read_events())

    def close(self) -> None:
        """Finish the document: the last events are ready."""
        self._guard.check("", True)
        self._tree.close()


def parse_element(text: str, piece: int = _XML_PIECE * 2) -> ET.Element:
    """The root element of an XML text, fed to ``XmlTreeParser`` a piece at a time.

    The GIL is handed over between pieces (``yield_gil``), so that a worker
    thread parsing megabytes does not hold up the event loop: expat and the
    tree cost ~8 ns per character, 32 K characters ~0.25 ms.
    """
    parser = XmlTreeParser()
    for start in range(0, len(text), piece):
        if start:
            yield_gil()
        parser.feed(text[start : start + piece])
    return parser.close()


def _xml_pieces(data: bytes) -> Iterator[bytes]:
    """``data`` in pieces for expat, handing the GIL over between them."""
    for start in range(0, len(data), _XML_PIECE):
        if start:
            yield_gil()
        yield data[start : start + _XML_PIECE]


def decode_xml(body: bytes | str) -> dict[str, Any]:
    """Decode XML into nested dicts, refusing document types and entities.

    The encoding must be one of ``XML_ENCODINGS`` (see ``check_xml_encoding``);
    xmltodict reads the text with a hardened expat parser (``harden``). Big
    documents are parsed in pieces, handing the GIL over between them, so
    that this can run in a worker thread (``off_loop``) without holding up
    the event loop. Tag names are kept as sent; callers compare them
    case-insensitively.
    """
    text = xml_text(body)
    try:
        if len(text) <= _XML_PIECE:
            parsed = xmltodict.parse(text, expat=_HardenedExpat)
        else:
            pieces = _xml_pieces(text.encode("utf-8"))
            parsed = xmltodict.parse(pieces, encoding="utf-8", expat=_HardenedExpat)
    except (
        expat.ExpatError,
        ValueError,
        TypeError,
        LookupError,
        RecursionError,
    ) as err:
        raise InvalidResponse(f"malformed XML: {err}") from err
    if not isinstance(parsed, dict):
        raise InvalidResponse("XML has no root element")
    return parsed
