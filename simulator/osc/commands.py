"""Commands of the fake camera: sessions, shooting, video and files."""

from __future__ import annotations

import base64
import time
from typing import Any

from aiohttp import web

from .camera import AnyFile, OscCamera, OscFault, SimCommand, SimFile
from .media import make_mp4


class OscCommands(OscCamera):
    """What ``/osc/commands/execute`` runs, apart from the options."""

    # ---- sessions (level 1)

    def _check_session(self, params: dict[str, Any]) -> None:
        session_id = params.get("sessionId")
        if session_id is None:
            raise OscFault(400, "missingParameter", "Parameter sessionId is missing")
        expiry = self.sessions.get(str(session_id))
        if expiry is None or expiry < time.monotonic():
            self.sessions.pop(str(session_id), None)
            raise OscFault(400, "invalidSessionId", f"Session {session_id} is invalid")
        self.sessions[str(session_id)] = time.monotonic() + self.session_timeout

    def _start_session(self, params: dict[str, Any]) -> dict[str, Any]:
        now = time.monotonic()
        live = {k: v for k, v in self.sessions.items() if v >= now}
        if live and self.exclusive_sessions:
            raise OscFault(400, "cameraInExclusiveUse", "Another session is open")
        session_id = f"SID_{next(self._sessions):04d}"
        self.sessions = {session_id: now + self.session_timeout}
        timeout = int(self.session_timeout)
        return self._done(
            "camera.startSession", {"sessionId": session_id, "timeout": timeout}
        )

    def _update_session(self, params: dict[str, Any]) -> dict[str, Any]:
        session_id = next(iter(self.sessions))
        return self._done(
            "camera.updateSession",
            {"sessionId": session_id, "timeout": int(self.session_timeout)},
        )

    def _close_session(self, params: dict[str, Any]) -> dict[str, Any]:
        self.sessions.clear()
        return self._done("camera.closeSession")

    # ---- shooting

    def _take_picture(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.busy:
            raise OscFault(403, "disabledCommand", "Camera is busy")
        if self.options["captureMode"] != "image":
            raise OscFault(
                403, "disabledCommand", "Command takePicture is disabled in video mode"
            )
        if self.capture_status != "idle" or self.commands:
            raise OscFault(403, "disabledCommand", "Camera is already shooting")
        command_id = self._new_id()
        self.capture_status = "shooting"
        self.end_previews()
        self.touch()

        def finish() -> dict[str, Any]:
            self.capture_status = "idle"
            if self.cancel_next_shot:
                self.cancel_next_shot = False
                self.touch()
                return {
                    "status": 403,
                    "code": "canceledShooting",
                    "message": "Shooting is canceled",
                }
            if self.fail_next_shot is not None:
                code, self.fail_next_shot = self.fail_next_shot, None
                self.touch()
                status = 503 if code in ("serviceUnavailable", "unexpected") else 400
                return {"status": status, "code": code, "message": "Shooting failed"}
            file = self._store_picture()
            ref = self.ref_of(file)
            key = "fileUri" if self.client_version == 1 else self.result_field
            return {"results": {key: ref}}

        self.commands[command_id] = SimCommand(
            command_id, "camera.takePicture", time.monotonic(), finish
        )
        return {
            "name": "camera.takePicture",
            "state": "inProgress",
            "id": self._wire_id(command_id),
            "progress": {"completion": 0},
        }

    def _start_capture(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.busy or self.options["captureMode"] == "image" or self.recording:
            raise OscFault(
                403, "disabledCommand", "Command startCapture is disabled now"
            )
        self.recording_since = time.monotonic()
        self.capture_status = "shooting"
        self.end_previews()
        self.touch()
        return self._done("camera.startCapture")

    def _stop_capture(self, params: dict[str, Any]) -> dict[str, Any]:
        if not self.recording:
            raise OscFault(403, "disabledCommand", "Camera is not recording")
        self.recording_since = None
        self.capture_status = "idle"
        number = next(self._numbers)
        file = self._store(make_mp4(number), f"R{number:07d}.MP4", 1920, 960)
        self.touch()
        if self.client_version == 1:
            return self._done("camera._stopRecording")
        return self._done("camera.stopCapture", {"fileUrls": [self.url_of(file)]})

    # ---- files

    def _ordered(self, kind: str) -> list[SimFile]:
        files = sorted(self.files.values(), key=lambda f: f.number, reverse=True)
        if kind == "image":
            return [f for f in files if not f.is_video]
        if kind == "video":
            return [f for f in files if f.is_video]
        return files

    def _page(self, kind: str, start: int, count: int) -> tuple[list[AnyFile], int]:
        """Files ``start`` to ``start + count`` of ``kind``, and how many there are.

        The shots of the simulation come first (the newest), then the
        archive, made only for the page asked.
        """
        taken = self._ordered(kind)
        total = len(taken) + self.archive.total(kind)
        if self.max_entries is not None:
            count = min(count, self.max_entries)
        page: list[AnyFile] = list(taken[start : start + count])
        if len(page) < count:
            page += self.archive.page(
                kind, max(start - len(taken), 0), count - len(page)
            )
        return page, total

    def _entry(
        self, file: AnyFile, key: str, ref: str, thumb_size: int = 0
    ) -> dict[str, Any]:
        stamp = time.strftime("%Y:%m:%d %H:%M:%S+00:00", time.gmtime(file.taken))
        entry: dict[str, Any] = {
            "name": file.name,
            key: ref,
            "size": len(file.content),
            "dateTimeZone": stamp,
            "width": file.width,
            "height": file.height,
            "isProcessed": True,
            "previewUrl": "",
        }
        if thumb_size > 0 and self.list_thumbnails:
            thumb = self.thumbnail_of(file, thumb_size)
            entry["thumbnail"] = base64.b64encode(thumb).decode("ascii")
        return entry

    def _list_files(self, params: dict[str, Any]) -> dict[str, Any]:
        file_type = params.get("fileType")
        count = params.get("entryCount")
        if file_type is None or count is None:
            raise OscFault(
                400,
                "missingParameter",
                "Parameters fileType and entryCount are required",
            )
        if file_type not in ("all", "image", "video"):
            raise OscFault(
                400, "invalidParameterValue", "Parameter fileType is invalid"
            )
        start = params.get("startPosition", 0)
        thumb_size = params.get("maxThumbSize") or 0
        if (
            not isinstance(count, int)
            or count < 0
            or not isinstance(start, int)
            or start < 0
            or not isinstance(thumb_size, int)
            or thumb_size < 0
        ):
            raise OscFault(
                400, "invalidParameterValue", "Parameter entryCount is invalid"
            )
        files, total = self._page(file_type, start, count)
        entries = [self._entry(f, "fileUrl", self.url_of(f), thumb_size) for f in files]
        return self._done(
            "camera.listFiles", {"entries": entries, "totalEntries": total}
        )

    def _list_images(self, params: dict[str, Any]) -> dict[str, Any]:
        count = params.get("entryCount")
        if not isinstance(count, int) or count < 0:
            raise OscFault(400, "missingParameter", "Parameter entryCount is missing")
        thumb_size = 0
        if params.get("includeThumb", True):
            thumb_size = params.get("maxSize")
            if thumb_size is None:
                raise OscFault(400, "missingParameter", "Parameter maxSize is missing")
            if not isinstance(thumb_size, int) or thumb_size < 0:
                raise OscFault(
                    400, "invalidParameterValue", "Parameter maxSize is invalid"
                )
        token = params.get("continuationToken")
        start = 0
        if token is not None:
            # the camera's own token: the position of the next page
            if not isinstance(token, str) or not token.isdigit():
                raise OscFault(
                    400,
                    "invalidParameterValue",
                    "Parameter continuationToken is invalid",
                )
            start = int(token)
        files, total = self._page("image", start, count)
        if token is not None and start >= total:
            raise OscFault(
                400, "invalidParameterValue", "Parameter continuationToken is invalid"
            )
        entries = [self._entry(f, "uri", f.uri, thumb_size) for f in files]
        results: dict[str, Any] = {"entries": entries, "totalEntries": total}
        if start + len(files) < total:
            results["continuationToken"] = str(start + len(files))
        return self._done("camera.listImages", results)

    def _get_image(self, params: dict[str, Any]) -> web.Response:
        uri = params.get("fileUri")
        if not isinstance(uri, str):
            raise OscFault(400, "missingParameter", "Parameter fileUri is missing")
        file = self.find_file(uri)
        if file is None:
            raise OscFault(400, "invalidParameterValue", "Parameter fileUri is unknown")
        return web.Response(body=file.content, content_type="image/jpeg")

    def _delete(self, params: dict[str, Any]) -> dict[str, Any]:
        urls = params.get("fileUrls")
        if not isinstance(urls, list):
            raise OscFault(400, "missingParameter", "Parameter fileUrls is missing")
        for url in urls:
            for uri, file in list(self.files.items()):
                if url in ("all", self.url_of(file)):
                    del self.files[uri]
            if url == "all":
                # archived files go only all at once
                self.archive.clear()
        self.touch()
        return self._done("camera.delete")
