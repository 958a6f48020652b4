"""The VDG Sense parsers fuzzed, and the reusing parser against fresh parses."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from typing import Any
import xml.etree.ElementTree as ET

from hypothesis import given, strategies as st
import pytest

from custom_components.camera_bridge.api.errors import (
    CameraBridgeError,
    InvalidResponse,
)
from custom_components.camera_bridge.api.vdg_sense import (
    ExportStatus,
    ExportStatusParser,
    ServerInfo,
    VdgInvalidExportId,
    export_element,
    parse_device_list,
    parse_export_status,
    parse_info,
)

from .documents import DEVICES, INFO, PARSERS, STATUS, device_xml, export_xml
from .raw_answers import assert_polls_agree, fuzz_settings, outcome

FUZZ = fuzz_settings(300)


# --- fuzzing ----------------------------------------------------------------------------


def _only_our_errors(parser: Callable[[bytes], object], body: bytes) -> None:
    with contextlib.suppress(CameraBridgeError):
        parser(body)


@FUZZ
@given(body=st.binary(max_size=400))
def test_fuzz_garbage(body: bytes) -> None:
    """Random bytes never raise anything but the API's errors."""
    for parser in PARSERS.values():
        _only_our_errors(parser, body)


@FUZZ
@given(
    text=st.text(
        alphabet=st.sampled_from("<>/=\"' &;!?[]-xresultexportid0123\n"), max_size=200
    )
)
def test_fuzz_xmlish_text(text: str) -> None:
    """Random text made of XML punctuation never escapes the error family."""
    for parser in PARSERS.values():
        _only_our_errors(parser, ("<result errorcode='0'>" + text).encode())
        _only_our_errors(parser, text.encode())


def test_truncated_documents() -> None:
    """Every prefix of valid answers fails cleanly or parses."""
    for body in (
        STATUS,
        DEVICES,
        INFO,
        b'<result errorcode="0"><exportid>7</exportid></result>',
    ):
        for end in range(len(body)):
            for parser in PARSERS.values():
                _only_our_errors(parser, body[:end])


TAGS = [
    "result",
    "exports",
    "export",
    "exportid",
    "path",
    "status",
    "bandwidth",
    "devices",
    "device",
    "serverid",
    "deviceid",
    "starttime",
    "endtime",
    "progress",
    "description",
    "apiinfo",
    "version",
    "utc",
    "name",
    "port",
]


VALUES = st.one_of(
    st.sampled_from(
        [
            "0",
            "-57",
            "100",
            "101",
            "-1",
            "nan",
            "1e400",
            "PENDING",
            "removed",
            "2024-01-19 10:00:00",
            "2024-13-45 99:99:99",
            "",
            " ",
            "{S}",
        ]
    ),
    st.text(max_size=12),
)


@st.composite
def _elements(draw: st.DrawFn, depth: int = 0) -> ET.Element:
    tag = draw(st.sampled_from(TAGS))
    tag = (
        "".join(c.upper() if draw(st.booleans()) else c for c in tag)
        if draw(st.booleans())
        else tag
    )
    element = ET.Element(tag)
    if draw(st.booleans()):
        element.set(
            draw(st.sampled_from(["errorcode", "ErrorCode", "count", "exportid"])),
            draw(VALUES),
        )
    if depth < 4 and draw(st.booleans()):
        for _ in range(draw(st.integers(0, 4))):
            element.append(draw(_elements(depth + 1)))
    else:
        element.text = draw(VALUES)
    return element


@FUZZ
@given(root=_elements(), errorcode=st.sampled_from(["0", "-57", None]))
def test_fuzz_structured(root: ET.Element, errorcode: str | None) -> None:
    """Random trees of the API's own tags: parsed or refused, nothing else."""
    wrapper = ET.Element("result")
    if errorcode is not None:
        wrapper.set("errorcode", errorcode)
    wrapper.append(root)
    for tree in (wrapper, root):
        body = ET.tostring(tree, encoding="utf-8")
        for parser in PARSERS.values():
            _only_our_errors(parser, body)


