"""Live view and still image of LinkVisual cameras, against the simulated account.

The live URL comes from QueryLiveStreaming and is opened with PyAV as Home
Assistant's stream worker does; one request serves every viewer of a
validity window; a refused request is made once more, then a clear error.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import io
import logging
from typing import Any

import av
from homeassistant.components.camera import (
    CameraWebRTCProvider,
    async_get_image,
    async_get_stream_source,
    async_register_webrtc_provider,
)
from homeassistant.components.stream import Stream
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.camera_bridge.backends.linkvisual import live
from simulator import media
from simulator.linkvisual import LinkVisualSimulator

from .conftest import GARDEN_IOT_ID, PORCH_CAMERA, Account, camera, setup_account

CAMERA = "camera.garden_live"
STREAM = 2  # CameraEntityFeature.STREAM
VALIDITY = live.LIVE_URL_VALIDITY


def _first_frame(url: str) -> av.VideoFrame:
    """Open ``url`` with PyAV, as Home Assistant's stream worker does."""
    with av.open(url, timeout=5) as container:
        return next(container.decode(video=0))


def _live_calls(sim: LinkVisualSimulator) -> list[dict[str, str]]:
    return [c for c in sim.calls if c["Action"] == "QueryLiveStreaming"]


async def _watched_stream(hass: HomeAssistant, account: Account) -> Stream:
    """The garden camera's stream with a viewer (the worker is not started)."""
    assert await async_setup_component(hass, "stream", {})
    await account.setup()
    entity = hass.data["camera"].get_entity(CAMERA)
    stream = await entity.async_create_stream()
    assert stream is not None
    stream.add_provider("hls")
    return stream


