"""Live view of WCS streams: stream features, RTSP/HLS sources, PyAV, HA's stream."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

import av
from homeassistant.components.camera import (
    async_get_stream_source,
    async_request_stream,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.backends.wcs.live import (
    LiveProtocol,
    LiveView,
    default_hls_port,
)
from simulator import media
from simulator.common import RunningServer
from simulator.wcs import WcsSimulator
from tests.conftest import StartServer, setup_entry

STREAM = 2  # CameraEntityFeature.STREAM


@pytest.fixture
async def hls_server(start_server: StartServer, wcs_sim: WcsSimulator) -> RunningServer:
    """The fake server's HLS port (WCS serves HLS apart from its REST API)."""
    return await start_server(wcs_sim, wcs_sim.make_hls_app())


def _first_frame(url: str) -> av.VideoFrame:
    """Open ``url`` with PyAV, as Home Assistant's stream worker does."""
    with av.open(url, timeout=5) as container:
        return next(container.decode(video=0))


def _features(hass: HomeAssistant, entity_id: str) -> int:
    state = hass.states.get(entity_id)
    assert state is not None
    return int(state.attributes["supported_features"])


@pytest.mark.parametrize(
    ("base_url", "options", "name", "expected"),
    [
        ("http://wcs.local:8081", {}, "cam1", "rtsp://wcs.local:554/cam1"),
        (
            "https://wcs.local:8444",
            {"rtsp_port": 5554.0},
            "lobby cam #1/ä?",
            "rtsp://wcs.local:5554/lobby%20cam%20%231%2F%C3%A4%3F",
        ),
        ("http://[fd00::7]:8081", {}, "a b", "rtsp://[fd00::7]:554/a%20b"),
        (
            "http://10.0.0.5:8081",
            {"live_protocol": "hls"},
            "cam 1",
            "http://10.0.0.5:8082/cam%201/cam%201.m3u8",
        ),
        (
            "https://wcs.example.com:8444",
            {"live_protocol": "hls"},
            "cam1",
            "https://wcs.example.com:8445/cam1/cam1.m3u8",
        ),
        (
            "https://[::1]:8444",
            {"live_protocol": "hls", "hls_port": 9000.0, "rtsp_port": 5554},
            "x",
            "https://[::1]:9000/x/x.m3u8",
        ),
        ("http://wcs.local:8081", {"live_protocol": "off"}, "cam1", None),
        # WebRTC in the browser: RTSP (by default) or HLS behind it
        (
            "http://wcs.local:8081",
            {"live_protocol": "webrtc"},
            "c",
            "rtsp://wcs.local:554/c",
        ),
        (
            "https://wcs.local:8444",
            {"live_protocol": "webrtc", "stream_protocol": "hls"},
            "c",
            "https://wcs.local:8445/c/c.m3u8",
        ),
        # option values from a future version: the defaults
        (
            "http://wcs.local:8081",
            {"live_protocol": "whep", "stream_protocol": "srt"},
            "c",
            "rtsp://wcs.local:554/c",
        ),
        (
            "http://wcs.local:8081",
            {"live_protocol": "webrtc", "stream_protocol": "off"},
            "c",
            "rtsp://wcs.local:554/c",
        ),
    ],
)
def test_source_urls(
    base_url: str, options: dict[str, Any], name: str, expected: str | None
) -> None:
    assert LiveView.from_options(base_url, options).source(name) == expected


def test_hls_port_follows_the_scheme() -> None:
    assert default_hls_port("http://wcs:8081") == 8082
    assert default_hls_port("https://wcs:8444") == 8445
    view = LiveView.from_options("https://wcs:8444", {"live_protocol": "off"})
    assert view.protocol is LiveProtocol.OFF
    assert not view.enabled
    assert view.signaling_url is None
    # WebRTC by default; its WebSocket follows the scheme too
    view = LiveView.from_options("https://wcs:8444", {})
    assert view.webrtc
    assert view.signaling_url == "wss://wcs:8443/"
    view = LiveView.from_options("http://wcs:8081", {"ws_port": 9080.0})
    assert view.signaling_url == "ws://wcs:9080/"
    assert not LiveView.from_options("http://wcs:8081", {"live_protocol": "hls"}).webrtc


async def test_streams_with_video_offer_rtsp(
    hass: HomeAssistant, wcs_data: dict[str, Any], wcs_sim: WcsSimulator
) -> None:
    """RTSP by default, on the server's host; audio-only streams get no live view."""
    wcs_sim.publish("radio", has_video=False)
    wcs_sim.publish("lobby cam #1")
    await setup_entry(hass, wcs_data, options={"rtsp_port": 5554.0})
    assert _features(hass, "camera.garden") == STREAM
    assert _features(hass, "camera.radio") == 0
    assert (
        await async_get_stream_source(hass, "camera.lobby_cam_1")
        == "rtsp://127.0.0.1:5554/lobby%20cam%20%231"
    )
    assert await async_get_stream_source(hass, "camera.radio") is None
    with pytest.raises(HomeAssistantError, match="does not support play stream"):
        await async_request_stream(hass, "camera.radio", "hls")


