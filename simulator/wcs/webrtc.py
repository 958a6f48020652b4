"""The fake server's WebSocket signaling: WebRTC playback with aiortc.

Speaks what Flashphoner's Web SDK speaks on WCS's port 8080: JSON messages
``{"message": NAME, "data": [...]}``. ``connection`` is answered with
``getUserData``; ``playStream`` (with the player's SDP offer) with
``setRemoteSDP`` ``[mediaSessionId, answer]`` and a
``notifyStreamStatusEvent`` PLAYING, or FAILED with an ``info``;
``stopStream`` ends the playback; the server's ``ping`` wants a ``pong``.

The media is real: an aiortc peer per played stream sends generated video
(a colour per stream name, a bar that moves), encoded by aiortc. Like WCS
it takes no ICE candidate after the offer: the player's address is learned
from its connectivity checks (peer-reflexive candidates).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import hashlib
import json
from typing import Any
import uuid

from aiohttp import WSMsgType, web
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from av import VideoFrame
import numpy as np

NOT_FOUND = "Stream not found"


class GeneratedVideo(VideoStreamTrack):
    """Frames of one colour per stream name with a bar moving across, 30 fps."""

    def __init__(self, name: str, size: tuple[int, int]) -> None:
        """Prepare the background of ``name``'s frames."""
        super().__init__()
        width, height = size
        digest = hashlib.sha256(name.encode()).digest()
        self._background = np.empty((height, width, 3), np.uint8)
        self._background[:] = tuple(digest[:3])
        self._bar = tuple(255 - b for b in digest[:3])
        self._count = 0

    async def recv(self) -> VideoFrame:
        """The next frame, paced at 30 frames per second."""
        pts, time_base = await self.next_timestamp()
        pixels = self._background.copy()
        width = pixels.shape[1]
        x = (self._count * 4) % max(width - 8, 1)
        pixels[:, x : x + 8] = self._bar
        self._count += 1
        frame = VideoFrame.from_ndarray(pixels, format="rgb24")
        frame.pts = pts
        frame.time_base = time_base
        return frame


def _message(name: str, *data: Any) -> str:
    return json.dumps({"message": name, "data": list(data)})


