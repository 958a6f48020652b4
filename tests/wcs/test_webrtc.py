"""WCS streams played over WebRTC through Home Assistant's camera websocket API.

The frontend's part is played by the test: it sends ``camera/webrtc/offer``
with an aiortc peer's offer, reads the session, answer and error events, and
hands the answer to its peer, which decodes the simulator's video.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.components.camera import async_get_stream_source
from homeassistant.components.camera.const import DATA_COMPONENT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.camera_bridge.backends.wcs.webrtc import (
    ANSWER_TIMEOUT,
    WcsWebRtc,
)
from simulator.common import RunningServer
from simulator.wcs import WcsSimulator
from tests.conftest import setup_entry

from .webrtc_peer import Viewer

pytestmark = pytest.mark.usefixtures("webrtc_loopback")

CAMERA = "camera.garden"


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``condition`` (state of the fake server or of a session)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - state of other parts, no event
            await asyncio.sleep(0.01)


def _sessions(hass: HomeAssistant, entity_id: str = CAMERA) -> WcsWebRtc:
    camera = hass.data[DATA_COMPONENT].get_entity(entity_id)
    assert camera is not None
    return camera._webrtc  # type: ignore[attr-defined,no-any-return]


class Frontend:
    """The frontend's side of the camera websocket commands."""

    def __init__(self, ws: Any) -> None:
        """Talk over one websocket connection to Home Assistant."""
        self.ws = ws

    async def offer(self, offer: str, entity_id: str = CAMERA) -> tuple[int, str]:
        """Send an offer; the subscription id and the session id."""
        await self.ws.send_json_auto_id(
            {"type": "camera/webrtc/offer", "entity_id": entity_id, "offer": offer}
        )
        result = await self.ws.receive_json()
        assert result["success"], result
        session = await self.event()
        assert session["type"] == "session"
        return result["id"], session["session_id"]

    async def event(self) -> dict[str, Any]:
        """The next event of the offer's subscription."""
        async with asyncio.timeout(10):
            msg = await self.ws.receive_json()
        assert msg["type"] == "event", msg
        return msg["event"]  # type: ignore[no-any-return]

    async def call(self, **command: Any) -> dict[str, Any]:
        """A command and its result."""
        await self.ws.send_json_auto_id(command)
        return await self.ws.receive_json()  # type: ignore[no-any-return]


@pytest.fixture
async def frontend(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    wcs_data: dict[str, Any],
    ws_server: RunningServer,
) -> Frontend:
    """A loaded entry playing WebRTC from the fake server, and a frontend."""
    await setup_entry(hass, wcs_data, options={"ws_port": ws_server.port})
    return Frontend(await hass_ws_client(hass))


@pytest.fixture
async def viewer() -> Any:
    """The browser's peer, closed at teardown."""
    peer = Viewer()
    yield peer
    await peer.close()


async def _answered(frontend: Frontend, viewer: Viewer) -> tuple[int, str]:
    """An offer answered and accepted; the subscription and session ids."""
    subscription, session_id = await frontend.offer((await viewer.offer())[0])
    answer = await frontend.event()
    assert answer["type"] == "answer", answer
    await viewer.accept(answer["answer"])
    return subscription, session_id


async def test_capabilities_list_web_rtc(
    hass: HomeAssistant, frontend: Frontend, wcs_sim: WcsSimulator
) -> None:
    result = await frontend.call(type="camera/capabilities", entity_id=CAMERA)
    assert result["result"] == {"frontend_stream_types": ["web_rtc"]}


@pytest.mark.parametrize(("protocol", "types"), [("rtsp", ["hls"]), ("hls", ["hls"])])
async def test_without_webrtc_the_frontend_plays_hls(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    wcs_data: dict[str, Any],
    protocol: str,
    types: list[str],
) -> None:
    await setup_entry(hass, wcs_data, options={"live_protocol": protocol})
    frontend = Frontend(await hass_ws_client(hass))
    result = await frontend.call(type="camera/capabilities", entity_id=CAMERA)
    assert result["result"] == {"frontend_stream_types": types}


async def test_offer_answer_and_a_decoded_frame(
    hass: HomeAssistant, frontend: Frontend, viewer: Viewer, wcs_sim: WcsSimulator
) -> None:
    """The answer plays; leaving stops the stream and closes the socket."""
    subscription, session_id = await _answered(frontend, viewer)
    frame = await viewer.first_frame()
    assert (frame.width, frame.height) == wcs_sim.signaling.frame_size
    assert _sessions(hass).sessions == 1
    # a late candidate of a playing session is accepted (and not passed on)
    result = await frontend.call(
        type="camera/webrtc/candidate",
        entity_id=CAMERA,
        session_id=session_id,
        candidate={"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"},
    )
    assert result["success"]
    # the offer reached WCS as the browser wrote it
    assert wcs_sim.signaling.offers == [viewer.pc.localDescription.sdp]
    result = await frontend.call(type="unsubscribe_events", subscription=subscription)
    assert result["success"]
    await _until(lambda: not wcs_sim.signaling.sockets)
    assert wcs_sim.signaling.received[-1] == "stopStream"
    assert _sessions(hass).sessions == 0
    await hass.async_block_till_done()


