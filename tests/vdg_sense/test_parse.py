"""The VDG Sense parsers on their own: lenient, strict, hostile and fuzzed."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from datetime import UTC, datetime, timedelta, timezone
import time
from typing import Any
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.camera_bridge.api.errors import (
    BackendError,
    CameraBridgeError,
    InvalidResponse,
)
from custom_components.camera_bridge.api.vdg_sense import (
    DeviceRef,
    Export,
    ExportDevice,
    ExportState,
    ExportStatus,
    ExportStatusParser,
    ServerInfo,
    VdgConnectionLost,
    VdgInvalidExportId,
    VdgValidationError,
    build_export_request,
    error_for_code,
    export_element,
    format_timestamp,
    parse_device_list,
    parse_export_reply,
    parse_export_status,
    parse_info,
)

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

PARSERS: dict[str, Callable[[bytes], object]] = {
    "status": parse_export_status,
    "devices": parse_device_list,
    "info": parse_info,
    "reply": parse_export_reply,
}

STATUS = b"""<?xml version="1.0" ?>
<result errorcode="0">
  <exports count="2">
    <export>
      <exportid>12</exportid>
      <path>\\\\nas\\exports\\incident</path>
      <status>PENDING</status>
      <bandwidth>4096</bandwidth>
      <devices>
        <device>
          <serverid>{S1}</serverid>
          <deviceid>{D1}</deviceid>
          <starttime>2024-01-19 10:00:00</starttime>
          <endtime>2024-01-19 10:05:00</endtime>
          <progress>40</progress>
          <status>PENDING</status>
        </device>
        <device>
          <serverid>{S1}</serverid>
          <deviceid>{D2}</deviceid>
          <starttime>2024-01-19 10:00:00</starttime>
          <endtime>2024-01-19 10:05:00</endtime>
          <progress>100</progress>
          <status>COMPLETED</status>
        </device>
      </devices>
    </export>
    <export>
      <exportid>13</exportid>
      <path>D:\\exports\\done</path>
      <status>completed</status>
      <bandwidth>1024</bandwidth>
      <devices>
        <device>
          <serverid>{S1}</serverid>
          <deviceid>{D3}</deviceid>
          <starttime>2024-01-19 11:00:00</starttime>
          <endtime>2024-01-19 11:01:00</endtime>
          <progress>100</progress>
          <status>completed</status>
        </device>
      </devices>
    </export>
  </exports>
</result>
"""

DEVICES = b"""<?xml version="1.0" encoding="UTF-8"?>
<result errorcode="0"><description>Ok</description>
<devices count="2">
 <device><name>Gate</name><serverid>{S1}</serverid><deviceid>{D1}</deviceid>
  <status>online</status><type>camera</type><brand>Axis</brand>
  <location>North</location><ptztype>none</ptztype><ipaddress>10.0.0.5</ipaddress>
  <port>80</port></device>
 <device><serverid>{S1}</serverid><deviceid>{D2}</deviceid><port>n/a</port></device>
