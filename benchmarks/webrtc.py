"""First picture of a WCS stream: over WebRTC against through HLS.

Run: ``scripts/bench webrtc`` or ``python -m benchmarks.webrtc [--rounds 5]``.

One simulated Web Call Server (REST API, HLS server and WebSocket signaling,
served by a child process) publishes the stream ``garden``; a real Home
Assistant core (``_hass.running_hass``) runs Camera Bridge against it, with
live view WebRTC and HLS behind it (``stream_protocol: hls``), so both paths
play the same stream of the same camera entity:

* WebRTC: from the moment the viewer (an aiortc peer in this process, the
  browser's part) starts its offer to the first decoded video frame. The
  offer goes through the camera's ``async_handle_async_webrtc_offer``, the
  hook the ``camera/webrtc/offer`` websocket command calls; Camera Bridge
  plays the stream from WCS over its own signaling WebSocket.
* HLS: from ``camera.async_request_stream(..., "hls")`` (what the frontend's
  ``camera/stream`` command does) to the first complete HLS segment Home
  Assistant's stream component has made of the source: the moment its
  master playlist view answers, a player's first request (it waits for two
  segments, the last one not yet complete). The source is joined at its
  live edge, as a live source is (RTSP, the default behind WebRTC, plays
  from now on): the simulator's HLS served with its newest segment only.
  Served with its whole window of ready-made segments instead, the stream
  component has its first segment within milliseconds (the worker reads
  seconds of video at once); a browser still fetches playlists and buffers
  then, which this benchmark does not count.

Rounds alternate; each one starts from nothing (a new viewer, a new stream).
Target: WebRTC <= 1.0 s and at least 3x faster than HLS (medians).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import sys
import time
from typing import Any

from aiohttp import web
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from homeassistant.components.camera import async_request_stream
from homeassistant.components.camera.const import DATA_COMPONENT
from homeassistant.components.camera.webrtc import (
    WebRTCAnswer,
    WebRTCError,
    WebRTCMessage,
)
from homeassistant.setup import async_setup_component

from custom_components.camera_bridge.const import CONF_KIND, KIND_WCS
from simulator import media
from simulator.common import serve
from simulator.wcs import WcsSimulator
from simulator.wcs.webrtc import close_peer

from ._blocking import FakesProcess
from ._hass import add_entry, running_hass

CAMERA = "camera.garden"
TARGET_SECONDS = 1.0
TARGET_RATIO = 3.0


async def _serve() -> None:
    """Child side: the simulated server's three ports; stop when stdin closes."""
    sim = WcsSimulator()
    sim.publish("garden")
    media.hls_segments()  # made now, not during the first request
    servers = {
        "rest": await serve(sim),
        "hls": await serve(sim, app=_live_edge_hls(sim)),
        "ws": await serve(sim, app=sim.make_ws_app()),
    }
    print(json.dumps({name: s.port for name, s in servers.items()}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for server in servers.values():
        await server.stop()


def _live_edge_hls(sim: WcsSimulator) -> web.Application:
    """The simulator's HLS whose playlists list the newest segment only."""

    async def handle(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if request.match_info["file"] == f"{name}.m3u8" and sim.has_live_video(name):
            newest = sim.hls.first_sequence() + media.WINDOW - 1
            return web.Response(
                text=media.playlist(newest, 1), content_type=media.PLAYLIST_TYPE
            )
        return await sim.hls.handle(request)

    app = web.Application()
    app.router.add_get("/{name}/{file}", handle)
    return app


async def _webrtc_round(camera: Any, index: int) -> tuple[float, float]:
    """Seconds to the answer and to the first decoded frame."""
    started = time.perf_counter()
    peer = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    loop = asyncio.get_running_loop()
    frame: asyncio.Future[float] = loop.create_future()
    answered: asyncio.Future[str] = loop.create_future()
    readers: list[asyncio.Task[None]] = []

    async def read(track: MediaStreamTrack) -> None:
        await track.recv()
        if not frame.done():
            frame.set_result(time.perf_counter())

    peer.on("track", lambda track: readers.append(asyncio.create_task(read(track))))

    def send_message(message: WebRTCMessage) -> None:
        if isinstance(message, WebRTCAnswer):
            answered.set_result(message.answer)
        elif isinstance(message, WebRTCError) and not answered.done():
            answered.set_exception(RuntimeError(message.message))

    session_id = f"bench-{index}"
    try:
        peer.addTransceiver("video", direction="recvonly")
        await peer.setLocalDescription(await peer.createOffer())
        await camera.async_handle_async_webrtc_offer(
            peer.localDescription.sdp, session_id, send_message
        )
        answer = await asyncio.wait_for(answered, 10)
        answer_at = time.perf_counter()
        await peer.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        first = await asyncio.wait_for(frame, 10)
        return answer_at - started, first - started
    finally:
        camera.close_webrtc_session(session_id)
        for reader in readers:
            reader.cancel()
        await close_peer(peer)


async def _hls_round(hass: Any, camera: Any) -> float:
    """Seconds from the stream request to its first HLS segment."""
    started = time.perf_counter()
    await async_request_stream(hass, CAMERA, "hls")
    output = camera.stream.outputs()["hls"]
    async with asyncio.timeout(30):
        # the first segment is complete when the second starts: the moment
        # the master playlist view answers, a player's first request
        while len(output.sequences) < 2:
            await output.recv()
    elapsed = time.perf_counter() - started
    await camera.stream.stop()
    camera.stream = None
    return elapsed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def measure(ports: dict[str, int], rounds: int) -> bool:
    """Print the table; whether the target is met."""
    async with running_hass() as hass:
        assert await async_setup_component(
            hass,
            "http",
            {"http": {"server_host": "127.0.0.1", "server_port": _free_port()}},
        )
        assert await async_setup_component(hass, "stream", {"stream": {}})
        await add_entry(
            hass,
            {CONF_KIND: KIND_WCS, "url": f"http://127.0.0.1:{ports['rest']}"},
            {
                "live_protocol": "webrtc",
                "stream_protocol": "hls",
                "hls_port": ports["hls"],
                "ws_port": ports["ws"],
            },
        )
        camera = hass.data[DATA_COMPONENT].get_entity(CAMERA)
        assert camera is not None
        answers: list[float] = []
        frames: list[float] = []
        segments: list[float] = []
        for index in range(rounds):
            answer, frame = await _webrtc_round(camera, index)
            answers.append(answer)
            frames.append(frame)
            segments.append(await _hls_round(hass, camera))
            await hass.async_block_till_done()
    webrtc = statistics.median(frames)
    hls = statistics.median(segments)
    print(f"{rounds} rounds each, alternating; seconds (median, min-max)")
    print(f"{'path':<44} {'median':>7} {'range':>13}")
    for label, values in (
        ("WebRTC: offer -> SDP answer", answers),
        ("WebRTC: offer -> first decoded frame", frames),
        ("HLS: stream request -> first segment", segments),
    ):
        span = f"{min(values):.3f}-{max(values):.3f}"
        print(f"{label:<44} {statistics.median(values):7.3f} {span:>13}")
    ratio = hls / webrtc
    met = webrtc <= TARGET_SECONDS and ratio >= TARGET_RATIO
    print(
        f"WebRTC {webrtc:.3f} s (target <= {TARGET_SECONDS} s), "
        f"{ratio:.1f}x faster than HLS (target >= {TARGET_RATIO:g}x): "
        f"{'met' if met else 'NOT met'}"
    )
    return met


def main() -> None:
    """Start the simulated server, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve())
        return
    with FakesProcess(__spec__.name if __spec__ else "benchmarks.webrtc") as fakes:
        met = asyncio.run(measure(fakes.ports, args.rounds))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
