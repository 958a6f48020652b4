"""The live preview of the OSC client against the simulated camera (real HTTP)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from custom_components.camera_bridge.api.errors import (
    AuthenticationFailed,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.osc import (
    OscBusyError,
    OscClient,
    OscPreviewSupport,
    OscUnknownCommand,
    PreviewFormat,
)
from simulator.osc import OscSimulator
from tests.conftest import StartServer

from .conftest import FAST_TUNING, until

LEVEL2 = "execute:camera.getLivePreview"
LEVEL1 = "execute:camera._getLivePreview"


async def _client(
    start_server: StartServer, session: Any, sim: OscSimulator, **auth: str
) -> OscClient:
    server = await start_server(sim)
    return OscClient(session, server.host, server.port, tuning=FAST_TUNING, **auth)


async def _frames(client: OscClient, count: int, **kwargs: Any) -> list[bytes]:
    frames: list[bytes] = []
    async with client.live_preview(**kwargs) as reader:
        async for frame in reader:
            frames.append(frame)
            if len(frames) == count:
                break
    return frames


async def _drain(client: OscClient, frames: list[bytes], **kwargs: Any) -> None:
    """Read the preview to its end, keeping the frames."""
    async with client.live_preview(**kwargs) as reader:
        while (frame := await reader.next_frame()) is not None:
            frames.append(frame)


@pytest.mark.parametrize(
    ("knobs", "command"),
    [
        ({}, LEVEL2),
        ({"preview_rfc_boundary": True}, LEVEL2),
        ({"preview_lengths": False}, LEVEL2),
        ({"preview_lengths": False, "preview_rfc_boundary": True}, LEVEL2),
        ({"api_levels": (1,), "client_version": 1}, LEVEL1),
    ],
    ids=["theta", "rfc-dashes", "no-length", "no-length-rfc", "level1"],
)
async def test_frames(
    start_server: StartServer, session: Any, knobs: dict[str, Any], command: str
) -> None:
    """Frames come one by one, whole JPEGs that change, through one request."""
    sim = OscSimulator(preview_interval=0.005, **knobs)
    client = await _client(start_server, session, sim)
    frames = await _frames(client, 4)
    assert len(set(frames)) == 4
    assert all(f.startswith(b"\xff\xd8") and f.endswith(b"\xff\xd9") for f in frames)
    assert sim.count(command) == 1
    # leaving the context ends the preview on the camera
    await until(lambda: sim.previews_running == 0)


async def test_support(start_server: StartServer, session: Any) -> None:
    """The sizes offered, largest first, and the one in use."""
    sim = OscSimulator()
    sim.options["previewFormat"] = {"width": 640, "height": 320, "framerate": 30}
    client = await _client(start_server, session, sim)
    support = await client.preview_support()
    assert support is not None
    assert support.current == PreviewFormat(640, 320, 30)
    assert [f.key for f in support.formats] == [
        "1920x960@8",
        "1024x512@30",
        "640x320@30",
    ]
    assert support.find("1024x512@30") == PreviewFormat(1024, 512, 30)
    assert support.find("1x1@1") is None


@pytest.mark.parametrize(
    ("knobs", "expected"),
    [
        ({"preview_formats": ()}, None),
        ({"preview_options": False}, None),
        # a level 1 THETA that knows no previewFormat still has a preview
        (
            {"preview_options": False, "api_levels": (1,), "client_version": 1},
            OscPreviewSupport(None, ()),
        ),
        (
            {
                "preview_options": False,
                "api_levels": (1,),
                "client_version": 1,
                "manufacturer": "Other",
            },
            None,
        ),
    ],
    ids=["no-preview", "no-options", "level1-theta", "level1-other"],
)
async def test_no_support(
    start_server: StartServer,
    session: Any,
    knobs: dict[str, Any],
    expected: OscPreviewSupport | None,
) -> None:
    """Cameras that offer no preview sizes have no preview."""
    client = await _client(start_server, session, OscSimulator(**knobs))
    await client.info()
    assert await client.preview_support() == expected


def test_support_is_lenient() -> None:
    """Malformed entries of previewFormatSupport are left out."""
    support = OscPreviewSupport.from_options(
        {
            "previewFormat": "big",
            "previewFormatSupport": [
                {"width": 640, "height": 320, "framerate": 10},
                {"width": 640, "height": 320, "framerate": 10},
                {"width": "x", "height": 1},
                {"width": 10**400, "height": 1, "framerate": 1},
                {"width": -2, "height": 1, "framerate": 1},
                {"width": 2, "height": 1, "framerate": 7.5},
                "640x320",
            ],
        }
    )
    assert support == OscPreviewSupport(
        None, (PreviewFormat(640, 320, 10), PreviewFormat(2, 1, 0))
    )
    assert OscPreviewSupport.from_options({"previewFormatSupport": "no"}) is None


async def test_shot_ends_preview(start_server: StartServer, session: Any) -> None:
    """A shot is sent while the preview runs; the camera ends the preview."""
    sim = OscSimulator(shot_polls=2, preview_interval=0.02)
    client = await _client(start_server, session, sim)
    seen = 0
    async with client.live_preview() as reader:
        async for _ in reader:
            seen += 1
            if seen == 2:
                # the preview holds no command lock: the shot starts at once
                assert not client.busy
                shot = asyncio.create_task(client.take_picture())
        # the stream ended cleanly: no error
    url = await asyncio.wait_for(shot, 5)
    assert url.endswith(".JPG")
    assert seen >= 2


@pytest.mark.parametrize(
    ("knobs", "error"),
    [
        ({"preview_fault": "drop"}, CannotConnect),
        ({"preview_fault": "drop", "preview_lengths": False}, CannotConnect),
        ({"preview_fault": "garbage"}, InvalidResponse),
        ({"preview_fault": "oversized"}, InvalidResponse),
        ({"preview_fault": "oversized", "preview_lengths": False}, InvalidResponse),
    ],
    ids=["drop", "drop-no-length", "garbage", "oversized", "oversized-no-length"],
)
async def test_broken_streams(
    start_server: StartServer,
    session: Any,
    knobs: dict[str, Any],
    error: type[Exception],
) -> None:
    """Broken streams end with an error after the good frames, never a hang."""
    sim = OscSimulator(
        preview_interval=0.005, preview_oversize=3 * 1024 * 1024, **knobs
    )
    client = await _client(start_server, session, sim)
    frames: list[bytes] = []
    async with asyncio.timeout(10):
        with pytest.raises(error):
            await _drain(client, frames, max_frame_bytes=1024 * 1024)
    assert len(frames) == 2
    await until(lambda: sim.previews_running == 0)


@pytest.mark.parametrize("fault", ["json", "no_boundary"])
async def test_no_stream(start_server: StartServer, session: Any, fault: str) -> None:
    """An answer that is no preview stream is InvalidResponse."""
    sim = OscSimulator(preview_fault=fault)
    client = await _client(start_server, session, sim)
    with pytest.raises(InvalidResponse):
        await _frames(client, 1)
    assert not client.busy


async def test_silent_stream(start_server: StartServer, session: Any) -> None:
    """A preview that stops sending counts as dropped after the read timeout."""
    sim = OscSimulator(preview_interval=30)
    client = await _client(start_server, session, sim)
    frames: list[bytes] = []
    with pytest.raises(CannotConnect, match="no data"):
        await _drain(client, frames, read_timeout=0.2)
    assert len(frames) == 1


async def test_refusals(start_server: StartServer, session: Any) -> None:
    """Recording refuses the preview; a camera without one does not know it."""
    sim = OscSimulator()
    client = await _client(start_server, session, sim)
    sim.recording_since = 1.0
    with pytest.raises(OscBusyError):
        await _frames(client, 1)
    sim.recording_since = None
    sim.preview_formats = ()
    with pytest.raises(OscUnknownCommand):
        await _frames(client, 1)
    assert not client.busy


async def test_level1_session_renewed(start_server: StartServer, session: Any) -> None:
    """A level 1 session that expired is opened again, then the preview runs."""
    sim = OscSimulator(api_levels=(1,), client_version=1, preview_interval=0.005)
    client = await _client(start_server, session, sim)
    await _frames(client, 1)
    sim.expire_sessions()
    assert len(await _frames(client, 2)) == 2
    assert sim.count("execute:camera.startSession") == 2
    assert sim.count(LEVEL1) == 3


async def test_credentials(start_server: StartServer, session: Any) -> None:
    """Digest credentials go with the preview request; without them it fails."""
    sim = OscSimulator(preview_interval=0.005, auth=("THETA", "secret"))
    client = await _client(
        start_server, session, sim, username="THETA", password="secret"
    )
    assert len(await _frames(client, 2)) == 2
    server_client = await _client(start_server, session, sim)
    with pytest.raises(AuthenticationFailed):
        await _frames(server_client, 1)


async def test_second_preview_ends_the_first(
    start_server: StartServer, session: Any
) -> None:
    """A camera serves one preview: a new one ends the one running."""
    sim = OscSimulator(preview_interval=0.01)
    client = await _client(start_server, session, sim)
    async with client.live_preview() as first:
        await anext(first)
        assert len(await _frames(client, 2)) == 2
        # the first one ends cleanly, between two frames
        async with asyncio.timeout(5):
            rest = [frame async for frame in first]
    assert len(rest) <= 3
    assert sim.count(LEVEL2) == 2
