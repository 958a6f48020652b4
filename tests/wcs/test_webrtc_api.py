"""WCS's WebSocket signaling client against the fake server, with real WebRTC."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import pytest

from custom_components.camera_bridge.api import (
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)
from custom_components.camera_bridge.api.wcs_signaling import (
    RemoteSdp,
    SignalingMessage,
    SignalingTimeout,
    StreamRefused,
    StreamStatus,
    WcsPlayer,
    play_request,
    ws_url,
)
from simulator.common import RunningServer
from simulator.wcs import WcsSimulator

from .webrtc_peer import Viewer

pytestmark = pytest.mark.usefixtures("webrtc_loopback")


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``condition`` (state of the fake server or of a player)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - state of other parts, no event
            await asyncio.sleep(0.01)


def _player(
    session: aiohttp.ClientSession, server: RunningServer, name: str, **kwargs
) -> WcsPlayer:
    return WcsPlayer(session, f"ws://127.0.0.1:{server.port}/", name, **kwargs)


@pytest.mark.parametrize(
    ("base_url", "port", "expected"),
    [
        ("http://wcs.local:8081", None, "ws://wcs.local:8080/"),
        ("https://wcs.example.com:8444", None, "wss://wcs.example.com:8443/"),
        ("http://10.0.0.5:8081", 9080, "ws://10.0.0.5:9080/"),
        ("https://[fd00::7]:8444", None, "wss://[fd00::7]:8443/"),
    ],
)
def test_ws_url_follows_the_rest_url(
    base_url: str, port: int | None, expected: str
) -> None:
    assert ws_url(base_url, port) == expected


async def test_play_answers_and_the_viewer_decodes_video(
    session, ws_server, wcs_sim: WcsSimulator
) -> None:
    """The answer plays: the viewer decodes a frame of the generated video."""
    viewer = Viewer()
    player = _player(session, ws_server, "garden")
    try:
        offer, _ = await viewer.offer()
        answer = await player.play(offer)
        assert answer.startswith("v=0")
        assert "a=candidate:" in answer
        await viewer.accept(answer)
        frame = await viewer.first_frame()
        assert (frame.width, frame.height) == wcs_sim.signaling.frame_size
        await _until(lambda: player.status == "PLAYING")
    finally:
        await player.close()
        await viewer.close()
    # the Web SDK's order; the offer went through unchanged
    assert wcs_sim.signaling.received == ["connection", "playStream", "stopStream"]
    assert wcs_sim.signaling.offers == [offer]
    await _until(lambda: not wcs_sim.signaling.sockets)
    await _until(lambda: not wcs_sim.signaling.peers)
    assert player.closed


async def test_an_offer_without_candidates_plays(
    session, ws_server, wcs_sim: WcsSimulator
) -> None:
    """A browser's offer holds no candidate: the server learns the address
    from the browser's checks, so nothing has to follow the offer."""
    viewer = Viewer()
    player = _player(session, ws_server, "front-door")
    try:
        offer, candidates = await viewer.offer(trickle=True)
        assert candidates
        assert "a=candidate:" not in offer
        await viewer.accept(await player.play(offer))
        await viewer.first_frame()
    finally:
        await player.close()
        await viewer.close()


async def test_server_pings_are_answered(
    session, ws_server, wcs_sim: WcsSimulator
) -> None:
    wcs_sim.signaling.ping_interval = 0.02
    viewer = Viewer()
    player = _player(session, ws_server, "garden")
    try:
        await player.play((await viewer.offer())[0])
        await _until(lambda: wcs_sim.signaling.pongs >= 3)
    finally:
        await player.close()
        await viewer.close()


@pytest.mark.parametrize(
    ("refuse", "name", "message"),
    [
        ("Stream is not permitted", "garden", "Stream is not permitted"),
        (None, "nowhere", "Stream not found"),
    ],
)
async def test_refused_and_unknown_streams(
    session, ws_server, wcs_sim: WcsSimulator, refuse, name, message
) -> None:
    wcs_sim.signaling.refuse = refuse
    viewer = Viewer()
    player = _player(session, ws_server, name)
    try:
        with pytest.raises(StreamRefused) as err:
            await player.play((await viewer.offer())[0])
    finally:
        await viewer.close()
    assert err.value.code == "FAILED"
    assert err.value.message == message
    assert player.closed
    await _until(lambda: not wcs_sim.signaling.sockets)


async def test_no_answer_within_the_timeout(
    session, ws_server, wcs_sim: WcsSimulator
) -> None:
    wcs_sim.signaling.silent = True
    viewer = Viewer()
    player = _player(session, ws_server, "garden", timeout=0.3)
    try:
        with pytest.raises(SignalingTimeout, match=r"within 0\.3 s"):
            await player.play((await viewer.offer())[0])
    finally:
        await viewer.close()
    await _until(lambda: not wcs_sim.signaling.sockets)
    # the server may still start it: the player stops it
    assert wcs_sim.signaling.received == ["connection", "playStream", "stopStream"]


