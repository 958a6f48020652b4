"""XML decoding shared by the clients: accepted encodings, no DTDs in any of them.

Document types and entities are refused inside expat (issue 17): the
dressings that hid them from a text search (UTF-16/32 behind a UTF-8 byte
order mark), each handler of ``harden`` on its own, the guard of the
ElementTree parsers fed a character at a time and checked against the C
parser itself, and generated documents in random encodings.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any
import xml.etree.ElementTree as ET
from xml.parsers import expat

from hypothesis import example, given, strategies as st
import pytest

from custom_components.camera_bridge.api import InvalidResponse
from custom_components.camera_bridge.api._http import (
    XML_ENCODINGS,
    check_xml_encoding,
    decode_xml,
    xml_text,
)
from custom_components.camera_bridge.api._xml import (
    MalformedXml,
    XmlPullParser,
    XmlTreeParser,
    harden,
    parse_element,
)

DOC = '<result errorcode="0"><name>Caméra ±</name></result>'
PARSED = {"result": {"@errorcode": "0", "name": "Caméra ±"}}


def declared(encoding: str, body: str = DOC) -> bytes:
    """``body`` with a declaration of ``encoding``, encoded in it."""
    return f'<?xml version="1.0" encoding="{encoding}"?>{body}'.encode(encoding)


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (b"<a/>", "utf-8"),
        (b"", "utf-8"),
        (b'<?xml version="1.0"?><a/>', "utf-8"),
        (codecs.BOM_UTF8 + b"<a/>", "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "<a/>".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "<a/>".encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + "<a/>".encode("utf-32-le"), "utf-32"),
        (codecs.BOM_UTF32_BE + "<a/>".encode("utf-32-be"), "utf-32"),
        ("<a/>".encode("utf-16-le"), "utf-16-le"),
        ("<a/>".encode("utf-16-be"), "utf-16-be"),
        ("<a/>".encode("utf-32-le"), "utf-32-le"),
        ("<a/>".encode("utf-32-be"), "utf-32-be"),
        (b'<?xml version="1.0" encoding="UTF-8"?><a/>', "utf-8"),
        (b"<?xml version='1.0' encoding='us-ascii'?><a/>", "ascii"),
        (
            b'<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?><a/>',
            "iso8859-1",
        ),
        (b'<?xml version="1.0" encoding = "latin1" ?><a/>', "iso8859-1"),
        (b'<?xml version="1.0" encoding="windows-1250"?><a/>', "cp1250"),
        (b'<?xml version="1.0" encoding="cp1258"?><a/>', "cp1258"),
        # a declaration elsewhere than at the start is no declaration
        (b' <?xml version="1.0" encoding="punycode"?><a/>', "utf-8"),
    ],
)
def test_check_xml_encoding_accepts(raw: bytes, encoding: str) -> None:
    assert check_xml_encoding(raw) == encoding
    assert encoding in XML_ENCODINGS


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("punycode", "refused"),
        ("utf-7", "refused"),
        ("idna", "refused"),
        ("rot13", "refused"),
        ("base64_codec", "refused"),
        ("zlib_codec", "refused"),
        ("koi8-r", "refused"),
        ("cp037", "refused"),
        ("shift_jis", "refused"),
        ("no-such-codec", "unknown"),
        ("utf 8", "malformed"),
        ("", "malformed"),
        ("8bit", "malformed"),
        ("x" * 41, "malformed"),
    ],
)
def test_check_xml_encoding_refuses(encoding: str, message: str) -> None:
    raw = f'<?xml version="1.0" encoding="{encoding}"?><a/>'.encode()
    with pytest.raises(InvalidResponse, match=message):
        check_xml_encoding(raw)


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "UTF-16", "utf-16-le", "UTF-32", "utf-32-be", "cp1252", "iso-8859-1"],
)
def test_decode_xml_in_every_accepted_encoding(encoding: str) -> None:
    """UTF-32 included, which expat cannot read by itself."""
    assert decode_xml(declared(encoding)) == PARSED


@pytest.mark.parametrize("encoding", ["koi8-r", "mac-roman", "iso8859-5"])
def test_decode_xml_refuses_other_single_byte_encodings(encoding: str) -> None:
    """expat would read these (one byte, one character): they are still refused."""
    with pytest.raises(InvalidResponse, match="refused"):
        decode_xml(declared(encoding, "<a>x</a>"))


@pytest.mark.parametrize(
    ("prolog", "message"),
    [
        (
            '<!DOCTYPE result SYSTEM "http://example.invalid/result.dtd">',
            "document type or entities",
        ),
        ('<!DOCTYPE result [<!ENTITY boom "boom">]>', "document type or entities"),
        # no document type: not XML at all
        ("<! doctype result>", "malformed XML"),
        ('<!ENTITY boom "boom">', "malformed XML"),
    ],
)
@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"]
)
def test_decode_xml_refuses_dtds_in_every_encoding(
    prolog: str, message: str, encoding: str
) -> None:
    """Refused by expat, in whatever encoding it reads the document."""
    for text in (
        prolog + DOC,
        f'<?xml version="1.0" encoding="{encoding}"?>' + prolog + DOC,
    ):
        with pytest.raises(InvalidResponse, match=message):
            decode_xml(text.encode(encoding))
        with pytest.raises(InvalidResponse, match=message):
            decode_xml(text)
        with pytest.raises(InvalidResponse, match=message):
            parse_element(xml_text(text.encode(encoding)))
        # decoding only: the parsers refuse
        assert xml_text(text) == text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("<a>é</a>".encode("latin-1"), "not valid utf-8"),
        (b'<?xml version="1.0" encoding="ascii"?><a>\xe9</a>', "not valid ascii"),
        (codecs.BOM_UTF16_LE + b"<\x00a", "not valid utf-16"),
        (b"<a><b></a>", "malformed XML"),
        (b"", "malformed XML"),
        (b"<a>" + b"x" * 20_000 + b"</b>", "malformed XML"),
    ],
)
def test_decode_xml_refuses_broken_documents(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidResponse, match=message):
        decode_xml(raw)


def test_decode_xml_refuses_text_it_cannot_encode() -> None:
    with pytest.raises(InvalidResponse, match="malformed XML"):
        decode_xml("<a>\ud800</a>")
    with pytest.raises(InvalidResponse, match="malformed XML"):
        decode_xml("<a>\ud800" + "x" * 20_000 + "</a>")


def test_decode_xml_of_text_ignores_the_declared_encoding() -> None:
    """Text is already decoded: the declaration cannot make anyone decode it."""
    text = '<?xml version="1.0" encoding="punycode"?><a>x</a>'
    assert decode_xml(text) == {"a": "x"}


def test_big_documents_parse_in_pieces_as_small_ones_do() -> None:
    items = "".join(
        f"<export><id>{i}</id><path>D:\\é\\{i}</path></export>" for i in range(2000)
    )
    text = f'<?xml version="1.0" encoding="UTF-16"?><result>{items}</result>'
    parsed = decode_xml(text.encode("utf-16"))
    exports = parsed["result"]["export"]
    assert len(exports) == 2000
    assert exports[1999] == {"id": "1999", "path": "D:\\é\\1999"}


# -- document types and entities, refused inside expat (issue 17) ----------------

REFUSED = "document type or entities"
ANSWER = '<result errorcode="0"><name>&x;</name></result>'
LAUGHS = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
DOCTYPES = {
    "internal entity": '<!DOCTYPE r [<!ENTITY x "ZZ">]>',
    "external entity": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
    "parameter entity": "<!DOCTYPE r [<!ENTITY % p \"<!ENTITY x 'ZZ'>\"> %p;]>",
    "billion laughs": f'<!DOCTYPE r [<!ENTITY l0 "ha">{LAUGHS}<!ENTITY x "&l9;">]>',
    "unparsed entity": (
        '<!DOCTYPE r [<!NOTATION n SYSTEM "n"><!ENTITY u SYSTEM "u" NDATA n>'
        '<!ENTITY x "ZZ">]>'
    ),
    "external subset": '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd">',
}
OWN_BOM = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
}


def _tree_of_bytes(body: bytes) -> ET.Element:
    return parse_element(xml_text(body))


def _pulled(body: bytes) -> list[str]:
    """Every start tag ``XmlPullParser`` reports, fed a character at a time."""
    parser = XmlPullParser()
    for character in xml_text(body):
        parser.feed(character)
    parser.close()
    return [element.tag for _, element in parser.read_events()]


PARSERS: dict[str, Callable[[bytes], object]] = {
    "decode_xml": decode_xml,
    "parse_element": _tree_of_bytes,
    "XmlPullParser": _pulled,
}


@pytest.mark.parametrize("own_bom", [False, True])
@pytest.mark.parametrize("utf8_bom", [False, True])
@pytest.mark.parametrize("encoding", sorted(OWN_BOM))
@pytest.mark.parametrize("doctype", sorted(DOCTYPES))
@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_document_types_are_refused_behind_any_byte_order_mark(
    parser: str, doctype: str, encoding: str, utf8_bom: bool, own_bom: bool
) -> None:
    """UTF-8/16/32, BE and LE, with their own BOM, a UTF-8 BOM, both or none."""
    answer = ANSWER.replace("&x;", "7") if doctype == "external subset" else ANSWER
    body = DOCTYPES[doctype].encode(encoding) + answer.encode(encoding)
    body = (
        (codecs.BOM_UTF8 if utf8_bom else b"")
        + (OWN_BOM[encoding] if own_bom else b"")
        + body
    )
    with pytest.raises(InvalidResponse):
        PARSERS[parser](body)


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le"])
@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_utf16_behind_a_utf8_bom_is_read_and_its_dtd_refused(
    parser: str, encoding: str
) -> None:
    """The bypass of issue 17: expat reads such a document as UTF-16.

    The same document without its document type is read: the refusal is
    expat's, not a decoding error.
    """
    with pytest.raises(InvalidResponse, match=REFUSED):
        PARSERS[parser](
            codecs.BOM_UTF8 + (DOCTYPES["internal entity"] + ANSWER).encode(encoding)
        )
    plain = codecs.BOM_UTF8 + ANSWER.replace("&x;", "7").encode(encoding)
    assert PARSERS[parser](plain) is not None


_HANDLERS = (
    "StartDoctypeDeclHandler",
    "EntityDeclHandler",
    "UnparsedEntityDeclHandler",
    "ExternalEntityRefHandler",
)


@pytest.mark.parametrize(
    ("handler", "document"),
    [
        ("StartDoctypeDeclHandler", '<!DOCTYPE r SYSTEM "x.dtd"><r/>'),
        ("EntityDeclHandler", '<!DOCTYPE r [<!ENTITY x "ZZ">]><r>&x;</r>'),
        ("EntityDeclHandler", "<!DOCTYPE r [<!ENTITY % p 'ZZ'>]><r/>"),
        (
            "UnparsedEntityDeclHandler",
            '<!DOCTYPE r [<!NOTATION n SYSTEM "n"><!ENTITY u SYSTEM "u" NDATA n>]><r/>',
        ),
        (
            "ExternalEntityRefHandler",
            '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><r>&x;</r>',
        ),
    ],
)
def test_each_handler_refuses_on_its_own(handler: str, document: str) -> None:
    """With every other handler of ``harden`` taken off, this one refuses."""
    parser = harden(expat.ParserCreate())
    for other in _HANDLERS:
        if other != handler:
            setattr(parser, other, None)
    with pytest.raises(InvalidResponse, match=REFUSED):
        parser.Parse(document, True)


def test_a_document_without_root_is_malformed() -> None:
    """Only a prolog: the guard, still reading it at the end, says so."""
    for parser in (XmlTreeParser(), XmlPullParser()):
        parser.feed('<?xml version="1.0"?><!-- c -->')
        with pytest.raises(MalformedXml, match="no element found"):
            parser.close()


def test_lone_surrogates_are_malformed() -> None:
    """In the prolog (the guard reads it) or after it (the tree parser alone)."""
    for feed in (XmlTreeParser().feed, XmlPullParser().feed):
        with pytest.raises(MalformedXml):
            feed("<a>\ud800</a>")
    for parser in (XmlTreeParser(), XmlPullParser()):
        parser.feed("<a>")
        with pytest.raises(MalformedXml):
            parser.feed("\ud800</a>")
    with pytest.raises(MalformedXml):
        parse_element('<?xml version="1.0"?>' + "<a>" + "x" * 70_000 + "\ud800</a>")


def test_a_long_prolog_is_read_to_its_end() -> None:
    """Comments and instructions over several pieces: the guard reads them all."""
    prolog = "<!-- x -->" * 10_000 + "<?pi data?>"
    assert parse_element(prolog + "<a>y</a>").text == "y"
    with pytest.raises(InvalidResponse, match=REFUSED):
        parse_element(prolog + DOCTYPES["internal entity"] + "<a>&x;</a>")
    with pytest.raises(MalformedXml):
        parse_element(prolog)


class _SeenDoctype(ET.TreeBuilder):
    """A target that notes the document types ElementTree's parser reads."""

    seen = False

    def doctype(self, *_args: Any) -> None:
        self.seen = True


