"""A browser stand-in for the WebRTC tests: an aiortc peer that receives video."""

from __future__ import annotations

import asyncio
import contextlib

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from av import VideoFrame

from simulator.wcs.webrtc import close_peer


class Viewer:
    """Offers to receive one video track and decodes what arrives."""

    def __init__(self) -> None:
        """A peer with no STUN server (everything stays on this machine)."""
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pc.addTransceiver("video", direction="recvonly")
        self._frame: asyncio.Future[VideoFrame] = (
            asyncio.get_running_loop().create_future()
        )
        self._reader: asyncio.Task[None] | None = None
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._reader = asyncio.create_task(self._read(track))

    async def _read(self, track: MediaStreamTrack) -> None:
        frame = await track.recv()
        assert isinstance(frame, VideoFrame)
        if not self._frame.done():
            self._frame.set_result(frame)

    async def offer(self, *, trickle: bool = False) -> tuple[str, list[str]]:
        """The SDP offer and the candidates gathered.

        ``trickle``: like a browser that sends its offer at once, the offer
        holds no candidate (they are returned apart, as a browser trickles
        them).
        """
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp = self.pc.localDescription.sdp
        candidates = [
            line[2:] for line in sdp.splitlines() if line.startswith("a=candidate:")
        ]
        if trickle:
            sdp = "".join(
                line + "\r\n"
                for line in sdp.splitlines()
                if not line.startswith(("a=candidate:", "a=end-of-candidates"))
            )
        return sdp, candidates

    async def accept(self, answer: str) -> None:
        """Take the server's SDP answer."""
        await self.pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))

    async def first_frame(self, timeout: float = 10.0) -> VideoFrame:
        """The first decoded video frame."""
        async with asyncio.timeout(timeout):
            return await asyncio.shield(self._frame)

    async def close(self) -> None:
        """Close the peer and stop reading."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        await close_peer(self.pc)
