"""The VDG Sense client against the simulator, over real sockets."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
import threading
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from yarl import URL

from custom_components.camera_bridge.api import _offload
from custom_components.camera_bridge.api.errors import (
    AuthenticationFailed,
    BackendError,
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.vdg_sense import (
    DeviceRef,
    ExportState,
    VdgConnectionLost,
    VdgGeneralError,
    VdgInvalidExportId,
    VdgNoDevice,
    VdgNoServer,
    VdgNotImplemented,
    VdgSenseClient,
    VdgValidationError,
)
from simulator import vdg_sense as sim_module
from simulator.common import Faults, RunningServer, serve
from simulator.vdg_sense import SimExportDevice, VdgSenseSimulator

START = datetime(2024, 1, 19, 10, 0, tzinfo=UTC)
END = START + timedelta(minutes=5)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """API tests need no Home Assistant instance."""


def _camera(sim: VdgSenseSimulator, index: int = 0) -> DeviceRef:
    device = sim.devices[index]
    return DeviceRef(device.server_id, device.device_id)


def _authed(
    server: RunningServer,
    session: aiohttp.ClientSession,
    username: str | None,
    password: str | None,
) -> VdgSenseClient:
    return VdgSenseClient(
        session,
        server.host,
        server.port,
        username=username,
        password=password,
        timeout=2.0,
    )


# --- /info -------------------------------------------------------------------


async def test_info(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Version and clock come from /info."""
    info = await client.info()
    assert info.version == sim.version
    assert info.version_tuple == (2, 8, 1, 14)
    assert info.supports_export_video is True
    assert not info.legacy
    assert info.server_time is not None
    assert info.server_time.tzinfo is UTC
    assert abs(info.server_time - datetime.now(UTC)) < timedelta(minutes=1)


