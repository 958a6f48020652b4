"""The live preview camera of an OSC camera, through Home Assistant's MJPEG proxy.

Viewers read ``/api/camera_proxy_stream/<entity>`` of the test instance of
Home Assistant; the simulated camera streams over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import io
from typing import Any

import aiohttp
from homeassistant.components.camera import async_get_image
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.api.osc import MjpegReader, preview_boundary
from custom_components.camera_bridge.backends.osc import preview as preview_module
from custom_components.camera_bridge.backends.osc.preview import PreviewTiming
from simulator.osc import OscSimulator
from tests.conftest import setup_entry

from .conftest import TimingSetter, coordinator_of

PREVIEW = "camera.theta_live_preview"
STREAM = f"/api/camera_proxy_stream/{PREVIEW}"
UPSTREAM = "execute:camera.getLivePreview"
TIMING = PreviewTiming(
    linger=0.3,
    retries=2,
    retry_delay=0.05,
    busy_retry=0.05,
    busy_patience=0.4,
    first_frame=3.0,
    healthy=5.0,
)


@pytest.fixture(autouse=True)
def fast_preview(monkeypatch: pytest.MonkeyPatch) -> None:
    """The integration's previews linger and retry briefly."""
    monkeypatch.setattr(preview_module, "DEFAULT_PREVIEW_TIMING", TIMING)


@pytest.fixture
def osc_sim() -> OscSimulator:
    """A camera with small, quick preview frames."""
    return OscSimulator(
        shot_polls=2,
        preview_formats=((256, 128, 30), (128, 64, 10)),
        preview_interval=0.02,
    )


class Viewer:
    """One viewer of the proxied MJPEG stream."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        assert response.status == 200
        self.response = response
        self.reader = MjpegReader(
            response.content.readany,
            preview_boundary(response.headers["Content-Type"]),
        )

    async def frames(self, count: int) -> list[bytes]:
        """The next ``count`` frames."""
        async with asyncio.timeout(10):
            return [await anext(self.reader) for _ in range(count)]

    async def rest(self) -> list[bytes]:
        """The frames until the stream ends."""
        async with asyncio.timeout(10):
            return [frame async for frame in self.reader]


@pytest.fixture
async def watch(
    hass_client: ClientSessionGenerator,
) -> AsyncIterator[Callable[[], Any]]:
    """Open viewers of the live preview; they are closed at teardown."""
    clients: list[Any] = []
    responses: list[aiohttp.ClientResponse] = []

    async def open_viewer() -> Viewer:
        if not clients:  # once Home Assistant serves HTTP
            clients.append(await hass_client())
        response = await clients[0].get(STREAM)
        responses.append(response)
        return Viewer(response)

    yield open_viewer
    for response in responses:
        response.close()


async def _until(condition: Callable[[], bool], seconds: float = 5.0) -> float:
    """Wait until ``condition`` holds; the seconds it took."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not condition():
        assert loop.time() - start < seconds, "condition not met in time"
        await asyncio.sleep(0.01)
    return loop.time() - start


def _size(frame: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(frame)) as image:
        return image.size


async def test_viewers_share_one_upstream(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    watch: Callable[[], Any],
) -> None:
    """Two viewers at once: one preview request; it ends after the last one left."""
    first, second = await asyncio.gather(watch(), watch())
    one, two = await asyncio.gather(first.frames(5), second.frames(5))
    for frames in (one, two):
        assert len(set(frames[1:])) == 4  # the first frame comes twice
        assert _size(frames[-1]) == (256, 128)
    third = await watch()
    await third.frames(2)
    assert osc_sim.count(UPSTREAM) == 1
    assert osc_sim.previews_most == 1
    for viewer in (first, second):
        viewer.response.close()
    await third.frames(3)  # the others leaving changes nothing for it
    assert osc_sim.previews_running == 1
    third.response.close()
    await _until(
        lambda: coordinator_of(osc_entry).preview.diagnostics()["viewers"] == 0
    )
    # a viewer coming back within the linger time finds the preview running
    fourth = await watch()
    await fourth.frames(2)
    assert osc_sim.count(UPSTREAM) == 1
    fourth.response.close()
    # the upstream stays for the linger time, then ends
    assert await _until(lambda: osc_sim.previews_running == 0) >= TIMING.linger
    assert not coordinator_of(osc_entry).preview.streaming
    assert osc_sim.count(UPSTREAM) == 1


