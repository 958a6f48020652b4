"""A live preview that opens slowly: its deadline, and shots that never wait.

The simulated camera sends the preview answer's HTTP headers (or its first
frame) one byte at a time over real sockets on 127.0.0.1. Opening a preview
must end within its deadline, and a shot or any other command sent while a
preview is being opened must not wait for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.api.errors import CannotConnect
from custom_components.camera_bridge.api.osc import (
    MjpegReader,
    OscClient,
    OscTuning,
    preview_boundary,
)
from custom_components.camera_bridge.api.osc.live import OscPreviewInterrupted
from custom_components.camera_bridge.api.osc.lock import CommandLock
from custom_components.camera_bridge.backends.osc.preview import PreviewTiming
from simulator.osc import OscSimulator
from tests.conftest import StartServer
from tests.loop_lag import loop_lag

from .conftest import FAST_TUNING, TimingSetter, until

LEVEL2 = "execute:camera.getLivePreview"
STREAM = "/api/camera_proxy_stream/camera.theta_live_preview"
TIMING = PreviewTiming(
    linger=0.1, retries=2, retry_delay=0.05, first_frame=5.0, open_timeout=0.4
)
# about 95 bytes of headers: at 1 byte per second they take more than a minute
SLOW = 1.0


async def _client(
    start_server: StartServer, session: Any, sim: OscSimulator
) -> OscClient:
    server = await start_server(sim)
    return OscClient(session, server.host, server.port, tuning=FAST_TUNING)


async def _first_frame(client: OscClient, **kwargs: Any) -> bytes | None:
    async with client.live_preview(**kwargs) as reader:
        return await reader.next_frame()


async def test_slow_headers_end_at_the_deadline(
    start_server: StartServer, session: Any
) -> None:
    """Headers that trickle in end as CannotConnect once the deadline passed."""
    sim = OscSimulator(preview_header_delay=0.05)
    client = await _client(start_server, session, sim)
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with loop_lag(limit=0.1), asyncio.timeout(4):
        with pytest.raises(CannotConnect, match=r"0\.5 s"):
            await _first_frame(client, open_timeout=0.5)
    assert loop.time() - start >= 0.5
    assert not client.busy
    await until(lambda: sim.previews_running == 0)
    # the camera's preview itself was fine: it opens again at once
    sim.preview_header_delay = None
    assert (await _first_frame(client, open_timeout=0.5) or b"").startswith(b"\xff\xd8")


async def test_slow_first_frame_ends_at_the_deadline(
    start_server: StartServer, session: Any
) -> None:
    """The same deadline covers the first frame: its bytes trickle in too."""
    sim = OscSimulator(preview_frame_delay=0.02, preview_interval=0.01)
    client = await _client(start_server, session, sim)
    async with loop_lag(limit=0.1), asyncio.timeout(4):
        with pytest.raises(CannotConnect, match="first frame"):
            await _first_frame(client, open_timeout=0.5)
    # a preview that delivered its first frame is no longer under a deadline
    sim.preview_frame_delay = None
    async with client.live_preview(open_timeout=0.3) as reader:
        await reader.next_frame()
        await asyncio.sleep(0.4)
        assert (await reader.next_frame() or b"").startswith(b"\xff\xd8")


async def test_shot_while_preview_opens(
    start_server: StartServer, session: Any
) -> None:
    """A shot sent while the preview's headers trickle in does not wait for them.

    The preview being opened gives way: its request is dropped (the camera
    would end the preview for the shot anyway) and the shot is sent at once.
    """
    sim = OscSimulator(preview_header_delay=SLOW, shot_polls=1)
    client = await _client(start_server, session, sim)
    opening = asyncio.create_task(_first_frame(client))
    await until(lambda: sim.previews_running == 1)
    assert client.busy  # the preview command waits for its answer
    # the headers would take more than a minute; the shot takes one poll
    async with loop_lag(limit=0.1), asyncio.timeout(10):
        url = await client.take_picture()
        with pytest.raises(OscPreviewInterrupted):
            await opening
    assert url.endswith(".JPG")
    assert sim.count("execute:camera.takePicture") == 1
    await until(lambda: sim.previews_running == 0)
    assert not client.busy


async def test_command_waiting_before_preview_is_sent(
    start_server: StartServer, session: Any
) -> None:
    """A preview queued behind a command gives way to a command queued after it."""
    sim = OscSimulator(shot_polls=3)
    server = await start_server(sim)
    client = OscClient(
        session,
        server.host,
        server.port,
        tuning=OscTuning(poll_start=0.05, poll_max=0.05),
    )
    shot = asyncio.create_task(client.take_picture())
    await until(lambda: sim.count("execute:camera.takePicture") == 1)
    opening = asyncio.create_task(_first_frame(client))
    options = asyncio.create_task(client.set_options({"iso": 100}))
    async with asyncio.timeout(10):
        await shot
        await options
        with pytest.raises(OscPreviewInterrupted):
            await opening
    # the preview was never sent: the camera was free for the options
    assert sim.count(LEVEL2) == 0
    assert sim.options["iso"] == 100


async def test_lock_cancelled_holder() -> None:
    """A holder cancelled while its work waits: the work ends, nothing is kept."""
    lock = CommandLock()
    loop = asyncio.get_running_loop()
    discarded: list[str] = []

    async def slow() -> str:
        await asyncio.sleep(10)
        return "never"

    async def quick() -> str:
        # the holder is cancelled just as this result comes in
        loop.call_soon(holder.cancel)
        return "stream"

    async def hold(work: Callable[[], Any]) -> str:
        async with lock:
            return await lock.unless_wanted(work(), discarded.append)

    holder = asyncio.create_task(hold(slow))
    await asyncio.sleep(0.01)
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder
    assert not lock.locked()
    assert discarded == []
    holder = asyncio.create_task(hold(quick))
    with pytest.raises(asyncio.CancelledError):
        await holder
    assert discarded == ["stream"]
    assert not lock.locked()


# ---- the integration's preview hub, through Home Assistant's MJPEG proxy


@pytest.fixture
def osc_sim() -> OscSimulator:
    """A camera with small, quick preview frames and quick shots."""
    return OscSimulator(
        shot_polls=1, preview_formats=((128, 64, 30),), preview_interval=0.02
    )


async def _viewer_frames(
    hass_client: ClientSessionGenerator, count: int
) -> list[bytes]:
    client = await hass_client()
    async with asyncio.timeout(10):
        response = await client.get(STREAM)
        assert response.status == 200
        reader = MjpegReader(
            response.content.readany,
            preview_boundary(response.headers["Content-Type"]),
        )
        frames = [await anext(reader) for _ in range(count)]
    response.close()
    return frames


async def test_hub_retries_slow_openings(
    hass: HomeAssistant,
    osc_sim: OscSimulator,
    hass_client: ClientSessionGenerator,
    preview_timing: TimingSetter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Slow headers fail at the deadline; the hub tries again, then lets go."""
    preview_timing(TIMING)
    osc_sim.preview_header_delay = 0.1
    async with loop_lag(limit=0.1), asyncio.timeout(10):
        response = await (await hass_client()).get(STREAM)
    assert response.status == 502
    assert osc_sim.count(LEVEL2) == TIMING.retries + 1
    assert "did not open within 0.4 s" in caplog.text
    assert "the live preview stopped" in caplog.text
    # the camera recovers: the next viewer gets frames
    osc_sim.preview_header_delay = None
    assert len(await _viewer_frames(hass_client, 3)) == 3


