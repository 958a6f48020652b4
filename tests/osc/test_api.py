"""The OSC client against the simulated camera, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
import contextlib
import io
import json
import time
from typing import Any

import aiohttp
from hypothesis import HealthCheck, given, settings, strategies as st
from PIL import Image
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
    OscBusyError,
    OscCancelledError,
    OscClient,
    OscCommand,
    OscCommandTimeout,
    OscFile,
    OscInfo,
    OscParameterRefused,
    OscShotInProgress,
    OscState,
    OscTuning,
    OscUnknownCommand,
    OscValidationError,
    command_error,
    picture_url,
)
from custom_components.camera_bridge.api.osc.errors import MAX_MESSAGE, SEARCH_CHARS
from simulator import osc as osc_sim_module
from simulator.common import Faults, RunningServer
from simulator.osc import OscSimulator

type ClientFactory = Callable[..., OscClient]

STATUS = "/osc/commands/status"
# What RICOH's emulator answers for validation errors, word for word
RICOH_NAME = "Any input parameter or option name is unrecognized or supported."
RICOH_VALUE = "Any input parameter or option is recognized, but its value is invalid."
RICOH_MISSING = "Any required parameter is not specified."


async def prime(client: OscClient) -> None:
    """Let the client learn the camera (info, level) before faults are set."""
    await client.info()
    await client.state()


def is_jpeg(data: bytes) -> tuple[int, int]:
    """Size of a JPEG, failing the test when it is not one."""
    assert data[:2] == b"\xff\xd8"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


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


async def test_refused(http_session: aiohttp.ClientSession) -> None:
    """Nothing listening is CannotConnect."""
    client = OscClient(http_session, "127.0.0.1", 1, tuning=OscTuning(timeout=2))
    with pytest.raises(CannotConnect):
        await client.info()


def test_bad_address(http_session: aiohttp.ClientSession) -> None:
    """A host that cannot be part of a URL is CannotConnect, not ValueError."""
    with pytest.raises(CannotConnect):
        OscClient(http_session, "bad host/name", 80)
    with pytest.raises(AuthenticationFailed):
        OscClient(http_session, "127.0.0.1", 80, "user:name", "pw")


async def test_headers(
    osc_server: RunningServer, http_session: aiohttp.ClientSession
) -> None:
    """The simulated camera insists on the spec's headers, which the client sends."""
    url = f"{osc_server.url}/osc/state"
    async with http_session.post(url) as resp:
        assert resp.status == 403
    async with http_session.post(url, headers=dict(HEADERS)) as resp:
        assert resp.status == 200


# ------------------------------------------------------------------- shooting


async def test_take_picture(client: OscClient, osc_sim: OscSimulator) -> None:
    """A picture: inProgress followed to done, URL returned, JPEG downloadable."""
    osc_sim.shot_polls = 4
    progress: list[float] = []
    url = await client.take_picture(progress.append)
    assert url.startswith("http://127.0.0.1:") and url.endswith(".JPG")
    assert progress[0] == 0
    assert progress == sorted(progress)
    assert progress[-1] == 1.0
    assert 0 < progress[-2] < 1
    assert osc_sim.count(STATUS) == 4
    assert osc_sim.count("execute:camera.takePicture") == 1
    assert client.api_level == 2
    assert (await client.state()).latest_file_url == url
    data = await client.download(url)
    assert is_jpeg(data) == (256, 128)
    assert not client.busy
    assert client.current_command is None


async def test_numeric_ids(client: OscClient, osc_sim: OscSimulator) -> None:
    """Command ids sent as numbers are polled as they came."""
    osc_sim.numeric_ids = True
    url = await client.take_picture()
    assert url.endswith(".JPG")
    assert osc_sim.count(STATUS) == 2


async def test_time_based_shot(
    make_client: ClientFactory, osc_sim: OscSimulator
) -> None:
    """A shot of T seconds is noticed soon after it ends, without hammering."""
    osc_sim.shot_polls = None
    osc_sim.shot_seconds = 0.4
    client = make_client(poll_start=0.1, poll_max=1.0)
    started = time.monotonic()
    await client.take_picture()
    elapsed = time.monotonic() - started
    assert 0.4 <= elapsed < 0.55
    assert osc_sim.count(STATUS) <= 6


async def test_backoff(make_client: ClientFactory, osc_sim: OscSimulator) -> None:
    """After the fast phase, polls space out up to poll_max."""
    osc_sim.stall_shots = True
    client = make_client(
        poll_start=0.02, poll_max=0.2, poll_fast_for=0.1, command_deadline=0.8
    )
    with pytest.raises(OscCommandTimeout):
        await client.take_picture()
    # 0.1 s at 20 ms, then 30, 45, 67, 100, 150, 200 ms ... : far fewer than 40
    assert 6 <= osc_sim.count(STATUS) <= 16


async def test_deadline(make_client: ClientFactory, osc_sim: OscSimulator) -> None:
    """A command stuck in progress ends with OscCommandTimeout at the deadline."""
    osc_sim.stall_shots = True
    client = make_client(command_deadline=0.2)
    started = time.monotonic()
    with pytest.raises(OscCommandTimeout) as err:
        await client.take_picture()
    assert 0.2 <= time.monotonic() - started < 0.5
    assert err.value.code == "timeout"
    assert not client.picture_in_progress


