"""``OscClient``: what Home Assistant asks of an OSC camera.

Pictures (``take_picture``), video (``start_capture``/``stop_capture``),
options, storage, the file listing and downloads, on top of the command
runner (``commands``) and the connection (``connection``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from yarl import URL

from .._http import StreamedResponse, fetch, open_stream
from ..errors import BackendError, InvalidResponse
from .answers import read_command
from .const import (
    CMD_GET_IMAGE,
    CMD_GET_OPTIONS,
    CMD_LIST_FILES,
    CMD_LIST_IMAGES,
    CMD_SET_OPTIONS,
    CMD_START_CAPTURE,
    CMD_START_RECORDING_V1,
    CMD_STOP_CAPTURE,
    CMD_STOP_RECORDING_V1,
    CMD_TAKE_PICTURE,
    DEFAULT_DOWNLOAD_MAX_BYTES,
    DEFAULT_DOWNLOAD_TIMEOUT,
    HEADERS,
    JSON_MAX_BYTES,
    LIST_THUMBS_MAX_BYTES,
    SESSION_CODE,
    STATE_ERROR,
    THUMB_MAX_BYTES,
    THUMB_QUERY,
    ProgressCallback,
)
from .errors import OscShotInProgress, OscValidationError, command_error
from .live import OscLivePreview
from .models import (
    OscCommand,
    OscFile,
    OscFileList,
    OscStorage,
    picture_url,
    recorded_urls,
    supported_capture_modes,
)


class OscClient(OscLivePreview):
    """One OSC camera, reached over HTTP at ``host``:``port``."""

    # ---- high level commands

    async def _settle(self) -> None:
        if self._options_set_at is None:
            return
        wait = self._options_set_at + self._options_settle
        remaining = wait - asyncio.get_running_loop().time()
        if remaining > 0:
            await asyncio.sleep(remaining)

    async def take_picture(
        self, progress_cb: ProgressCallback | None = None, *, queue: bool = False
    ) -> str:
        """Shoot a still picture and return its file URL (level 1: its URI).

        A second call while a picture is being taken raises
        OscShotInProgress without sending anything, unless ``queue`` is set.
        """
        if self._pictures_pending and not queue:
            raise OscShotInProgress
        self._pictures_pending += 1
        try:
            await self._settle()
            answer = await self.execute(CMD_TAKE_PICTURE, None, progress_cb)
        finally:
            self._pictures_pending -= 1
        url = picture_url(answer.results)
        if url is None:
            raise InvalidResponse("camera.takePicture finished without a fileUrl")
        return url

    async def set_options(self, options: Mapping[str, Any]) -> None:
        """Set camera options (``iso``, ``exposureCompensation``, ...)."""
        if not options:
            return
        await self.execute(CMD_SET_OPTIONS, {"options": dict(options)})
        self._options_set_at = asyncio.get_running_loop().time()

    async def get_options(self, names: Iterable[str]) -> dict[str, Any]:
        """Read camera options by name."""
        wanted = list(names)
        answer = await self.execute(CMD_GET_OPTIONS, {"optionNames": wanted})
        options = answer.results.get("options")
        if not isinstance(options, dict):
            raise InvalidResponse("camera.getOptions answered no options")
        return dict(options)

    async def get_storage(self) -> OscStorage:
        """Remaining pictures and space, from the camera's options."""
        options = await self.get_options(
            ["remainingPictures", "remainingSpace", "totalSpace"]
        )
        return OscStorage.from_options(options)

    async def capture_modes(self) -> tuple[str, ...]:
        """Capture modes the camera supports (``image``, ``video``, ...).

        Level 1 THETA firmware calls video ``_video``: it is named ``video``.
        """
        try:
            options = await self.get_options(["captureModeSupport"])
        except OscValidationError:
            return ()
        return supported_capture_modes(options)

    async def list_files(
        self,
        file_type: str = "image",
        entry_count: int = 10,
        start_position: int = 0,
        *,
        thumb_size: int = 0,
        continuation_token: str | None = None,
    ) -> OscFileList:
        """List files, newest first (level 1 cameras list images only).

        Level 2 pages by ``start_position``, level 1 by the
        ``continuation_token`` of the previous page. ``thumb_size`` above 0
        asks for base64 thumbnails of at most that many pixels in every
        entry: such an answer may weigh megabytes.
        """
        await self._ensure_level_locked()
        max_bytes = JSON_MAX_BYTES
        if thumb_size > 0:
            max_bytes = LIST_THUMBS_MAX_BYTES
        if self._level == 1:
            params: dict[str, Any] = {
                "entryCount": entry_count,
                "maxSize": max(thumb_size, 0),
                "includeThumb": thumb_size > 0,
            }
            if continuation_token:
                params["continuationToken"] = continuation_token
            answer = await self.execute(CMD_LIST_IMAGES, params, max_bytes=max_bytes)
        else:
            params = {
                "fileType": file_type,
                "entryCount": entry_count,
                "maxThumbSize": max(thumb_size, 0),
            }
            if start_position:
                params["startPosition"] = start_position
            answer = await self.execute(CMD_LIST_FILES, params, max_bytes=max_bytes)
        return OscFileList.from_results(answer.results)

    async def latest_picture(self) -> OscFile | None:
        """The newest picture on the camera, if any."""
        listing = await self.list_files("image", entry_count=1)
        return listing.entries[0] if listing.entries else None

    async def start_capture(self, capture_mode: str | None = "video") -> None:
        """Start recording, switching ``captureMode`` first when given."""
        await self._ensure_level_locked()
        if capture_mode is not None:
            if self._level == 1 and capture_mode == "video":
                capture_mode = "_video"  # THETA API v2.0 name
            await self.set_options({"captureMode": capture_mode})
            await self._settle()
        name = CMD_START_RECORDING_V1 if self._level == 1 else CMD_START_CAPTURE
        await self.execute(name)

    async def stop_capture(self, restore_mode: str | None = "image") -> tuple[str, ...]:
        """Stop recording; return the recorded files' URLs when the camera says."""
        await self._ensure_level_locked()
        name = CMD_STOP_RECORDING_V1 if self._level == 1 else CMD_STOP_CAPTURE
        answer = await self.execute(name)
        urls = recorded_urls(answer.results)
        if restore_mode is not None:
            await self.set_options({"captureMode": restore_mode})
        return urls

    # ---- files

    def file_url(self, url: str) -> URL:
        """Where to fetch ``url``: relative paths and foreign hosts are rebased.

        Cameras build file URLs from the address of one of their interfaces,
        which is not always the one Home Assistant reaches; the path is what
        identifies the file, and credentials are never sent elsewhere.
        """
        try:
            parsed = URL(url)
        except (TypeError, ValueError) as err:
            raise InvalidResponse("file URL cannot be parsed") from err
        if not parsed.is_absolute():
            return self._base.join(parsed)
        if parsed.host == self._base.host and parsed.scheme == "http":
            return parsed
        return self._base.with_path(parsed.raw_path, encoded=True).with_query(
            parsed.raw_query_string
        )

    async def download(
        self,
        file_url: str,
        *,
        max_bytes: int = DEFAULT_DOWNLOAD_MAX_BYTES,
        timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
    ) -> bytes:
        """Download a file the camera named, at most ``max_bytes``.

        URLs are fetched over HTTP; a level 1 file URI (no scheme, no slash in
        front) goes through ``camera.getImage``.
        """
        if "://" not in file_url and not file_url.startswith("/"):
            return await self._get_image(file_url, max_bytes, timeout)
        response = await fetch(
            self._session,
            "GET",
            self.file_url(file_url),
            timeout=timeout,
            max_bytes=max_bytes,
            middlewares=self._middlewares,
        )
        self._check_auth(response)
        if response.status == 404:
            raise BackendError("notFound", "the camera has no such file")
        if response.status != 200:
            raise BackendError(
                response.status, f"file download answered HTTP {response.status}"
            )
        return response.body

    async def open_file(
        self,
        file_url: str,
        *,
        max_bytes: int = DEFAULT_DOWNLOAD_MAX_BYTES,
        timeout: float | None = None,
        byte_range: str | None = None,
    ) -> StreamedResponse:
        """Start downloading a file the camera listed, to read in chunks.

        For files too big to hold at once (videos): the caller reads
        ``chunks()`` (at most ``max_bytes``) or calls ``close()``. The
        camera's own Content-Type is in the headers. ``timeout`` (default:
        the client's) bounds every wait, not the transfer. ``byte_range``
        (a ``Range`` header value) asks for part of the file: the camera
        answers 206 with a Content-Range, or 200 and the whole file if it
        ignores ranges, or 416 (returned, with no body to speak of) for a
        range beyond the file. Level 2 URLs only: level 1 file URIs are read
        whole by ``download``.
        """
        response = await open_stream(
            self._session,
            "GET",
            self.file_url(file_url),
            timeout=timeout or self._timeout,
            max_bytes=max_bytes,
            headers={"Range": byte_range} if byte_range else None,
            middlewares=self._middlewares,
        )
        if response.status == 200 or (byte_range and response.status in (206, 416)):
            return response
        response.close()
        self._check_auth(response)
        if response.status == 404:
            raise BackendError("notFound", "the camera has no such file")
        raise BackendError(
            response.status, f"file download answered HTTP {response.status}"
        )

    async def thumbnail(self, file_url: str) -> bytes:
        """A listed file's thumbnail, as a THETA serves it (``?type=thumb``).

        For cameras that leave thumbnails out of their listings. A camera
        that ignores the query answers the whole file: a picture above
        ``THUMB_MAX_BYTES`` is InvalidResponse, as is an answer that is no
        image.
        """
        url = self.file_url(file_url)
        url = url.with_query(
            f"{url.raw_query_string}&{THUMB_QUERY}"
            if url.raw_query_string
            else THUMB_QUERY
        )
        response = await fetch(
            self._session,
            "GET",
            url,
            timeout=self._timeout,
            max_bytes=THUMB_MAX_BYTES,
            middlewares=self._middlewares,
        )
        self._check_auth(response)
        if response.status != 200:
            raise BackendError(
                response.status, f"thumbnail answered HTTP {response.status}"
            )
        if not response.headers.get("Content-Type", "").startswith("image/"):
            raise InvalidResponse("the camera answered no thumbnail image")
        return response.body

    async def _get_image(self, file_uri: str, max_bytes: int, timeout: float) -> bytes:
        """Level 1 download: ``camera.getImage`` answers the image itself."""
        async with self._lock:
            with self._running(CMD_GET_IMAGE):
                await self._ensure_level()
                answer = await self._get_image_once(file_uri, max_bytes, timeout)
                if isinstance(answer, OscCommand) and self._session_problem(answer):
                    await self._renegotiate()
                    answer = await self._get_image_once(file_uri, max_bytes, timeout)
        if isinstance(answer, bytes):
            return answer
        if answer.state != STATE_ERROR:
            raise InvalidResponse("camera.getImage answered no image")
        if self._session_problem(answer):
            raise BackendError(
                SESSION_CODE, "the camera refused a freshly opened session"
            )
        raise command_error(
            answer.error_code or "unknownError",
            answer.error_message,
            {"fileUri": file_uri},
        )

    async def _get_image_once(
        self, file_uri: str, max_bytes: int, timeout: float
    ) -> bytes | OscCommand:
        params: dict[str, Any] = {"fileUri": file_uri}
        if self._level == 1:
            params["sessionId"] = self._session_id
        response = await fetch(
            self._session,
            "POST",
            self._base.with_path("/osc/commands/execute"),
            timeout=timeout,
            max_bytes=max_bytes,
            json_body={"name": CMD_GET_IMAGE, "parameters": params},
            headers=HEADERS,
            middlewares=self._middlewares,
        )
        self._check_auth(response)
        kind = response.headers.get("Content-Type", "")
        if response.status == 200 and "json" not in kind.lower():
            return response.body
        return read_command(response, CMD_GET_IMAGE)