async def test_info_legacy_server(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """A 404 on /info is an older server: unknown version, still usable."""
    sim.legacy = True
    info = await client.info()
    assert info.legacy
    assert info.version is None
    assert info.version_tuple is None
    assert info.supports_export_video is None
    assert await client.device_list()


async def test_info_old_version(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """A server older than 2.7.3 cannot export."""
    sim.version = "2.6.1"
    assert (await client.info()).supports_export_video is False


async def test_info_needs_no_credentials(
    vdg_server: RunningServer,
    session: aiohttp.ClientSession,
    sim: VdgSenseSimulator,
) -> None:
    """/info works while commands ask for credentials."""
    sim.auth = ("operator", "secret")
    client = _authed(vdg_server, session, None, None)
    assert (await client.info()).version == sim.version
    with pytest.raises(AuthenticationFailed):
        await client.device_list()


@pytest.mark.parametrize("case", ["upper", "camel", "random"])
async def test_info_any_tag_case(
    client: VdgSenseClient, sim: VdgSenseSimulator, case: str
) -> None:
    """Tag case does not matter; extra tags are kept aside."""
    sim.tag_case = case  # type: ignore[assignment]
    sim.extra_tags = True
    sim.shuffle = True
    info = await client.info()
    assert info.version == sim.version
    assert info.extras == (("comment", "added by a newer server"),)


async def test_info_errors(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Status codes of /info map to the error family."""
    sim.faults.status = 401
    with pytest.raises(AuthenticationFailed):
        await client.info()
    sim.faults.status = 503
    with pytest.raises(CannotConnect):
        await client.info()
    sim.faults.status = 400
    with pytest.raises(InvalidResponse, match="HTTP 400"):
        await client.info()


# --- getDeviceList -----------------------------------------------------------


async def test_device_list(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Every device comes with its fields."""
    devices = await client.device_list()
    assert [d.name for d in devices] == [d.name for d in sim.devices]
    first = devices[0]
    assert first.server_id == sim.devices[0].server_id
    assert first.device_id == sim.devices[0].device_id
    assert first.status == "online"
    assert first.type == "camera"
    assert first.brand == "Sim"
    assert first.location == "Site A"
    assert first.ptz_type == "none"
    assert first.ip_address == "192.0.2.10"
    assert first.port == 554
    assert sim.last_query == {"command": "getDeviceList"}


@pytest.mark.parametrize("case", ["upper", "camel", "random"])
async def test_device_list_lenient(
    client: VdgSenseClient, sim: VdgSenseSimulator, case: str
) -> None:
    """Case, order, extra tags and a missing count change nothing."""
    sim.tag_case = case  # type: ignore[assignment]
    sim.shuffle = True
    sim.extra_tags = True
    sim.omit_count = True
    devices = await client.device_list()
    assert [(d.server_id, d.device_id, d.name, d.port) for d in devices] == [
        (d.server_id, d.device_id, d.name, d.port) for d in sim.devices
    ]


async def test_device_list_empty(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """A server without devices answers an empty list."""
    sim.devices.clear()
    assert await client.device_list() == ()


# --- exports over time -------------------------------------------------------


async def test_export_lifecycle(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """An export goes SYNCING -> PENDING -> COMPLETED with rising progress."""
    assert (await client.export_status()).exports == ()
    export_id = await client.export_video(
        [_camera(sim, 0), _camera(sim, 1)], START, END, r"D:\exports\incident 7", 2048
    )
    assert export_id == "1"

    status = await client.export_status()
    assert status.reported_count == 1
    (export,) = status.exports
    assert export.export_id == "1"
    assert export.path == r"D:\exports\incident 7"
    assert export.status is ExportState.SYNCING
    assert export.bandwidth == 2048
    assert export.progress == 0.0
    assert [(d.server_id, d.device_id) for d in export.devices] == [
        (sim.devices[i].server_id, sim.devices[i].device_id) for i in (0, 1)
    ]
    assert all(d.start == START and d.end == END for d in export.devices)
    assert all(d.status is ExportState.SYNCING for d in export.devices)
    assert status.active_count == 1

    sim.advance(sim.sync_seconds + 10)  # 50 % for the first, 33 % for the second
    (export,) = (await client.export_status()).exports
    assert export.status is ExportState.PENDING
    assert [d.progress for d in export.devices] == [50.0, 33.0]
    assert export.progress == pytest.approx(41.5)
    assert [d.status for d in export.devices] == [ExportState.PENDING] * 2

    sim.advance(12)  # the first device is done, the second is not
    (export,) = (await client.export_status()).exports
    assert export.status is ExportState.PENDING
    assert [d.status for d in export.devices] == [
        ExportState.COMPLETED,
        ExportState.PENDING,
    ]

    sim.advance(100)
    status = await client.export_status("1")
    (export,) = status.exports
    assert export.status is ExportState.COMPLETED
    assert export.progress == 100.0
    assert status.active_count == 0
    assert sim.last_query == {"command": "getExportVideoStatus", "exportid": "1"}


@pytest.mark.parametrize("status_case", ["lower", "title"])
@pytest.mark.parametrize("tag_case", ["upper", "camel", "random"])
async def test_export_status_lenient(
    client: VdgSenseClient, sim: VdgSenseSimulator, status_case: str, tag_case: str
) -> None:
    """Tag and status case, order, extra tags and a missing count are accepted."""
    sim.status_case = status_case  # type: ignore[assignment]
    sim.tag_case = tag_case  # type: ignore[assignment]
    sim.shuffle = True
    sim.extra_tags = True
    sim.omit_count = True
    sim.seed_exports(60)
    status = await client.export_status()
    assert status.reported_count is None
    assert len(status.exports) == 60
    expected = {
        str(e.export_id): sim.export_state(e).lower() for e in sim.exports.values()
    }
    assert {e.export_id: e.status.value for e in status.exports} == expected
    assert {e.status for e in status.exports} == {
        ExportState.SYNCING,
        ExportState.PENDING,
        ExportState.COMPLETED,
        ExportState.REMOVED,
    }


async def test_export_removed(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """An export removed on the server is listed as REMOVED, then may vanish."""
    sim.add_export("first")
    sim.add_export("second")
    sim.remove(1)
    by_id = (await client.export_status()).by_id()
    assert by_id["1"].status is ExportState.REMOVED
    assert not by_id["1"].status.active
    assert by_id["2"].status is ExportState.SYNCING
    sim.forget(1)
    assert list((await client.export_status()).by_id()) == ["2"]


async def test_restart_reuses_ids(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """After a restart an id names a different export: its identity differs."""
    await client.export_video([_camera(sim, 0)], START, END, "before")
    before = (await client.export_status()).by_id()["1"]
    sim.restart()
    assert (await client.export_status()).exports == ()
    with pytest.raises(VdgInvalidExportId):
        await client.export_status("1")
    assert await client.export_video([_camera(sim, 2)], START, END, "after") == "1"
    after = (await client.export_status()).by_id()["1"]
    assert after.identity != before.identity
    assert after.path == "after"


async def test_load(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Thousands of exports come back in one request."""
    sim.seed_exports(2000)
    status = await client.export_status()
    assert len(status.exports) == status.reported_count == 2000
    assert len(status.by_id()) == 2000
    assert sum(len(e.devices) for e in status.exports) == sum(
        len(e.devices) for e in sim.exports.values()
    )
    assert status.active_count == 200
    assert sim.count("/command") == 1
    sim.restart()
    sim.seed_exports(100, active_share=0.5)
    assert (await client.export_status()).active_count == 50


async def test_concurrent_polls_share_a_request(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """Two polls at the same time send one request."""
    sim.add_export("x")
    sim.faults.latency = 0.05
    first, second = await asyncio.gather(client.export_status(), client.export_status())
    assert first == second
    assert sim.count("/command") == 1
    await client.export_status()
    assert sim.count("/command") == 2


# --- exportVideo -------------------------------------------------------------


async def test_export_video_body(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """The request carries every device with UTC times and milliseconds."""
    amsterdam = ZoneInfo("Europe/Amsterdam")
    start = datetime(2024, 7, 1, 12, 0, 0, 250000, tzinfo=amsterdam)  # UTC+2
    end = datetime(2024, 7, 1, 12, 30, tzinfo=amsterdam)
    await client.export_video([_camera(sim, 3), _camera(sim, 4)], start, end, "p")
    body = sim.last_body.decode()
    assert body.count("<starttime>2024-07-01 10:00:00.250</starttime>") == 2
    assert body.count("<endtime>2024-07-01 10:30:00.000</endtime>") == 2
    assert "<bandwidth>" not in body
    assert sim.last_query == {"command": "exportVideo"}
    (export,) = (await client.export_status()).exports
    # the status answer has whole seconds
    assert [d.start for d in export.devices] == [start.replace(microsecond=0)] * 2
    assert [d.end for d in export.devices] == [end] * 2
    assert export.bandwidth is None


@pytest.mark.parametrize(
    "path",
    [
        "a&b<c>d",
        "</path><path>injected",
        "\\\\nas\\share\\\"quoted\" 'single' #1 + 50% ]]> é 漢字 🎥",
        "<!DOCTYPE x [<!ENTITY y 'z'>]>&y;",
        "  leading and trailing spaces are trimmed  ",
    ],
)
async def test_export_path_round_trip(
    client: VdgSenseClient, sim: VdgSenseSimulator, path: str
) -> None:
    """Any path travels escaped in the XML and comes back unchanged."""
    export_id = await client.export_video([_camera(sim)], START, END, path)
    assert sim.exports[int(export_id)].path == path
    (export,) = (await client.export_status(export_id)).exports
    assert export.path == path.strip()


@pytest.mark.parametrize(
    "value",
    [
        "a&b",
        "a<b>c",
        "x#y",
        "1+1",
        "with space",
        "50%25",
        "a=b;c/d?e",
        "é漢",
        "&command=x",
    ],
)
async def test_query_values_are_encoded(
    client: VdgSenseClient, sim: VdgSenseSimulator, value: str
) -> None:
    """Export ids reach the server exactly as given."""
    with pytest.raises(VdgInvalidExportId) as err:
        await client.export_status(value)
    assert err.value.code == -57
    assert err.value.message == "Invalid exportid"
    assert sim.last_query == {"command": "getExportVideoStatus", "exportid": value}


async def test_export_status_int_id(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """An int export id is accepted."""
    sim.add_export("x")
    assert (await client.export_status(1)).exports[0].export_id == "1"


@pytest.mark.parametrize("shape", ["nested", "attribute", "flat"])
async def test_export_reply_shapes(
    client: VdgSenseClient, sim: VdgSenseSimulator, shape: str
) -> None:
    """The export id is found wherever the reply puts it."""
    sim.export_reply = shape  # type: ignore[assignment]
    sim.tag_case = "camel"
    sim.add_export("older")
    assert await client.export_video([_camera(sim)], START, END, "p") == "2"


async def test_export_video_unknown_device(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """The server refuses a device it does not know (-2)."""
    with pytest.raises(VdgNoDevice) as err:
        await client.export_video([DeviceRef("{nope}", "{nope}")], START, END, "p")
    assert err.value.code == -2
    assert sim.exports == {}


async def test_export_video_without_license(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """Without API license the command is not implemented (-1)."""
    sim.api_license = False
    with pytest.raises(VdgNotImplemented):
        await client.export_video([_camera(sim)], START, END, "p")


async def test_export_video_accepts_listed_devices(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """Devices from getDeviceList and from an export can be passed as they are."""
    devices = await client.device_list()
    await client.export_video(devices[:2], START, END, "p")
    (export,) = (await client.export_status()).exports
    await client.export_video(export.devices, START, END, "q")
    assert len(sim.exports[2].devices) == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start": START.replace(tzinfo=None)}, "time zone"),
        ({"end": END.replace(tzinfo=None)}, "time zone"),
        ({"start": END, "end": START}, "start before"),
        ({"start": START, "end": START}, "start before"),
        ({"start": "2024-01-19 10:00:00"}, "datetimes"),
        ({"start": datetime.min.replace(tzinfo=ZoneInfo("Asia/Tokyo"))}, "range"),
        ({"devices": []}, "at least one device"),
        ({"devices": [DeviceRef("", "x")]}, "serverid"),
        ({"devices": [DeviceRef("s", "a\x00b")]}, "deviceid"),
        ({"path": ""}, "path"),
        ({"path": "   "}, "path"),
        ({"path": "a\rb"}, "control"),
        ({"path": "bell\x07"}, "control"),
        ({"bandwidth": 0}, "bandwidth"),
        ({"bandwidth": -5}, "bandwidth"),
        ({"bandwidth": True}, "bandwidth"),
        ({"bandwidth": 1.5}, "bandwidth"),
    ],
)
async def test_export_video_validation(
    client: VdgSenseClient,
    sim: VdgSenseSimulator,
    kwargs: dict[str, object],
    match: str,
) -> None:
    """Bad arguments are refused before anything is sent."""
    args: dict[str, object] = {
        "devices": [_camera(sim)],
        "start": START,
        "end": END,
        "path": "p",
        "bandwidth": None,
    } | kwargs
    with pytest.raises(VdgValidationError, match=match) as err:
        await client.export_video(**args)  # type: ignore[arg-type]
    assert isinstance(err.value, CameraBridgeError)
    assert not isinstance(err.value, ValueError)
    assert sim.count("/command") == 0


async def test_export_status_validation(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """An export id that cannot be sent is refused before sending."""
    for bad in ("", " ", "a\nb"):
        with pytest.raises(VdgValidationError):
            await client.export_status(bad)
    assert sim.count("/command") == 0


# --- result codes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (-1, VdgNotImplemented),
        (-2, VdgNoDevice),
        (-17, VdgNoServer),
        (-18, VdgGeneralError),
        (-53, VdgConnectionLost),
        (-57, VdgInvalidExportId),
        (-99, BackendError),
        (7, BackendError),
    ],
)
@pytest.mark.parametrize(
    "command", ["getDeviceList", "getExportVideoStatus", "exportVideo"]
)
async def test_result_codes(
    client: VdgSenseClient,
    sim: VdgSenseSimulator,
    code: int,
    error: type[BackendError],
    command: str,
) -> None:
    """Every command maps result codes to typed errors with the description."""
    sim.fail(code, "Something   went\nwrong", command=command)
    calls = {
        "getDeviceList": client.device_list,
        "getExportVideoStatus": client.export_status,
        "exportVideo": lambda: client.export_video([_camera(sim)], START, END, "p"),
    }
    with pytest.raises(BackendError) as err:
        await calls[command]()
    assert type(err.value) is error
    assert err.value.code == code
    assert err.value.message == "Something went wrong"
    # one failure only
    await calls[command]()


async def test_long_description_is_cut(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """A server's description never floods the logs."""
    sim.fail(-18, "x" * 5000)
    with pytest.raises(VdgGeneralError) as err:
        await client.device_list()
    assert len(err.value.message) == 200


async def test_unknown_command_in_simulator(
    vdg_server: RunningServer, session: aiohttp.ClientSession
) -> None:
    """Commands are case-insensitive; an unknown one is -1."""
    url = URL(vdg_server.url) / "command"
    async with session.get(url, params={"command": "GETEXPORTVIDEOSTATUS"}) as resp:
        assert '<result errorcode="0">' in await resp.text()
    async with session.get(url, params={"command": "getdevicelist"}) as resp:
        assert "<devices" in await resp.text()
    async with session.get(url, params={"command": "reboot"}) as resp:
        assert '<result errorcode="-1">' in await resp.text()


def _export_body(start: str, end: str, bandwidth: str = "1") -> bytes:
    return (
        "<export><devices><device><serverid>{S}</serverid><deviceid>{D}</deviceid>"
        f"<starttime>{start}</starttime><endtime>{end}</endtime></device></devices>"
        f"<path>p</path><bandwidth>{bandwidth}</bandwidth></export>"
    ).encode()


@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b"<!DOCTYPE x><export/>", "Document types"),
        (b"<export>", "Malformed"),
        (b"<export><path>p</path></export>", "Missing"),
        (
            _export_body("2024-01-19 10:00:00", "yesterday"),
            "Invalid time",
        ),
        (
            _export_body("2024-01-19 10:00:00", "2024-01-19 09:00:00"),
            "Invalid time range",
        ),
        (
            _export_body("2024-01-19 10:00:00", "2024-01-19 11:00:00", "fast"),
            "Invalid bandwidth",
        ),
    ],
)
async def test_simulator_refuses_bad_export_requests(
    vdg_server: RunningServer,
    session: aiohttp.ClientSession,
    sim: VdgSenseSimulator,
    body: bytes,
    description: str,
) -> None:
    """The fake server checks exportVideo bodies like a real one would."""
    body = body.replace(b"{S}", sim.devices[0].server_id.encode()).replace(
        b"{D}", sim.devices[0].device_id.encode()
    )
    url = URL(vdg_server.url) / "command"
    async with session.post(url, params={"command": "exportVideo"}, data=body) as resp:
        text = await resp.text()
    assert '<result errorcode="-' in text
    assert description in text
    assert sim.exports == {}


# --- authentication ----------------------------------------------------------


async def test_basic_auth(
    vdg_server: RunningServer,
    session: aiohttp.ClientSession,
    sim: VdgSenseSimulator,
) -> None:
    """Credentials are sent as HTTP Basic; wrong ones fail without leaking."""
    sim.auth = ("opérateur", "pässwörd:with:colons")
    good = _authed(vdg_server, session, "opérateur", "pässwörd:with:colons")
    assert len(await good.device_list()) == len(sim.devices)
    for user, password in [(None, None), ("opérateur", "wrong"), ("other", "x")]:
        bad = _authed(vdg_server, session, user, password)
        with pytest.raises(AuthenticationFailed) as err:
            await bad.export_status()
        assert "wrong" not in str(err.value)
    assert "pässwörd" not in repr(good)
    assert "pässwörd" not in repr(good._login)
    assert "opérateur" in repr(good._login)


@pytest.mark.parametrize(
    "header",
    ['Digest username="u"', "Basic !!!", "Basic", "Bearer dTpw", ""],
)
async def test_simulator_refuses_other_authorization(
    vdg_server: RunningServer,
    session: aiohttp.ClientSession,
    sim: VdgSenseSimulator,
    header: str,
) -> None:
    """Only the right HTTP Basic credentials open /command."""
    sim.auth = ("u", "p")
    url = URL(vdg_server.url) / "command"
    headers = {"Authorization": header} if header else {}
    async with session.get(
        url, params={"command": "getDeviceList"}, headers=headers
    ) as resp:
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"].startswith("Basic")


async def test_simulator_export_video_needs_post(
    vdg_server: RunningServer, session: aiohttp.ClientSession, sim: VdgSenseSimulator
) -> None:
    """exportVideo is a POST, like on the real server."""
    url = URL(vdg_server.url) / "command"
    async with session.get(url, params={"command": "exportVideo"}) as resp:
        assert resp.status == 405
    assert sim.exports == {}


def test_simulator_renders_status() -> None:
    """The status answer can be rendered without a server (benchmarks)."""
    sim = VdgSenseSimulator(clock=lambda: 0.0)
    sim.seed_exports(3)
    body = sim.render_export_status()
    assert body.startswith(b"<?xml")
    assert body.count(b"<export>") == 3
    assert b'errorcode="-57"' in sim.render_export_status("99")


async def test_forbidden(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """403 is an authentication failure too."""
    sim.faults.status = 403
    with pytest.raises(AuthenticationFailed, match="403"):
        await client.device_list()


def test_username_with_colon(session: aiohttp.ClientSession) -> None:
    """HTTP Basic cannot carry a ':' in the user name."""
    with pytest.raises(VdgValidationError):
        VdgSenseClient(session, "127.0.0.1", username="a:b", password="x")


# --- transport and status codes -----------------------------------------------


async def test_http_errors(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Status codes without a result body map by class."""
    sim.faults.status = 500
    with pytest.raises(CannotConnect, match="HTTP 500"):
        await client.export_status()
    sim.faults.status = 404
    with pytest.raises(InvalidResponse, match="HTTP 404"):
        await client.export_status()


async def test_http_error_with_result_code(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """A non-200 answer that carries a result code keeps its meaning."""
    sim.faults.status = 500
    sim.faults.status_body = (
        '<result errorcode="-53"><description>Lost</description></result>'
    )
    with pytest.raises(VdgConnectionLost):
        await client.export_status()
    sim.faults.status_body = '<result errorcode="0"/>'
    with pytest.raises(CannotConnect):
        await client.export_status()


async def test_not_xml(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Malformed and truncated answers are invalid responses."""
    sim.faults.malformed = True
    with pytest.raises(InvalidResponse):
        await client.export_status()
    with pytest.raises(InvalidResponse):
        await client.device_list()
    with pytest.raises(InvalidResponse):
        await client.info()


async def test_truncated(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """A body cut short is a connection problem."""
    sim.faults.truncated = True
    with pytest.raises(CannotConnect):
        await client.export_status()


async def test_dropped_connection(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """A dropped connection cannot connect."""
    sim.faults.drop = True
    with pytest.raises(CannotConnect):
        await client.device_list()


async def test_timeout(
    vdg_server: RunningServer, session: aiohttp.ClientSession, sim: VdgSenseSimulator
) -> None:
    """A server slower than the timeout cannot connect."""
    sim.faults.latency = 0.5
    client = VdgSenseClient(session, vdg_server.host, vdg_server.port, timeout=0.1)
    with pytest.raises(CannotConnect, match=r"0\.1 s"):
        await client.export_status()


async def test_big_lists_are_parsed_off_the_loop(
    client: VdgSenseClient, sim: VdgSenseSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big export list is parsed in a worker thread handing the GIL over (issue 10).

    ``yield_gil`` sleeps only off the event loop: the sleeps show where the
    parsing ran. A small answer is parsed right on the loop.
    """
    sleeps: list[int] = []
    monkeypatch.setattr(
        _offload.time, "sleep", lambda _: sleeps.append(threading.get_ident())
    )
    sim.seed_exports(2000)
    assert len((await client.export_status()).exports) == 2000
    assert sleeps
    assert threading.get_ident() not in sleeps
    sleeps.clear()
    assert (await client.info()).version == sim.version
    assert sleeps == []


async def test_caps_follow_the_documented_answers(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """5,000 exports fit the export list's cap; 4 MiB do not, nor 64 KiB of /info."""
    sim.seed_exports(5000)
    assert len((await client.export_status()).exports) == 5000
    sim.faults = Faults(huge=4 * 1024 * 1024, paths=("/command",))
    with pytest.raises(InvalidResponse, match="cap"):
        await client.export_status()
    sim.faults = Faults(huge=64 * 1024, paths=("/info",))
    with pytest.raises(InvalidResponse, match="cap"):
        await client.info()


async def test_size_cap(client: VdgSenseClient, sim: VdgSenseSimulator) -> None:
    """Bodies above the cap are refused."""
    sim.faults.huge = 2 * 1024 * 1024
    with pytest.raises(InvalidResponse, match="cap"):
        await client.device_list()


async def test_refused(session: aiohttp.ClientSession, socket_enabled: None) -> None:
    """Nobody listening cannot connect."""
    server = await serve(VdgSenseSimulator())
    port = server.port
    await server.stop()
    client = VdgSenseClient(session, "127.0.0.1", port, timeout=1.0)
    with pytest.raises(CannotConnect):
        await client.info()


# --- construction --------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "port", "ssl", "url"),
    [
        ("nvr.local", 80, False, "http://nvr.local"),
        (" NVR.example.com ", 8443, True, "https://nvr.example.com:8443"),
        ("fe80::1", 8080, False, "http://[fe80::1]:8080"),
        ("[::1]", 80, False, "http://[::1]"),
    ],
)
def test_base_url(
    session: aiohttp.ClientSession, host: str, port: int, ssl: bool, url: str
) -> None:
    """Host, port and scheme build the base URL."""
    client = VdgSenseClient(session, host, port, ssl=ssl)
    assert str(client.base_url) == url
    assert repr(client) == f"VdgSenseClient({url!r})"


@pytest.mark.parametrize(
    ("host", "port"),
    [
        ("", 80),
        ("  ", 80),
        ("a b", 80),
        ("http://x/y", 80),
        ("x", 0),
        ("x", 70000),
        ("x", True),
    ],
)
def test_bad_address(session: aiohttp.ClientSession, host: str, port: int) -> None:
    """Unusable addresses are refused with the API's own error."""
    with pytest.raises(VdgValidationError):
        VdgSenseClient(session, host, port)


# --- simulator command line -----------------------------------------------------


def test_simulator_cli() -> None:
    """The options build a configured fake server, or none when the port is 0."""
    parser = argparse.ArgumentParser()
    sim_module.add_arguments(parser)
    assert sim_module.build(parser.parse_args([])) is None
    args = parser.parse_args(
        [
            "--vdg-port",
            "8099",
            "--vdg-username",
            "u",
            "--vdg-password",
            "p",
            "--vdg-exports",
            "30",
            "--vdg-speed",
            "12.5",
            "--vdg-legacy",
            "--vdg-raw",
        ]
    )
    sim = sim_module.build(args)
    assert sim is not None
    assert sim.auth == ("u", "p")
    assert len(sim.exports) == 30
    assert sim.speed == 12.5
    assert sim.legacy
    assert sim.raw_values
    sim = sim_module.build(parser.parse_args(["--vdg-port", "1"]))
    assert sim is not None
    assert sim.auth is None
    assert sim.exports == {}
    assert not sim.raw_values


def test_simulator_time_passes() -> None:
    """With the real clock, progress rises by itself."""
    ticks = iter([100.0, 100.0, 103.0, 200.0, 200.0])
    sim = VdgSenseSimulator(clock=lambda: next(ticks), sync_seconds=1.0, speed=10.0)
    device = SimExportDevice("s", "d", START, END)
    export = sim.add_export("p", [device])  # created at 100
    assert sim.device_progress(export, device) == 0.0
    assert sim.device_progress(export, device) == 20.0  # 103: 2 s exporting
    assert sim.export_state(export) == "COMPLETED"
