"""WCS live view over WebRTC in the smoke run, as the frontend plays it.

The WCS entry's options point at the simulator's signaling port (live view
WebRTC is the default); the stream's camera must then list ``web_rtc`` in
``camera/capabilities``, answer an offer sent with ``camera/webrtc/offer``,
and a viewer (aiortc, as a browser) must decode a frame of its video.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from aiortc import RTCPeerConnection, RTCSessionDescription

from .processes import SmokeError

if TYPE_CHECKING:
    from .steps import Drive

FRAME_WAIT = 20.0  # seconds for the answer and the first decoded frame


class WebRtc:
    """The WebRTC steps of one smoke run."""

    def __init__(self, drive: Drive) -> None:
        """Drive Home Assistant with ``drive``'s connections."""
        self.drive = drive
        self.camera = ""

    async def run(self) -> None:
        """Options, capabilities, then an offer that plays."""
        await self.drive.step("WCS options: WebRTC signaling port", self.options)
        await self.drive.step("WCS camera capabilities list web_rtc", self.capabilities)
        await self.drive.step("WCS WebRTC offer to a decoded frame", self.play)

    async def options(self) -> None:
        """Options → live view WebRTC on the simulator's WebSocket port."""
        api = self.drive.api
        flow = await api.post(
            "/api/config/config_entries/options/flow",
            {"handler": self.drive.entries["wcs"]},
        )
        if flow.get("type") != "form":
            raise SmokeError(f"expected the options form, got {flow}")
        flow = await api.post(
            f"/api/config/config_entries/options/flow/{flow['flow_id']}",
            {"live_protocol": "webrtc", "ws_port": self.drive.ports.wcs_ws},
        )
        if flow.get("type") != "create_entry":
            raise SmokeError(f"expected the options saved, got {flow}")
        # the entry reloads with them
        self.camera = (await self.drive.entity("wcs", "camera"))["entity_id"]

    async def capabilities(self) -> None:
        """What the frontend asks before it picks a player."""
        answer = await self.drive.ws.command(
            "camera/capabilities", entity_id=self.camera
        )
        if "web_rtc" not in answer.get("frontend_stream_types", []):
            raise SmokeError(f"{self.camera}: capabilities {answer}")

    async def play(self) -> None:
        """Offer as a browser; the answer plays and a frame decodes."""
        peer = RTCPeerConnection()
        peer.addTransceiver("video", direction="recvonly")
        tracks: asyncio.Queue[Any] = asyncio.Queue()
        peer.on("track", tracks.put_nowait)
        try:
            await peer.setLocalDescription(await peer.createOffer())
            async with asyncio.timeout(FRAME_WAIT):
                answer = await self._answer(peer.localDescription.sdp)
                await peer.setRemoteDescription(
                    RTCSessionDescription(sdp=answer, type="answer")
                )
                frame = await (await tracks.get()).recv()
        except TimeoutError:
            raise SmokeError(f"no frame within {FRAME_WAIT:.0f} s") from None
        finally:
            with contextlib.suppress(Exception):
                await peer.close()
        self.drive.notes.append(
            f"WebRTC: {self.camera} played, first frame {frame.width}x{frame.height}"
        )

    async def _answer(self, offer: str) -> str:
        """Send the offer; the answer's SDP (an error message fails the step)."""
        ws = self.drive.ws
        await ws.command("camera/webrtc/offer", entity_id=self.camera, offer=offer)
        while True:
            message = await ws.receive()
            event = message.get("event")
            if message.get("type") != "event" or not isinstance(event, dict):
                continue
            if event.get("type") == "answer":
                return str(event["answer"])
            if event.get("type") == "error":
                raise SmokeError(f"{self.camera} refused the offer: {event}")