async def test_live_view_off(hass: HomeAssistant, wcs_data: dict[str, Any]) -> None:
    """Off: snapshots only; back on after a reload with the default options."""
    entry = await setup_entry(hass, wcs_data, options={"live_protocol": "off"})
    assert _features(hass, "camera.garden") == 0
    assert await async_get_stream_source(hass, "camera.garden") is None
    hass.config_entries.async_update_entry(entry, options={})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _features(hass, "camera.garden") == STREAM
    assert await async_get_stream_source(hass, "camera.garden") == (
        "rtsp://127.0.0.1:554/garden"
    )


async def test_stream_gaining_and_losing_video(
    hass: HomeAssistant, wcs_data: dict[str, Any], wcs_sim: WcsSimulator
) -> None:
    entry = await setup_entry(hass, wcs_data)
    wcs_sim.streams["garden"].has_video = False
    await entry.runtime_data.async_refresh()
    assert _features(hass, "camera.garden") == 0
    wcs_sim.streams["garden"].has_video = True
    await entry.runtime_data.async_refresh()
    assert _features(hass, "camera.garden") == STREAM
    # a stream that left keeps its last features while its camera is unavailable
    wcs_sim.unpublish("garden")
    await entry.runtime_data.async_refresh()
    state = hass.states.get("camera.garden")
    assert state is not None and state.state == "unavailable"
    assert await async_get_stream_source(hass, "camera.garden") is None


async def test_hls_source_plays_with_pyav(
    hass: HomeAssistant,
    wcs_data: dict[str, Any],
    wcs_sim: WcsSimulator,
    hls_server: RunningServer,
) -> None:
    """stream_source() opens with PyAV and gives H.264 frames; gone: 404."""
    wcs_sim.publish("lobby cam #1")
    entry = await setup_entry(
        hass,
        wcs_data,
        options={"live_protocol": "hls", "hls_port": float(hls_server.port)},
    )
    url = await async_get_stream_source(hass, "camera.lobby_cam_1")
    assert url == (
        f"http://127.0.0.1:{hls_server.port}/lobby%20cam%20%231/lobby%20cam%20%231.m3u8"
    )
    frame = await hass.async_add_executor_job(_first_frame, url)
    assert (frame.width, frame.height) == (media.WIDTH, media.HEIGHT)
    assert wcs_sim.hls.requests["lobby cam #1"] >= 2  # playlist, segments

    wcs_sim.unpublish("lobby cam #1")
    await entry.runtime_data.async_refresh()
    assert await async_get_stream_source(hass, "camera.lobby_cam_1") is None
    with pytest.raises(av.HTTPNotFoundError):
        await hass.async_add_executor_job(_first_frame, url)


async def test_home_assistant_stream_component_plays_the_source(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    wcs_data: dict[str, Any],
    hls_server: RunningServer,
) -> None:
    """HA's stream worker pulls the HLS source and serves it again to browsers."""
    # 2 s segments (not low-latency HLS): the first ones come from the
    # simulator's playlist at once, whose segments are 2 s long
    assert await async_setup_component(hass, "stream", {"stream": {"ll_hls": False}})
    await setup_entry(
        hass,
        wcs_data,
        options={"live_protocol": "hls", "hls_port": float(hls_server.port)},
    )
    url = await async_request_stream(hass, "camera.garden", "hls")
    assert url.startswith("/api/hls/")
    assert url.endswith("/master_playlist.m3u8")
    client = await hass_client()
    async with asyncio.timeout(30):
        # answered once the worker has made two segments of the source
        resp = await client.get(url)
        assert resp.status == HTTPStatus.OK
        master = await resp.text()
        assert 'CODECS="avc1.' in master
        resp = await client.get(url.replace("master_playlist", "playlist"))
        assert resp.status == HTTPStatus.OK
        assert "#EXTINF:" in await resp.text()
        resp = await client.get(url.replace("master_playlist.m3u8", "init.mp4"))
        assert resp.status == HTTPStatus.OK
        assert (await resp.read())[4:8] == b"ftyp"
    # stop it as when the last viewer leaves (no idle timer left behind)
    for stream in hass.data["stream"]["streams"]:
        for output in stream.outputs().values():
            output.cleanup()
        await stream.stop()


async def test_options_flow_live_view(
    hass: HomeAssistant, wcs_data: dict[str, Any]
) -> None:
    """Ports are whole numbers in range; the cameras follow the new options."""
    entry = await setup_entry(hass, wcs_data)
    base = {"scan_interval": 30, "snapshot_cache": 5, "snapshot_timeout": 4}
    result = await hass.config_entries.options.async_init(entry.entry_id)
    schema = result["data_schema"].schema
    defaults = {str(key): key.default() for key in schema if callable(key.default)}
    assert defaults["live_protocol"] == "webrtc"
    assert defaults["stream_protocol"] == "rtsp"
    assert defaults["rtsp_port"] == 554
    # empty: follows the server URL's scheme
    assert "hls_port" not in defaults
    assert "ws_port" not in defaults
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**base, "live_protocol": "hls", "hls_port": 70000}
        )
    for field in ("rtsp_port", "hls_port", "ws_port"):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**base, "live_protocol": "hls", field: 8082.5}
        )
        assert result["errors"] == {field: "invalid_port"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**base, "live_protocol": "hls", "rtsp_port": 554, "hls_port": 9082},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert (
        await async_get_stream_source(hass, "camera.garden")
        == "http://127.0.0.1:9082/garden/garden.m3u8"
    )
