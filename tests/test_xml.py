"""XML decoding shared by the clients: accepted encodings, no DTDs in any of them."""

from __future__ import annotations

import codecs

import pytest

from custom_components.camera_bridge.api import InvalidResponse
from custom_components.camera_bridge.api._http import (
    XML_ENCODINGS,
    check_xml_encoding,
    decode_xml,
    xml_text,
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
    "prolog",
    [
        '<!DOCTYPE result SYSTEM "http://example.invalid/result.dtd">',
        '<!DOCTYPE result [<!ENTITY boom "boom">]>',
        "<! doctype result>",
        '<!ENTITY boom "boom">',
    ],
)
@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"]
)
def test_decode_xml_refuses_dtds_in_every_encoding(prolog: str, encoding: str) -> None:
    """Checked on the decoded text: UTF-16/32 cannot hide a DTD from it."""
    for text in (
        prolog + DOC,
        f'<?xml version="1.0" encoding="{encoding}"?>' + prolog + DOC,
    ):
        with pytest.raises(InvalidResponse, match="document type or entities"):
            decode_xml(text.encode(encoding))
        with pytest.raises(InvalidResponse, match="document type or entities"):
            xml_text(text)


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
