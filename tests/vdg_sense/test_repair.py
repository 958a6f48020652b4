"""Answers of servers that echo values raw: repaired, or skipped entry by entry.

VDG Sense writes its XML by pasting values in: a path ``D:\\exports\\ha & co``
comes back with a bare "&". One such value must not make the whole answer
unreadable (issue 8).
"""

from __future__ import annotations

from collections.abc import Callable
import re
import time
import xml.etree.ElementTree as ET

import aiohttp
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.camera_bridge.api.errors import (
    CameraBridgeError,
    InvalidResponse,
)
from custom_components.camera_bridge.api.vdg_sense import (
    DeviceRef,
    ExportStatus,
    ExportStatusParser,
    UnreadableBlock,
    VdgInvalidExportId,
    VdgSenseClient,
    parse_device_list,
    parse_device_report,
    parse_export_reply,
    parse_export_status,
    parse_info,
    repair,
    repair_text_fields,
    repair_xml,
)
from simulator.vdg_sense import SimDevice, VdgSenseSimulator

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """These tests need no Home Assistant instance."""


def _export(ident: str, path: str, progress: str = "10") -> str:
    return (
        f"<export><exportid>{ident}</exportid><path>{path}</path>"
        "<status>PENDING</status><bandwidth>64</bandwidth><devices><device>"
        "<serverid>{S}</serverid><deviceid>{D}</deviceid>"
        "<starttime>2024-01-19 10:00:00</starttime>"
        f"<endtime>2024-01-19 10:05:00</endtime><progress>{progress}</progress>"
        "<status>PENDING</status></device></devices></export>"
    )


def _doc(*exports: str, count: int | None = None) -> str:
    total = len(exports) if count is None else count
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<result errorcode="0">'
        f'<description>Ok</description><exports count="{total}">'
        + "\n".join(exports)
        + "</exports></result>"
    )


def _outcome(parse: Callable[[], ExportStatus]) -> object:
    try:
        return parse()
    except CameraBridgeError as err:
        return type(err), str(err)


def _agree(xml: str, parser: ExportStatusParser | None = None) -> ExportStatus:
    """Parse through the reusing parser and check a fresh parse agrees."""
    parser = parser or ExportStatusParser()
    result = parser.parse(xml.encode())
    assert result == parse_export_status(xml)
    return result


# --- the issue ----------------------------------------------------------------


def test_bare_ampersand_in_a_path() -> None:
    """The answer of the report: every export is read, the odd path as typed."""
    xml = _doc(
        _export("1", "D:\\exports\\done"),
        _export("2", "D:\\exports\\ha & co"),
        _export("3", "D:\\exports\\next"),
    )
    status = _agree(xml)
    assert [e.export_id for e in status.exports] == ["1", "2", "3"]
    assert status.exports[1].path == "D:\\exports\\ha & co"
    assert status.unreadable == ()
    assert parse_export_status(xml) == status


@pytest.mark.parametrize(
    ("path", "read"),
    [
        ("ha & co", "ha & co"),
        ("a&b&&c&", "a&b&&c&"),
        ("&amp; &lt; &gt; &quot; &apos; &#65; &#x42;", "& < > \" ' A B"),
        ("&unknown; &#; &#xZZ; &am", "&unknown; &#; &#xZZ; &am"),
        ("a < b", "a < b"),
        ("a<b", "a<b"),
        ("<2024>", "<2024>"),
        ("R&D <x", "R&D <x"),
        ("a > b", "a > b"),
        ("x]]>y", "x]]>y"),
        ("tab\there", "tab\there"),
        ("bell\x07", "bell\ufffd"),
        ("a <b> c", "a <b> c"),
        ("x</b>y", "x</b>y"),
        ("x</export>y", "x</export>y"),
        ("<?x", "<?x"),
        ("<!x", "<!x"),
        ("a </b", "a </b"),
    ],
)
def test_raw_values_in_a_path(path: str, read: str) -> None:
    """Bare "&", "<" and ">" are read as the text they were."""
    status = _agree(_doc(_export("1", "p"), _export("2", path), _export("3", "q")))
    assert [e.path for e in status.exports] == ["p", read, "q"]
    assert status.unreadable == ()