async def test_socket_dropped_mid_session_ends_it(
    session, ws_server, wcs_sim: WcsSimulator
) -> None:
    wcs_sim.signaling.drop_after_answer = True
    ended: list[CameraBridgeError] = []
    viewer = Viewer()
    player = _player(session, ws_server, "garden", on_end=ended.append)
    try:
        await player.play((await viewer.offer())[0])
        await _until(lambda: player.closed)
    finally:
        await player.close()
        await viewer.close()
    assert len(ended) == 1
    assert isinstance(ended[0], CannotConnect)


async def test_stream_failing_mid_session_ends_it(
    session, ws_server, wcs_sim: WcsSimulator
) -> None:
    ended: list[CameraBridgeError] = []
    viewer = Viewer()
    player = _player(session, ws_server, "garden", on_end=ended.append)
    try:
        await player.play((await viewer.offer())[0])
        (ws,) = wcs_sim.signaling.sockets
        for media_session_id in ("another viewer's", player.media_session_id):
            await ws.send_str(
                SignalingMessage(
                    "notifyStreamStatusEvent",
                    (
                        {
                            "mediaSessionId": media_session_id,
                            "status": "FAILED",
                            "info": "Publisher stopped",
                        },
                    ),
                ).encode()
            )
        await _until(lambda: player.closed)
    finally:
        await player.close()
        await viewer.close()
    assert [str(e) for e in ended] == ["FAILED: Publisher stopped"]
    # a stream the server ended is not stopped again
    assert "stopStream" not in wcs_sim.signaling.received


async def test_closed_port_cannot_connect(session, unused_tcp_port: int) -> None:
    player = WcsPlayer(session, f"ws://127.0.0.1:{unused_tcp_port}/", "garden")
    with pytest.raises(CannotConnect, match="cannot open"):
        await player.play("v=0\r\n")
    assert player.closed


async def test_close_while_waiting_for_the_answer(
    session, ws_server, wcs_sim: WcsSimulator
) -> None:
    """The viewer leaves before the answer: play() gives up, nothing is left."""
    wcs_sim.signaling.silent = True
    viewer = Viewer()
    player = _player(session, ws_server, "garden")
    try:
        play = asyncio.create_task(player.play((await viewer.offer())[0]))
        await _until(lambda: bool(wcs_sim.signaling.offers))
        await player.close()
        with pytest.raises(CannotConnect, match="closed"):
            await play
    finally:
        await viewer.close()
    await _until(lambda: not wcs_sim.signaling.sockets)


async def test_garbage_from_the_server_is_an_invalid_response(
    session, ws_server, wcs_sim: WcsSimulator
) -> None:
    wcs_sim.signaling.silent = True
    player = _player(session, ws_server, "garden")
    play = asyncio.create_task(player.play("v=0\r\n"))
    await _until(lambda: bool(wcs_sim.signaling.offers))
    (ws,) = wcs_sim.signaling.sockets
    # binary data is not for a WebRTC player: skipped
    await ws.send_bytes(b"\x00\x01")
    await ws.send_str(SignalingMessage("setRemoteSDP", ("only-an-id",)).encode())
    with pytest.raises(InvalidResponse, match="setRemoteSDP"):
        await play
    assert player.closed


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("not json", "not JSON"),
        ('["message"]', "no 'message'"),
        ('{"message": "x", "data": {"a": 1}}', "bad 'data'"),
    ],
)
def test_undecodable_messages(text: str, error: str) -> None:
    with pytest.raises(InvalidResponse, match=error):
        SignalingMessage.decode(text)


def test_message_models() -> None:
    message = SignalingMessage.decode('{"message": "ping", "data": null}')
    assert message == SignalingMessage("ping", ())
    assert message.first == {}
    request = play_request("id-1", "cam", "v=0")
    assert SignalingMessage.decode(request.encode()) == request
    assert request.first["mediaProvider"] == "WebRTC"
    assert RemoteSdp.from_message(
        SignalingMessage("setRemoteSDP", ("id-1", "v=0"))
    ) == RemoteSdp("id-1", "v=0")
    # a fail message names the session by 'id'
    assert StreamStatus.from_message(
        SignalingMessage("fail", ({"id": "id-1", "info": "no"},))
    ) == StreamStatus("id-1", "FAILED", "no")
    assert (
        StreamStatus.from_message(SignalingMessage("notifyStreamStatusEvent", (1,)))
        is None
    )