async def test_one_command_at_a_time(client: OscClient, osc_sim: OscSimulator) -> None:
    """A command waits for the running one; nothing interleaves."""
    osc_sim.shot_polls = 5
    seen: list[tuple[bool, str | None, int]] = []

    def progress(completion: float) -> None:
        seen.append(
            (
                client.busy,
                client.current_command,
                osc_sim.count("execute:camera.getOptions"),
            )
        )

    shot = asyncio.create_task(client.take_picture(progress))
    await asyncio.sleep(0)
    options = asyncio.create_task(client.get_options(["iso"]))
    await asyncio.sleep(0)
    assert client.picture_in_progress
    await shot
    assert await options == {"iso": 0}
    assert seen
    assert all(s == (True, "camera.takePicture", 0) for s in seen)
    assert not client.picture_in_progress


async def test_second_shot_refused(client: OscClient, osc_sim: OscSimulator) -> None:
    """A second picture while one is being taken: refused, nothing sent."""
    osc_sim.shot_polls = 3
    first = asyncio.create_task(client.take_picture())
    await asyncio.sleep(0)
    with pytest.raises(OscShotInProgress) as err:
        await client.take_picture()
    assert isinstance(err.value, OscBusyError)
    assert err.value.code == "shotInProgress"
    await first
    assert osc_sim.count("execute:camera.takePicture") == 1


async def test_queued_shots(client: OscClient, osc_sim: OscSimulator) -> None:
    """With queue=True, shots follow each other."""
    urls = await asyncio.gather(client.take_picture(), client.take_picture(queue=True))
    assert len(set(urls)) == 2
    assert osc_sim.count("execute:camera.takePicture") == 2


async def test_camera_busy(client: OscClient, osc_sim: OscSimulator) -> None:
    """disabledCommand becomes OscBusyError; the client stays usable."""
    osc_sim.busy = True
    with pytest.raises(OscBusyError) as err:
        await client.take_picture()
    assert err.value.code == "disabledCommand"
    assert "busy" in str(err.value)
    osc_sim.busy = False
    assert (await client.take_picture()).endswith(".JPG")


async def test_picture_in_video_mode(client: OscClient, osc_sim: OscSimulator) -> None:
    """A picture asked in video mode is refused as busy/disabled."""
    osc_sim.options["captureMode"] = "video"
    with pytest.raises(OscBusyError, match="video"):
        await client.take_picture()


async def test_cancelled_shot(client: OscClient, osc_sim: OscSimulator) -> None:
    """canceledShooting is a cancel, and the next shot works."""
    osc_sim.cancel_next_shot = True
    with pytest.raises(OscCancelledError) as err:
        await client.take_picture()
    assert err.value.code == "canceledShooting"
    assert not client.picture_in_progress
    assert (await client.take_picture()).endswith(".JPG")


async def test_failed_shot(client: OscClient, osc_sim: OscSimulator) -> None:
    """A shot failing with an unexpected 503 error is not retried as transient."""
    osc_sim.fail_next_shot = "unexpected"
    with pytest.raises(BackendError) as err:
        await client.take_picture()
    assert err.value.code == "unexpected"
    assert osc_sim.count(STATUS) == 2


async def test_failed_shot_other_code(client: OscClient, osc_sim: OscSimulator) -> None:
    """Other codes keep the camera's code and message."""
    osc_sim.fail_next_shot = "corruptedFile"
    with pytest.raises(BackendError, match="corruptedFile: Shooting failed"):
        await client.take_picture()


async def test_status_poll_dropped_once(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """A Wi-Fi hiccup during polling does not lose the picture."""
    osc_sim.shot_polls = 3
    osc_sim.faults = Faults(drop=True, paths=(STATUS,), remaining=1)
    assert (await client.take_picture()).endswith(".JPG")


async def test_status_poll_503_once(client: OscClient, osc_sim: OscSimulator) -> None:
    """A 503 during polling (plain or serviceUnavailable) is retried."""
    osc_sim.faults = Faults(status=503, paths=(STATUS,), remaining=1)
    assert (await client.take_picture()).endswith(".JPG")
    osc_sim.faults = Faults(
        status=503,
        status_body={"state": "error", "error": {"code": "serviceUnavailable"}},
        paths=(STATUS,),
        remaining=2,
    )
    assert (await client.take_picture()).endswith(".JPG")


@pytest.mark.parametrize(
    ("faults", "error", "code"),
    [
        (Faults(drop=True, paths=(STATUS,)), CannotConnect, None),
        (Faults(status=503, paths=(STATUS,)), BackendError, 503),
    ],
)
async def test_status_poll_keeps_failing(
    client: OscClient,
    osc_sim: OscSimulator,
    faults: Faults,
    error: type[Exception],
    code: int | None,
) -> None:
    """Polls failing again and again end the command; the camera stays busy."""
    osc_sim.faults = faults
    with pytest.raises(error) as err:
        await client.take_picture()
    assert osc_sim.count(STATUS) == 3
    if code is not None:
        assert getattr(err.value, "code", None) == code
    assert not client.busy
    osc_sim.faults = Faults()
    # the camera still works on the shot the client lost track of
    with pytest.raises(OscBusyError):
        await client.take_picture()


async def test_command_execute_503(client: OscClient, osc_sim: OscSimulator) -> None:
    """A 503 on execute itself is a BackendError (nothing was started)."""
    osc_sim.faults = Faults(status=503, paths=("/osc/commands/execute",))
    with pytest.raises(BackendError) as err:
        await client.take_picture()
    assert err.value.code == 503


async def test_command_answer_garbage(client: OscClient, osc_sim: OscSimulator) -> None:
    """A command answer that is no command object is InvalidResponse."""
    await prime(client)
    osc_sim.faults = Faults(status=200, status_body={"name": "camera.takePicture"})
    with pytest.raises(InvalidResponse, match="state"):
        await client.take_picture()
    osc_sim.faults = Faults(
        status=200, status_body={"state": "inProgress"}, paths=("execute",)
    )
    with pytest.raises(InvalidResponse, match="without an id"):
        await client.take_picture()
    osc_sim.faults = Faults(malformed=True, paths=("execute",))
    with pytest.raises(InvalidResponse):
        await client.take_picture()


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, [1, 2], (BackendError, 400)),
        (400, "plain text", (BackendError, 400)),
        (
            403,
            {
                "name": "camera.takePicture",
                "state": "done",
                "error": {"code": "disabledCommand"},
            },
            (OscBusyError, "disabledCommand"),
        ),
        (
            200,
            {"name": "camera.takePicture", "state": "error", "error": "nope"},
            (BackendError, "unknownError"),
        ),
    ],
)
async def test_command_error_statuses(
    client: OscClient,
    osc_sim: OscSimulator,
    status: int,
    body: Any,
    expected: tuple[type[BackendError], str | int],
) -> None:
    """Error statuses with odd bodies keep a code callers can read."""
    await prime(client)
    osc_sim.faults = Faults(status=status, status_body=body, paths=("execute",))
    with pytest.raises(expected[0]) as err:
        await client.take_picture()
    assert err.value.code == expected[1]


