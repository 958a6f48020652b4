"""The VDG Sense client against the simulator: exportVideo and the server's result codes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from custom_components.camera_bridge.api.errors import BackendError, CameraBridgeError
from custom_components.camera_bridge.api.vdg_sense import (
    DeviceRef,
    VdgConnectionLost,
    VdgGeneralError,
    VdgInvalidExportId,
    VdgNoDevice,
    VdgNoServer,
    VdgNotImplemented,
    VdgSenseClient,
    VdgValidationError,
)
from simulator.vdg_sense import VdgSenseSimulator
from tests.vdg_sense.conftest import END, START, camera_ref

pytestmark = pytest.mark.without_hass


# --- exportVideo -------------------------------------------------------------


async def test_export_video_body(
    client: VdgSenseClient, sim: VdgSenseSimulator
) -> None:
    """The request carries every device with UTC times and milliseconds."""
    amsterdam = ZoneInfo("Europe/Amsterdam")
    start = datetime(2024, 7, 1, 12, 0, 0, 250000, tzinfo=amsterdam)  # UTC+2
    end = datetime(2024, 7, 1, 12, 30, tzinfo=amsterdam)
    await client.export_video([camera_ref(sim, 3), camera_ref(sim, 4)], start, end, "p")
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
    export_id = await client.export_video([camera_ref(sim)], START, END, path)
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
    assert await client.export_video([camera_ref(sim)], START, END, "p") == "2"


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
        await client.export_video([camera_ref(sim)], START, END, "p")


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
        "devices": [camera_ref(sim)],
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
        "exportVideo": lambda: client.export_video([camera_ref(sim)], START, END, "p"),
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
