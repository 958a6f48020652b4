"""Opening the live preview of an OSC camera (``OscLivePreview``).

The preview is a command whose answer never ends. It is sent under the
command lock like any other command (one at a time per camera), but the lock
is let go as soon as the camera has answered: the frames then flow while
other commands run. A shot does not wait for the preview: the camera ends
the preview itself when it shoots (the stream just ends), and whoever
watches opens it again afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import MappingProxyType
from typing import Any, Final

from .._http import Response
from .._stream import StreamedResponse, open_stream
from ..errors import InvalidResponse
from .answers import read_command
from .commands import OscCommandRunner
from .const import CMD_GET_OPTIONS, HEADERS, JSON_MAX_BYTES, STATE_ERROR
from .errors import OscValidationError, command_error
from .preview import (
    PREVIEW_MAX_FRAME_BYTES,
    PREVIEW_READ_TIMEOUT,
    MjpegReader,
    OscPreviewSupport,
    preview_boundary,
)

CMD_GET_LIVE_PREVIEW: Final = "camera.getLivePreview"
# THETA API v2.0 (level 1) vendor command, with the session id
CMD_GET_LIVE_PREVIEW_V1: Final = "camera._getLivePreview"
PREVIEW_OPTIONS: Final = ("previewFormat", "previewFormatSupport")
PREVIEW_HEADERS: Final = MappingProxyType(
    {**HEADERS, "Accept": "multipart/x-mixed-replace, application/json"}
)


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
    ) -> AsyncIterator[MjpegReader]:
        """Open the live preview: its JPEG frames until the camera ends it.

        Iterate the reader for the frames; leaving the context closes the
        connection, which ends the preview on the camera. Refusals raise
        the command errors (``OscBusyError`` while the camera records or
        shoots), a malformed stream ``InvalidResponse``, a drop or
        ``read_timeout`` seconds without data ``CannotConnect``.
        """
        stream, boundary = await self._open_preview(read_timeout)
        async with stream:
            yield MjpegReader(
                stream.read_chunk, boundary, max_frame_bytes=max_frame_bytes
            )

    async def _open_preview(
        self, read_timeout: float
    ) -> tuple[StreamedResponse, bytes]:
        async with self._lock:
            await self._ensure_level()
            renegotiated = False
            while True:
                level1 = self._level == 1
                name = CMD_GET_LIVE_PREVIEW_V1 if level1 else CMD_GET_LIVE_PREVIEW
                with self._running(name):
                    params: dict[str, Any] = (
                        {"sessionId": self._session_id} if level1 else {}
                    )
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
                        try:
                            return stream, preview_boundary(kind)
                        except InvalidResponse:
                            stream.close()
                            raise
                    body = await stream.read_all()
                response = Response(stream.status, stream.headers, body)
                self._check_auth(response)
                answer = read_command(response, name)
                if answer.state != STATE_ERROR:
                    raise InvalidResponse(f"{name} answered no preview stream")
                if not renegotiated and (
                    self._session_problem(answer) or await self._fell_back(answer)
                ):
                    renegotiated = True
                    await self._renegotiate()
                    continue
                raise command_error(
                    answer.error_code or "unknownError", answer.error_message
                )