def test_raw_values_outside_exports() -> None:
    """The envelope's description and unknown tags are repaired as well."""
    xml = (
        '<result errorcode="0"><description>Ok & <done</description>'
        "<note>a <b> c</note>".replace("<b>", "&lt;b>")
        + "<exports>"
        + _export("1", "a & b")
        + "</exports></result>"
    )
    assert _agree(xml).exports[0].path == "a & b"
    looks_like_tags = (
        '<result errorcode="0"><description>failed: <b> & co</description>'
        + _export("1", "p")
        + "</result>"
    )
    assert [e.export_id for e in _agree(looks_like_tags).exports] == ["1"]


# --- entries that stay unreadable ------------------------------------------------


def test_truncated_export_in_the_middle() -> None:
    """An export cut short is skipped with its id; the next one is kept."""
    xml = _doc(
        _export("1", "a"),
        "<export><exportid>2</exportid><path>D:\\half",
        _export("3", "c"),
    )
    status = _agree(xml)
    assert [e.export_id for e in status.exports] == ["1", "3"]
    (skipped,) = status.unreadable
    assert skipped.tag == "export"
    assert skipped.ident == "2"
    assert skipped.error.startswith("malformed XML")
    assert skipped.excerpt == "<export><exportid>2</exportid><path>D:\\half"
    assert status.reported_count == 3


def test_truncated_export_at_the_end() -> None:
    """The last export cut short before the container closes."""
    xml = _doc(_export("1", "a"), "<export><exportid>9</exportid><pa")
    status = _agree(xml)
    assert [e.export_id for e in status.exports] == ["1"]
    assert [u.ident for u in status.unreadable] == ["9"]
    bare = '<result errorcode="0">' + _export("1", "a") + "<export><exportid>"
    assert [u.ident for u in _agree(bare + "</result>").unreadable] == [None]


def test_big_broken_list() -> None:
    """Hundreds of exports, one cut short: the others are read, poll after poll."""
    exports = [_export(str(n), f"D:\\exports\\{n} & co") for n in range(300)]
    exports[150] = "<export><exportid>150</exportid><path>cut"
    parser = ExportStatusParser()
    first = _agree(_doc(*exports), parser)
    assert len(first.exports) == 299
    assert [u.ident for u in first.unreadable] == ["150"]
    exports[7] = _export("7", "D:\\exports\\7 & co", "90")
    second = _agree(_doc(*exports), parser)
    assert second.exports[7].devices[0].progress == 90.0
    assert second.exports[8] is first.exports[8]
    assert second.unreadable == first.unreadable


@pytest.mark.parametrize(
    "broken",
    [
        # a path holding its own closing tag
        _export("2", "x</path>y"),
        # a value that looks like a tag in a field that is not a path
        _export("2", "p").replace(
            "<status>PENDING</status>", "<status><b></status>", 1
        ),
        # an export id that cannot be one
        "<export><exportid>1 2</exportid><path>a</pa></export>",
    ],
)
def test_unreadable_export_is_skipped(broken: str) -> None:
    """Whatever cannot be repaired costs that export only."""
    status = _agree(_doc(_export("1", "a"), broken, _export("3", "c")))
    assert [e.export_id for e in status.exports][:1] == ["1"]
    assert status.exports[-1].export_id == "3"
    assert len(status.unreadable) == 1
    assert status.unreadable[0].ident in ("2", None)


def test_unreadable_exports_are_reused_between_polls() -> None:
    """An unchanged unreadable export is not parsed again; the others update."""
    parser = ExportStatusParser()
    broken = "<export><exportid>2</exportid><path>x</path><status>PEN"
    first = _agree(_doc(_export("1", "a & b"), broken, _export("3", "c")), parser)
    second = _agree(
        _doc(_export("1", "a & b", "55"), broken, _export("3", "c")), parser
    )
    assert second.unreadable[0] is first.unreadable[0]
    assert second.exports[1] is first.exports[1]
    assert second.exports[0].devices[0].progress == 55.0
    healed = _agree(
        _doc(_export("1", "a & b", "55"), _export("2", "x"), _export("3", "c")),
        parser,
    )
    assert healed.unreadable == ()
    assert healed.exports[0] is second.exports[0]


