"""The fake camera's live preview: an endless MJPEG answer, as a THETA sends it.

``camera.getLivePreview`` (level 1: ``camera._getLivePreview``) answers
``multipart/x-mixed-replace`` with boundary ``---osclivepreview---``, written
without the RFC's leading dashes as RICOH does, each part a JPEG frame with
``Content-Type`` and ``Content-Length``. The preview ends, between two frames,
when the camera shoots, changes mode or another preview starts; it is
refused while the camera records or shoots. Knobs turn on the variants and
faults of real streams.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass
import functools
from typing import Any

from aiohttp import web

from .camera import OscCamera, OscFault
from .constants import PREVIEW_FORMATS
from .media import make_jpeg

PREVIEW_BOUNDARY = "---osclivepreview---"
PREVIEW_COMMANDS = frozenset({"camera.getLivePreview", "camera._getLivePreview"})
WRITE_PIECE = 256 * 1024
# distinct frames of a preview, shown in a loop
PREVIEW_FRAMES = 20


@functools.cache
def preview_frames(width: int, height: int) -> tuple[bytes, ...]:
    """The frames of a preview of this size (made once)."""
    return tuple(
        make_jpeg(900 + index, width, height) for index in range(PREVIEW_FRAMES)
    )


def oversized_jpeg(size: int) -> bytes:
    """A well-formed JPEG of about ``size`` bytes (padded with APP15 segments)."""
    padding = b"\xff\xef\xff\xff" + b"\x00" * 65533
    return b"\xff\xd8" + padding * (size // len(padding) + 1) + b"\xff\xd9"


@dataclass
class OscPreview(OscCamera):
    """The live preview of the fake camera, and its knobs."""

    # the sizes offered, (width, height, framerate), the first one in use;
    # empty: no live preview at all
    preview_formats: tuple[tuple[int, int, int], ...] = PREVIEW_FORMATS
    # False: getOptions knows no previewFormat(Support), as a level 1 THETA
    # may not; the preview itself still works
    preview_options: bool = True
    # True: boundary lines with the RFC's leading "--" (a THETA writes none)
    preview_rfc_boundary: bool = False
    # False: parts without Content-Length
    preview_lengths: bool = True
    # seconds between frames (None: the framerate of the previewFormat)
    preview_interval: float | None = None
    # from frame number preview_fault_after of every preview on: "drop" (cut
    # in the middle of a frame), "garbage" (text between two parts) or
    # "oversized" (one part of preview_oversize bytes); at once: "no_boundary"
    # (a multipart Content-Type without one), "json" (a plain done answer)
    preview_fault: str | None = None
    preview_fault_after: int = 2
    # how many previews (from the next one on) get the fault; None: all
    preview_faulty: int | None = None
    # True: a shot or mode change cuts the preview's connection instead of
    # ending the stream (how a real camera ends it is not documented)
    preview_end_cuts: bool = False
    preview_oversize: int = 9 * 1024 * 1024
    # seconds between single bytes of the answer's HTTP headers (a camera on
    # a poor link, or one that stalls): None sends them at once
    preview_header_delay: float | None = None
    # seconds between single bytes of the first frame's part
    preview_frame_delay: float | None = None
    # frames in one preview before the camera ends it (RICOH's fake-theta
    # emulator sends one); None: until it is stopped
    preview_frames_each: int | None = None

    def __post_init__(self) -> None:
        """No preview running; the first size in use."""
        super().__post_init__()
        self.previews_running = 0
        self.previews_most = 0
        self.preview_frames_sent = 0
        self.previews_opened = 0
        if self.preview_formats and self.preview_options:
            self.options.setdefault(
                "previewFormat", self._preview_format_option(self.preview_formats[0])
            )

    @staticmethod
    def _preview_format_option(size: tuple[int, int, int]) -> dict[str, int]:
        width, height, framerate = size
        return {"width": width, "height": height, "framerate": framerate}

    def preview_options_of(self) -> dict[str, Any]:
        """``previewFormatSupport`` for getOptions (nothing when unknown)."""
        if not self.preview_formats or not self.preview_options:
            return {}
        support = [self._preview_format_option(size) for size in self.preview_formats]
        return {"previewFormatSupport": support}

    def check_preview_format(self, value: Any) -> dict[str, int] | None:
        """A ``previewFormat`` the camera offers, or None."""
        offered = [self._preview_format_option(size) for size in self.preview_formats]
        return value if isinstance(value, dict) and value in offered else None

    @property
    def preview_size(self) -> tuple[int, int, int]:
        """The size in use."""
        chosen = self.options.get("previewFormat")
        if isinstance(chosen, dict):
            return chosen["width"], chosen["height"], chosen["framerate"]
        return self.preview_formats[0]

    # ---- the command

    async def live_preview(self, request: web.Request) -> web.StreamResponse:
        """Answer the preview command: frames until the preview is ended."""
        if not self.preview_formats:
            raise OscFault(400, "unknownCommand", "Command getLivePreview is unknown")
        if self.busy or self.recording or self.capture_status != "idle":
            raise OscFault(
                403, "disabledCommand", "Command getLivePreview is disabled now"
            )
        if self.preview_fault == "json":
            return web.json_response({"name": "camera.getLivePreview", "state": "done"})
        # a camera serves one preview: a new one ends the one running
        self.end_previews()
        self.previews_opened += 1
        stop = self._preview_stop = asyncio.Event()
        fault = self.preview_fault
        if self.preview_faulty is not None:
            fault = fault if self.preview_faulty > 0 else None
            self.preview_faulty -= 1
        width, height, framerate = self.preview_size
        interval = self.preview_interval or 1 / max(framerate, 1)
        kind = (
            "multipart/x-mixed-replace"
            if self.preview_fault == "no_boundary"
            else f'multipart/x-mixed-replace; boundary="{PREVIEW_BOUNDARY}"'
        )
        frames = preview_frames(width, height)
        if self.preview_header_delay is not None:
            return await self._trickled_preview(
                request, kind, frames, interval, stop, fault=fault
            )
        response = web.StreamResponse(headers={"Content-Type": kind})
        response.enable_chunked_encoding()
        await response.prepare(request)
        self.previews_running += 1
        self.previews_most = max(self.previews_most, self.previews_running)
        try:
            if await self._send_preview_frames(
                request, response.write, frames, interval, stop, fault=fault
            ):
                await response.write_eof()
        except ConnectionError:
            pass  # the client went away
        finally:
            self.previews_running -= 1
        return response

    async def _trickled_preview(
        self,
        request: web.Request,
        kind: str,
        frames: tuple[bytes, ...],
        interval: float,
        stop: asyncio.Event,
        *,
        fault: str | None,
    ) -> web.Response:
        """The answer's HTTP headers one byte at a time, then the frames.

        Written straight to the socket (aiohttp writes a head at once): a
        body without length or chunks, ended by closing the connection. A
        shot while the headers trickle cuts the connection.
        """
        transport = request.transport
        assert transport is not None
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nConnection: close\r\n\r\n"
        ).encode()

        async def write(data: bytes) -> None:
            if transport.is_closing():
                raise ConnectionResetError
            transport.write(data)
            await asyncio.sleep(0)

        self.previews_running += 1
        self.previews_most = max(self.previews_most, self.previews_running)
        try:
            for index in range(len(head)):
                if stop.is_set():
                    break
                await write(head[index : index + 1])
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.preview_header_delay):
                        await stop.wait()
            else:
                await self._send_preview_frames(
                    request, write, frames, interval, stop, fault=fault
                )
        except ConnectionError:
            pass  # the client went away
        finally:
            self.previews_running -= 1
            transport.close()
        # aiohttp writes nothing more on a closed connection
        return web.Response()

    async def _trickle(
        self,
        write: Callable[[bytes], Awaitable[None]],
        part: bytes,
        stop: asyncio.Event,
    ) -> bool:
        """``part`` one byte per ``preview_frame_delay``; False when stopped."""
        for index in range(len(part)):
            if stop.is_set():
                return False
            await write(part[index : index + 1])
            await asyncio.sleep(self.preview_frame_delay or 0)
        return True

    def _preview_part(self, frame: bytes) -> bytes:
        dashes = "--" if self.preview_rfc_boundary else ""
        head = f"{dashes}{PREVIEW_BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
        if self.preview_lengths:
            head += f"Content-Length: {len(frame)}\r\n"
        return head.encode() + b"\r\n" + frame + b"\r\n"

    async def _send_preview_frames(
        self,
        request: web.Request,
        write: Callable[[bytes], Awaitable[None]],
        frames: tuple[bytes, ...],
        interval: float,
        stop: asyncio.Event,
        *,
        fault: str | None,
    ) -> bool:
        """Write frames until ``stop``; False when the connection was cut."""
        index = 0
        limit = self.preview_frames_each  # as it was when the preview opened
        while not stop.is_set():
            frame = frames[index % len(frames)]
            faulty = index >= self.preview_fault_after
            if faulty and fault == "drop":
                part = self._preview_part(frame)
                await write(part[: len(part) - len(frame) // 2])
                assert request.transport is not None
                request.transport.close()
                return False
            if faulty and fault == "garbage":
                await write(b"this is no boundary\r\n")
            if faulty and fault == "oversized":
                frame = oversized_jpeg(self.preview_oversize)
                if self.preview_lengths:
                    # the declared length says it all: no body the client
                    # would leave unread (its close would reset the socket)
                    head = self._preview_part(frame)[: -len(frame) - 2]
                    await write(head)
                    return True
            part = self._preview_part(frame)
            if index == 0 and self.preview_frame_delay is not None:
                if not await self._trickle(write, part, stop):
                    assert request.transport is not None
                    request.transport.close()  # a shot cuts the slow frame
                    return False
            else:
                # big parts in pieces, each written before the next (as a camera)
                for start in range(0, len(part), WRITE_PIECE):
                    await write(part[start : start + WRITE_PIECE])
            self.preview_frames_sent += 1
            index += 1
            if limit is not None and index >= limit:
                return True  # the camera ends this preview itself
            try:
                async with asyncio.timeout(interval):
                    await stop.wait()
            except TimeoutError:
                pass
        if self.preview_end_cuts:
            assert request.transport is not None
            request.transport.close()
            return False
        return True
