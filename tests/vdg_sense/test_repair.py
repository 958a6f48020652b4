"""Answers of servers that echo values raw: repaired, or skipped entry by entry.

VDG Sense writes its XML by pasting values in: a path ``D:\\exports\\ha & co``
comes back with a bare "&". One such value must not make the whole answer
unreadable (issue 8).
"""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.camera_bridge.api.errors import InvalidResponse
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
)
from simulator.vdg_sense import SimDevice, VdgSenseSimulator

from .raw_answers import export_entry, outcome, status_doc

pytestmark = pytest.mark.without_hass


def _agree(xml: str, parser: ExportStatusParser | None = None) -> ExportStatus:
    """Parse through the reusing parser and check a fresh parse agrees."""
    parser = parser or ExportStatusParser()
    result = parser.parse(xml.encode())
    assert result == parse_export_status(xml)
    return result


# --- the issue ----------------------------------------------------------------


def test_bare_ampersand_in_a_path() -> None:
    """The answer of the report: every export is read, the odd path as typed."""
    xml = status_doc(
        export_entry("1", "D:\\exports\\done"),
        export_entry("2", "D:\\exports\\ha & co"),
        export_entry("3", "D:\\exports\\next"),
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
    status = _agree(
        status_doc(
            export_entry("1", "p"), export_entry("2", path), export_entry("3", "q")
        )
    )
    assert [e.path for e in status.exports] == ["p", read, "q"]
    assert status.unreadable == ()


def test_raw_values_outside_exports() -> None:
    """The envelope's description and unknown tags are repaired as well."""
    xml = (
        '<result errorcode="0"><description>Ok & <done</description>'
        "<note>a <b> c</note>".replace("<b>", "&lt;b>")
        + "<exports>"
        + export_entry("1", "a & b")
        + "</exports></result>"
    )
    assert _agree(xml).exports[0].path == "a & b"
    looks_like_tags = (
        '<result errorcode="0"><description>failed: <b> & co</description>'
        + export_entry("1", "p")
        + "</result>"
    )
    assert [e.export_id for e in _agree(looks_like_tags).exports] == ["1"]


# --- entries that stay unreadable ------------------------------------------------


def test_truncated_export_in_the_middle() -> None:
    """An export cut short is skipped with its id; the next one is kept."""
    xml = status_doc(
        export_entry("1", "a"),
        "<export><exportid>2</exportid><path>D:\\half",
        export_entry("3", "c"),
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
    xml = status_doc(export_entry("1", "a"), "<export><exportid>9</exportid><pa")
    status = _agree(xml)
    assert [e.export_id for e in status.exports] == ["1"]
    assert [u.ident for u in status.unreadable] == ["9"]
    bare = '<result errorcode="0">' + export_entry("1", "a") + "<export><exportid>"
    assert [u.ident for u in _agree(bare + "</result>").unreadable] == [None]


def test_big_broken_list() -> None:
    """Hundreds of exports, one cut short: the others are read, poll after poll."""
    exports = [export_entry(str(n), f"D:\\exports\\{n} & co") for n in range(300)]
    exports[150] = "<export><exportid>150</exportid><path>cut"
    parser = ExportStatusParser()
    first = _agree(status_doc(*exports), parser)
    assert len(first.exports) == 299
    assert [u.ident for u in first.unreadable] == ["150"]
    exports[7] = export_entry("7", "D:\\exports\\7 & co", "90")
    second = _agree(status_doc(*exports), parser)
    assert second.exports[7].devices[0].progress == 90.0
    assert second.exports[8] is first.exports[8]
    assert second.unreadable == first.unreadable


@pytest.mark.parametrize(
    "broken",
    [
        # a path holding its own closing tag
        export_entry("2", "x</path>y"),
        # a value that looks like a tag in a field that is not a path
        export_entry("2", "p").replace(
            "<status>PENDING</status>", "<status><b></status>", 1
        ),
        # an export id that cannot be one
        "<export><exportid>1 2</exportid><path>a</pa></export>",
    ],
)
def test_unreadable_export_is_skipped(broken: str) -> None:
    """Whatever cannot be repaired costs that export only."""
    status = _agree(status_doc(export_entry("1", "a"), broken, export_entry("3", "c")))
    assert [e.export_id for e in status.exports][:1] == ["1"]
    assert status.exports[-1].export_id == "3"
    assert len(status.unreadable) == 1
    assert status.unreadable[0].ident in ("2", None)


def test_unreadable_exports_are_reused_between_polls() -> None:
    """An unchanged unreadable export is not parsed again; the others update."""
    parser = ExportStatusParser()
    broken = "<export><exportid>2</exportid><path>x</path><status>PEN"
    first = _agree(
        status_doc(export_entry("1", "a & b"), broken, export_entry("3", "c")), parser
    )
    second = _agree(
        status_doc(export_entry("1", "a & b", "55"), broken, export_entry("3", "c")),
        parser,
    )
    assert second.unreadable[0] is first.unreadable[0]
    assert second.exports[1] is first.exports[1]
    assert second.exports[0].devices[0].progress == 55.0
    healed = _agree(
        status_doc(
            export_entry("1", "a & b", "55"),
            export_entry("2", "x"),
            export_entry("3", "c"),
        ),
        parser,
    )
    assert healed.unreadable == ()
    assert healed.exports[0] is second.exports[0]


@pytest.mark.parametrize(
    "xml",
    [
        # the envelope itself is broken
        status_doc(export_entry("1", "a & b")).replace("</exports>", "<exports>"),
        status_doc(export_entry("1", "a")).replace(
            "<result errorcode", "<result <x errorcode"
        ),
        status_doc(export_entry("1", "a"), "<export><exportid>2</exportid>").replace(
            "</result>", ""
        ),
        # no errorcode
        status_doc(export_entry("1", "a"), "<export><exportid>2</exportid>").replace(
            ' errorcode="0"', ""
        ),
        # not an answer at all
        "<html><body>a & b <p></body>",
        # lower-casing changes the length: no cutting, no recovery
        status_doc(export_entry("1", "İ <b> x"), export_entry("2", "a")),
        # an export outside the export list
        '<result errorcode="0"><exports/>' + export_entry("1", "a <b> c") + "</result>",
    ],
)
def test_envelope_is_still_required(xml: str) -> None:
    """Skipping exports never hides a broken or missing envelope."""
    with pytest.raises(InvalidResponse):
        parse_export_status(xml)
    assert outcome(lambda: ExportStatusParser().parse(xml)) == outcome(
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
            status_doc(
                export_entry("1", "a & b", "101"), "<export><exportid>2</exportid>"
            )
        )
    with pytest.raises(InvalidResponse, match="export #1: missing exportid"):
        parse_export_status(
            status_doc(
                export_entry("1", "a"), "<export><path>b</path></export>", "<export>"
            )
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