async def test_status_poll_client_error(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """A non-transient error status while polling ends the command at once."""
    osc_sim.faults = Faults(status=400, status_body="bad", paths=(STATUS,))
    with pytest.raises(BackendError) as err:
        await client.take_picture()
    assert err.value.code == 400
    assert osc_sim.count(STATUS) == 1


async def test_picture_without_url(client: OscClient, osc_sim: OscSimulator) -> None:
    """A finished shot naming no file is InvalidResponse."""
    osc_sim.result_field = "somethingElse"
    with pytest.raises(InvalidResponse, match="fileUrl"):
        await client.take_picture()


async def test_local_file_group(client: OscClient, osc_sim: OscSimulator) -> None:
    """Insta360-style _localFileGroup instead of fileUrl."""
    osc_sim.result_field = "_localFileGroup"
    url = await client.take_picture()
    assert url.endswith(".JPG")
    assert is_jpeg(await client.download(url))


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        (
            {"fileUrl": "http://c/a.JPG", "_dngFileUrl": "http://c/a.DNG"},
            "http://c/a.JPG",
        ),
        ({"fileUri": "100RICOH/R1.JPG"}, "100RICOH/R1.JPG"),
        ({"_localFileGroup": ["", "http://c/b.JPG"]}, "http://c/b.JPG"),
        ({"_localFileGroup": {"fileUrl": "http://c/c.JPG"}}, "http://c/c.JPG"),
        ({"_localFileGroup": {"files": [{"url": "http://c/d.JPG"}]}}, "http://c/d.JPG"),
        ({"_localFileGroup": [[[[["too deep"]]]]]}, None),
        ({"_localFileGroup": 3}, None),
        ({"fileUrl": ""}, None),
        ({}, None),
    ],
)
def test_picture_url_shapes(results: dict[str, Any], expected: str | None) -> None:
    """File URL fields vendors have been seen to use."""
    assert picture_url(results) == expected


async def test_progress_callback_errors_ignored(client: OscClient) -> None:
    """A failing progress callback does not break the shot."""

    def broken(completion: float) -> None:
        raise RuntimeError("boom")

    assert (await client.take_picture(broken)).endswith(".JPG")


async def test_unknown_command(client: OscClient) -> None:
    """unknownCommand has its own type."""
    with pytest.raises(OscUnknownCommand):
        await client.execute("camera._noSuchThing")


async def test_execute_generic(client: OscClient, osc_sim: OscSimulator) -> None:
    """execute returns the final command object."""
    osc_sim.shoot_on_camera()
    answer = await client.execute(
        "camera.listFiles", {"fileType": "all", "entryCount": 5, "maxThumbSize": 0}
    )
    assert answer.state == "done"
    assert answer.name == "camera.listFiles"
    assert answer.results["totalEntries"] == 1


async def test_options_settle(
    make_client: ClientFactory, osc_sim: OscSimulator
) -> None:
    """A shot right after setOptions waits for the camera to settle."""
    client = make_client(options_settle=0.3)
    await client.set_options({"iso": 200})
    started = time.monotonic()
    await client.take_picture()
    assert time.monotonic() - started >= 0.28


# ------------------------------------------------------------------- options


async def test_set_and_get_options(client: OscClient, osc_sim: OscSimulator) -> None:
    """Options round-trip through the camera."""
    await client.set_options({"iso": 200, "exposureCompensation": -0.7})
    assert osc_sim.options["iso"] == 200
    assert await client.get_options(["iso", "exposureCompensation"]) == {
        "iso": 200,
        "exposureCompensation": -0.7,
    }
    await client.set_options({})
    assert osc_sim.count("execute:camera.setOptions") == 1


@pytest.mark.parametrize(
    ("options", "code", "parameter", "detailed"),
    [
        # RICOH's generic messages: the one option sent is the refused one
        ({"iso": 123}, "invalidParameterValue", "iso", False),
        ({"captureMode": "timelapse"}, "invalidParameterValue", "captureMode", False),
        ({"fancyMode": True}, "invalidParameterName", "fancyMode", False),
        ({"remainingSpace": 1}, "invalidParameterName", "remainingSpace", False),
        # ... but of two options nobody can tell which one
        ({"iso": 200, "exposureCompensation": 9}, "invalidParameterValue", None, False),
        # a camera whose message names the option
        (
            {"iso": 200, "exposureCompensation": 9},
            "invalidParameterValue",
            "exposureCompensation",
            True,
        ),
        ({"fancyMode": True}, "invalidParameterName", "fancyMode", True),
    ],
)
async def test_set_options_validation(
    client: OscClient,
    osc_sim: OscSimulator,
    options: dict[str, Any],
    code: str,
    parameter: str | None,
    detailed: bool,
) -> None:
    """Validation errors name an option we sent, or none."""
    osc_sim.detailed_errors = detailed
    with pytest.raises(OscValidationError) as err:
        await client.set_options(options)
    assert err.value.code == code
    assert err.value.parameter == parameter
    assert isinstance(err.value, OscParameterRefused) is (parameter is not None)