async def test_hub_shot_while_opening(
    hass: HomeAssistant,
    osc_sim: OscSimulator,
    hass_client: ClientSessionGenerator,
    preview_timing: TimingSetter,
) -> None:
    """The take_picture action does not wait for a preview being opened."""
    preview_timing(replace(TIMING, open_timeout=30.0))
    osc_sim.preview_header_delay = SLOW
    client = await hass_client()
    viewer = asyncio.create_task(client.get(STREAM))
    await until(lambda: osc_sim.previews_running == 1)
    async with loop_lag(limit=0.1), asyncio.timeout(10):
        response = await hass.services.async_call(
            "camera_bridge",
            "take_picture",
            {ATTR_ENTITY_ID: "button.theta_take_picture"},
            blocking=True,
            return_response=True,
        )
    assert response
    assert osc_sim.count("execute:camera.takePicture") == 1
    # the opening that gave way is no failure: the hub opens again after the shot
    await until(lambda: osc_sim.count(LEVEL2) == 2)
    osc_sim.preview_header_delay = None
    osc_sim.end_previews()  # the slow second opening ends; the third is quick
    async with asyncio.timeout(10):
        answer = await viewer
    assert answer.status == 200
    answer.close()


async def test_hub_survives_unexpected_errors(
    hass: HomeAssistant,
    osc_sim: OscSimulator,
    hass_client: ClientSessionGenerator,
    monkeypatch: pytest.MonkeyPatch,
    preview_timing: TimingSetter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error no code foresaw is logged and retried; viewers still get frames."""
    preview_timing(TIMING)
    real = MjpegReader.next_frame
    failures = iter([ValueError("a bug"), RuntimeError("another bug")])

    async def next_frame(reader: MjpegReader) -> bytes | None:
        if (failure := next(failures, None)) is not None:
            raise failure
        return await real(reader)

    monkeypatch.setattr(MjpegReader, "next_frame", next_frame)
    assert len(await _viewer_frames(hass_client, 3)) == 3
    assert osc_sim.count(LEVEL2) == 3
    assert caplog.text.count("unexpected error in the live preview") == 2
    assert "ValueError: a bug" in caplog.text