def _pieces(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def _c_parser_alone(text: str, piece: int) -> tuple[bool, bytes | None]:
    """What ElementTree's C parser alone reads in ``text`` fed in pieces.

    Whether it read a document type, and the tree as XML (None if malformed).
    The pieces matter: expat guesses UTF-16 from the first two bytes of its
    first buffer, so a one-character first piece can change the reading.
    """
    target = _SeenDoctype()
    parser = ET.XMLParser(target=target)
    try:
        for part in _pieces(text, piece):
            parser.feed(part)
        tree: bytes | None = ET.tostring(parser.close())
    except ET.ParseError, ValueError:
        tree = None
    return target.seen, tree


BOMS = [b"", *OWN_BOM.values()]
prologs = st.lists(
    st.sampled_from(["", " ", "\n", "<!-- c -->", "<?pi x?>", "\ufeff"]), max_size=3
).map("".join)
doctypes = st.sampled_from(sorted(DOCTYPES.values())) | st.builds(
    "<!DOCTYPE {} {}>".format,
    st.sampled_from(["r", "result", "a:b"]),
    st.sampled_from(['SYSTEM "x"', 'PUBLIC "p" "x"', "[]", "[ ]"]),
)
declarations = st.sampled_from(
    [
        "",
        '<?xml version="1.0"?>',
        "<?xml version='1.0' encoding='UTF-16'?>",
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="UTF-32"?>',
        '<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>',
    ]
)


@st.composite
def dtd_documents(draw: st.DrawFn, *, always: bool = True) -> bytes:
    """A document with a document type, in a random encoding behind random BOMs.

    Not ``always``: with one now and then.
    """
    doctype = draw(doctypes) if always or draw(st.booleans()) else ""
    text = draw(declarations) + draw(prologs) + doctype + draw(prologs)
    text += draw(st.sampled_from([ANSWER, "<a/>", "<a>&x;</a>", "<r>&l9;</r>"]))
    encoding = draw(st.sampled_from([*sorted(OWN_BOM), "latin-1", "cp1252"]))
    if not encoding.startswith("utf"):
        text = text.replace("\ufeff", "")
    body = text.encode(encoding)
    for _ in range(draw(st.integers(0, 2))):
        body = draw(st.sampled_from(BOMS)) + body
    return body


@given(dtd_documents())
@example(codecs.BOM_UTF8 + (DOCTYPES["internal entity"] + ANSWER).encode("utf-16-be"))
@example(codecs.BOM_UTF8 + (DOCTYPES["internal entity"] + ANSWER).encode("utf-16-le"))
def test_generated_documents_with_a_dtd_are_refused(body: bytes) -> None:
    """Whatever the encoding and byte order marks: InvalidResponse, never data."""
    for parse in PARSERS.values():
        with pytest.raises(InvalidResponse):
            parse(body)


@given(dtd_documents(always=False) | st.binary(max_size=200), st.integers(1, 64))
def test_the_guard_refuses_every_dtd_the_c_parser_reads(
    body: bytes, piece: int
) -> None:
    """Differential: where ElementTree's C parser reads a DOCTYPE, the guard refused.

    Both fed the same pieces of ``piece`` characters; a document the C parser
    reads without a document type parses to the same tree with the guard.
    """
    try:
        text = xml_text(body)
    except InvalidResponse:
        return
    parser = XmlTreeParser()
    try:
        for part in _pieces(text, piece):
            parser.feed(part)
        root: ET.Element | InvalidResponse = parser.close()
    except InvalidResponse as err:
        root = err
    seen, tree = _c_parser_alone(text, piece)
    if seen:
        assert isinstance(root, InvalidResponse)
        assert REFUSED in str(root)
    elif tree is None:
        assert isinstance(root, MalformedXml)
    else:
        assert isinstance(root, ET.Element)
        assert ET.tostring(root) == tree