</devices></result>
"""

INFO = b"<apiinfo><utc>2024-01-19 10:00:00</utc><version>2.7.3</version></apiinfo>"

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


def _status(xml: str) -> ExportStatus:
    return parse_export_status(xml.encode())


def _one(export_xml: str) -> Export:
    (export,) = _status(
        f'<result errorcode="0"><exports>{export_xml}</exports></result>'
    ).exports
    return export


def _device(**fields: str | None) -> str:
    values: dict[str, str | None] = {
        "serverid": "{S}",
        "deviceid": "{D}",
        "starttime": "2024-01-19 10:00:00",
        "endtime": "2024-01-19 10:05:00",
        "progress": "10",
        "status": "PENDING",
    } | fields
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in values.items() if v is not None)
    return f"<device>{inner}</device>"


def _export(device: str | None = None, **fields: str | None) -> str:
    values: dict[str, str | None] = {
        "exportid": "1",
        "path": "p",
        "status": "PENDING",
        "bandwidth": "64",
    } | fields
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in values.items() if v is not None)
    return f"<export>{inner}<devices>{device or _device()}</devices></export>"


# --- getExportVideoStatus ------------------------------------------------------


def test_status_documented_shape() -> None:
    """The documented answer parses completely."""
    status = parse_export_status(STATUS)
    assert status.reported_count == 2
    first, second = status.exports
    assert first == Export(
        export_id="12",
        path="\\\\nas\\exports\\incident",
        status=ExportState.PENDING,
        bandwidth=4096,
        devices=(
            ExportDevice(
                server_id="{S1}",
                device_id="{D1}",
                start=datetime(2024, 1, 19, 10, 0, tzinfo=UTC),
                end=datetime(2024, 1, 19, 10, 5, tzinfo=UTC),
                progress=40.0,
                status=ExportState.PENDING,
            ),
            ExportDevice(
                server_id="{S1}",
                device_id="{D2}",
                start=datetime(2024, 1, 19, 10, 0, tzinfo=UTC),
                end=datetime(2024, 1, 19, 10, 5, tzinfo=UTC),
                progress=100.0,
                status=ExportState.COMPLETED,
            ),
        ),
    )
    assert first.progress == 70.0
    assert first.status.active
    assert second.status is ExportState.COMPLETED
    assert second.progress == 100.0
    assert status.active_count == 1
    assert list(status.by_id()) == ["12", "13"]


def test_status_accepts_text() -> None:
    """A str body works as well as bytes."""
    assert parse_export_status(STATUS.decode()) == parse_export_status(STATUS)


def test_status_lenient_shapes() -> None:
    """Case, order, extra tags, namespaces and a bare export list are accepted."""
    upper = STATUS.split(b"?>", 1)[1].decode().upper().replace("ERRORCODE", "ErrorCode")
    status = _status(upper)
    assert [e.export_id for e in status.exports] == ["12", "13"]
    assert status.exports[0].path == "\\\\NAS\\EXPORTS\\INCIDENT"
    assert status.exports[1].status is ExportState.COMPLETED

    bare = _status(
        '<result errorcode="0"><extra>x</extra>'
        + _export(exportid="5")
        + _export(exportid="6")
        + "</result>"
    )
    assert [e.export_id for e in bare.exports] == ["5", "6"]
    assert bare.reported_count is None

    reordered = _one(
        "<export><devices>"
        "<device><status>syncing</status><progress>0</progress><deviceid>d</deviceid>"
        "<unknown><nested/></unknown><serverid>s</serverid></device>"
        "<camera>not a device</camera>"
        "</devices><future>1</future><bandwidth>1.0e3</bandwidth>"
        "<status> Syncing </status><exportid> 7 </exportid><path/></export>"
    )
    assert reordered.export_id == "7"
    assert reordered.path == ""
    assert reordered.status is ExportState.SYNCING
    assert reordered.bandwidth == 1000
    (device,) = reordered.devices
    assert (device.server_id, device.device_id) == ("s", "d")
    assert device.start is None
    assert device.end is None

    namespaced = _status(
        '<v:result xmlns:v="urn:vdg" v:errorcode="0"><v:exports v:count="1">'
        + _export().replace("<", "<v:").replace("<v:/", "</v:")
        + "</v:exports></v:result>"
    )
    assert namespaced.reported_count == 1
    assert namespaced.exports[0].devices[0].progress == 10.0


def test_status_empty_variants() -> None:
    """No exports when the server says so: an empty container, zero count."""
    for xml in (
        '<result errorcode="0"><exports count="0"/></result>',
        '<result errorcode="0"><exports/><exports><export/></exports></result>',
    ):
        assert _status(xml).exports == ()


@pytest.mark.parametrize(
    "xml",
    [
        '<result errorcode="0"/>',
        '<result errorcode="0"><description>Ok</description></result>',
        '<result errorcode="0"><x>' + _export() + "</x></result>",
        '<result errorcode="0">' + "<note>other XML</note>" * 50_000 + "</result>",
    ],
    ids=["lone result", "description only", "exports elsewhere", "1 MB of other XML"],
)
def test_status_without_export_list(xml: str) -> None:
    """An answer with neither <exports> nor <export> is no list (issue 10).

    Read as "no exports", every export sensor would leave.
    """
    with pytest.raises(InvalidResponse, match="no <exports> element"):
        _status(xml)


def test_status_count_is_informative() -> None:
    """A wrong or odd count attribute is kept, never trusted."""
    assert (
        _status('<result errorcode="0"><exports count="many"/></result>').reported_count
        is None
    )
    assert (
        _status('<result errorcode="0"><exports count="3.0"/></result>').reported_count
        == 3
    )
    status = _status(
        f'<result errorcode="0"><exports COUNT="9">{_export()}</exports></result>'
    )
    assert status.reported_count == 9
    assert len(status.exports) == 1


def test_status_values() -> None:
    """Status case, unknown states, first-of-duplicates, odd bandwidths."""
    assert _one(_export(status="Removed")).status is ExportState.REMOVED
    assert _one(_export(status="FAILED")).status is ExportState.UNKNOWN
    assert _one(_export(status=None)).status is ExportState.UNKNOWN
    assert _one(_export(bandwidth="fast")).bandwidth is None
    assert _one(_export(bandwidth="1.5")).bandwidth is None
    assert _one(_export(bandwidth=None)).bandwidth is None
    twice = _one(
        "<export><exportid>1</exportid><exportid>2</exportid><path>a</path>"
        "<path>b</path><status>pending</status><status>removed</status>"
        "<bandwidth>1</bandwidth><bandwidth>2</bandwidth></export>"
    )
    assert (twice.export_id, twice.path, twice.status, twice.bandwidth) == (
        "1",
        "a",
        ExportState.PENDING,
        1,
    )
    assert twice.devices == ()
    assert twice.progress == 0.0
    loose = _one(
        "<export><exportid>1</exportid>" + _device(progress="12.5") + "</export>"
    )
    assert loose.devices[0].progress == 12.5
    assert loose.progress == 12.5


def test_device_values() -> None:
    """Progress bounds, fractional values, timestamps in several spellings."""
    export = _one(
        _export(
            _device(progress="0", starttime="2024-01-19 10:00:00.123")
            + _device(
                deviceid="d2", progress=" 100 ", endtime="2024-01-19T12:05:00+02:00"
            )
            + _device(deviceid="d3", progress="99.5", status="weird", starttime="")
        )
    )
    first, second, third = export.devices
    assert first.progress == 0.0
    assert first.start == datetime(2024, 1, 19, 10, 0, 0, 123000, tzinfo=UTC)
    assert second.progress == 100.0
    assert second.end == datetime(2024, 1, 19, 10, 5, tzinfo=UTC)
    assert second.end.tzinfo is UTC
    assert third.progress == 99.5
    assert third.status is ExportState.UNKNOWN
    assert third.start is None
    assert export.progress == pytest.approx((0 + 100 + 99.5) / 3)


@pytest.mark.parametrize(
    ("xml", "match"),
    [
        ('<answer errorcode="0"/>', "not <result>"),
        ("<result/>", "no errorcode"),
        ('<result code="0"/>', "no errorcode"),
        ('<result errorcode="ok"/>', "not a number"),
        ('<result errorcode=""/>', "not a number"),
        (
            f'<result errorcode="0"><exports>{_export(exportid=None)}</exports></result>',
            "missing exportid",
        ),
        (
            f'<result errorcode="0"><exports>{_export(exportid="  ")}</exports></result>',
            "missing exportid",
        ),
        (
            f'<result errorcode="0"><exports>{_export(exportid="1 2")}</exports></result>',
            "invalid exportid",
        ),
        (
            f'<result errorcode="0"><exports>{_export(exportid="9" * 65)}</exports></result>',
            "invalid exportid",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(progress="101"))}</exports></result>',
            "0..100",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(progress="-1"))}</exports></result>',
            "0..100",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(progress="nan"))}</exports></result>',
            "0..100",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(progress="inf"))}</exports></result>',
            "0..100",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(progress="9" * 5000))}</exports></result>',
            "0..100",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(progress="half"))}</exports></result>',
            "not a number",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(progress=None))}</exports></result>',
            "missing progress",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(deviceid=None))}</exports></result>',
            "without deviceid",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(serverid=" "))}</exports></result>',
            "missing serverid",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(starttime="monday"))}</exports></result>',
            "not a timestamp",
        ),
        (
            f'<result errorcode="0"><exports>{_export(_device(endtime="0001-01-01 00:00:00+01:00"))}</exports></result>',
            "out of range",
        ),
        ("", "malformed"),
        ("<result errorcode='0'>", "malformed"),
        ("\x00", "malformed"),
    ],
)
def test_status_strict(xml: str, match: str) -> None:
    """What the integration needs is checked, with a clear message."""
    with pytest.raises(InvalidResponse, match=match):
        _status(xml)


def test_status_error_codes() -> None:
    """A result code in the status answer becomes the typed error."""
    with pytest.raises(VdgInvalidExportId) as err:
        _status(
            '<result errorcode="-57"><description>Invalid exportid</description></result>'
        )
    assert (err.value.code, err.value.message) == (-57, "Invalid exportid")
    with pytest.raises(VdgConnectionLost) as lost:
        _status('<RESULT ERRORCODE=" -53 "/>')
    assert lost.value.message == ""


def test_error_for_code() -> None:
    """The mapping table; unknown codes stay generic."""
    assert type(error_for_code(-99, "x")) is BackendError
    assert str(error_for_code(-99, "x")) == "-99: x"
    assert str(error_for_code(-57, None)) == "-57"


def test_huge_numbers() -> None:
    """Numbers of hundreds of digits are no numbers, never an OverflowError (issue 10)."""
    huge = "9" * 400
    with pytest.raises(InvalidResponse, match=r"0\.\.100"):
        _one(_export(_device(progress=huge)))
    assert _one(_export(bandwidth=huge)).bandwidth is None
    assert _one(_export(bandwidth="1e300")).bandwidth is None
    assert _one(_export(bandwidth=str(2**63))).bandwidth is None
    assert _one(_export(bandwidth=str(2**63 - 1))).bandwidth == 2**63 - 1
    counted = _status(f'<result errorcode="0"><exports count="{huge}"/></result>')
    assert counted.reported_count is None
    with pytest.raises(InvalidResponse, match=r"errorcode .* is not a number"):
        _status(f'<result errorcode="-{huge}"/>')
    (device,) = parse_device_list(
        b'<result errorcode="0"><devices><device><deviceid>d</deviceid>'
        b"<serverid>s</serverid><port>" + huge.encode() + b"</port></device>"
        b"</devices></result>"
    )
    assert device.port is None
    info = parse_info(f"<apiinfo><version>2.{'9' * 5000}</version></apiinfo>".encode())
    assert (info.version_tuple, info.supports_export_video) == (None, None)


def test_identity() -> None:
    """The identity changes with path or footage, not with progress."""
    export = _one(_export())
    assert (
        _one(_export(_device(progress="90"), status="COMPLETED")).identity
        == export.identity
    )
    assert _one(_export(path="other")).identity != export.identity
    assert _one(_export(_device(deviceid="x"))).identity != export.identity
    assert (
        _one(_export(_device(endtime="2024-01-19 10:06:00"))).identity
        != export.identity
    )


# --- encodings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-16", "utf-32", "iso-8859-1", "cp1252"]
)
def test_status_encodings(encoding: str) -> None:
    """Declared encodings and BOMs are honoured."""
    xml = (
        f'<?xml version="1.0" encoding="{encoding}"?><result errorcode="0"><exports>'
        + _export(path="Café Überwachung")
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


# what every parser reads: an export list, a device list, /info and a reply
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
    (export,) = _status(
        f'<result errorcode="0"><exports>{_export(path="&lol3;&#65;&amp;")}'
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
    a, b = _export(exportid="1"), _export(exportid="2")
    first = parser.parse(_doc(a, b).encode())
    assert parser.parse(_doc(a, b).encode()) is first
    b2 = _export(_device(progress="55"), exportid="2")
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
    a = _export(exportid="1")
    first = parser.parse(_doc(a))
    with pytest.raises(InvalidResponse):
        parser.parse(_doc(_export(exportid="2", path="x", bandwidth="1") + "<x>"))
    with pytest.raises(VdgInvalidExportId):
        parser.parse('<result errorcode="-57"/>')
    assert parser.parse(_doc(a, _export(exportid="3"))).exports[0] is first.exports[0]


TRICKY = [
    # comments, CDATA and processing instructions can hide tags
    _doc(_export(path="<!-- </export> -->".replace("<", "&lt;")), "<!-- <export> -->"),
    _doc(_export().replace("<path>p</path>", "<path><![CDATA[</export>]]></path>")),
    _doc(_export(), "<?pi </export> ?>"),
    '<?xml version="1.0"?>' + _doc(_export()),
    "  <?xml version='1.0'?>" + _doc(_export()),
    _doc(_export()) + "<?late?>",
    # namespaces
    '<r:result xmlns:r="urn:x" errorcode="0"><r:exports>'
    + _export().replace("<", "<r:").replace("<r:/", "</r:")
    + "</r:exports></r:result>",
    '<result xmlns="urn:x" errorcode="0"><exports>' + _export() + "</exports></result>",
    # nested and self-closing exports
    _doc("<export><exportid>1</exportid>" + _export(exportid="2") + "</export>"),
    _doc("<export/>", _export()),
    _doc(_export(), "<export/>"),
    _doc('<export id="x"/>', _export()),
    _doc("<export>text</export>"),
    # exports in odd places
    '<result errorcode="0">'
    + _export()
    + "<exports>"
    + _export(exportid="2")
    + "</exports></result>",
    '<result errorcode="0"><x>' + _export() + "</x></result>",
    '<result errorcode="0">' + _export() + _export(exportid="2") + "</result>",
    # tags that only start like export
    _doc(_export().replace("<path>p</path>", "<export-note>n</export-note><exports/>")),
    _doc(
        _export().replace("<export>", "<EXPORT >").replace("</export>", "</Export\n>")
    ),
    # cuts that do not follow the structure
    _doc(
        "<export><exportid>1</exportid><path>a</path><export></export>",
        "<export/></export>",
        "<export/>" + _export(exportid="3"),
    ),
    _doc("<export><exportid>0</exportid>" + _export(exportid="1") + "</export>"),
    _doc(_export(exportid="1"), "<export><exportid>2</exportid>"),
    # lower-casing changes the length: no cutting
    _doc(_export(path="İstanbul"), _export(exportid="2")),
    # broken documents
    _doc(_export()).replace("</exports>", ""),
    _doc(_export()) + "trailing",
    _doc(_export(), "<export></result>"),
    '<result errorcode="-57"><export/><description>d</description><export></export></result>',
    '<result errorcode="0"><export></result><x></export>',
    "<export>" + _doc(_export()) + "</export>",
    _export(),
    _doc(_export(exportid=None)),
    _doc(_export(_device(progress="200"))),
    _doc("<export><exportid>1</exportid><path>a</path></export ", _export()),
]


def _outcome(parse: Callable[[], ExportStatus]) -> object:
    try:
        return parse()
    except CameraBridgeError as err:
        return type(err), str(err)


@pytest.mark.parametrize("xml", TRICKY, ids=range(len(TRICKY)))
def test_reuse_agrees_with_a_fresh_parse(xml: str) -> None:
    """A parser that read other answers gives what a fresh parser gives."""
    fresh = _outcome(lambda: parse_export_status(xml))
    assert _outcome(lambda: ExportStatusParser().parse(xml)) == fresh
    warm = ExportStatusParser()
    warm.parse(_doc(_export(), _export(exportid="2"), _export(exportid="3")))
    assert _outcome(lambda: warm.parse(xml)) == fresh


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
    parser = ExportStatusParser()
    for children in (first, second, first):
        inner = "".join(ET.tostring(child, encoding="unicode") for child in children)
        xml = (
            f'<result errorcode="0"><exports>{inner}</exports></result>'
            if wrap
            else f'<result errorcode="0">{inner}</result>'
        )
        assert _outcome(lambda x=xml: parser.parse(x)) == _outcome(
            lambda x=xml: parse_export_status(x)
        )


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
    whole = _outcome(lambda: parse_export_status(xml))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export_element, "_PIECE", piece)
        assert _outcome(lambda: parse_export_status(xml)) == whole


@st.composite
def _export_lists(draw: st.DrawFn) -> str:
    exports = []
    for _ in range(draw(st.integers(0, 5))):
        devices = "".join(
            _device(
                deviceid=draw(st.sampled_from(["a", "b", "A", None, " "])),
                progress=draw(st.sampled_from(["0", "50", "100", "101", None])),
                status=draw(st.sampled_from(["pending", "COMPLETED", None])),
            )
            for _ in range(draw(st.integers(0, 3)))
        )
        exports.append(
            _export(
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
    parser = ExportStatusParser()
    for xml in polls:
        assert _outcome(lambda x=xml: parser.parse(x)) == _outcome(
            lambda x=xml: parse_export_status(x)
        )