@pytest.mark.parametrize(
    "xml",
    [
        # the envelope itself is broken
        _doc(_export("1", "a & b")).replace("</exports>", "<exports>"),
        _doc(_export("1", "a")).replace("<result errorcode", "<result <x errorcode"),
        _doc(_export("1", "a"), "<export><exportid>2</exportid>").replace(
            "</result>", ""
        ),
        # no errorcode
        _doc(_export("1", "a"), "<export><exportid>2</exportid>").replace(
            ' errorcode="0"', ""
        ),
        # not an answer at all
        "<html><body>a & b <p></body>",
        # lower-casing changes the length: no cutting, no recovery
        _doc(_export("1", "İ <b> x"), _export("2", "a")),
        # an export outside the export list
        '<result errorcode="0"><exports/>' + _export("1", "a <b> c") + "</result>",
    ],
)
def test_envelope_is_still_required(xml: str) -> None:
    """Skipping exports never hides a broken or missing envelope."""
    with pytest.raises(InvalidResponse):
        parse_export_status(xml)
    assert _outcome(lambda: ExportStatusParser().parse(xml)) == _outcome(
        lambda: parse_export_status(xml)
    )


def test_result_codes_survive_repair() -> None:
    """A result code in a repaired answer is still the typed error."""
    with pytest.raises(VdgInvalidExportId) as err:
        parse_export_status(
            b'<result errorcode="-57"><description>No export 7 & 8</description></result>'
        )
    assert err.value.message == "No export 7 & 8"


def test_readable_export_with_bad_values_still_fails() -> None:
    """Repair is about XML: a readable export with wrong values fails as before."""
    with pytest.raises(InvalidResponse, match=r"0\.\.100"):
        parse_export_status(
            _doc(_export("1", "a & b", "101"), "<export><exportid>2</exportid>")
        )
    with pytest.raises(InvalidResponse, match="export #1: missing exportid"):
        parse_export_status(
            _doc(_export("1", "a"), "<export><path>b</path></export>", "<export>")
        )


def test_refusals_are_not_repaired() -> None:
    """A document type next to a bare "&" is still refused, in every parser."""
    for body in (
        b'<!DOCTYPE r [<!ENTITY a "b">]><result errorcode="0">& &a;</result>',
        '<!DOCTYPE r><result errorcode="0">&</result>'.encode("utf-16"),
        (
            b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE r+AD4-'
            b'<result errorcode="0"><exportid>1</exportid> & </result>'
        ),
    ):
        for parser in (
            parse_export_status,
            parse_device_list,
            parse_info,
            parse_export_reply,
        ):
            with pytest.raises(InvalidResponse):
                parser(body)


# --- getDeviceList, exportVideo, /info ----------------------------------------------


DEVICE = (
    "<device><name>{name}</name><serverid>{{S}}</serverid><deviceid>{ident}</deviceid>"
    "<location>{location}</location><port>80</port></device>"
)


def _devices(*entries: str) -> bytes:
    return (
        '<result errorcode="0"><devices count="9">'
        + "".join(entries)
        + "</devices></result>"
    ).encode()


def test_device_list_raw_names() -> None:
    """Camera names and locations are user text too."""
    report = parse_device_report(
        _devices(
            DEVICE.format(name="Lobby & bar", ident="{D1}", location="Hall <1>"),
            DEVICE.format(name="Cam <front>", ident="{D2}", location="a < b"),
            DEVICE.format(name="Gate", ident="{D3}", location="x<b>y</device>"),
        )
    )
    assert [(d.name, d.location) for d in report.devices] == [
        ("Lobby & bar", "Hall <1>"),
        ("Cam <front>", "a < b"),
        ("Gate", "x<b>y</device>"),
    ]
    assert report.unreadable == ()


def test_device_list_skips_unreadable_devices() -> None:
    """A device that stays unreadable is left out and reported."""
    body = _devices(
        DEVICE.format(name="A & B", ident="{D1}", location="x"),
        "<device><name>cut</name><deviceid>{D2}</deviceid><brand>Ax",
        DEVICE.format(name="C", ident="{D3}", location="y"),
    )
    report = parse_device_report(body)
    assert [d.device_id for d in report.devices] == ["{D1}", "{D3}"]
    (skipped,) = report.unreadable
    assert (skipped.tag, skipped.ident) == ("device", "{D2}")
    assert parse_device_list(body) == report.devices
    with pytest.raises(InvalidResponse):
        parse_device_report(body.replace(b"</devices>", b"<devices>"))
    with pytest.raises(InvalidResponse):
        parse_device_report(body.replace(b' errorcode="0"', b""))
    with pytest.raises(InvalidResponse):
        parse_device_report(body.replace(b"A & B", "İ".encode()))
    with pytest.raises(InvalidResponse):
        parse_device_report(b"<!-- " + body)
    with pytest.raises(InvalidResponse):  # devices outside the device list
        parse_device_report(
            body.replace(b"</devices>", b"").replace(
                b'<devices count="9">',
                b"<devices><device><deviceid>x</deviceid></device></devices>",
            )
        )


