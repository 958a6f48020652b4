"""repair_xml itself, and the reusing parser against fresh parses of raw answers."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

from hypothesis import given, strategies as st
import pytest

from custom_components.camera_bridge.api.errors import InvalidResponse
from custom_components.camera_bridge.api.vdg_sense import (
    parse_export_status,
    repair,
    repair_text_fields,
    repair_xml,
)

from .raw_answers import FUZZ, assert_polls_agree, export_entry, status_doc

pytestmark = pytest.mark.without_hass


# --- repair_xml itself ------------------------------------------------------------


def test_repair_keeps_markup() -> None:
    """Tags, references, comments, instructions and CDATA are left alone."""
    kept = (
        "<?xml version='1.0'?><a x=\"1 > 0\" y='&amp;'><b/><c\n/><d:e f = \"\"/>"
        "<!-- & < --><![CDATA[ & < ]]> ]]&gt; &#10;&#x1F600;<É/><_x.y-z/></a >"
    )
    assert repair_xml(kept) == kept
    assert repair_xml("<a>]]> & <![CDATA[& <]]> <<!-- & --></a>") == (
        "<a>]]&gt; &amp; <![CDATA[& <]]> &lt;<!-- & --></a>"
    )
    assert repair_xml("<?pi a<b ?><?x") == "&lt;?pi a&lt;b ?>&lt;?x"
    assert repair_xml("<a><![CDATA[ never closed & <") == (
        "<a><![CDATA[ never closed &amp; &lt;"
    )


def test_repair_text_fields() -> None:
    """Only the named fields, only to their first closing tag, any case."""
    assert (
        repair_text_fields("<Path>a<b></PATH >", ("path",)) == "<Path>a&lt;b></PATH >"
    )
    assert repair_text_fields("<path>a<b>", ("path",)) == "<path>a<b>"
    assert (
        repair_text_fields(
            "<name>x<y</name><path>p<q</path><name>z</name><name>open<",
            ("name", "path"),
        )
        == "<name>x&lt;y</name><path>p&lt;q</path><name>z</name><name>open<"
    )
    assert repair_text_fields("<note>a<b</note>", ("path",)) == "<note>a<b</note>"
    assert (
        repair_text_fields("<path>a<path>b</path>", ("path",))
        == "<path>a&lt;path>b</path>"
    )


@FUZZ
@given(
    texts=st.lists(st.text(max_size=20), min_size=1, max_size=6),
    attribute=st.text(max_size=10),
)
def test_repair_changes_nothing_well_formed(texts: list[str], attribute: str) -> None:
    """On what ElementTree writes, the repair is the identity."""
    clean = [
        re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", t)
        for t in texts
    ]
    root = ET.Element(
        "result", errorcode="0", note=re.sub("[\x00-\x1f]", "", attribute)
    )
    for index, text in enumerate(clean):
        ET.SubElement(root, f"f{index}").text = text
        ET.SubElement(root, "e", v=text).tail = text
    xml = ET.tostring(root, encoding="unicode")
    assert repair_xml(xml) == xml


NAMED_REFERENCE = re.compile(r"&([A-Za-z_][\w.-]*);")


@FUZZ
@given(
    text=st.text(
        alphabet=st.sampled_from("<>/!?[]-&;#x0aA=\"' \nDOCTYPEentity"), max_size=80
    )
)
def test_repair_never_adds_markup(text: str) -> None:
    """The repair only ever escapes: no new "<", no new entity, no DTD."""
    repaired = repair_xml(text)
    assert repaired.count("<") <= text.count("<")
    assert repaired.count("<!") <= text.count("<!")
    new_names = set(NAMED_REFERENCE.findall(repaired)) - set(
        NAMED_REFERENCE.findall(text)
    )
    assert new_names <= {"amp", "lt", "gt"}
    assert repair_xml(repaired) == repaired


@FUZZ
@given(
    text=st.text(
        alphabet=st.sampled_from("<>/!?[]-&;#x0a=\"' \nCDATA\x01"),
        min_size=1,
        max_size=60,
    )
)
def test_repair_in_pieces_is_the_same(text: str) -> None:
    """Megabytes are repaired a piece at a time, handing the GIL over (issue 10).

    Pieces end before a "<", which no pattern reaches over: the result is the
    repair in one go.
    """
    big = text * (2 * repair._PIECE // len(text) + 1)
    assert repair._repair_plain(big) == repair._repair_piece(big)


@pytest.mark.parametrize(
    "body",
    [
        "&" * 4_000_000,
        "<" * 4_000_000,
        "<a " * 1_300_000,
        '<a b="' + "x" * 4_000_000,
        "<a" + " " * 4_000_000 + "x",
        "&#" + "1" * 4_000_000,
        "<![CDATA[" * 450_000,
        "</export" * 500_000 + ">",
        "<path>" * 660_000,
        '<result errorcode="0"><exports>'
        + "<export><exportid>1</exportid><path>a & b <c</path>" * 70_000,
    ],
    ids=range(10),
)
def test_repair_is_linear(body: str) -> None:
    """Megabytes of the worst input take well under a second each, not hours."""
    start = time.process_time()
    repair_xml(body)
    repair_text_fields(body, ("path", "name"))
    with pytest.raises(InvalidResponse):
        parse_export_status(body)
    assert time.process_time() - start < 15


# --- the reusing parser agrees with a fresh parse ------------------------------------

RAW = ["a & b", "x <y", "<b>", "q]]>", "</path>", "&amp;", "ok"]
# entries that are whole in a document that parses, or look like they are
FRAGMENTS = [
    "<export/>",
    "<export/>text & more",
    "<export>",
    "</export>",
    '<export id="1"/><pa',
    "<export><exportid>7</exportid>" + export_entry("8", "nested") + "</export>",
    "<export><exportid>7</exportid>" + export_entry("8", "nested"),
    export_entry("9", "a").replace("</export>", "</export></export>"),
]


@st.composite
def _raw_lists(draw: st.DrawFn) -> str:
    exports = []
    for index in range(draw(st.integers(0, 5))):
        export = export_entry(
            draw(st.sampled_from(["1", "2", str(index), "x y"])),
            draw(st.sampled_from(RAW)),
            draw(st.sampled_from(["0", "50", "101"])),
        )
        match draw(st.sampled_from(["whole", "whole", "cut", "open", "odd"])):
            case "cut":
                export = export[: draw(st.integers(1, len(export) - 1))]
            case "open":
                export = export.removesuffix("</export>")
            case "odd":
                export = draw(st.sampled_from(FRAGMENTS))
            case _:
                pass
        exports.append(export)
    xml = status_doc(*exports)
    for _ in range(draw(st.integers(0, 2))):
        position = draw(st.integers(0, len(xml)))
        xml = xml[:position] + draw(st.sampled_from("&<>")) + xml[position:]
    return xml


@FUZZ
@given(polls=st.lists(_raw_lists(), min_size=1, max_size=4))
def test_fuzz_raw_poll_sequences(polls: list[str]) -> None:
    """Raw values and cut exports: one parser over polls equals fresh parses."""
    assert_polls_agree(polls)