async def test_shot_during_preview(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    watch: Callable[[], Any],
) -> None:
    """A shot ends the preview and is not held up; the preview comes back."""
    viewer = await watch()
    await viewer.frames(2)
    osc_sim.shot_polls = 3
    async with asyncio.timeout(5):
        await hass.services.async_call(
            "camera_bridge",
            "take_picture",
            {ATTR_ENTITY_ID: "button.theta_take_picture"},
            blocking=True,
            return_response=True,
        )
    assert osc_sim.count("execute:camera.takePicture") == 1
    await viewer.frames(3)
    assert osc_sim.count(UPSTREAM) == 2
    assert osc_sim.previews_most == 1
    # a shot with the camera's own button ends the preview too
    osc_sim.shoot_on_camera()
    await viewer.frames(3)
    assert osc_sim.count(UPSTREAM) == 3


async def test_shot_cuts_preview(
    hass: HomeAssistant,
    osc_sim: OscSimulator,
    watch: Callable[[], Any],
    preview_timing: TimingSetter,
) -> None:
    """A preview cut by our own shot is no failure: it comes back afterwards."""
    hub = preview_timing(PreviewTiming(retries=0, retry_delay=0.05))
    osc_sim.preview_end_cuts = True
    osc_sim.shot_polls = 5
    viewer = await watch()
    await viewer.frames(2)
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: "button.theta_take_picture"}, blocking=True
    )
    await viewer.frames(3)
    assert hub.upstream_requests == 2


async def test_still_is_a_preview_frame(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    watch: Callable[[], Any],
) -> None:
    """The still is the newest frame; a preview runs briefly for it."""
    image = await async_get_image(hass, PREVIEW)
    assert image.content_type == "image/jpeg"
    assert _size(image.content) == (256, 128)
    assert osc_sim.count(UPSTREAM) == 1
    await _until(lambda: osc_sim.previews_running == 0)
    viewer = await watch()
    await viewer.frames(2)
    # while it runs the still costs no request
    assert (await async_get_image(hass, PREVIEW)).content.startswith(b"\xff\xd8")
    assert osc_sim.count(UPSTREAM) == 2


async def test_dropped_mid_frame(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    watch: Callable[[], Any],
) -> None:
    """A preview cut in the middle of a frame is opened again."""
    osc_sim.preview_fault = "drop"
    osc_sim.preview_faulty = 1
    viewer = await watch()
    frames = await viewer.frames(8)
    assert all(frame.endswith(b"\xff\xd9") for frame in frames)
    assert osc_sim.count(UPSTREAM) == 2