def test_export_reply_and_info_raw() -> None:
    """exportVideo's reply and /info go through the same repair."""
    assert (
        parse_export_reply(
            b'<?xml version="1.0" encoding="iso-8859-1"?><result errorcode="0">'
            b"<exportid>12</exportid><path>D:\\caf\xe9 & co <x</path></result>"
        )
        == "12"
    )
    info = parse_info(b"<apiinfo><version>2.8 & up</version><site>A<B</site></apiinfo>")
    assert info.version == "2.8 & up"
    assert info.extras == (("site", "A<B"),)


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
    "<export><exportid>7</exportid>" + _export("8", "nested") + "</export>",
    "<export><exportid>7</exportid>" + _export("8", "nested"),
    _export("9", "a").replace("</export>", "</export></export>"),
]


@st.composite
def _raw_lists(draw: st.DrawFn) -> str:
    exports = []
    for index in range(draw(st.integers(0, 5))):
        export = _export(
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
    xml = _doc(*exports)
    for _ in range(draw(st.integers(0, 2))):
        position = draw(st.integers(0, len(xml)))
        xml = xml[:position] + draw(st.sampled_from("&<>")) + xml[position:]
    return xml


@FUZZ
@given(polls=st.lists(_raw_lists(), min_size=1, max_size=4))
def test_fuzz_raw_poll_sequences(polls: list[str]) -> None:
    """Raw values and cut exports: one parser over polls equals fresh parses."""
    parser = ExportStatusParser()
    for xml in polls:
        assert _outcome(lambda x=xml: parser.parse(x)) == _outcome(
            lambda x=xml: parse_export_status(x)
        )


# --- over HTTP, against a simulator that echoes raw ----------------------------------


async def test_client_reads_a_raw_server(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """Export list, exportVideo reply and device list of a raw-echoing server."""
    sim.raw_values = True
    sim.devices.append(SimDevice("Lobby & bar <2>", "{S}", "{D9}", location="A&B"))
    sim.add_export("D:\\exports\\ha & co")
    camera = sim.devices[0]
    export_id = await client.export_video(
        [DeviceRef(camera.server_id, camera.device_id)],
        *(sim.exports[1].devices[0].start, sim.exports[1].devices[0].end),
        "D:\\exports\\R&D <2024>",
    )
    assert export_id == "2"
    body = sim.render_export_status()
    assert b"<path>D:\\exports\\ha & co</path>" in body
    assert b"<path>D:\\exports\\R&D <2024></path>" in body
    status = await client.export_status()
    assert [e.path for e in status.exports] == [
        "D:\\exports\\ha & co",
        "D:\\exports\\R&D <2024>",
    ]
    assert (await client.export_status("2")).exports[
        0
    ].path == "D:\\exports\\R&D <2024>"
    devices = await client.device_list()
    assert (devices[-1].name, devices[-1].location) == ("Lobby & bar <2>", "A&B")


async def test_client_skips_a_truncated_export(
    client: VdgSenseClient, sim: VdgSenseSimulator, session: aiohttp.ClientSession
) -> None:
    """A server that writes one export only in part: the others are read."""
    for path in ("a", "b & c", "d"):
        sim.add_export(path)
    sim.raw_values = True
    sim.truncated.add(2)
    status = await client.export_status()
    assert [e.export_id for e in status.exports] == ["1", "3"]
    assert status.unreadable == (
        UnreadableBlock(
            "export",
            "2",
            status.unreadable[0].error,
            "<export><exportid>2</exportid><path>b & c",
        ),
    )
    sim.raw_values = False
    escaped = await client.export_status()
    assert (
        escaped.unreadable[0].excerpt == "<export><exportid>2</exportid><path>b &amp; c"
    )
    sim.truncated.clear()
    assert [e.path for e in (await client.export_status()).exports] == [
        "a",
        "b & c",
        "d",
    ]
