"""The OSC client against the simulated camera: taking pictures and command polling."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from custom_components.camera_bridge.api.errors import (
    BackendError,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.osc import (
    OscBusyError,
    OscCancelledError,
    OscClient,
    OscCommandTimeout,
    OscShotInProgress,
    OscUnknownCommand,
    picture_url,
)
from simulator.common import Faults
from simulator.osc import OscSimulator
from tests.osc.conftest import STATUS, ClientFactory, is_jpeg, prime

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