@dataclass
class Signaling:
    """The signaling server, its knobs and what it saw."""

    has_video: Callable[[str], bool]
    # knobs
    answer_delay: float = 0.0
    # FAILED with this info for every playStream
    refuse: str | None = None
    # never answer playStream
    silent: bool = False
    # close the socket right after PLAYING
    drop_after_answer: bool = False
    # send a ping this often (0: never)
    ping_interval: float = 0.0
    frame_size: tuple[int, int] = (320, 180)
    # what it saw
    received: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)
    pongs: int = 0
    sockets: set[web.WebSocketResponse] = field(default_factory=set)
    peers: dict[str, RTCPeerConnection] = field(default_factory=dict)
    _stopping: set[asyncio.Task[None]] = field(default_factory=set)

    def make_app(self) -> web.Application:
        """The WebSocket port: signaling at ``/``."""
        app = web.Application()
        app.router.add_get("/", self._socket)
        app.on_shutdown.append(self._close_all)
        return app

    async def _close_all(self, app: web.Application) -> None:
        """Shutting down: close every socket and peer.

        Before handlers are cancelled, so that no peer is left half-closed.
        """
        for ws in list(self.sockets):
            await ws.close(code=1001)
        await asyncio.gather(*self._stopping, return_exceptions=True)
        for media_session_id in list(self.peers):
            await self._stop(media_session_id)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.add(ws)
        mine: set[str] = set()
        pinger = asyncio.create_task(self._ping(ws)) if self.ping_interval > 0 else None
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                try:
                    raw = json.loads(msg.data)
                    name = raw["message"]
                    body = (raw.get("data") or [None])[0]
                except ValueError, KeyError, TypeError, AttributeError:
                    continue
                self.received.append(name)
                await self._handle(ws, name, body, mine)
        finally:
            if pinger is not None:
                pinger.cancel()
            self.sockets.discard(ws)
            for media_session_id in mine:
                await self._stop(media_session_id)
        return ws

    async def _handle(
        self, ws: web.WebSocketResponse, name: str, body: Any, mine: set[str]
    ) -> None:
        if name == "connection":
            await ws.send_str(
                _message(
                    "getUserData",
                    {
                        **(body if isinstance(body, dict) else {}),
                        "authToken": str(uuid.uuid4()),
                        "sessionId": f"/127.0.0.1:{id(ws) % 65536}/sim",
                    },
                )
            )
        elif name == "pong":
            self.pongs += 1
        elif name == "playStream" and isinstance(body, dict):
            await self._play(ws, body, mine)
        elif name == "stopStream" and isinstance(body, dict):
            await self._stop(str(body.get("mediaSessionId")))

    async def _ping(self, ws: web.WebSocketResponse) -> None:
        while not ws.closed:
            await asyncio.sleep(self.ping_interval)
            await ws.send_str(_message("ping", None))

    async def _status(
        self, ws: web.WebSocketResponse, body: dict[str, Any], status: str, info: str
    ) -> None:
        await ws.send_str(
            _message(
                "notifyStreamStatusEvent",
                {
                    "mediaSessionId": body.get("mediaSessionId"),
                    "name": body.get("name"),
                    "published": False,
                    "status": status,
                    "info": info,
                    "mediaProvider": "WebRTC",
                },
            )
        )

    async def _play(
        self, ws: web.WebSocketResponse, body: dict[str, Any], mine: set[str]
    ) -> None:
        media_session_id = str(body.get("mediaSessionId"))
        name = str(body.get("name"))
        offer = body.get("sdp")
        self.offers.append(offer if isinstance(offer, str) else "")
        if self.silent:
            return
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        if self.refuse is not None or not self.has_video(name):
            await self._status(ws, body, "FAILED", self.refuse or NOT_FOUND)
            return
        if not isinstance(offer, str) or not offer:
            await self._status(ws, body, "FAILED", "No SDP")
            return
        peer = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.peers[media_session_id] = peer
        mine.add(media_session_id)
        try:
            await peer.setRemoteDescription(RTCSessionDescription(offer, "offer"))
            peer.addTrack(GeneratedVideo(name, self.frame_size))
            await peer.setLocalDescription(await peer.createAnswer())
        except ValueError as err:
            await self._stop(media_session_id)
            await self._status(ws, body, "FAILED", f"Bad SDP: {err}")
            return
        await ws.send_str(
            _message("setRemoteSDP", media_session_id, peer.localDescription.sdp)
        )
        await self._status(ws, body, "PLAYING", "")
        if self.drop_after_answer:
            await ws.close()

    async def _stop(self, media_session_id: str) -> None:
        """Close a peer.

        The handler is cancelled when the player hangs up: the closing runs
        in a task of its own, awaited at shutdown.
        """
        if (peer := self.peers.pop(media_session_id, None)) is None:
            return
        stopping = asyncio.create_task(close_peer(peer))
        self._stopping.add(stopping)
        stopping.add_done_callback(self._stopping.discard)
        await asyncio.shield(stopping)


async def close_peer(peer: RTCPeerConnection) -> None:
    """Close a peer and wait for the tasks it leaves running.

    Its connecting task may still be pacing ICE checks (every 20 ms) when
    the other side never took the answer; it ends shortly after the close.
    aiortc offers no handle on it: it is found among the running tasks by
    the peer it belongs to.
    """
    tasks = [
        task
        for task in asyncio.all_tasks()
        if (frame := getattr(task.get_coro(), "cr_frame", None)) is not None
        and frame.f_locals.get("self") is peer
    ]
    await peer.close()
    if tasks:
        await asyncio.wait(tasks, timeout=2)