async def test_trickled_candidates_are_accepted(
    hass: HomeAssistant, frontend: Frontend, viewer: Viewer, wcs_sim: WcsSimulator
) -> None:
    """A browser's offer without candidates plays.

    Its trickled candidates are accepted; WCS learns the browser's address
    from its checks.
    """
    offer, candidates = await viewer.offer(trickle=True)
    _, session_id = await frontend.offer(offer)
    for candidate in candidates:
        result = await frontend.call(
            type="camera/webrtc/candidate",
            entity_id=CAMERA,
            session_id=session_id,
            candidate={"candidate": candidate, "sdpMLineIndex": 0},
        )
        assert result["success"], result
    answer = await frontend.event()
    await viewer.accept(answer["answer"])
    await viewer.first_frame()
    assert "a=candidate" not in wcs_sim.signaling.offers[0]


async def test_candidate_of_an_unknown_session(
    hass: HomeAssistant, frontend: Frontend
) -> None:
    result = await frontend.call(
        type="camera/webrtc/candidate",
        entity_id=CAMERA,
        session_id="gone",
        candidate={"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"},
    )
    assert not result["success"]
    assert "not playing" in result["error"]["message"]


async def _refuse(sim: WcsSimulator) -> None:
    sim.signaling.refuse = "Stream is not permitted"


async def _unpublish(sim: WcsSimulator) -> None:
    # gone from the server, not yet from Home Assistant's last poll
    sim.unpublish("garden")


async def _silence(sim: WcsSimulator) -> None:
    sim.signaling.silent = True


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (_refuse, "The server would not play this stream: Stream is not permitted"),
        (_unpublish, "The server would not play this stream: Stream not found"),
        (_silence, "The server did not answer the WebRTC offer in time"),
    ],
)
async def test_failed_offers_give_the_frontend_an_error(
    hass: HomeAssistant,
    frontend: Frontend,
    viewer: Viewer,
    wcs_sim: WcsSimulator,
    break_it: Callable[[WcsSimulator], Awaitable[None]],
    message: str,
) -> None:
    await break_it(wcs_sim)
    # 10 s in use (ANSWER_TIMEOUT); the silent server needs no longer wait
    _sessions(hass).timeout = 0.3
    await frontend.offer((await viewer.offer())[0])
    error = await frontend.event()
    assert error["type"] == "error"
    assert error["code"] == "wcs_webrtc_failed"
    assert error["message"].startswith(message)
    await _until(lambda: not wcs_sim.signaling.sockets)
    assert _sessions(hass).sessions == 0
    await hass.async_block_till_done()


async def test_socket_dropped_mid_session(
    hass: HomeAssistant, frontend: Frontend, viewer: Viewer, wcs_sim: WcsSimulator
) -> None:
    """WCS hangs up after the answer: the frontend is told, nothing is left."""
    wcs_sim.signaling.drop_after_answer = True
    await _answered(frontend, viewer)
    error = await frontend.event()
    assert error["type"] == "error"
    assert error["message"].startswith("Could not reach the backend")
    await _until(lambda: _sessions(hass).sessions == 0)
    await hass.async_block_till_done()
    assert not wcs_sim.signaling.sockets


async def test_viewer_leaving_before_the_answer(
    hass: HomeAssistant, frontend: Frontend, viewer: Viewer, wcs_sim: WcsSimulator
) -> None:
    """The subscription ends while WCS has not answered: no answer, no error."""
    wcs_sim.signaling.answer_delay = 0.5
    subscription, _ = await frontend.offer((await viewer.offer())[0])
    await _until(lambda: bool(wcs_sim.signaling.offers))
    result = await frontend.call(type="unsubscribe_events", subscription=subscription)
    assert result["success"]
    await _until(lambda: _sessions(hass).sessions == 0)
    await _until(lambda: not wcs_sim.signaling.sockets)
    await hass.async_block_till_done()
    # nothing more came for the subscription
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.7):
            await frontend.ws.receive_json()


async def test_unloading_the_entry_ends_every_session(
    hass: HomeAssistant, frontend: Frontend, viewer: Viewer, wcs_sim: WcsSimulator
) -> None:
    await _answered(frontend, viewer)
    await viewer.first_frame()
    sessions = _sessions(hass)
    (entry,) = hass.config_entries.async_entries("camera_bridge")
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert sessions.sessions == 0
    await _until(lambda: not wcs_sim.signaling.sockets)
    # an offer that reaches the sessions after the unload starts nothing
    with pytest.raises(HomeAssistantError, match="unloading"):
        await sessions.async_offer("garden", "v=0\r\n", "late", lambda msg: None)
    assert sessions.sessions == 0


async def test_stream_source_stays_rtsp_or_hls(
    hass: HomeAssistant, wcs_data: dict[str, Any], ws_server: RunningServer
) -> None:
    """Behind WebRTC, Home Assistant's stream component gets RTSP or HLS."""
    await setup_entry(
        hass,
        wcs_data,
        options={"ws_port": ws_server.port, "stream_protocol": "hls"},
    )
    source = await async_get_stream_source(hass, CAMERA)
    assert source == "http://127.0.0.1:8082/garden/garden.m3u8"
    sessions = _sessions(hass)
    assert sessions.url == f"ws://127.0.0.1:{ws_server.port}/"
    assert sessions.timeout == ANSWER_TIMEOUT == 10
