"""The VDG Sense parsers on their own: the exportVideoStatus answer, lenient and strict."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.camera_bridge.api.errors import BackendError, InvalidResponse
from custom_components.camera_bridge.api.vdg_sense import (
    Export,
    ExportDevice,
    ExportState,
    VdgConnectionLost,
    VdgInvalidExportId,
    error_for_code,
    parse_device_list,
    parse_export_status,
    parse_info,
)

from .documents import STATUS, device_xml, export_xml, status_of


def _one(export_xml: str) -> Export:
    (export,) = status_of(
        f'<result errorcode="0"><exports>{export_xml}</exports></result>'
    ).exports
    return export


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
    status = status_of(upper)
    assert [e.export_id for e in status.exports] == ["12", "13"]
    assert status.exports[0].path == "\\\\NAS\\EXPORTS\\INCIDENT"
    assert status.exports[1].status is ExportState.COMPLETED

    bare = status_of(
        '<result errorcode="0"><extra>x</extra>'
        + export_xml(exportid="5")
        + export_xml(exportid="6")
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

    namespaced = status_of(
        '<v:result xmlns:v="urn:vdg" v:errorcode="0"><v:exports v:count="1">'
        + export_xml().replace("<", "<v:").replace("<v:/", "</v:")
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
        assert status_of(xml).exports == ()


@pytest.mark.parametrize(
    "xml",
    [
        '<result errorcode="0"/>',
        '<result errorcode="0"><description>Ok</description></result>',
        '<result errorcode="0"><x>' + export_xml() + "</x></result>",
        '<result errorcode="0">' + "<note>other XML</note>" * 50_000 + "</result>",
    ],
    ids=["lone result", "description only", "exports elsewhere", "1 MB of other XML"],
)
def test_status_without_export_list(xml: str) -> None:
    """An answer with neither <exports> nor <export> is no list (issue 10).

    Read as "no exports", every export sensor would leave.
    """
    with pytest.raises(InvalidResponse, match="no <exports> element"):
        status_of(xml)


def test_status_count_is_informative() -> None:
    """A wrong or odd count attribute is kept, never trusted."""
    assert (
        status_of(
            '<result errorcode="0"><exports count="many"/></result>'
        ).reported_count
        is None
    )
    assert (
        status_of(
            '<result errorcode="0"><exports count="3.0"/></result>'
        ).reported_count
        == 3
    )
    status = status_of(
        f'<result errorcode="0"><exports COUNT="9">{export_xml()}</exports></result>'
    )
    assert status.reported_count == 9
    assert len(status.exports) == 1


def test_status_values() -> None:
    """Status case, unknown states, first-of-duplicates, odd bandwidths."""
    assert _one(export_xml(status="Removed")).status is ExportState.REMOVED
    assert _one(export_xml(status="FAILED")).status is ExportState.UNKNOWN
    assert _one(export_xml(status=None)).status is ExportState.UNKNOWN
    assert _one(export_xml(bandwidth="fast")).bandwidth is None
    assert _one(export_xml(bandwidth="1.5")).bandwidth is None
    assert _one(export_xml(bandwidth=None)).bandwidth is None
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
        "<export><exportid>1</exportid>" + device_xml(progress="12.5") + "</export>"
    )
    assert loose.devices[0].progress == 12.5
    assert loose.progress == 12.5


def test_device_values() -> None:
    """Progress bounds, fractional values, timestamps in several spellings."""
    export = _one(
        export_xml(
            device_xml(progress="0", starttime="2024-01-19 10:00:00.123")
            + device_xml(
                deviceid="d2", progress=" 100 ", endtime="2024-01-19T12:05:00+02:00"
            )
            + device_xml(deviceid="d3", progress="99.5", status="weird", starttime="")
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
            f'<result errorcode="0"><exports>{export_xml(exportid=None)}</exports></result>',
            "missing exportid",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(exportid="  ")}</exports></result>',
            "missing exportid",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(exportid="1 2")}</exports></result>',
            "invalid exportid",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(exportid="9" * 65)}</exports></result>',
            "invalid exportid",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(progress="101"))}</exports></result>',
            "0..100",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(progress="-1"))}</exports></result>',
            "0..100",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(progress="nan"))}</exports></result>',
            "0..100",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(progress="inf"))}</exports></result>',
            "0..100",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(progress="9" * 5000))}</exports></result>',
            "0..100",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(progress="half"))}</exports></result>',
            "not a number",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(progress=None))}</exports></result>',
            "missing progress",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(deviceid=None))}</exports></result>',
            "without deviceid",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(serverid=" "))}</exports></result>',
            "missing serverid",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(starttime="monday"))}</exports></result>',
            "not a timestamp",
        ),
        (
            f'<result errorcode="0"><exports>{export_xml(device_xml(endtime="0001-01-01 00:00:00+01:00"))}</exports></result>',
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
        status_of(xml)


def test_status_error_codes() -> None:
    """A result code in the status answer becomes the typed error."""
    with pytest.raises(VdgInvalidExportId) as err:
        status_of(
            '<result errorcode="-57"><description>Invalid exportid</description></result>'
        )
    assert (err.value.code, err.value.message) == (-57, "Invalid exportid")
    with pytest.raises(VdgConnectionLost) as lost:
        status_of('<RESULT ERRORCODE=" -53 "/>')
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
        _one(export_xml(device_xml(progress=huge)))
    assert _one(export_xml(bandwidth=huge)).bandwidth is None
    assert _one(export_xml(bandwidth="1e300")).bandwidth is None
    assert _one(export_xml(bandwidth=str(2**63))).bandwidth is None
    assert _one(export_xml(bandwidth=str(2**63 - 1))).bandwidth == 2**63 - 1
    counted = status_of(f'<result errorcode="0"><exports count="{huge}"/></result>')
    assert counted.reported_count is None
    with pytest.raises(InvalidResponse, match=r"errorcode .* is not a number"):
        status_of(f'<result errorcode="-{huge}"/>')
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
    export = _one(export_xml())
    assert (
        _one(export_xml(device_xml(progress="90"), status="COMPLETED")).identity
        == export.identity
    )
    assert _one(export_xml(path="other")).identity != export.identity
    assert _one(export_xml(device_xml(deviceid="x"))).identity != export.identity
    assert (
        _one(export_xml(device_xml(endtime="2024-01-19 10:06:00"))).identity
        != export.identity
    )