@FUZZ
@given(data=st.data())
def test_fuzz_mutations(data: st.DataObject) -> None:
    """Valid answers with bytes flipped, cut or inserted."""
    body = bytearray(data.draw(st.sampled_from([STATUS, DEVICES, INFO])))
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(body)))
        match data.draw(st.sampled_from(["flip", "cut", "insert"])):
            case "flip" if position < len(body):
                body[position] = data.draw(st.integers(0, 255))
            case "cut":
                del body[position : position + data.draw(st.integers(1, 50))]
            case _:
                body[position:position] = data.draw(
                    st.sampled_from(
                        [
                            b"<",
                            b">",
                            b"&",
                            b"<!DOCTYPE x>",
                            b"\x00",
                            b"]]>",
                            b"<x>",
                            b"</device>",
                            b"&amp;",
                            b"\xff\xfe",
                        ]
                    )
                )
    for parser in PARSERS.values():
        _only_our_errors(parser, bytes(body))


def test_results_are_typed() -> None:
    """Successful parses return the documented types."""
    results: dict[str, Any] = {
        "status": parse_export_status(STATUS),
        "devices": parse_device_list(DEVICES),
        "info": parse_info(INFO),
    }
    assert isinstance(results["status"], ExportStatus)
    assert isinstance(results["devices"], tuple)
    assert isinstance(results["info"], ServerInfo)


def test_unknown_declared_encoding_everywhere() -> None:
    """An encoding Python does not know is an invalid response in every parser."""
    body = b'<?xml version="1.0" encoding="TF-8"?><result errorcode="0"/>'
    for parser in PARSERS.values():
        with pytest.raises(InvalidResponse):
            parser(body)


# --- reuse between polls ------------------------------------------------------


def _doc(*exports: str, head: str = '<result errorcode="0"><exports count="9">') -> str:
    return head + "".join(exports) + "</exports></result>"


def test_parser_reuses_unchanged_exports() -> None:
    """Unchanged exports are the same objects; changed ones are new."""
    parser = ExportStatusParser()
    a, b = export_xml(exportid="1"), export_xml(exportid="2")
    first = parser.parse(_doc(a, b).encode())
    assert parser.parse(_doc(a, b).encode()) is first
    b2 = export_xml(device_xml(progress="55"), exportid="2")
    second = parser.parse(_doc(a, b2).encode())
    assert second.exports[0] is first.exports[0]
    assert second.exports[1] is not first.exports[1]
    assert second.exports[1].devices[0].progress == 55.0
    assert second == parse_export_status(_doc(a, b2))
    # an export seen twice in one answer is built once
    twice = parser.parse(_doc(a, a))
    assert twice.exports[0] is twice.exports[1] is first.exports[0]
    # only the previous answer is kept
    parser.parse(_doc(b))
    assert parser.parse(_doc(a)).exports[0] is not first.exports[0]


def test_parser_keeps_state_on_errors() -> None:
    """A failed parse leaves the previous answer in place."""
    parser = ExportStatusParser()
    a = export_xml(exportid="1")
    first = parser.parse(_doc(a))
    with pytest.raises(InvalidResponse):
        parser.parse(_doc(export_xml(exportid="2", path="x", bandwidth="1") + "<x>"))
    with pytest.raises(VdgInvalidExportId):
        parser.parse('<result errorcode="-57"/>')
    assert (
        parser.parse(_doc(a, export_xml(exportid="3"))).exports[0] is first.exports[0]
    )


TRICKY = [
    # comments, CDATA and processing instructions can hide tags
    _doc(
        export_xml(path="<!-- </export> -->".replace("<", "&lt;")), "<!-- <export> -->"
    ),
    _doc(export_xml().replace("<path>p</path>", "<path><![CDATA[</export>]]></path>")),
    _doc(export_xml(), "<?pi </export> ?>"),
    '<?xml version="1.0"?>' + _doc(export_xml()),
    "  <?xml version='1.0'?>" + _doc(export_xml()),
    _doc(export_xml()) + "<?late?>",
    # namespaces
    '<r:result xmlns:r="urn:x" errorcode="0"><r:exports>'
    + export_xml().replace("<", "<r:").replace("<r:/", "</r:")
    + "</r:exports></r:result>",
    '<result xmlns="urn:x" errorcode="0"><exports>'
    + export_xml()
    + "</exports></result>",
    # nested and self-closing exports
    _doc("<export><exportid>1</exportid>" + export_xml(exportid="2") + "</export>"),
    _doc("<export/>", export_xml()),
    _doc(export_xml(), "<export/>"),
    _doc('<export id="x"/>', export_xml()),
    _doc("<export>text</export>"),
    # exports in odd places
    '<result errorcode="0">'
    + export_xml()
    + "<exports>"
    + export_xml(exportid="2")
    + "</exports></result>",
    '<result errorcode="0"><x>' + export_xml() + "</x></result>",
    '<result errorcode="0">' + export_xml() + export_xml(exportid="2") + "</result>",
    # tags that only start like export
    _doc(
        export_xml().replace("<path>p</path>", "<export-note>n</export-note><exports/>")
    ),
    _doc(
        export_xml()
        .replace("<export>", "<EXPORT >")
        .replace("</export>", "</Export\n>")
    ),
    # cuts that do not follow the structure
    _doc(
        "<export><exportid>1</exportid><path>a</path><export></export>",
        "<export/></export>",
        "<export/>" + export_xml(exportid="3"),
    ),
    _doc("<export><exportid>0</exportid>" + export_xml(exportid="1") + "</export>"),
    _doc(export_xml(exportid="1"), "<export><exportid>2</exportid>"),
    # lower-casing changes the length: no cutting
    _doc(export_xml(path="İstanbul"), export_xml(exportid="2")),
    # broken documents
    _doc(export_xml()).replace("</exports>", ""),
    _doc(export_xml()) + "trailing",
    _doc(export_xml(), "<export></result>"),
    '<result errorcode="-57"><export/><description>d</description><export></export></result>',
    '<result errorcode="0"><export></result><x></export>',
    "<export>" + _doc(export_xml()) + "</export>",
    export_xml(),
    _doc(export_xml(exportid=None)),
    _doc(export_xml(device_xml(progress="200"))),
    _doc("<export><exportid>1</exportid><path>a</path></export ", export_xml()),
]


