"""The OSC client against the simulated camera: info, state, transport faults, parsing."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.camera_bridge.api.errors import (
    AuthenticationFailed,
    BackendError,
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.osc import (
    HEADERS,
    OscClient,
    OscCommand,
    OscFile,
    OscInfo,
    OscState,
    OscTuning,
    picture_url,
)
from simulator.common import Faults, RunningServer
from simulator.osc import OscSimulator
from tests.osc.conftest import ClientFactory

# ---------------------------------------------------------------- info/state


async def test_info(client: OscClient, osc_sim: OscSimulator) -> None:
    """Static facts are parsed, cached, and refreshed on demand."""
    info = await client.info()
    assert info.manufacturer == "RICOH"
    assert info.model == "RICOH THETA Z1"
    assert info.serial_number == "10100001"
    assert info.unique_id == "10100001"
    assert info.firmware_version == "3.20.1"
    assert info.api_levels == (1, 2)
    assert info.supports_level2
    assert info.gyro and not info.gps
    assert "/osc/state" in info.api
    assert info.raw["_wlanMacAddress"] == "00:45:78:bc:45:67"
    assert await client.info() is info
    assert osc_sim.count("/osc/info") == 1
    osc_sim.firmware_version = "3.30.0"
    assert (await client.info(refresh=True)).firmware_version == "3.30.0"
    assert osc_sim.count("/osc/info") == 2


async def test_info_ports(client: OscClient, osc_server: RunningServer) -> None:
    """The endpoints object gives the HTTP ports."""
    info = await client.info()
    assert info.http_port == osc_server.port
    assert info.http_updates_port == osc_server.port
    assert info.https_port is None


async def test_info_camera_id_only(client: OscClient, osc_sim: OscSimulator) -> None:
    """A camera without serial number is identified by its cameraId."""
    osc_sim.serial_number = None
    osc_sim.camera_id = "camera-42"
    info = await client.info()
    assert info.serial_number is None
    assert info.unique_id == "camera-42"


async def test_info_without_identity(client: OscClient, osc_sim: OscSimulator) -> None:
    """Neither serial number nor cameraId: a clear InvalidResponse."""
    osc_sim.serial_number = None
    with pytest.raises(InvalidResponse, match="serialNumber"):
        await client.info()


def test_info_defaults() -> None:
    """apiLevel defaults to [1]; odd types are tolerated."""
    info = OscInfo.from_dict(
        {"serialNumber": 12345, "endpoints": "nope", "api": "/osc/info", "gps": "yes"}
    )
    assert info.api_levels == (1,)
    assert not info.supports_level2
    assert info.serial_number == "12345"
    assert info.manufacturer == "" and info.api == ("/osc/info",)
    assert info.http_port is None and info.gps is False
    assert OscInfo.from_dict({"cameraId": "x", "apiLevel": 2}).api_levels == (2,)
    assert OscInfo.from_dict(
        {"cameraId": "x", "apiLevel": ["2", 1, True]}
    ).api_levels == (
        1,
        2,
    )


async def test_state(client: OscClient, osc_sim: OscSimulator) -> None:
    """Battery, capture status and vendor fields are read."""
    state = await client.state()
    assert state.fingerprint == osc_sim.fingerprint
    assert state.battery_level == pytest.approx(0.87)
    assert state.battery_state == "disconnect"
    assert state.capture_status == "idle"
    assert not state.shooting
    assert state.latest_file_url is None
    assert state.api_version == 2
    assert state.recorded_time == 0
    assert state.camera_errors == ()
    assert state.storage_uri is not None
    assert state.raw["_function"] == "normal"
    osc_sim.shoot_on_camera()
    later = await client.state()
    assert later.fingerprint != state.fingerprint
    assert later.latest_file_url is not None
    assert later.latest_file_url.endswith(".JPG")


async def test_state_generic_camera(client: OscClient, osc_sim: OscSimulator) -> None:
    """A camera without THETA fields leaves them None."""
    osc_sim.theta_state = False
    state = await client.state()
    assert state.capture_status is None
    assert state.latest_file_url is None
    assert state.battery_state is None
    assert state.api_version is None
    assert state.battery_level == pytest.approx(0.87)


async def test_state_battery_as_string(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """Firmware sending the battery level as a string still gives a number."""
    osc_sim.battery_as_string = True
    osc_sim.set_battery(0.42)
    assert (await client.state()).battery_level == pytest.approx(0.42)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0.5, 0.5),
        (1, 1.0),
        ("0.25", 0.25),
        (80, 0.8),
        ("80%", 0.8),
        (-1, None),
        (250, None),
        (True, None),
        ("full", None),
        (None, None),
        (float("nan"), None),
        ([0.5], None),
    ],
)
def test_battery_level_leniency(raw: Any, expected: float | None) -> None:
    """Battery levels are fractions; percentages are scaled; junk is None."""
    state = OscState.from_dict({"fingerprint": "f", "state": {"batteryLevel": raw}})
    if expected is None:
        assert state.battery_level is None
    else:
        assert state.battery_level == pytest.approx(expected)


def test_state_remaining_fields() -> None:
    """Remaining pictures and space are read where the camera reports them."""
    state = OscState.from_dict(
        {
            "fingerprint": 7,
            "state": {
                "_remainingPictures": "120",
                "remainingSpace": 1024.0,
                "_totalSpace": 2048,
                "_latestFileUri": "100RICOH/R0010001.JPG",
                "_cameraError": ["COMPASS_CALIBRATION", 3],
                "_captureStatus": "shooting",
            },
        }
    )
    assert state.fingerprint == "7"
    assert state.remaining_pictures == 120
    assert state.remaining_space == 1024
    assert state.total_space == 2048
    assert state.latest_file_url == "100RICOH/R0010001.JPG"
    assert state.camera_errors == ("COMPASS_CALIBRATION", "3")
    assert state.shooting


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"state": {}}, "fingerprint"),
        ({"fingerprint": "x"}, "state"),
        ({"fingerprint": "x", "state": []}, "state"),
        ([], "object"),
    ],
)
async def test_state_strict_about_needs(
    client: OscClient, osc_sim: OscSimulator, body: Any, missing: str
) -> None:
    """A state answer without what is needed names the missing part."""
    osc_sim.faults = Faults(status=200, status_body=body, paths=("/osc/state",))
    with pytest.raises(InvalidResponse, match=missing):
        await client.state()


async def test_state_requests_coalesce(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """Concurrent state reads share one request."""
    osc_sim.faults = Faults(latency=0.05)
    states = await asyncio.gather(*(client.state() for _ in range(5)))
    assert len({s.fingerprint for s in states}) == 1
    assert osc_sim.count("/osc/state") == 1


async def test_check_for_updates(client: OscClient, osc_sim: OscSimulator) -> None:
    """Fingerprint comparison, with and without waiting."""
    state = await client.state()
    same = await client.check_for_updates(state.fingerprint)
    assert not same.changed
    assert same.fingerprint == state.fingerprint
    assert same.throttle_timeout == 0
    osc_sim.set_battery(0.5)
    changed = await client.check_for_updates(state.fingerprint)
    assert changed.changed
    assert changed.fingerprint == osc_sim.fingerprint

    async def later() -> None:
        await asyncio.sleep(0.05)
        osc_sim.set_battery(0.4)

    task = asyncio.create_task(later())
    started = time.monotonic()
    waited = await client.check_for_updates(osc_sim.fingerprint, wait_timeout=5)
    await task
    assert waited.changed
    assert time.monotonic() - started < 2


async def test_check_for_updates_errors(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """An answer without stateFingerprint is refused."""
    osc_sim.faults = Faults(status=200, status_body={"throttleTimeout": 1})
    with pytest.raises(InvalidResponse, match="stateFingerprint"):
        await client.check_for_updates("FIG_0000")


# ------------------------------------------------------------ transport faults


async def test_dropped_connection(client: OscClient, osc_sim: OscSimulator) -> None:
    """A dropped connection is CannotConnect."""
    osc_sim.faults = Faults(drop=True)
    with pytest.raises(CannotConnect):
        await client.state()


async def test_malformed_json(client: OscClient, osc_sim: OscSimulator) -> None:
    """Garbage is InvalidResponse."""
    osc_sim.faults = Faults(malformed=True)
    with pytest.raises(InvalidResponse):
        await client.info()


async def test_http_503(client: OscClient, osc_sim: OscSimulator) -> None:
    """503 without a body, and with an OSC error body."""
    osc_sim.faults = Faults(status=503, remaining=1)
    with pytest.raises(BackendError) as err:
        await client.state()
    assert err.value.code == 503
    osc_sim.faults = Faults(
        status=503,
        status_body={"state": "error", "error": {"code": "serviceUnavailable"}},
    )
    with pytest.raises(BackendError) as err:
        await client.info()
    assert err.value.code == "serviceUnavailable"


async def test_huge_answer(client: OscClient, osc_sim: OscSimulator) -> None:
    """A protocol answer above the cap is refused."""
    osc_sim.faults = Faults(huge=3 * 1024 * 1024)
    with pytest.raises(InvalidResponse, match="cap"):
        await client.state()


async def test_timeout(make_client: ClientFactory, osc_sim: OscSimulator) -> None:
    """A camera that does not answer in time is CannotConnect."""
    client = make_client(timeout=0.05)
    osc_sim.faults = Faults(latency=0.2)
    with pytest.raises(CannotConnect):
        await client.state()
    await asyncio.sleep(0.2)  # let the slow handler end before the server stops


async def test_refused(session: aiohttp.ClientSession) -> None:
    """Nothing listening is CannotConnect."""
    client = OscClient(session, "127.0.0.1", 1, tuning=OscTuning(timeout=2))
    with pytest.raises(CannotConnect):
        await client.info()


def test_bad_address(session: aiohttp.ClientSession) -> None:
    """A host that cannot be part of a URL is CannotConnect, not ValueError."""
    with pytest.raises(CannotConnect):
        OscClient(session, "bad host/name", 80)
    with pytest.raises(AuthenticationFailed):
        OscClient(session, "127.0.0.1", 80, "user:name", "pw")


async def test_headers(
    osc_server: RunningServer, session: aiohttp.ClientSession
) -> None:
    """The simulated camera insists on the spec's headers, which the client sends."""
    url = f"{osc_server.url}/osc/state"
    async with session.post(url) as resp:
        assert resp.status == 403
    async with session.post(url, headers=dict(HEADERS)) as resp:
        assert resp.status == 200


