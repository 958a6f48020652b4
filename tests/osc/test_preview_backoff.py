"""A camera that ends its preview early is not hammered (issue 16).

RICOH's own emulator answers the preview with one frame and ends it; a
camera or firmware may do the same. The preview is opened again after a
pause that doubles from 0.5 s to 10 s, and starts from nothing after a
preview that lasted; viewers keep the newest frame meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import itertools

import aiohttp
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.api.osc import MjpegReader, preview_boundary
from custom_components.camera_bridge.backends.osc import preview as preview_module
from custom_components.camera_bridge.backends.osc.preview import PreviewTiming
from simulator.osc import OscSimulator

STREAM = "/api/camera_proxy_stream/camera.theta_live_preview"


@pytest.fixture(autouse=True)
def timing(monkeypatch: pytest.MonkeyPatch) -> PreviewTiming:
    """The default pauses; a preview lasts after 0.4 s."""
    timing = PreviewTiming(linger=0.3, healthy=0.4, first_frame=3.0)
    monkeypatch.setattr(preview_module, "DEFAULT_PREVIEW_TIMING", timing)
    return timing


@pytest.fixture
def osc_sim() -> OscSimulator:
    """A camera whose preview sends one frame and ends, as fake-theta does."""
    return OscSimulator(
        preview_formats=((256, 128, 30),), preview_interval=0.02, preview_frames_each=1
    )


@pytest.fixture
async def viewer(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    osc_entry: MockConfigEntry,
) -> AsyncIterator[aiohttp.ClientResponse]:
    """One viewer of the proxied preview, closed at teardown."""
    client = await hass_client()
    response = await client.get(STREAM)
    assert response.status == 200
    yield response
    response.close()


async def _opened_at(sim: OscSimulator, seconds: float) -> list[float]:
    """When the camera was asked for its preview, over ``seconds``."""
    loop = asyncio.get_running_loop()
    start, seen, times = loop.time(), sim.previews_opened, [0.0]
    while loop.time() - start < seconds:
        await asyncio.sleep(0.01)
        if sim.previews_opened != seen:
            seen = sim.previews_opened
            times.append(loop.time() - start)
    return times


async def test_pauses_grow_while_previews_end_early(
    osc_sim: OscSimulator, viewer: aiohttp.ClientResponse
) -> None:
    """At most 2 requests a second, then fewer: 0.5, 1, 2 s apart..."""
    times = await _opened_at(osc_sim, 4.0)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # without the pauses the camera was asked hundreds of times a second
    assert 3 <= osc_sim.previews_opened <= 6
    assert all(gap >= 0.45 for gap in gaps), gaps
    assert gaps == sorted(gaps), gaps  # growing


async def _next_open(sim: OscSimulator, seconds: float = 10.0) -> float:
    """Wait for the camera to be asked again; the loop time it was."""
    loop = asyncio.get_running_loop()
    seen = sim.previews_opened
    for _ in range(int(seconds / 0.01)):
        await asyncio.sleep(0.01)
        if sim.previews_opened != seen:
            return loop.time()
    raise AssertionError(f"the camera was not asked again within {seconds:g} s")


async def test_a_preview_that_lasted_starts_the_pauses_anew(
    osc_sim: OscSimulator, viewer: aiohttp.ClientResponse
) -> None:
    await _opened_at(osc_sim, 1.6)  # pauses of 0.5 and 1 s are behind
    osc_sim.preview_frames_each = 30  # 0.6 s of frames: it lasts
    lasted = await _next_open(osc_sim)
    osc_sim.preview_frames_each = 1  # the previews after it end early again
    again = await _next_open(osc_sim)
    then = await _next_open(osc_sim)
    # opened again at once after the 0.6 s preview, then the first pause
    # (0.5 s), not the 4 s that came next before it
    assert again - lasted <= 2.0
    assert 0.45 <= then - again <= 1.5


async def test_viewers_keep_the_newest_frame_meanwhile(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    osc_sim: OscSimulator,
    viewer: aiohttp.ClientResponse,
) -> None:
    """A viewer joining during a pause gets the last frame at once."""
    await _opened_at(osc_sim, 1.6)  # the third pause (2 s) has begun
    asked = osc_sim.previews_opened
    client = await hass_client()
    async with asyncio.timeout(0.5):
        response = await client.get(STREAM)
        reader = MjpegReader(
            response.content.readany, preview_boundary(response.headers["Content-Type"])
        )
        frame = await anext(reader)
    response.close()
    assert frame.startswith(b"\xff\xd8")
    assert osc_sim.previews_opened == asked
