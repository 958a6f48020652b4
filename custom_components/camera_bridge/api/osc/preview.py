"""The live preview of an OSC camera: a never-ending MJPEG answer, read frame by frame.

``camera.getLivePreview`` (``camera._getLivePreview`` on level 1) answers
``multipart/x-mixed-replace``: JPEG frames, one per part. RICOH's THETA
writes its boundary lines without the two leading dashes the RFC asks for;
both forms are read. A part's ``Content-Length`` is used when it is given,
otherwise the JPEG is followed through its segments to its end marker (a
thumbnail inside an APP segment does not end it early).

``MjpegReader`` yields the frames: a part above the size cap, a part that is
no JPEG or anything but blank lines between parts is ``InvalidResponse``; a
stream cut in the middle of a frame is ``CannotConnect``; a stream that ends
between frames (the camera shoots, changes mode or is operated) just ends.

It runs on the event loop and hands it back every ``PARSE_SLICE`` seconds
of work: a chunk holding thousands of frames, or one frame made of
thousands of segments, never holds up the rest of Home Assistant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import time
from typing import Final, Self

from ..errors import CannotConnect, InvalidResponse

# A 3840x1920 THETA X frame is a few hundred KB; nothing sane comes near this
PREVIEW_MAX_FRAME_BYTES: Final = 8 * 1024 * 1024
# Seconds without a byte after which a preview counts as dropped
PREVIEW_READ_TIMEOUT: Final = 10.0
# Seconds from sending the preview command to its first whole frame (the
# answer's headers included): a THETA answers within a second and sends a
# frame a few dozen milliseconds later; one that trickles them byte by byte
# is a failure, not an endless wait. A shot never waits for it (lock.py).
PREVIEW_OPEN_TIMEOUT: Final = 10.0

# Seconds of parsing after which the reader lets the event loop run others
# (``_pause``, ~50 µs): 100,000 tiny frames handed over in one 8 MB chunk
# cost ~1 s of CPU on the 2-core development machine, now cut into slices
# of this length
PARSE_SLICE: Final = 0.001

_APPEND_PIECE: Final = 256 * 1024
# what was read is dropped from the buffer once at most this much is left
# after it, or once this much was read (the buffer stays bounded)
_COMPACT_REST: Final = 256 * 1024
_COMPACT_AFTER: Final = 16 * 1024 * 1024

_SOI: Final = b"\xff\xd8"
_LINE_MAX: Final = 1024  # a boundary or part header line
_HEADERS_MAX: Final = 32
_BLANK_LINES_MAX: Final = 16  # between two parts
_PREAMBLE_MAX: Final = 4096  # text before the first part (RFC 2046 allows it)


def preview_boundary(content_type: str) -> bytes:
    """The boundary of a ``multipart/...`` Content-Type, or InvalidResponse."""
    kind, _, parameters = content_type.partition(";")
    if not kind.strip().lower().startswith("multipart/"):
        raise InvalidResponse(f"the live preview is no multipart answer: {kind!r}")
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "boundary":
            boundary = value.strip().strip('"').strip()
            if 0 < len(boundary) <= 200 and boundary.isascii():
                return boundary.encode("ascii")
            break
    raise InvalidResponse("the live preview names no usable multipart boundary")


class MjpegReader:
    """The JPEG frames of a multipart answer, as an async iterator.

    ``read`` returns the next bytes of the body (``b""`` at its end) and
    raises CannotConnect when the transport fails. ``first_frame_by`` (a
    time of the running loop's clock) is when the first frame must be in:
    CannotConnect after it.
    """

    def __init__(
        self,
        read: Callable[[], Awaitable[bytes]],
        boundary: bytes,
        *,
        max_frame_bytes: int = PREVIEW_MAX_FRAME_BYTES,
        first_frame_by: float | None = None,
    ) -> None:
        """Read parts separated by ``boundary`` (with or without ``--``)."""
        self._read = read
        self._max = max_frame_bytes
        self._first_frame_by = first_frame_by
        self._slice_end = time.monotonic() + PARSE_SLICE
        self._markers = {boundary, b"--" + boundary}
        self._closers = {boundary + b"--", b"--" + boundary + b"--"}
        self._buffer = bytearray()
        self._pos = 0
        self._eof = False
        self._started = False
        self.frames = 0

    def __aiter__(self) -> Self:
        """The reader is its own iterator."""
        return self

    async def __anext__(self) -> bytes:
        """The next frame; the iteration ends with the stream."""
        frame = await self.next_frame()
        if frame is None:
            raise StopAsyncIteration
        return frame

    async def next_frame(self) -> bytes | None:
        """The next JPEG frame, or None when the stream ended between frames."""
        if self.frames or self._first_frame_by is None:
            return await self._next_frame()
        try:
            async with asyncio.timeout_at(self._first_frame_by) as deadline:
                return await self._next_frame()
        except TimeoutError:
            if not deadline.expired():
                raise
            raise CannotConnect(
                "the live preview sent no first frame within its deadline"
            ) from None

    async def _next_frame(self) -> bytes | None:
        if time.monotonic() >= self._slice_end:
            await self._pause()
        if self._pos and (
            len(self._buffer) - self._pos <= _COMPACT_REST
            or self._pos >= _COMPACT_AFTER
        ):
            # dropping what was read copies what is left (to fresh memory,
            # once the buffer halved): done when that is little
            del self._buffer[: self._pos]
            self._pos = 0
        if not await self._to_boundary():
            return None
        if len(self._buffer) == self._pos and not await self._fill():
            return None  # a boundary, then nothing: ended between frames
        self._started = True
        headers = await self._headers()
        size = _content_length(headers.get("content-length"))
        if size is not None:
            if size > self._max:
                raise InvalidResponse(
                    f"a preview frame of {size} bytes is above the {self._max} byte cap"
                )
            await self._need(self._pos + size, "frame")
            frame = self._take(self._pos, self._pos + size)
            self._pos += size
            if not frame.startswith(_SOI):
                raise InvalidResponse("a part of the live preview is no JPEG image")
        else:
            frame = await self._jpeg()
        self.frames += 1
        return frame

    # ---- reading

    async def _pause(self) -> None:
        """Let the event loop run others; a new slice of work begins.

        A task woken by a timer or a socket needs two turns of the loop (the
        callback sets its future, then the task runs): yielding three times
        lets it run before the next slice, not after it.
        """
        for _ in range(3):
            await asyncio.sleep(0)
        self._slice_end = time.monotonic() + PARSE_SLICE

    def _take(self, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` of the buffer, copied once."""
        with memoryview(self._buffer) as view, view[start:end] as part:
            return part.tobytes()

    async def _fill(self) -> bool:
        """Append the next bytes of the body; False at its end."""
        if self._eof:
            return False
        chunk = await self._read()
        if not chunk:
            self._eof = True
            return False
        # a big chunk in pieces: copying megabytes to fresh memory costs
        # milliseconds of page faults (8 MB: ~14 ms here)
        for start in range(0, len(chunk), _APPEND_PIECE):
            if start and time.monotonic() >= self._slice_end:
                await self._pause()
            self._buffer += chunk[start : start + _APPEND_PIECE]
        return True

    async def _need(self, end: int, what: str) -> None:
        """Have the buffer reach ``end``; the body ending first is a drop."""
        while len(self._buffer) < end:
            if not await self._fill():
                raise CannotConnect(
                    f"the live preview stopped in the middle of a {what}"
                )

    async def _line(self, what: str) -> bytes | None:
        """The next line without its line end; None at the end of the body."""
        while (end := self._buffer.find(b"\n", self._pos)) < 0:
            if len(self._buffer) - self._pos > _LINE_MAX:
                raise InvalidResponse(f"the live preview sent no {what}")
            if not await self._fill():
                rest = self._buffer[self._pos :]
                self._pos = len(self._buffer)
                return bytes(rest) if rest.strip() else None
        if end - self._pos > _LINE_MAX:
            raise InvalidResponse(f"the live preview sent no {what}")
        line = bytes(self._buffer[self._pos : end])
        self._pos = end + 1
        return line

    async def _to_boundary(self) -> bool:
        """Pass the next boundary line; False when the stream ended instead."""
        skipped = 0
        blank = 0
        while True:
            line = await self._line("boundary")
            if line is None:
                return False
            token = line.strip()
            if token in self._markers:
                return True
            if token in self._closers:
                self._eof = True
                return False
            if not token and blank < _BLANK_LINES_MAX:
                blank += 1
                continue
            skipped += len(line) + 1
            if self._started or skipped > _PREAMBLE_MAX:
                raise InvalidResponse(
                    "the live preview sent something else than a frame between frames"
                )

    async def _headers(self) -> dict[str, str]:
        """The part's headers (lower-case names) up to the blank line."""
        headers: dict[str, str] = {}
        for _ in range(_HEADERS_MAX):
            await self._need(self._pos + 2, "frame")
            if self._buffer.startswith(_SOI, self._pos):
                return headers  # no headers: the JPEG follows the boundary
            line = await self._line("part header")
            if line is None:
                raise CannotConnect("the live preview stopped in the middle of a frame")
            if not line.strip():
                return headers
            name, colon, value = line.partition(b":")
            if not colon:
                raise InvalidResponse("the live preview sent a malformed part header")
            headers[name.strip().lower().decode("latin-1")] = value.strip().decode(
                "latin-1"
            )
        raise InvalidResponse("the live preview sent too many part headers")

    async def _jpeg(self) -> bytes:
        """A JPEG without a declared length: followed segment by segment."""
        start = self._pos
        await self._need(start + 2, "frame")
        if not self._buffer.startswith(_SOI, start):
            raise InvalidResponse("a part of the live preview is no JPEG image")
        at = start + 2
        while True:
            if time.monotonic() >= self._slice_end:
                await self._pause()
            self._check_size(at - start)
            await self._need(at + 2, "frame")
            if self._buffer[at] != 0xFF:
                raise InvalidResponse("a frame of the live preview is a broken JPEG")
            marker = self._buffer[at + 1]
            if marker == 0xFF:  # fill byte before a marker
                at += 1
            elif marker == 0xD9:  # end of image
                break
            elif 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
                at += 2
            else:
                await self._need(at + 4, "frame")
                length = int.from_bytes(self._buffer[at + 2 : at + 4])
                if length < 2:
                    raise InvalidResponse(
                        "a frame of the live preview is a broken JPEG"
                    )
                at += 2 + length
                if marker == 0xDA:  # start of scan: coded data up to a marker
                    at = await self._scan(at, start)
        end = at + 2
        frame = self._take(start, end)
        self._pos = end
        return frame

    async def _scan(self, at: int, start: int) -> int:
        """Where the entropy-coded data from ``at`` ends (at the next marker).

        In coded data 0xFF is followed by 0x00 (a stuffed byte) or a restart
        marker; anything else is a real marker.
        """
        buffer = self._buffer
        while True:
            if time.monotonic() >= self._slice_end:
                await self._pause()
            found = buffer.find(b"\xff", at)
            if found < 0 or found + 1 >= len(buffer):
                at = len(buffer) if found < 0 else found
                self._check_size(len(buffer) - start)
                await self._need(len(buffer) + 1, "frame")
                continue
            follower = buffer[found + 1]
            if follower == 0x00 or 0xD0 <= follower <= 0xD7:
                at = found + 2
            else:
                return found

    def _check_size(self, size: int) -> None:
        if size > self._max:
            raise InvalidResponse(f"a preview frame is above the {self._max} byte cap")


def _content_length(value: str | None) -> int | None:
    """A part's declared length; None when it declares none we can use.

    A value that is no number at all (``many``) is left aside: the JPEG's
    own structure tells where the frame ends. Digits other than ASCII ones
    (``²``, which ``str.isdigit`` accepts and ``int`` refuses) are no
    length HTTP knows: InvalidResponse.
    """
    if value is None:
        return None
    digits = value.strip()
    if not digits.isdigit():
        return None
    if not digits.isascii():
        raise InvalidResponse(
            f"a part of the live preview declares a length of {digits!r}"
        )
    return int(digits)