# --------------------------------------------------------------------- fuzz

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "fingerprint",
                    "state",
                    "batteryLevel",
                    "_latestFileUrl",
                    "id",
                    "name",
                    "results",
                    "error",
                    "code",
                    "progress",
                    "completion",
                    "serialNumber",
                    "cameraId",
                    "apiLevel",
                    "endpoints",
                    "fileUrl",
                    "_localFileGroup",
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_parsers_only_raise_invalid_response(raw: Any) -> None:
    """Whatever JSON arrives, parsers raise InvalidResponse or nothing."""
    for parse in (
        OscInfo.from_dict,
        OscState.from_dict,
        OscFile.from_dict,
        lambda r: OscCommand.from_dict(r, "camera.takePicture"),
    ):
        with contextlib.suppress(InvalidResponse):
            parse(raw)
    if isinstance(raw, dict):
        picture_url(raw)


@given(json_values)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
async def test_fuzzed_answers_over_http(
    make_client: ClientFactory, osc_sim: OscSimulator, raw: Any
) -> None:
    """Any JSON answer from the camera ends in the client's error family."""
    client = make_client(command_deadline=0.05)
    osc_sim.faults = Faults(status=200, status_body=raw, paths=("/osc/",))
    for call in (client.state, client.take_picture, lambda: client.info(refresh=True)):
        with contextlib.suppress(CameraBridgeError):
            await call()