@pytest.mark.parametrize("xml", TRICKY, ids=range(len(TRICKY)))
def test_reuse_agrees_with_a_fresh_parse(xml: str) -> None:
    """A parser that read other answers gives what a fresh parser gives."""
    fresh = outcome(lambda: parse_export_status(xml))
    assert outcome(lambda: ExportStatusParser().parse(xml)) == fresh
    warm = ExportStatusParser()
    warm.parse(_doc(export_xml(), export_xml(exportid="2"), export_xml(exportid="3")))
    assert outcome(lambda: warm.parse(xml)) == fresh


@FUZZ
@given(
    first=st.lists(_elements(), max_size=4),
    second=st.lists(_elements(), max_size=4),
    wrap=st.booleans(),
)
def test_fuzz_reuse_agrees(
    first: list[ET.Element], second: list[ET.Element], wrap: bool
) -> None:
    """Random export lists: the reusing parser agrees with a fresh parse."""
    polls = []
    for children in (first, second, first):
        inner = "".join(ET.tostring(child, encoding="unicode") for child in children)
        polls.append(
            f'<result errorcode="0"><exports>{inner}</exports></result>'
            if wrap
            else f'<result errorcode="0">{inner}</result>'
        )
    assert_polls_agree(polls)


@FUZZ
@given(
    children=st.lists(_elements(), max_size=4),
    wrap=st.booleans(),
    piece=st.integers(1, 40),
)
def test_fuzz_reading_in_pieces(
    children: list[ET.Element], wrap: bool, piece: int
) -> None:
    """A list read a piece at a time, exports dropped as read, is the whole list.

    With pieces of a few characters, exports, the list and the answer end
    in every possible piece (issue 10).
    """
    inner = "".join(ET.tostring(child, encoding="unicode") for child in children)
    xml = (
        f'<result errorcode="0"><exports>{inner}</exports>{inner}</result>'
        if wrap
        else f'<result errorcode="0">{inner}</result>'
    )
    whole = outcome(lambda: parse_export_status(xml))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export_element, "_PIECE", piece)
        assert outcome(lambda: parse_export_status(xml)) == whole


@st.composite
def _export_lists(draw: st.DrawFn) -> str:
    exports = []
    for _ in range(draw(st.integers(0, 5))):
        devices = "".join(
            device_xml(
                deviceid=draw(st.sampled_from(["a", "b", "A", None, " "])),
                progress=draw(st.sampled_from(["0", "50", "100", "101", None])),
                status=draw(st.sampled_from(["pending", "COMPLETED", None])),
            )
            for _ in range(draw(st.integers(0, 3)))
        )
        exports.append(
            export_xml(
                devices or None,
                exportid=draw(st.sampled_from(["1", "2", "3", "x y", None])),
                status=draw(st.sampled_from(["SYNCING", "removed", None])),
            )
        )
    return _doc(*exports)


@FUZZ
@given(polls=st.lists(_export_lists(), min_size=1, max_size=5))
def test_fuzz_poll_sequences(polls: list[str]) -> None:
    """A sequence of polls through one parser equals fresh parses."""
    assert_polls_agree(polls)
