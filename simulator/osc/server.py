"""The fake camera over HTTP: OSC endpoints, Digest authentication, files."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import time
from typing import Any

from aiohttp import web

from ..common import Handler, json_error
from .camera import OscFault
from .commands import OscCommands
from .constants import LEVEL1_ONLY, LEVEL2_ONLY, RICOH_MESSAGES
from .digest import challenge, digest_ok
from .options import OscOptions
from .preview import PREVIEW_COMMANDS, OscPreview


class OscSimulator(OscCommands, OscOptions, OscPreview):
    """State and knobs of the fake camera, served over HTTP."""

    # ---- application

    def make_app(self) -> web.Application:
        """The fault middleware first, then Digest authentication."""
        app = web.Application(
            middlewares=[
                self.fault_middleware,
                self._auth_middleware,
                self._osc_error_middleware,
            ]
        )
        self.add_routes(app)
        return app

    def add_routes(self, app: web.Application) -> None:
        """Routes of the OSC protocol and the file store."""
        app.router.add_get("/osc/info", self._info)
        app.router.add_post("/osc/state", self._state)
        app.router.add_post("/osc/checkForUpdates", self._check_for_updates)
        app.router.add_post("/osc/commands/execute", self._execute)
        app.router.add_post("/osc/commands/status", self._status)
        app.router.add_get("/files/{storage}/{directory}/{name}", self._file)

    # ---- digest authentication

    @web.middleware
    async def _auth_middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        self._host = request.host
        if (
            self.auth is None
            or (self.open_info and request.path == "/osc/info")
            or digest_ok(request, self.auth, self._nonces)
        ):
            return await handler(request)
        self.auth_failures += 1
        return challenge(self._nonces)

    # ---- helpers

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if self.require_xsrf and request.headers.get("X-XSRF-Protected") != "1":
            raise OscFault(
                403, "invalidParameterValue", "X-XSRF-Protected header missing"
            )
        raw = await request.read()
        if not raw:
            return {}
        try:
            body = await request.json()
        except ValueError:
            raise OscFault(400, "invalidParameterValue", "Body is not JSON") from None
        if not isinstance(body, dict):
            raise OscFault(400, "invalidParameterValue", "Body is not an object")
        return body

    # ---- protocol handlers

    async def _info(self, request: web.Request) -> web.Response:
        port = request.url.port or 80
        info: dict[str, Any] = {
            "manufacturer": self.manufacturer,
            "model": self.model,
            "firmwareVersion": self.firmware_version,
            "supportUrl": "https://theta360.com/en/support/",
            "gps": False,
            "gyro": True,
            "uptime": int(time.monotonic() - self._started),
            "api": [
                "/osc/info",
                "/osc/state",
                "/osc/checkForUpdates",
                "/osc/commands/execute",
                "/osc/commands/status",
            ],
            "endpoints": {"httpPort": port, "httpUpdatesPort": port},
            "apiLevel": list(self.api_levels),
            "_wlanMacAddress": "00:45:78:bc:45:67",
        }
        if self.serial_number is not None:
            info["serialNumber"] = self.serial_number
        if self.camera_id is not None:
            info["cameraId"] = self.camera_id
        return web.json_response(info)

    async def _state(self, request: web.Request) -> web.Response:
        await self._body(request)
        state = self.state_object()
        return web.json_response({"fingerprint": self.fingerprint, "state": state})

    async def _check_for_updates(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        known = body.get("stateFingerprint")
        if not isinstance(known, str):
            raise OscFault(400, "missingParameter", "stateFingerprint is required")
        wait = body.get("waitTimeout")
        if isinstance(wait, int | float) and wait > 0 and known == self.fingerprint:
            if self._changed is None:
                self._changed = asyncio.Event()
            try:
                async with asyncio.timeout(min(float(wait), 30.0)):
                    await self._changed.wait()
            except TimeoutError:
                pass
        return web.json_response(
            {
                "stateFingerprint": self.fingerprint,
                "throttleTimeout": self.throttle_timeout,
            }
        )

    @web.middleware
    async def _osc_error_middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Turn OscFault into the camera's JSON error answer."""
        try:
            return await handler(request)
        except OscFault as fault:
            message = fault.message
            if not self.detailed_errors:
                message = RICOH_MESSAGES.get(fault.code, message)
            return json_error(
                fault.status,
                name=request.get("osc_command", request.path.rsplit("/", 1)[-1]),
                state="error",
                error={"code": fault.code, "message": message},
            )

    async def _execute(self, request: web.Request) -> web.StreamResponse:
        body = await self._body(request)
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise OscFault(400, "missingParameter", "Parameter name is missing")
        request["osc_command"] = name
        params = body.get("parameters", {})
        if not isinstance(params, dict):
            raise OscFault(400, "invalidParameterValue", "parameters is not an object")
        self.requests[f"execute:{name}"] += 1
        return await self._run(name, params, request)

    async def _run(
        self, name: str, params: dict[str, Any], request: web.Request
    ) -> web.StreamResponse:
        level1 = self.client_version == 1
        if (level1 and name in LEVEL2_ONLY) or (not level1 and name in LEVEL1_ONLY):
            raise OscFault(400, "unknownCommand", f"Command {name} is unknown")
        if level1 and name != "camera.startSession":
            self._check_session(params)
            params = {k: v for k, v in params.items() if k != "sessionId"}
        if name in PREVIEW_COMMANDS:
            return await self.live_preview(request)
        handler = self._commands().get(name)
        if handler is None:
            raise OscFault(400, "unknownCommand", f"Command {name} is unknown")
        result = handler(params)
        if isinstance(result, web.StreamResponse):
            return result
        return web.json_response(result)

    def _commands(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "camera.startSession": self._start_session,
            "camera.updateSession": self._update_session,
            "camera.closeSession": self._close_session,
            "camera.takePicture": self._take_picture,
            "camera.setOptions": self._set_options,
            "camera.getOptions": self._get_options,
            "camera.listFiles": self._list_files,
            "camera.listImages": self._list_images,
            "camera.getImage": self._get_image,
            "camera.delete": self._delete,
            "camera.startCapture": self._start_capture,
            "camera.stopCapture": self._stop_capture,
            "camera._startRecording": self._start_capture,
            "camera._stopRecording": self._stop_capture,
        }

    async def _status(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        raw_id = body.get("id")
        if raw_id is None:
            raise OscFault(400, "missingParameter", "Parameter id is missing")
        command = self.commands.get(str(raw_id))
        if command is None:
            raise OscFault(
                400, "invalidParameterValue", f"Parameter id {raw_id} is unknown"
            )
        request["osc_command"] = command.name
        command.polls += 1
        self._advance()
        if (
            command.outcome is None
            and not self.stall_shots
            and self._completion(command) >= 1
        ):
            command.outcome = command.finish()
        if command.outcome is None:
            completion = (
                min(round(self._completion(command), 2), 0.99)
                if self.report_completion
                else 0
            )
            return web.json_response(
                {
                    "name": command.name,
                    "state": "inProgress",
                    "id": self._wire_id(command.id),
                    "progress": {"completion": completion},
                }
            )
        # reported once, then forgotten
        del self.commands[command.id]
        outcome = command.outcome
        if "code" in outcome:
            return json_error(
                outcome["status"],
                name=command.name,
                state="error",
                error={"code": outcome["code"], "message": outcome["message"]},
            )
        return web.json_response(
            {
                "name": command.name,
                "state": "done",
                "id": self._wire_id(command.id),
                "results": outcome["results"],
            }
        )

    async def _file(self, request: web.Request) -> web.Response:
        uri = f"{request.match_info['directory']}/{request.match_info['name']}"
        file = self.find_file(uri)
        if file is None or request.match_info["storage"] != self._storage_id:
            return web.Response(status=404, text="Not Found")
        if self.thumb_query and request.query.get("type") == "thumb":
            self.requests["thumbnail"] += 1
            return web.Response(
                body=self.thumbnail_of(file, 640), content_type="image/jpeg"
            )
        kind = "video/mp4" if file.is_video else "image/jpeg"
        if self.ranges and "Range" in request.headers:
            return self._part(file.content, kind, request.http_range)
        return web.Response(body=file.content, content_type=kind)

    def _part(self, content: bytes, kind: str, wanted: slice) -> web.Response:
        """A 206 answer with the bytes asked for, or 416 beyond the file."""
        start, stop, _ = wanted.indices(len(content))
        if start >= len(content) or stop <= start:
            return web.Response(
                status=416, headers={"Content-Range": f"bytes */{len(content)}"}
            )
        self.requests["range"] += 1
        return web.Response(
            status=206,
            body=content[start:stop],
            content_type=kind,
            headers={
                "Content-Range": f"bytes {start}-{stop - 1}/{len(content)}",
                "Accept-Ranges": "bytes",
            },
        )
