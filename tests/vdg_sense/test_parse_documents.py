"""The VDG Sense parsers on their own: encodings, hostile XML, devices, /info, exportVideo and requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
import time
import xml.etree.ElementTree as ET

import pytest

from custom_components.camera_bridge.api.errors import BackendError, InvalidResponse
from custom_components.camera_bridge.api.vdg_sense import (
    DeviceRef,
    ServerInfo,
    VdgConnectionLost,
    VdgValidationError,
    build_export_request,
    format_timestamp,
    parse_device_list,
    parse_export_reply,
    parse_export_status,
    parse_info,
)

from .documents import DEVICES, INFO, PARSERS, STATUS, export_xml, status_of

HOSTILE = [
    # billion laughs
    b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<result errorcode="0"><exports><export><exportid>&lol3;</exportid></export></exports></result>""",
    # external entity
    b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<result errorcode="0"><exportid>&x;</exportid><apiinfo><version>&x;</version></apiinfo></result>""",
    # parameter entity fetching a remote DTD
    b"""<!DOCTYPE r [<!ENTITY % d SYSTEM "http://127.0.0.1:1/evil.dtd"> %d;]>
<result errorcode="0"/>""",
    # external DTD only
    b"""<!doctype result SYSTEM "http://127.0.0.1:1/x.dtd"><result errorcode="0"/>""",
    # the same, hidden in UTF-16 (with a BOM)
    '<!DOCTYPE r [<!ENTITY a "b">]><result errorcode="0"><exportid>&a;</exportid></result>'.encode(
        "utf-16"
    ),
    # the same, hidden in UTF-7
    (
        b'<?xml version="1.0" encoding="UTF-7"?>'
        b'+ADw-!DOCTYPE r +AFs-+ADw-!ENTITY a "b"+AD4-+AF0-+AD4-'
        b'<result errorcode="0"><exportid>&a;</exportid></result>'
    ),
]


# --- encodings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-16", "utf-32", "iso-8859-1", "cp1252"]
)
def test_status_encodings(encoding: str) -> None:
    """Declared encodings and BOMs are honoured."""
    xml = (
        f'<?xml version="1.0" encoding="{encoding}"?><result errorcode="0"><exports>'
        + export_xml(path="Café Überwachung")
        + "</exports></result>"
    )
    body = xml.encode(encoding)
    assert parse_export_status(body).exports[0].path == "Café Überwachung"


def test_status_utf8_bom() -> None:
    """A UTF-8 BOM is skipped."""
    body = b"\xef\xbb\xbf" + STATUS
    assert len(parse_export_status(body).exports) == 2


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="klingon"?><result errorcode="0"/>',
        b'<?xml version="1.0" encoding="zlib_codec"?><result errorcode="0"/>',
        b'<?xml version="1.0" encoding="utf-8"?><result errorcode="0">\xff</result>',
        b'<?xml version="1.0" encoding="ascii"?><result errorcode="0">\xe9</result>',
    ],
)
def test_status_bad_encodings(body: bytes) -> None:
    """Undecodable bodies are invalid responses."""
    with pytest.raises(InvalidResponse, match=r"encoding|text"):
        parse_export_status(body)


EVERYTHING = (
    '<result errorcode="0"><exports count="0"/><devices count="0"/>'
    "<apiinfo><version>2.8</version></apiinfo><exportid>7</exportid></result>"
)


@pytest.mark.parametrize("name", sorted(PARSERS))
@pytest.mark.parametrize(
    "encoding", ["utf-7", "punycode", "idna", "cp037", "cp500", "rot13", "hz"]
)
def test_declared_encodings_are_an_allow_list(name: str, encoding: str) -> None:
    """Only encodings a server can sensibly send are decoded (issue 10).

    This answer is plain ASCII, readable in each of them; it is refused all
    the same, by every parser.
    """
    body = f'<?xml version="1.0" encoding="{encoding}"?>{EVERYTHING}'.encode()
    with pytest.raises(InvalidResponse, match="encoding"):
        PARSERS[name](body)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_punycode_is_refused_at_once(name: str) -> None:
    """200 KB declaring punycode took 0.6-1.3 s to decode (quadratic): now none."""
    head = (
        '<?xml version="1.0" encoding="punycode"?>'
        '<result errorcode="0"><exports count="0"/></result>-'
    )
    body = (head + "ba" * ((200 * 1024 - len(head)) // 2)).encode()
    start = time.process_time()
    with pytest.raises(InvalidResponse, match="punycode"):
        PARSERS[name](body)
    assert time.process_time() - start < 0.05


# --- hostile XML -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PARSERS))
@pytest.mark.parametrize("body", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_xml(name: str, body: bytes) -> None:
    """DTDs, entities and external references are refused by every parser."""
    with pytest.raises(InvalidResponse):
        PARSERS[name](body)


def test_undefined_reference_is_text() -> None:
    """A reference to an undeclared entity is read as the text sent, never expanded.

    Servers echo values raw: ``&a;`` in a value is what the user typed.
    """
    body = b'<result errorcode="0"><exportid>&a;</exportid></result>'
    assert parse_export_reply(body) == "&a;"
    assert parse_export_status(body.replace(b"<exportid>", b"<exports/><exportid>"))
    (export,) = status_of(
        f'<result errorcode="0"><exports>{export_xml(path="&lol3;&#65;&amp;")}'
        "</exports></result>"
    ).exports
    assert export.path == "&lol3;A&"


# --- getDeviceList, /info, exportVideo reply --------------------------------------


def test_device_list() -> None:
    """Every field; a device without name is named by its id."""
    gate, bare = parse_device_list(DEVICES)
    assert gate.name == "Gate"
    assert (gate.server_id, gate.device_id) == ("{S1}", "{D1}")
    assert (gate.status, gate.type, gate.brand, gate.location) == (
        "online",
        "camera",
        "Axis",
        "North",
    )
    assert (gate.ptz_type, gate.ip_address, gate.port) == ("none", "10.0.0.5", 80)
    assert bare.name == "{D2}"
    assert bare.port is None
    assert bare.status is None


def test_device_list_lenient() -> None:
    """Mixed-case tags, an attribute on a field, devices without container."""
    body = (
        b'<Result ErrorCode="0"><Device><DeviceId kind="x">a</DeviceId>'
        b"<SERVERID>s</SERVERID><Name>A</Name></Device>"
        b"<device><deviceid>b</deviceid><serverid>s</serverid></device></Result>"
    )
    assert [(d.device_id, d.name) for d in parse_device_list(body)] == [
        ("a", "A"),
        ("b", "b"),
    ]
    assert parse_device_list(b'<result errorcode="0"><devices/></result>') == ()
    assert parse_device_list(b'<result errorcode="0"/>') == ()


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (
            b'<result errorcode="0"><devices><device>text</device></devices></result>',
            "no fields",
        ),
        (
            b'<result errorcode="0"><devices><device><serverid>s</serverid></device></devices></result>',
            "missing deviceid",
        ),
        (
            b'<result errorcode="0"><devices><device><deviceid>d</deviceid></device></devices></result>',
            "missing serverid",
        ),
        (b"<devices/>", "not <result>"),
        (b"<result>x</result>", "no errorcode"),
    ],
)
def test_device_list_strict(body: bytes, match: str) -> None:
    """Devices must carry their ids."""
    with pytest.raises(InvalidResponse, match=match):
        parse_device_list(body)


def test_info_variants() -> None:
    """/info inside a result, epoch clocks, unknown clocks, extras."""
    info = parse_info(INFO)
    assert info == ServerInfo(
        version="2.7.3",
        server_time=datetime(2024, 1, 19, 10, tzinfo=UTC),
        legacy=False,
    )
    assert info.supports_export_video is True
    wrapped = parse_info(
        b'<result errorcode="0"><apiinfo><UTC>1705658400</UTC><Version>2.6.1</Version>'
        b"<serial>ABC</serial><empty/></apiinfo></result>"
    )
    assert wrapped.server_time == datetime(2024, 1, 19, 10, tzinfo=UTC)
    assert wrapped.supports_export_video is False
    assert wrapped.extras == (("serial", "ABC"),)
    flat = parse_info(
        b'<result errorcode="0"><version>3.0</version><utc>soon</utc></result>'
    )
    assert flat.version == "3.0"
    assert flat.server_time is None
    assert parse_info(b"<apiinfo/>") == ServerInfo(None, None, legacy=False)
    assert (
        parse_info(
            b"<apiinfo><utc>1e30</utc><version>vX</version></apiinfo>"
        ).version_tuple
        is None
    )


def test_info_errors() -> None:
    """A wrong root or an error code."""
    with pytest.raises(InvalidResponse, match="not <apiinfo>"):
        parse_info(b"<html/>")
    with pytest.raises(VdgConnectionLost):
        parse_info(b'<result errorcode="-53"/>')


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'<result errorcode="0"><exportid>42</exportid></result>', "42"),
        (b'<result errorcode="0" exportid="43"/>', "43"),
        (
            b'<result errorcode="0"><Export><ExportID> 44 </ExportID></Export></result>',
            "44",
        ),
        (
            b'<result errorcode="0"><a/><b><c><exportid>45</exportid></c></b></result>',
            "45",
        ),
        (
            b'<result errorcode="0"><x>1</x><x><exportid>46</exportid></x></result>',
            "46",
        ),
    ],
)
def test_export_reply(body: bytes, expected: str) -> None:
    """The new export id is found wherever it is."""
    assert parse_export_reply(body) == expected


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'<result errorcode="0"/>', InvalidResponse),
        (b'<result errorcode="0"><exportid/></result>', InvalidResponse),
        (b'<result errorcode="0"><exportid>a b</exportid></result>', InvalidResponse),
        (
            b'<result errorcode="-2"><description>No device</description></result>',
            BackendError,
        ),
    ],
)
def test_export_reply_errors(body: bytes, error: type[Exception]) -> None:
    """No usable export id is an invalid response."""
    with pytest.raises(error):
        parse_export_reply(body)


def test_export_reply_depth_limit() -> None:
    """A deeply nested reply is searched only so far."""
    body = (
        '<result errorcode="0">'
        + "<a>" * 100
        + "<exportid>1</exportid>"
        + "</a>" * 100
        + "</result>"
    )
    with pytest.raises(InvalidResponse, match="missing exportid"):
        parse_export_reply(body.encode())


# --- requests ---------------------------------------------------------------------------


def test_format_timestamp() -> None:
    """UTC, zero-padded, with or without milliseconds."""
    value = datetime(987, 6, 5, 4, 3, 2, 1999, tzinfo=timezone(timedelta(hours=-3)))
    assert format_timestamp(value) == "0987-06-05 07:03:02"
    assert format_timestamp(value, millis=True) == "0987-06-05 07:03:02.001"
    with pytest.raises(VdgValidationError):
        format_timestamp(datetime(2024, 1, 1))  # noqa: DTZ001


def test_build_export_request() -> None:
    """The body is well-formed XML whatever the values."""
    start = datetime(2024, 1, 19, 10, tzinfo=UTC)
    body = build_export_request(
        (DeviceRef(f"s{i}&<", f"d{i}]]>") for i in range(2)),
        start,
        start + timedelta(seconds=1),
        "</path>&amp;",
        bandwidth=256,
    )
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<export>")
    root = ET.fromstring(body)
    assert [e.tag for e in root] == ["devices", "path", "bandwidth"]
    assert root.findtext("path") == "</path>&amp;"
    assert root.findtext("bandwidth") == "256"
    assert [d.findtext("serverid") for d in root.iter("device")] == ["s0&<", "s1&<"]
    assert [d.findtext("deviceid") for d in root.iter("device")] == ["d0]]>", "d1]]>"]
    assert {d.findtext("starttime") for d in root.iter("device")} == {
        "2024-01-19 10:00:00.000"
    }