@pytest.mark.parametrize(
    ("detailed", "parameter"), [(True, "warpDrive"), (False, None)]
)
async def test_get_options_validation(
    client: OscClient, osc_sim: OscSimulator, detailed: bool, parameter: str | None
) -> None:
    """Unknown option names are named back when the camera's message says which."""
    osc_sim.detailed_errors = detailed
    with pytest.raises(OscValidationError) as err:
        await client.get_options(["iso", "warpDrive"])
    assert err.value.code == "invalidParameterName"
    assert err.value.parameter == parameter


@pytest.mark.parametrize("detailed", [True, False])
async def test_missing_parameter(
    client: OscClient, osc_sim: OscSimulator, detailed: bool
) -> None:
    """missingParameter never names the parameter that was not sent."""
    osc_sim.detailed_errors = detailed
    with pytest.raises(OscValidationError) as err:
        await client.execute("camera.setOptions", {})
    assert err.value.code == "missingParameter"
    assert err.value.parameter is None
    expected = "Parameter options is missing" if detailed else RICOH_MISSING
    assert err.value.message == expected


async def test_get_options_without_options(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """getOptions answering no options object is InvalidResponse."""
    await prime(client)
    osc_sim.faults = Faults(
        status=200,
        status_body={"name": "camera.getOptions", "state": "done", "results": {}},
        paths=("execute",),
    )
    with pytest.raises(InvalidResponse, match="options"):
        await client.get_options(["iso"])


@pytest.mark.parametrize(
    ("code", "message", "sent", "kind", "parameter"),
    [
        ("disabledCommand", "", None, OscBusyError, None),
        ("cameraInExclusiveUse", "", None, OscBusyError, None),
        ("canceledConversion", "", None, OscCancelledError, None),
        (
            "invalidParameterValue",
            "iso must be a number",
            {"options": {"iso": "x"}},
            OscParameterRefused,
            "iso",
        ),
        (
            "invalidParameterValue",
            "Parameter options.iso is out of range",
            {"options": {"iso": 1, "whiteBalance": "auto"}},
            OscParameterRefused,
            "iso",
        ),
        (
            "invalidParameterValue",
            "Value 'whiteBalance' is wrong",
            {"options": {"iso": 100, "whiteBalance": "x"}},
            OscParameterRefused,
            "whiteBalance",
        ),
        # a name the request did not carry is never reported
        (
            "invalidParameterValue",
            "Value 'whiteBalance' is wrong",
            None,
            OscValidationError,
            None,
        ),
        (
            "invalidParameterName",
            "bad parameters.fileType",
            None,
            OscValidationError,
            None,
        ),
        (
            "invalidParameterName",
            "bad parameters.fileType",
            {"fileType": "x", "entryCount": 1},
            OscParameterRefused,
            "fileType",
        ),
        # the holder of several options when only it is named
        (
            "invalidParameterValue",
            "options is not an object",
            {"options": {"iso": 1, "whiteBalance": "auto"}},
            OscParameterRefused,
            "options",
        ),
        # quoted names may hold any character; the first one mentioned wins
        (
            "invalidParameterName",
            'Unknown option "_my-option"',
            {"options": {"_my-option": 1, "iso": 2}},
            OscParameterRefused,
            "_my-option",
        ),
        (
            "invalidParameterValue",
            "iso conflicts with exposureProgram",
            {"options": {"exposureProgram": 1, "iso": 2}},
            OscParameterRefused,
            "iso",
        ),
        (
            "invalidParameterValue",
            "Parameter sessionId is invalid",
            {"sessionId": "s", "fileType": "all", "entryCount": 1},
            OscValidationError,
            None,
        ),
        (
            "tooManyParameters",
            "too many",
            {"optionNames": ["a"]},
            OscValidationError,
            None,
        ),
        (
            "missingParameter",
            "entryCount is required",
            {"entryCount": 1, "sessionId": "s"},
            OscParameterRefused,
            "entryCount",
        ),
        # RICOH's messages, word for word: they name nothing (issue 8)
        (
            "invalidParameterName",
            RICOH_NAME,
            {"optionNames": ["iso", "captureMode"]},
            OscValidationError,
            None,
        ),
        (
            "invalidParameterValue",
            RICOH_VALUE,
            {"options": {"iso": 100, "whiteBalance": "x"}},
            OscValidationError,
            None,
        ),
        (
            "missingParameter",
            RICOH_MISSING,
            {"fileType": "all"},
            OscValidationError,
            None,
        ),
        ("missingParameter", RICOH_MISSING, None, OscValidationError, None),
        # ... but a request carrying one option or parameter can only be about it
        (
            "invalidParameterName",
            RICOH_NAME,
            {"optionNames": ["warpDrive"], "sessionId": "s"},
            OscParameterRefused,
            "warpDrive",
        ),
        (
            "invalidParameterValue",
            RICOH_VALUE,
            {"options": {"iso": 123}},
            OscParameterRefused,
            "iso",
        ),
        (
            "invalidParameterValue",
            RICOH_VALUE,
            {"fileUrls": ["http://camera/files/R0010001.JPG"]},
            OscParameterRefused,
            "fileUrls",
        ),
        ("unknownCommand", "", None, OscUnknownCommand, None),
        ("powerOffSequenceRunning", "bye", None, BackendError, None),
    ],
)
def test_command_error_mapping(
    code: str,
    message: str,
    sent: dict[str, Any] | None,
    kind: type[BackendError],
    parameter: str | None,
) -> None:
    """Every OSC error code family maps to its type; only sent names are named."""
    error = command_error(code, message, sent)
    assert type(error) is kind
    assert error.code == code
    assert str(error)
    if isinstance(error, OscValidationError):
        assert error.parameter == parameter


def test_command_error_long_message() -> None:
    """A megabyte message costs a bounded search and is kept short.

    200 option names against a 1 MiB message once took 2.7 s (issue 10);
    only the message's start is searched for the refused option.
    """
    sent = {"options": {f"option{i}": i for i in range(200)}}
    message = "option199 is out of range " + "x " * (512 * 1024)
    started = time.perf_counter()
    error = command_error("invalidParameterValue", message, sent)
    assert time.perf_counter() - started < 1.0
    assert isinstance(error, OscParameterRefused)
    assert error.parameter == "option199"
    late = command_error(
        "invalidParameterValue", "x " * SEARCH_CHARS + "option199 is wrong", sent
    )
    assert type(late) is OscValidationError
    assert len(error.message) == MAX_MESSAGE
    assert error.message.endswith("…")
    assert len(str(error)) < 2 * MAX_MESSAGE
    unknown = command_error("y" * 100_000, message)
    assert len(str(unknown)) < 2 * MAX_MESSAGE


async def test_long_error_message_over_http(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """A camera answering a 64 KB error message: the error shows its start only."""
    await prime(client)
    osc_sim.faults = Faults(
        status=400,
        status_body={
            "name": "camera.setOptions",
            "state": "error",
            "error": {"code": "invalidParameterValue", "message": "z" * 65536},
        },
        paths=("execute",),
    )
    with pytest.raises(OscParameterRefused) as err:
        await client.set_options({"iso": 100})
    assert err.value.parameter == "iso"
    assert err.value.message == "z" * (MAX_MESSAGE - 1) + "…"


def test_simulator_speaks_ricoh() -> None:
    """The simulator's default messages are RICOH's, word for word."""
    assert osc_sim_module.RICOH_MESSAGES == {
        "invalidParameterName": RICOH_NAME,
        "invalidParameterValue": RICOH_VALUE,
        "missingParameter": RICOH_MISSING,
    }
    assert not OscSimulator().detailed_errors


async def test_storage_and_modes(client: OscClient, osc_sim: OscSimulator) -> None:
    """Remaining capacity and capture modes come from the options."""
    storage = await client.get_storage()
    assert storage.total_space == osc_sim_module.TOTAL_SPACE
    assert storage.remaining_space == osc_sim_module.TOTAL_SPACE
    assert storage.remaining_pictures is not None and storage.remaining_pictures > 0
    await client.take_picture()
    assert (await client.get_storage()).remaining_space < osc_sim_module.TOTAL_SPACE  # type: ignore[operator]
    assert await client.capture_modes() == ("image", "video")


async def test_capture_modes_unsupported(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """A camera without captureModeSupport reports no modes."""
    await prime(client)
    osc_sim.faults = Faults(
        status=400,
        status_body={
            "name": "camera.getOptions",
            "state": "error",
            "error": {"code": "invalidParameterName", "message": "captureModeSupport"},
        },
        paths=("execute",),
    )
    await client.info()
    assert await client.capture_modes() == ()


# --------------------------------------------------------------------- video


async def test_video(client: OscClient, osc_sim: OscSimulator) -> None:
    """Start recording (switching to video), stop, back to image mode."""
    await client.start_capture()
    assert osc_sim.recording
    assert osc_sim.options["captureMode"] == "video"
    assert (await client.state()).capture_status == "shooting"
    with pytest.raises(OscBusyError):
        await client.start_capture(capture_mode=None)
    urls = await client.stop_capture()
    assert len(urls) == 1 and urls[0].endswith(".MP4")
    assert osc_sim.options["captureMode"] == "image"
    assert not osc_sim.recording
    video = await client.download(urls[0])
    assert video[4:8] == b"ftyp"
    listing = await client.list_files("video")
    assert [f.url for f in listing.entries] == list(urls)
    assert listing.entries[0].is_video
    with pytest.raises(OscBusyError):
        await client.stop_capture(restore_mode=None)


# --------------------------------------------------------------------- files


async def test_list_files(client: OscClient, osc_sim: OscSimulator) -> None:
    """Listing is newest first; the latest picture is the first one."""
    assert await client.latest_picture() is None
    first = osc_sim.shoot_on_camera()
    second = osc_sim.shoot_on_camera()
    listing = await client.list_files("image", entry_count=10)
    assert listing.total_entries == 2
    assert [f.name for f in listing.entries] == [second.name, first.name]
    entry = listing.entries[0]
    assert entry.size == len(second.content)
    assert (entry.width, entry.height) == (256, 128)
    assert entry.date_time is not None
    assert not entry.is_video
    latest = await client.latest_picture()
    assert latest is not None and latest.name == second.name
    page = await client.list_files("image", entry_count=1, start_position=1)
    assert [f.name for f in page.entries] == [first.name]


async def test_list_files_invalid(client: OscClient, osc_sim: OscSimulator) -> None:
    """Listings without entries or with entries without URL are refused."""
    await prime(client)
    osc_sim.faults = Faults(
        status=200,
        status_body={"name": "camera.listFiles", "state": "done", "results": {}},
        paths=("execute",),
    )
    with pytest.raises(InvalidResponse, match="entries"):
        await client.list_files()
    osc_sim.faults.status_body = {
        "name": "camera.listFiles",
        "state": "done",
        "results": {"entries": [{"name": "R1.JPG"}]},
    }
    with pytest.raises(InvalidResponse, match="fileUrl"):
        await client.list_files()


def test_file_entry_leniency() -> None:
    """Entries without a name take it from the URL."""
    entry = OscFile.from_dict({"fileUrl": "http://c/files/R9.JPG", "size": "12"})
    assert entry.name == "R9.JPG"
    assert entry.size == 12
    with pytest.raises(InvalidResponse):
        OscFile.from_dict("R9.JPG")


async def test_download_cap(client: OscClient, osc_sim: OscSimulator) -> None:
    """Downloads stop at the size cap."""
    osc_sim.shoot_on_camera()
    url = (await client.state()).latest_file_url
    assert url is not None
    assert is_jpeg(await client.download(url))
    with pytest.raises(InvalidResponse, match="cap"):
        await client.download(url, max_bytes=100)


async def test_download_missing(client: OscClient, osc_sim: OscSimulator) -> None:
    """A file that is gone is BackendError notFound; other statuses keep theirs."""
    url = await client.take_picture()
    await client.execute("camera.delete", {"fileUrls": [url]})
    with pytest.raises(BackendError) as err:
        await client.download(url)
    assert err.value.code == "notFound"
    osc_sim.faults = Faults(status=500, paths=("/files/",))
    with pytest.raises(BackendError) as err:
        await client.download(url)
    assert err.value.code == 500


async def test_download_rebased(client: OscClient, osc_sim: OscSimulator) -> None:
    """URLs naming another host or relative paths are fetched from the camera."""
    osc_sim.public_host = "192.0.2.10"
    url = await client.take_picture()
    assert url.startswith("http://192.0.2.10/")
    assert is_jpeg(await client.download(url))
    path = "/" + url.split("/", 3)[3]
    assert is_jpeg(await client.download(path))
    assert str(client.file_url(path)).startswith(client.base_url.rstrip("/"))
    with pytest.raises(InvalidResponse):
        client.file_url("http://[::1")


# -------------------------------------------------------------------- auth


@pytest.fixture
def digest_sim(osc_sim: OscSimulator) -> OscSimulator:
    """The camera in client mode: Digest authentication."""
    osc_sim.auth = ("THETAYL10100001", "10100001")
    return osc_sim


async def test_digest_auth(
    make_client: ClientFactory, digest_sim: OscSimulator
) -> None:
    """Right credentials: everything works, files included."""
    client = make_client("THETAYL10100001", "10100001")
    assert (await client.info()).serial_number == "10100001"
    url = await client.take_picture()
    assert is_jpeg(await client.download(url))
    assert digest_sim.auth_failures >= 1  # the first challenge


async def test_digest_wrong_password(
    make_client: ClientFactory, digest_sim: OscSimulator
) -> None:
    """Wrong credentials are AuthenticationFailed, without the password."""
    client = make_client("THETAYL10100001", "s3cret-wrong")
    with pytest.raises(AuthenticationFailed) as err:
        await client.state()
    assert "s3cret" not in str(err.value)
    with pytest.raises(AuthenticationFailed):
        await client.download(f"{client.base_url}/files/x/100RICOH/R1.JPG")


async def test_auth_needed(client: OscClient, digest_sim: OscSimulator) -> None:
    """No credentials for a camera asking for them: AuthenticationFailed."""
    with pytest.raises(AuthenticationFailed, match="asks"):
        await client.info()
    with pytest.raises(AuthenticationFailed):
        await client.take_picture()


async def test_no_auth_direct_mode(
    make_client: ClientFactory, osc_sim: OscSimulator
) -> None:
    """Credentials given to a camera that needs none do no harm."""
    client = make_client("THETAYL10100001", "10100001")
    assert (await client.take_picture()).endswith(".JPG")
    assert osc_sim.auth_failures == 0


# ----------------------------------------------------------------- level 1


@pytest.fixture
def level1_sim(osc_sim: OscSimulator) -> OscSimulator:
    """A level 1 only camera (THETA S on old firmware)."""
    osc_sim.api_levels = (1,)
    osc_sim.client_version = 1
    return osc_sim


async def test_level1_picture(client: OscClient, level1_sim: OscSimulator) -> None:
    """Sessions are opened once; file URIs are downloaded with getImage."""
    uri = await client.take_picture()
    assert client.api_level == 1
    assert uri.startswith("100RICOH/") and uri.endswith(".JPG")
    assert level1_sim.count("execute:camera.startSession") == 1
    assert is_jpeg(await client.download(uri))
    state = await client.state()
    assert state.latest_file_url == uri
    assert state.api_version == 1
    listing = await client.list_files()
    assert [f.url for f in listing.entries] == [uri]
    await client.take_picture()
    assert level1_sim.count("execute:camera.startSession") == 1


async def test_level1_session_renewed(
    client: OscClient, level1_sim: OscSimulator
) -> None:
    """An expired session is renewed once and the command retried."""
    await client.set_options({"iso": 100})
    level1_sim.expire_sessions()
    assert (await client.take_picture()).endswith(".JPG")
    assert level1_sim.count("execute:camera.startSession") == 2
    level1_sim.expire_sessions()
    file = level1_sim.shoot_on_camera()
    assert is_jpeg(await client.download(file.uri))
    assert level1_sim.count("execute:camera.startSession") == 3


async def test_level1_session_refused(
    client: OscClient, level1_sim: OscSimulator
) -> None:
    """Sessions dying at once: the retry is not repeated forever."""
    level1_sim.session_timeout = -1
    with pytest.raises(BackendError) as err:
        await client.take_picture()
    assert err.value.code == "invalidSessionId"
    assert level1_sim.count("execute:camera.takePicture") == 2
    with pytest.raises(BackendError) as err:
        await client.download("100RICOH/R0000001.JPG")
    assert err.value.code == "invalidSessionId"


async def test_level1_exclusive(client: OscClient, level1_sim: OscSimulator) -> None:
    """Another client holding the camera: busy."""
    level1_sim.exclusive_sessions = True
    level1_sim.sessions["SID_other"] = time.monotonic() + 60
    with pytest.raises(OscBusyError) as err:
        await client.take_picture()
    assert err.value.code == "cameraInExclusiveUse"


async def test_level1_video(client: OscClient, level1_sim: OscSimulator) -> None:
    """Level 1 video uses the vendor recording commands and _video mode."""
    assert await client.capture_modes() == ("image", "video")
    await client.start_capture()
    assert level1_sim.options["captureMode"] == "_video"
    assert level1_sim.count("execute:camera._startRecording") == 1
    assert await client.stop_capture() == ()
    assert level1_sim.count("execute:camera._stopRecording") == 1
    assert level1_sim.options["captureMode"] == "image"


async def test_level1_get_image_errors(
    client: OscClient, level1_sim: OscSimulator
) -> None:
    """getImage errors are mapped; a JSON 'done' without image is refused."""
    with pytest.raises(OscValidationError) as err:
        await client.download("100RICOH/R9999999.JPG")
    assert err.value.parameter == "fileUri"
    await client.take_picture()
    level1_sim.faults = Faults(
        status=200,
        status_body={"name": "camera.getImage", "state": "done"},
        paths=("execute",),
    )
    with pytest.raises(InvalidResponse):
        await client.download("100RICOH/R0000010.JPG")


async def test_start_session_odd_answers(
    client: OscClient, level1_sim: OscSimulator
) -> None:
    """startSession must finish at once with a sessionId."""
    level1_sim.faults = Faults(
        status=200,
        status_body={"name": "camera.startSession", "state": "done", "results": {}},
        paths=("execute",),
    )
    with pytest.raises(InvalidResponse, match="sessionId"):
        await client.take_picture()
    level1_sim.faults.status_body = {
        "name": "camera.startSession",
        "state": "inProgress",
        "id": "1",
    }
    with pytest.raises(InvalidResponse, match="at once"):
        await client.take_picture()


async def test_upgrade_to_level2(client: OscClient, osc_sim: OscSimulator) -> None:
    """A level 1+2 camera at clientVersion 1 is switched to level 2."""
    osc_sim.client_version = 1
    url = await client.take_picture()
    assert url.startswith("http://")
    assert client.api_level == 2
    assert osc_sim.client_version == 2
    assert osc_sim.count("execute:camera.startSession") == 1
    assert osc_sim.count("execute:camera.setOptions") == 1


async def test_upgrade_refused(client: OscClient, osc_sim: OscSimulator) -> None:
    """A camera refusing clientVersion 2 is driven at level 1."""
    osc_sim.client_version = 1
    osc_sim.refuse_level2 = True
    uri = await client.take_picture()
    assert client.api_level == 1
    assert uri.startswith("100RICOH/")
    assert osc_sim.count("execute:camera.startSession") == 1


@pytest.mark.parametrize("detailed", [False, True])
async def test_fall_back_to_level1(
    client: OscClient, osc_sim: OscSimulator, detailed: bool
) -> None:
    """A camera that fell back to clientVersion 1 is switched back and the shot retried.

    RICOH's message for the missing sessionId is generic ("Any required
    parameter is not specified."): the refused command makes the client read
    the state, whose _apiVersion 1 tells. A message naming sessionId tells
    at once.
    """
    osc_sim.detailed_errors = detailed
    await client.take_picture()
    osc_sim.fall_back_to_level1()
    states = osc_sim.count("/osc/state")
    url = await client.take_picture()
    assert url.startswith("http://")
    assert osc_sim.client_version == 2
    assert client.api_level == 2
    assert osc_sim.count("execute:camera.takePicture") == 3
    assert osc_sim.count("/osc/state") > states


async def test_fall_back_seen_in_state(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """_apiVersion 1 in a state read makes the next command renegotiate first."""
    await client.take_picture()
    osc_sim.fall_back_to_level1()
    assert (await client.state()).api_version == 1
    assert client.api_level is None
    await client.take_picture()
    assert osc_sim.count("execute:camera.takePicture") == 2
    assert client.api_level == 2


async def test_refusal_is_no_fall_back(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """A refused level 2 command on a camera still at level 2 stays an error.

    The state read it costs finds _apiVersion 2: nothing is renegotiated or
    sent again; a level 2 only camera is not even asked.
    """
    await prime(client)
    with pytest.raises(OscValidationError):
        await client.get_options(["warpDrive", "iso"])
    assert osc_sim.count("execute:camera.getOptions") == 1
    assert osc_sim.count("execute:camera.startSession") == 0
    assert client.api_level == 2
    osc_sim.api_levels = (2,)
    await client.info(refresh=True)
    states = osc_sim.count("/osc/state")
    with pytest.raises(OscValidationError):
        await client.get_options(["warpDrive", "iso"])
    assert osc_sim.count("/osc/state") == states


async def test_fall_back_state_unreadable(
    client: OscClient, osc_sim: OscSimulator
) -> None:
    """When the state cannot be read after a refusal, the refusal is raised."""
    await client.take_picture()
    osc_sim.fall_back_to_level1()
    osc_sim.faults = Faults(status=503, paths=("/osc/state",))
    with pytest.raises(OscValidationError):
        await client.take_picture()
    assert osc_sim.count("execute:camera.startSession") == 0


async def test_level2_only_camera(client: OscClient, osc_sim: OscSimulator) -> None:
    """A level 2 only camera needs no state read to decide."""
    osc_sim.api_levels = (2,)
    await client.take_picture()
    assert osc_sim.count("/osc/state") == 0
    assert osc_sim.count("execute:camera.startSession") == 0


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


# ---------------------------------------------------------------------- CLI


def test_cli() -> None:
    """Command-line options build the camera, or nothing when the port is 0."""
    parser = argparse.ArgumentParser()
    osc_sim_module.add_arguments(parser)
    assert osc_sim_module.build(parser.parse_args([])) is None
    sim = osc_sim_module.build(
        parser.parse_args(
            [
                "--osc-port",
                "8082",
                "--osc-api-level",
                "1",
                "--osc-shot-seconds",
                "0.5",
                "--osc-username",
                "THETA",
                "--osc-password",
                "pw",
            ]
        )
    )
    assert sim is not None
    assert sim.api_levels == (1,) and sim.client_version == 1
    assert sim.shot_seconds == 0.5
    assert sim.auth == ("THETA", "pw")
    sim2 = osc_sim_module.build(parser.parse_args(["--osc-port", "1"]))
    assert sim2 is not None and sim2.api_levels == (1, 2) and sim2.auth is None


# ------------------------------------------------------------- the simulator


async def test_simulator_protocol_errors(
    osc_server: RunningServer,
    osc_sim: OscSimulator,
    http_session: aiohttp.ClientSession,
) -> None:
    """The fake camera answers malformed requests the way the spec says."""

    async def post(path: str, body: Any = None, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        async with http_session.post(
            f"{osc_server.url}{path}", data=data, headers=dict(HEADERS)
        ) as resp:
            answer = await resp.json()
            return resp.status, answer.get("error", {}).get("code")

    execute = "/osc/commands/execute"
    assert await post("/osc/checkForUpdates", {}) == (400, "missingParameter")
    assert await post(execute, raw=b"{not json") == (400, "invalidParameterValue")
    assert await post(execute, [1]) == (400, "invalidParameterValue")
    assert await post(execute, {}) == (400, "missingParameter")
    assert await post(execute, {"name": "camera.takePicture", "parameters": 1}) == (
        400,
        "invalidParameterValue",
    )
    assert await post(execute, {"name": "camera.listImages"}) == (400, "unknownCommand")
    assert await post(STATUS, {}) == (400, "missingParameter")
    assert await post(STATUS, {"id": "404"}) == (400, "invalidParameterValue")
    bad_lists = [
        {"name": "camera.listFiles", "parameters": {"fileType": "image"}},
        {"name": "camera.listFiles", "parameters": {"fileType": "x", "entryCount": 1}},
        {
            "name": "camera.listFiles",
            "parameters": {"fileType": "all", "entryCount": -1},
        },
        {"name": "camera.setOptions", "parameters": {"options": []}},
        {
            "name": "camera.setOptions",
            "parameters": {"options": {"whiteBalance": "pink"}},
        },
        {"name": "camera.setOptions", "parameters": {"options": {"sleepDelay": -5}}},
        {"name": "camera.setOptions", "parameters": {"options": {"clientVersion": 3}}},
        {"name": "camera.getOptions", "parameters": {}},
        {"name": "camera.getOptions", "parameters": {"optionNames": "iso"}},
        {"name": "camera.delete", "parameters": {}},
    ]
    for body in bad_lists:
        status, code = await post(execute, body)
        assert status == 400, body
        assert code in ("missingParameter", "invalidParameterValue"), body
    # deleting everything, and asking for video mode while recording
    osc_sim.shoot_on_camera()
    assert await post(
        execute, {"name": "camera.delete", "parameters": {"fileUrls": ["all"]}}
    ) == (200, None)
    assert osc_sim.files == {}
    osc_sim.options["captureMode"] = "video"
    assert (await post(execute, {"name": "camera.startCapture"}))[0] == 200
    assert await post(
        execute,
        {
            "name": "camera.setOptions",
            "parameters": {"options": {"captureMode": "image"}},
        },
    ) == (403, "disabledCommand")
    async with http_session.post(
        f"{osc_server.url}/osc/state", headers=dict(HEADERS)
    ) as resp:
        state = (await resp.json())["state"]
    assert state["_captureStatus"] == "shooting"
    assert state["_recordableTime"] > 0


async def test_simulator_level1_sessions(
    osc_server: RunningServer,
    level1_sim: OscSimulator,
    http_session: aiohttp.ClientSession,
) -> None:
    """Level 1 session commands of the fake camera."""

    async def run(name: str, params: dict[str, Any] | None = None) -> Any:
        body = {"name": name, "parameters": params or {}}
        async with http_session.post(
            f"{osc_server.url}/osc/commands/execute",
            data=json.dumps(body),
            headers=dict(HEADERS),
        ) as resp:
            return resp.status, await resp.json()

    status, answer = await run("camera.startSession")
    session_id = answer["results"]["sessionId"]
    assert status == 200
    status, answer = await run("camera.updateSession", {"sessionId": session_id})
    assert answer["results"]["sessionId"] == session_id
    status, answer = await run("camera.takePicture")
    assert answer["error"]["code"] == "missingParameter"
    status, answer = await run("camera.listFiles", {"sessionId": session_id})
    assert answer["error"]["code"] == "unknownCommand"
    status, answer = await run("camera.listImages", {"sessionId": session_id})
    assert answer["error"]["code"] == "missingParameter"
    status, answer = await run("camera.getImage", {"sessionId": session_id})
    assert answer["error"]["code"] == "missingParameter"
    status, answer = await run("camera.closeSession", {"sessionId": session_id})
    assert status == 200
    assert level1_sim.sessions == {}
