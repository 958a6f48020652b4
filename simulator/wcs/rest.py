"""Fake Flashphoner Web Call Server: REST streams, base64 PNG snapshots, HLS.

The REST API, the HLS server and the WebSocket signaling listen on three
ports, as on a real server (8081, 8082 and 8080 by default there):
``make_app``, ``make_hls_app`` and ``make_ws_app`` (see ``webrtc.py``).
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
import hashlib
import random
import struct
import time
from typing import Any
import zlib

from aiohttp import web

from .. import media
from ..common import SimulatorBase, json_error
from .webrtc import Signaling

DEFAULT_STREAMS = ("front-door", "garden", "garage")


def _png(width: int, height: int, rows: bytes, level: int = -1) -> bytes:
    """An 8-bit RGB PNG of ``rows`` (each starting with its filter byte)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, level))
        + chunk(b"IEND", b"")
    )


def make_png(seed: str, width: int = 320, height: int = 180) -> bytes:
    """A real RGB PNG whose colours depend on ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    r, g, b = digest[0], digest[1], digest[2]
    stripe = digest[3] % width
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            if abs(x - stripe) < 4:
                rows += bytes((255 - r, 255 - g, 255 - b))
            else:
                rows += bytes(((r + y) & 0xFF, (g + x) & 0xFF, b))
    return _png(width, height, bytes(rows))


def make_detailed_png(width: int, height: int, seed: int = 0) -> bytes:
    """A real RGB PNG of random pixels: detail that PNG cannot compress.

    A 1920x1080 frame comes out at ~6.2 MB, as big as a snapshot of a busy
    full-HD scene gets.
    """
    pixels = random.Random(seed).randbytes(width * height * 3)
    stride = width * 3
    # each row starts with its filter byte: 0, none
    rows = b"".join(
        b"\0" + pixels[start : start + stride]
        for start in range(0, len(pixels), stride)
    )
    return _png(width, height, rows, level=1)


@dataclass
class WcsStream:
    """A stream as the fake server keeps it."""

    name: str
    status: str = "PUBLISHING"
    width: int = 1280
    height: int = 720
    has_video: bool = True
    created: int = field(default_factory=lambda: int(time.time() * 1000))

    def as_json(self, index: int) -> dict[str, Any]:
        """The stream object as the REST API shows it."""
        return {
            "name": self.name,
            "mediaSessionId": f"{index:08x}-sim",
            "status": self.status,
            "published": self.status == "PUBLISHING",
            "hasVideo": self.has_video,
            "hasAudio": index % 2 == 0,
            "width": self.width,
            "height": self.height,
            "bitrate": 1500 + index,
            "fps": 30,
            "videoCodec": "H264",
            "audioCodec": "opus",
            "mediaProvider": "WebRTC",
            "createDate": self.created,
            "record": False,
        }


@dataclass
class WcsSimulator(SimulatorBase):
    """State of the fake server."""

    streams: dict[str, WcsStream] = field(default_factory=dict)
    snapshot_delay: float = 0.0
    snapshot_error: str | None = None
    snapshot_garbage: bytes | None = None
    # (width, height): snapshots are random-pixel PNGs of this size, made once
    detailed_snapshot: tuple[int, int] | None = None
    churn_seconds: float = 0.0

    def __post_init__(self) -> None:
        """Remember when the server started (for churn)."""
        self._started = time.monotonic()
        self._churn_task: asyncio.Task[None] | None = None
        self._detailed: dict[tuple[int, int], bytes] = {}
        self.hls = media.LiveHls(self.has_live_video)
        self.signaling = Signaling(self.has_live_video)

    def has_live_video(self, name: str) -> bool:
        """Whether the HLS server plays ``name``: a published stream with video."""
        stream = self.streams.get(name)
        return stream is not None and stream.has_video

    def make_hls_app(self) -> web.Application:
        """The HLS server: ``/{STREAM}/{STREAM}.m3u8`` and its segments."""
        media.hls_segments()  # made now rather than on the first request
        app = web.Application(middlewares=[self.fault_middleware])
        media.add_hls_routes(app, self.hls)
        return app

    def make_ws_app(self) -> web.Application:
        """The WebSocket signaling: WebRTC playback of the streams."""
        return self.signaling.make_app()

    def detailed_answer(self, size: tuple[int, int]) -> bytes:
        """The snapshot answer with a random-pixel PNG of ``size``, made once."""
        if (body := self._detailed.get(size)) is None:
            png = make_detailed_png(*size)
            body = b'{"data":"' + base64.b64encode(png) + b'"}'
            self._detailed[size] = body
        return body

    def publish(self, name: str, **kwargs: Any) -> WcsStream:
        """Publish a stream."""
        stream = self.streams[name] = WcsStream(name, **kwargs)
        return stream

    def unpublish(self, name: str) -> None:
        """Stop a stream: it leaves the server's list."""
        self.streams.pop(name, None)

    def add_routes(self, app: web.Application) -> None:
        """REST routes of the server."""
        app.router.add_post("/rest-api/stream/find_all", self._find_all)
        app.router.add_post("/rest-api/stream/snapshot", self._snapshot)
        if self.churn_seconds:
            app.on_startup.append(self._start_churn)
            app.on_cleanup.append(self._stop_churn)

    def _authorized(self, request: web.Request) -> bool:
        if self.auth is None:
            return True
        header = request.headers.get("Authorization", "")
        expected = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
        return header == f"Basic {expected}"

    async def _find_all(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return json_error(401, error="Unauthorized", status=401)
        if not self.streams:
            return json_error(404, error="Not Found", message="No streams", status=404)
        return web.json_response(
            [s.as_json(i) for i, s in enumerate(self.streams.values())]
        )

    async def _snapshot(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return json_error(401, error="Unauthorized", status=401)
        try:
            body = await request.json()
            name = body["streamName"]
        except ValueError, KeyError, TypeError:
            return json_error(
                400, error="Bad Request", message="streamName is required"
            )
        self.requests[f"snapshot:{name}"] += 1
        if self.snapshot_delay:
            await asyncio.sleep(self.snapshot_delay)
        if name not in self.streams:
            return json_error(
                404, error="Not Found", message="Stream not found", status=404
            )
        if self.snapshot_error is not None:
            return json_error(
                500,
                exception="com.flashphoner.rest.server.exception.InternalErrorException",
                error="Internal Server Error",
                message=self.snapshot_error,
                path="/rest-api/stream/snapshot",
                status=500,
            )
        if self.detailed_snapshot is not None:
            return web.Response(
                body=self.detailed_answer(self.detailed_snapshot),
                content_type="application/json",
            )
        if self.snapshot_garbage is not None:
            return web.json_response(
                {"data": base64.b64encode(self.snapshot_garbage).decode()}
            )
        moment = int(time.time())
        png = make_png(f"{name}/{moment}")
        return web.json_response({"data": base64.b64encode(png).decode()})

    # Streams that come and go, for a real Home Assistant
    async def _start_churn(self, app: web.Application) -> None:
        self._churn_task = asyncio.create_task(self._churn())

    async def _stop_churn(self, app: web.Application) -> None:
        if self._churn_task:
            self._churn_task.cancel()

    async def _churn(self) -> None:
        while True:
            await asyncio.sleep(self.churn_seconds)
            if "visitor" in self.streams:
                self.unpublish("visitor")
            else:
                self.publish("visitor", width=640, height=480)
