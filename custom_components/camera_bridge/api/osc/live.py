"""Opening the live preview of an OSC camera (``OscLivePreview``).

The preview is a command whose answer never ends. It is sent under the
command lock like any other command (one at a time per camera), but the lock
is let go as soon as the camera has answered: the frames then flow while
other commands run. A shot does not wait for the preview: the camera ends
the preview itself when it shoots (the stream just ends), and whoever
watches opens it again afterwards.

Nor does a shot wait for a preview being opened: the wait for its answer
gives way to any command that wants the lock (``lock.CommandLock``; the
opening ends with ``OscPreviewInterrupted``). And opening has a deadline,
``PREVIEW_OPEN_TIMEOUT``, for the answer's headers and the first frame
together: a camera that sends them a byte at a time never keeps a viewer
waiting for ever.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import MappingProxyType
from typing import Any, Final

from .._http import Response
from .._stream import StreamedResponse, open_stream
from ..errors import CannotConnect, InvalidResponse
from .answers import read_command
from .commands import OscCommandRunner
from .const import CMD_GET_OPTIONS, HEADERS, JSON_MAX_BYTES, STATE_ERROR
from .errors import OscValidationError, command_error
from .lock import CommandWanted
from .preview import (
    PREVIEW_MAX_FRAME_BYTES,
    PREVIEW_OPEN_TIMEOUT,
    PREVIEW_READ_TIMEOUT,
    MjpegReader,
    preview_boundary,
)
from .preview_format import OscPreviewSupport

CMD_GET_LIVE_PREVIEW: Final = "camera.getLivePreview"
# THETA API v2.0 (level 1) vendor command, with the session id
CMD_GET_LIVE_PREVIEW_V1: Final = "camera._getLivePreview"
PREVIEW_OPTIONS: Final = ("previewFormat", "previewFormatSupport")
PREVIEW_HEADERS: Final = MappingProxyType(
    {**HEADERS, "Accept": "multipart/x-mixed-replace, application/json"}
)


class OscPreviewInterrupted(CannotConnect):
    """A command was sent while the preview was being opened: it gave way.

    Nothing is wrong with the camera: open the preview again once the
    command is over (the new opening waits for it).
    """


def _close(stream: StreamedResponse | Response) -> None:
    if isinstance(stream, StreamedResponse):
        stream.close()


class OscLivePreview(OscCommandRunner):
    """The live preview commands of a camera."""

    async def preview_support(self) -> OscPreviewSupport | None:
        """What the camera offers for its live preview; None: no preview.

        Read from the ``previewFormatSupport`` option. A level 1 RICOH
        THETA has the vendor command ``camera._getLivePreview`` even when it
        does not know that option: it gets a preview of no selectable size.
        """
        try:
            answer = await self.execute(
                CMD_GET_OPTIONS, {"optionNames": list(PREVIEW_OPTIONS)}
            )
        except OscValidationError:
            info = self._info
            if self._level == 1 and info and "ricoh" in info.manufacturer.lower():
                return OscPreviewSupport(None, ())
            return None
        options = answer.results.get("options")
        return OscPreviewSupport.from_options(
            options if isinstance(options, dict) else {}
        )

    @asynccontextmanager
    async def live_preview(
        self,
        *,
        max_frame_bytes: int = PREVIEW_MAX_FRAME_BYTES,
        read_timeout: float = PREVIEW_READ_TIMEOUT,
        open_timeout: float = PREVIEW_OPEN_TIMEOUT,
    ) -> AsyncIterator[MjpegReader]:
        """Open the live preview: its JPEG frames until the camera ends it.

        Iterate the reader for the frames; leaving the context closes the
        connection, which ends the preview on the camera. Refusals raise
        the command errors (``OscBusyError`` while the camera records or
        shoots), a malformed stream ``InvalidResponse``, a drop,
        ``read_timeout`` seconds without data or no answer and first frame
        within ``open_timeout`` seconds of sending the command
        ``CannotConnect``; a command sent meanwhile ``OscPreviewInterrupted``.
        """
        stream, boundary, deadline = await self._open_preview(
            read_timeout, open_timeout
        )
        async with stream:
            yield MjpegReader(
                stream.read_chunk,
                boundary,
                max_frame_bytes=max_frame_bytes,
                first_frame_by=deadline,
            )

    async def _open_preview(
        self, read_timeout: float, open_timeout: float
    ) -> tuple[StreamedResponse, bytes, float]:
        loop = asyncio.get_running_loop()
        async with self._lock:
            await self._ensure_level()
            renegotiated = False
            while True:
                level1 = self._level == 1
                name = CMD_GET_LIVE_PREVIEW_V1 if level1 else CMD_GET_LIVE_PREVIEW
                params: dict[str, Any] = (
                    {"sessionId": self._session_id} if level1 else {}
                )
                deadline = loop.time() + open_timeout
                with self._running(name):
                    try:
                        answer = await self._lock.unless_wanted(
                            self._request_preview(
                                name, params, read_timeout, open_timeout, deadline
                            ),
                            _close,
                        )
                    except CommandWanted:
                        raise OscPreviewInterrupted(
                            "a command was sent while the live preview opened"
                        ) from None
                if isinstance(answer, StreamedResponse):
                    kind = answer.headers.get("Content-Type", "")
                    try:
                        return answer, preview_boundary(kind), deadline
                    except InvalidResponse:
                        answer.close()
                        raise
                self._check_auth(answer)
                command = read_command(answer, name)
                if command.state != STATE_ERROR:
                    raise InvalidResponse(f"{name} answered no preview stream")
                if not renegotiated and (
                    self._session_problem(command) or await self._fell_back(command)
                ):
                    renegotiated = True
                    await self._renegotiate()
                    continue
                raise command_error(
                    command.error_code or "unknownError", command.error_message
                )

    async def _request_preview(
        self,
        name: str,
        params: dict[str, Any],
        read_timeout: float,
        open_timeout: float,
        deadline: float,
    ) -> StreamedResponse | Response:
        """Send the preview command: its stream, or its whole (error) answer."""
        try:
            async with asyncio.timeout_at(deadline):
                stream = await open_stream(
                    self._session,
                    "POST",
                    self._base.with_path("/osc/commands/execute"),
                    timeout=self._timeout,
                    read_timeout=read_timeout,
                    max_bytes=JSON_MAX_BYTES,
                    json_body={"name": name, "parameters": params},
                    headers=PREVIEW_HEADERS,
                    middlewares=self._middlewares,
                )
                kind = stream.headers.get("Content-Type", "")
                if stream.status == 200 and kind.lower().startswith("multipart/"):
                    return stream
                body = await stream.read_all()
        except TimeoutError:
            raise CannotConnect(
                f"the live preview did not open within {open_timeout:g} s"
            ) from None
        return Response(stream.status, stream.headers, body)