async def test_stream_source_plays_with_pyav(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """HLS by default, the camera's stream type, a URL PyAV decodes."""
    await setup_account(hass, lv_data, [camera(stream_type=1)])
    state = hass.states.get(CAMERA)
    assert state is not None
    assert state.attributes["supported_features"] == STREAM
    assert not _live_calls(sim)  # nothing asked before a viewer comes
    url = await async_get_stream_source(hass, CAMERA)
    assert url is not None
    assert url.startswith(f"{lv_data['endpoint']}/live/{GARDEN_IOT_ID}/1/")
    (call,) = _live_calls(sim)
    assert call["IotId"] == GARDEN_IOT_ID
    assert (call["Scheme"], call["StreamType"]) == ("hls", "1")
    assert call["UrlValidDuration"] == str(VALIDITY)
    assert "IotInstanceId" not in call
    frame = await hass.async_add_executor_job(_first_frame, url)
    assert (frame.width, frame.height) == (media.WIDTH, media.HEIGHT)
    assert sim.media_requests["live:index.m3u8"] >= 1


async def test_one_request_for_twenty_viewers(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """Concurrent viewers share the request in flight, later ones its answer."""
    await setup_account(hass, lv_data)
    sim.faults.latency = 0.2  # the request is still in flight for the others
    urls = await asyncio.gather(
        *(async_get_stream_source(hass, CAMERA) for _ in range(20))
    )
    sim.faults.latency = 0
    assert len(set(urls)) == 1
    assert sim.count("QueryLiveStreaming") == 1
    assert await async_get_stream_source(hass, CAMERA) == urls[0]
    assert sim.count("QueryLiveStreaming") == 1


async def test_new_url_shortly_before_expiry(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
) -> None:
    """Reused until RENEW_BEFORE its end, then asked again; an old URL is refused."""
    await account.setup()
    first = await async_get_stream_source(hass, CAMERA)
    margin = live.RENEW_BEFORE.total_seconds()
    await account.tick(VALIDITY - margin - 1)
    assert await async_get_stream_source(hass, CAMERA) == first
    assert sim.count("QueryLiveStreaming") == 1
    await account.tick(2)
    second = await async_get_stream_source(hass, CAMERA)
    assert second != first
    assert sim.count("QueryLiveStreaming") == 2
    # the simulator honours the validity: past it the playlist answers 403
    await account.tick(margin)
    assert first is not None and second is not None
    with pytest.raises(av.HTTPForbiddenError):
        await hass.async_add_executor_job(_first_frame, first)
    frame = await hass.async_add_executor_job(_first_frame, second)
    assert frame.width == media.WIDTH


async def test_running_stream_gets_the_new_url(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
) -> None:
    """While someone watches, the stream's source is renewed before it expires."""
    stream = await _watched_stream(hass, account)
    first = stream.source
    margin = live.RENEW_BEFORE.total_seconds()
    await account.tick(VALIDITY - margin + 1)
    assert sim.count("QueryLiveStreaming") == 2
    assert stream.source != first
    assert stream.source == await async_get_stream_source(hass, CAMERA)
    # nobody watches any more: no request when this URL nears its end
    for output in list(stream.outputs().values()):
        output.cleanup()
        stream._outputs.pop(output.name)
    await account.tick(VALIDITY)
    assert sim.count("QueryLiveStreaming") == 2


async def test_refused_once_then_asked_again(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """One refusal costs a second request; two are a clear error; then it recovers."""
    await setup_account(hass, lv_data)
    sim.live_refusals = 1
    assert await async_get_stream_source(hass, CAMERA)
    assert sim.count("QueryLiveStreaming") == 2
    entry = hass.config_entries.async_entries("camera_bridge")[0]
    entry.runtime_data.live.forget("garden")
    sim.live_refusals = 2
    with pytest.raises(HomeAssistantError) as err:
        await async_get_stream_source(hass, CAMERA)
    assert err.value.translation_key == "live_unavailable"
    assert err.value.translation_placeholders["name"] == "Garden"
    assert "iot.vision.LiveStreamingFailed" in str(
        err.value.translation_placeholders["error"]
    )
    assert sim.count("QueryLiveStreaming") == 4
    assert await async_get_stream_source(hass, CAMERA)
    assert sim.count("QueryLiveStreaming") == 5


async def test_refused_key_is_not_asked_again(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """A permission refusal would be refused again: one request, then the error."""
    await setup_account(hass, lv_data)
    sim.forbidden_actions.add("QueryLiveStreaming")
    with pytest.raises(HomeAssistantError) as err:
        await async_get_stream_source(hass, CAMERA)
    assert err.value.translation_key == "live_unavailable"
    assert sim.count("QueryLiveStreaming") == 1


async def test_failed_renewal_keeps_the_stream(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A renewal that is refused twice is logged (without URL); the stream stays."""
    stream = await _watched_stream(hass, account)
    first = stream.source
    sim.live_refusals = 2
    await account.tick(VALIDITY)
    assert sim.count("QueryLiveStreaming") == 3
    assert stream.source == first
    assert "the live stream was not renewed" in caplog.text
    assert first.partition("Token=")[2] not in caplog.text
    for output in list(stream.outputs().values()):
        output.cleanup()
    await stream.stop()


class _WebRtcProvider(CameraWebRTCProvider):
    """A WebRTC provider (as go2rtc) that would take any URL."""

    @property
    def domain(self) -> str:
        return "test"

    def async_is_supported(self, stream_source: str) -> bool:
        return True

    async def async_handle_async_webrtc_offer(self, *args: Any) -> None:
        raise NotImplementedError

    async def async_on_webrtc_candidate(self, *args: Any) -> None:
        raise NotImplementedError


async def test_webrtc_provider_choice_asks_for_no_url(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
) -> None:
    """Home Assistant picking a WebRTC provider costs no QueryLiveStreaming.

    Even for an offline camera, which is added all the same; live view then
    goes through the stream component (HLS).
    """
    assert await async_setup_component(hass, "camera", {})
    remove = async_register_webrtc_provider(hass, _WebRtcProvider())
    sim.cameras[GARDEN_IOT_ID].online = False
    await setup_account(hass, lv_data, [camera(), PORCH_CAMERA])
    await hass.async_block_till_done()
    assert hass.states.get(CAMERA) is not None
    assert hass.states.get("camera.porch_live") is not None
    assert sim.count("QueryLiveStreaming") == 0
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "camera/capabilities", "entity_id": CAMERA})
    answer = await client.receive_json()
    assert answer["result"]["frontend_stream_types"] == ["hls"]
    remove()  # the providers are chosen again
    await hass.async_block_till_done()
    assert sim.count("QueryLiveStreaming") == 0
    assert await async_get_stream_source(hass, "camera.porch_live")
    assert sim.count("QueryLiveStreaming") == 1


async def test_offline_camera_is_a_clear_error(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    await setup_account(hass, lv_data)
    sim.cameras[GARDEN_IOT_ID].online = False
    with pytest.raises(HomeAssistantError, match="offline"):
        await async_get_stream_source(hass, CAMERA)
    assert sim.count("QueryLiveStreaming") == 2


async def test_rtmp_option_and_instance_id(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """The scheme comes from the options; the instance id goes with the call."""
    sim.iot_instance_id = "iot-cn-sim0001"
    await setup_account(
        hass,
        lv_data | {"iot_instance_id": "iot-cn-sim0001"},
        [PORCH_CAMERA],
        options={"live_scheme": "rtmp"},
    )
    url = await async_get_stream_source(hass, "camera.porch_live")
    assert url is not None and url.startswith("rtmp://127.0.0.1:1935/live/")
    (call,) = _live_calls(sim)
    assert call["Scheme"] == "rtmp"
    assert call["IotInstanceId"] == "iot-cn-sim0001"
    assert (call["ProductKey"], call["DeviceName"]) == ("a1SimProduct", "porch")


async def test_options_flow_offers_the_schemes(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    entry = await setup_account(hass, lv_data)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    schema = result["data_schema"].schema
    defaults = {str(key): key.default() for key in schema if callable(key.default)}
    assert defaults["live_scheme"] == "hls"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval": 300,
            "pending_interval": 15,
            "ready_margin": 600,
            "live_scheme": "flv",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    url = await async_get_stream_source(hass, CAMERA)
    assert url is not None and url.endswith(".flv", 0, url.index("?"))


async def test_url_never_logged_nor_in_diagnostics(
    hass: HomeAssistant,
    hass_client: Any,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="custom_components.camera_bridge")
    entry = await setup_account(hass, lv_data)
    sim.live_refusals = 1
    url = await async_get_stream_source(hass, CAMERA)
    assert url is not None
    token = url.partition("Token=")[2]
    assert token
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert token not in repr(diag)
    assert "/live/" not in repr(diag)
    assert diag["backend"]["live_scheme"] == "hls"
    assert diag["backend"]["cameras"]["Garden"]["live_url_expires"]
    assert token not in caplog.text
    assert "LiveStreamingFailed" in caplog.text  # the refusal is logged, not the URL
    assert token not in repr(entry.runtime_data.live.current("garden"))


# -- still image ---------------------------------------------------------------


async def test_still_from_the_capture_api(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Capture, wait for the upload, download; shared by viewers for a while."""
    monkeypatch.setattr(live, "CAPTURE_POLL_INTERVAL", 0.01)
    sim.capture_delay = 0.0
    await account.setup()
    images = await asyncio.gather(*(async_get_image(hass, CAMERA) for _ in range(5)))
    assert sim.count("TriggerCapturePicture") == 1
    assert sim.count("QueryDevicePictureFile") == 1
    assert sim.media_requests["picture"] == 1
    assert images[0].content_type == "image/jpeg"
    with Image.open(io.BytesIO(images[0].content)) as picture:
        assert picture.size == (media.WIDTH, media.HEIGHT)
    # a dashboard a little later gets the same picture
    await account.tick(live.STILL_MAX_AGE.total_seconds() - 1)
    assert (await async_get_image(hass, CAMERA)).content == images[0].content
    assert sim.count("TriggerCapturePicture") == 1
    await account.tick(2)
    await async_get_image(hass, CAMERA)
    assert sim.count("TriggerCapturePicture") == 2


async def test_still_waits_for_the_upload(
    hass: HomeAssistant,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The picture URL is asked for until the camera uploaded it, then a clear error."""
    monkeypatch.setattr(live, "CAPTURE_POLL_INTERVAL", 0.05)
    sim.capture_delay = 0.12
    await setup_account(hass, lv_data)
    image = await async_get_image(hass, CAMERA)
    assert image.content.startswith(b"\xff\xd8")
    assert sim.count("QueryDevicePictureFile") >= 2
    monkeypatch.setattr(live, "CAPTURE_POLLS", 2)
    sim.capture_delay = 60
    entry = hass.config_entries.async_entries("camera_bridge")[0]
    camera_entity = hass.data["camera"].get_entity(CAMERA)
    entry.runtime_data.stills.max_age = timedelta(0)
    with pytest.raises(HomeAssistantError) as err:
        await camera_entity.async_camera_image()
    assert err.value.translation_key == "cannot_connect"


async def test_no_still_without_the_capture_api(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """A camera that cannot capture gets no still, and is asked only once."""
    sim.cameras[GARDEN_IOT_ID].can_capture = False
    await setup_account(hass, lv_data)
    for _ in range(3):
        with pytest.raises(HomeAssistantError, match="Unable to get image"):
            await async_get_image(hass, CAMERA)
    assert sim.count("TriggerCapturePicture") == 1
    # live view is not affected
    assert await async_get_stream_source(hass, CAMERA)


async def test_still_of_an_offline_camera_is_an_error(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    await setup_account(hass, lv_data)
    sim.cameras[GARDEN_IOT_ID].online = False
    camera_entity = hass.data["camera"].get_entity(CAMERA)
    with pytest.raises(HomeAssistantError) as err:
        await camera_entity.async_camera_image()
    assert err.value.translation_key == "linkvisual_error"
    sim.cameras[GARDEN_IOT_ID].online = True
    assert await camera_entity.async_camera_image()