@pytest.mark.parametrize("fault", ["garbage", "oversized", "drop"])
async def test_broken_preview_ends(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    watch: Callable[[], Any],
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    """A preview that keeps breaking ends the viewers' streams with an error."""
    osc_sim.preview_fault = fault
    viewer = await watch()
    frames = await viewer.rest()
    assert len(frames) >= 2
    assert osc_sim.count(UPSTREAM) == TIMING.retries + 1
    assert "the live preview stopped" in caplog.text
    if fault != "drop":
        assert "broken live preview" in caplog.text
    # a new viewer tries again
    osc_sim.preview_fault = None
    await (await watch()).frames(2)


async def test_busy_camera(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    hass_client: ClientSessionGenerator,
    watch: Callable[[], Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A recording camera refuses the preview: the viewer gets an error."""
    osc_sim.recording_since = 1.0
    client = await hass_client()
    response = await client.get(STREAM)
    assert response.status == 502
    assert "disabledCommand" in caplog.text
    # asked again and again while busy, never opened
    assert osc_sim.count(UPSTREAM) >= 3
    assert osc_sim.previews_most == 0
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, PREVIEW)
    osc_sim.recording_since = None
    await (await watch()).frames(2)


async def test_unload_ends_viewers(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    watch: Callable[[], Any],
) -> None:
    """Unloading the entry ends the preview for everyone."""
    viewer = await watch()
    await viewer.frames(2)
    await hass.config_entries.async_unload(osc_entry.entry_id)
    assert osc_entry.state is ConfigEntryState.NOT_LOADED
    await viewer.rest()
    await _until(lambda: osc_sim.previews_running == 0)


@pytest.mark.parametrize(
    "knobs",
    [{"preview_formats": ()}, {"preview_options": False}],
    ids=["no-preview", "no-sizes"],
)
async def test_no_preview_no_entity(
    hass: HomeAssistant,
    osc_data: dict[str, Any],
    osc_sim: OscSimulator,
    knobs: dict[str, Any],
) -> None:
    """A camera that offers no preview gets no live preview camera."""
    for name, value in knobs.items():
        setattr(osc_sim, name, value)
    osc_sim.options.pop("previewFormat")
    await setup_entry(hass, osc_data, unique_id="10100001", title="THETA")
    assert hass.states.get("camera.theta_latest_picture") is not None
    assert hass.states.get(PREVIEW) is None
    assert er.async_get(hass).async_get(PREVIEW) is None


async def test_level1_theta(
    hass: HomeAssistant,
    osc_data: dict[str, Any],
    osc_sim: OscSimulator,
    watch: Callable[[], Any],
) -> None:
    """A level 1 THETA that knows no preview sizes still has its preview."""
    osc_sim.api_levels = (1,)
    osc_sim.client_version = 1
    osc_sim.preview_options = False
    osc_sim.options.pop("previewFormat")
    entry = await setup_entry(hass, osc_data, unique_id="10100001", title="THETA")
    await (await watch()).frames(2)
    assert osc_sim.count("execute:camera._getLivePreview") == 1
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert "preview_format" not in result["data_schema"].schema


async def test_preview_size_option(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    watch: Callable[[], Any],
) -> None:
    """The options offer the camera's sizes; the one chosen is set on it."""
    result = await hass.config_entries.options.async_init(osc_entry.entry_id)
    schema = result["data_schema"].schema
    field = next(key for key in schema if key == "preview_format")
    assert field.description == {"suggested_value": "camera"}
    assert schema[field].config["options"] == ["camera", "256x128@30", "128x64@10"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"scan_interval": 10, "shot_timeout": 90, "preview_format": "128x64@10"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert osc_sim.options["previewFormat"] == {
        "width": 128,
        "height": 64,
        "framerate": 10,
    }
    frames = await (await watch()).frames(2)
    assert _size(frames[-1]) == (128, 64)
    diagnostics = coordinator_of(osc_entry).diagnostics()["preview"]
    assert diagnostics["current_format"] == "128x64@10"
    # "as set on the camera" sets nothing
    sets = osc_sim.count("execute:camera.setOptions")
    hass.config_entries.async_update_entry(
        osc_entry, options={**osc_entry.options, "preview_format": "camera"}
    )
    await hass.config_entries.async_reload(osc_entry.entry_id)
    assert osc_sim.count("execute:camera.setOptions") == sets


async def test_preview_size_kept_while_away(
    hass: HomeAssistant,
    osc_data: dict[str, Any],
    osc_sim: OscSimulator,
) -> None:
    """A size the camera does not offer is not asked for; the options keep it."""
    osc_sim.preview_formats = ((256, 128, 30),)
    entry = await setup_entry(
        hass,
        osc_data,
        unique_id="10100001",
        title="THETA",
        options={"preview_format": "640x320@30"},
    )
    assert osc_sim.count("execute:camera.setOptions") == 0
    assert hass.states.get(PREVIEW) is not None
    await hass.config_entries.async_unload(entry.entry_id)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    schema = result["data_schema"].schema
    field = next(key for key in schema if key == "preview_format")
    assert schema[field].config["options"] == ["camera", "640x320@30"]


async def test_preview_gone(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    hass_client: ClientSessionGenerator,
) -> None:
    """A camera that no longer knows the preview: an error at once, no retries."""
    osc_sim.preview_formats = ()
    response = await (await hass_client()).get(STREAM)
    assert response.status == 502
    assert osc_sim.count(UPSTREAM) == 1


async def test_no_first_frame(
    hass: HomeAssistant,
    osc_sim: OscSimulator,
    hass_client: ClientSessionGenerator,
    preview_timing: TimingSetter,
) -> None:
    """Viewers wait for a first frame a limited time, never for ever."""
    hub = preview_timing(PreviewTiming(first_frame=0.2, busy_retry=0.05, linger=0.1))
    osc_sim.recording_since = 1.0
    response = await (await hass_client()).get(STREAM)
    assert response.status == 502
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, PREVIEW)
    await hub.async_stop()


async def test_long_previews_keep_trying(
    hass: HomeAssistant,
    osc_sim: OscSimulator,
    watch: Callable[[], Any],
    preview_timing: TimingSetter,
) -> None:
    """A preview that worked for a while before it broke starts a new series."""
    preview_timing(PreviewTiming(healthy=0.05, retries=1))
    osc_sim.preview_fault = "drop"
    osc_sim.preview_fault_after = 6
    viewer = await watch()
    await viewer.frames(20)
    assert osc_sim.count(UPSTREAM) >= 3
