"""Fake Open Spherical Camera (a RICOH THETA-like 360° camera).

Speaks API level 2 and, for older cameras, level 1 with sessions. A picture
stays ``inProgress`` for ``shot_seconds`` of wall-clock time, or for
``shot_polls`` status polls when that is set (tests use it to be exact and
fast), with a rising ``progress.completion``. Pictures are real JPEG files,
served at the URLs the camera answers and listed by ``camera.listFiles``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import hashlib
import hmac
import io
import itertools
import re
import secrets
import time
from typing import Any

from aiohttp import web
from PIL import Image, ImageDraw

from .common import Handler, SimulatorBase, json_error

REALM = "RICOH THETA Simulator"
ISO_SUPPORT = (0, 64, 80, 100, 125, 160, 200, 250, 320, 400, 500, 640, 800, 1600)
EV_SUPPORT = (-2.0, -1.7, -1.3, -1.0, -0.7, -0.3, 0.0, 0.3, 0.7, 1.0, 1.3, 1.7, 2.0)
WHITE_BALANCE_SUPPORT = ("auto", "daylight", "shade", "cloudy-daylight", "incandescent")
CAPTURE_MODES = ("image", "video")
CAPTURE_MODES_V1 = ("image", "_video")
READ_ONLY_OPTIONS = frozenset(
    {
        "remainingPictures",
        "remainingSpace",
        "totalSpace",
        "captureModeSupport",
        "isoSupport",
        "exposureCompensationSupport",
        "whiteBalanceSupport",
    }
)
TOTAL_SPACE = 19 * 1024**3
PICTURE_BYTES_ESTIMATE = 4 * 1024**2
LEVEL2_ONLY = frozenset(
    {"camera.listFiles", "camera.startCapture", "camera.stopCapture", "camera.delete"}
)
LEVEL1_ONLY = frozenset(
    {
        "camera.startSession",
        "camera.updateSession",
        "camera.closeSession",
        "camera.listImages",
        "camera.getImage",
        "camera._startRecording",
        "camera._stopRecording",
    }
)
# What RICOH's THETA emulator answers for validation
# errors, word for word: no parameter is named.
RICOH_MESSAGES = {
    "invalidParameterName": (
        "Any input parameter or option name is unrecognized or supported."
    ),
    "invalidParameterValue": (
        "Any input parameter or option is recognized, but its value is invalid."
    ),
    "missingParameter": "Any required parameter is not specified.",
}
_DIGEST_PAIR = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def make_jpeg(number: int, width: int = 256, height: int = 128) -> bytes:
    """A real equirectangular-shaped JPEG, different for every number."""
    digest = hashlib.sha256(str(number).encode()).digest()
    image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 8):
        shade = (x * 255) // max(width - 1, 1)
        draw.line([(x, height // 2), (x, height)], fill=(shade, digest[3], 255 - shade))
    draw.text((4, 4), f"R{number:07d}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def make_mp4(number: int) -> bytes:
    """A tiny file that starts like an MP4 (enough for listings and downloads)."""
    payload = f"simulated video {number}".encode()
    return (
        (24).to_bytes(4, "big")
        + b"ftypisom"
        + b"\x00\x00\x02\x00isomiso2"
        + (8 + len(payload)).to_bytes(4, "big")
        + b"free"
        + payload
    )


class OscFault(Exception):
    """An OSC error answer (raised inside handlers, turned into JSON)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        """Keep the HTTP status and the OSC error."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class SimFile:
    """A file stored on the fake camera."""

    number: int
    name: str
    directory: str
    content: bytes
    taken: float
    width: int
    height: int

    @property
    def is_video(self) -> bool:
        """Whether this is a video file."""
        return self.name.endswith(".MP4")

    @property
    def uri(self) -> str:
        """The level 1 file URI."""
        return f"{self.directory}/{self.name}"


@dataclass
class SimCommand:
    """A command running on the fake camera."""

    id: str
    name: str
    started: float
    finish: Callable[[], dict[str, Any]]
    polls: int = 0
    outcome: dict[str, Any] | None = None


@dataclass
class OscSimulator(SimulatorBase):
    """State and knobs of the fake camera."""

    api_levels: tuple[int, ...] = (1, 2)
    client_version: int = 2
    shot_seconds: float = 2.0
    shot_polls: int | None = None
    manufacturer: str = "RICOH"
    model: str = "RICOH THETA Z1"
    serial_number: str | None = "10100001"
    camera_id: str | None = None
    firmware_version: str = "3.20.1"
    battery_level: float = 0.87
    battery_state: str = "disconnect"
    picture_size: tuple[int, int] = (256, 128)
    # host:port written in file URLs (None: the address the request came to)
    public_host: str | None = None
    # THETA vendor fields in /osc/state (_latestFileUrl, _captureStatus, ...)
    theta_state: bool = True
    # how takePicture names its file: "fileUrl", "_localFileGroup", ...
    result_field: str = "fileUrl"
    # a level 1+2 camera that nevertheless refuses clientVersion 2
    refuse_level2: bool = False
    session_timeout: float = 180.0
    # level 1: refuse a new session while one is open (cameraInExclusiveUse)
    exclusive_sessions: bool = False
    require_xsrf: bool = True
    # with auth set: True lets /osc/info answer without credentials (whether a
    # THETA in client mode protects /osc/info is not documented; tests cover both)
    open_info: bool = False
    throttle_timeout: int = 0
    # False: inProgress answers keep completion at 0 (no hint when it ends)
    report_completion: bool = True
    # False: validation errors carry RICOH's generic messages (RICOH_MESSAGES),
    # as RICOH's emulator does; True: messages that name the parameter
    detailed_errors: bool = False
    # fault knobs
    busy: bool = False
    cancel_next_shot: bool = False
    fail_next_shot: str | None = None
    stall_shots: bool = False
    battery_as_string: bool = False
    numeric_ids: bool = False
    options: dict[str, Any] = field(
        default_factory=lambda: {
            "captureMode": "image",
            "iso": 0,
            "exposureCompensation": 0.0,
            "whiteBalance": "auto",
            "exposureProgram": 2,
            "_shutterVolume": 100,
            "sleepDelay": 600,
            "offDelay": 1800,
        }
    )

    def __post_init__(self) -> None:
        """Empty storage, no command, no session."""
        self.files: dict[str, SimFile] = {}
        self.commands: dict[str, SimCommand] = {}
        self.sessions: dict[str, float] = {}
        self.recording_since: float | None = None
        self.capture_status = "idle"
        self.auth_failures = 0
        self._version = 0
        self._ids = itertools.count(1)
        self._numbers = itertools.count(10)
        self._sessions = itertools.count(1)
        self._nonces: set[str] = set()
        self._changed: asyncio.Event | None = None
        self._started = time.monotonic()
        self._host = "127.0.0.1"

    # ---- things tests do to the camera

    @property
    def fingerprint(self) -> str:
        """Changes whenever the state does."""
        return f"FIG_{self._version:04d}"

    def touch(self) -> None:
        """Record a change of state (new fingerprint)."""
        self._version += 1
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def set_battery(self, level: float, state: str | None = None) -> None:
        """Change the battery level (and state)."""
        self.battery_level = level
        if state is not None:
            self.battery_state = state
        self.touch()

    def shoot_on_camera(self) -> SimFile:
        """Someone pressed the shutter button on the camera itself."""
        return self._store_picture()

    def expire_sessions(self) -> None:
        """Level 1 sessions time out."""
        self.sessions.clear()

    def fall_back_to_level1(self) -> None:
        """What a THETA S does when Wi-Fi drops: back to clientVersion 1."""
        self.client_version = 1
        self.sessions.clear()
        self.touch()

    @property
    def recording(self) -> bool:
        """Whether a video is being recorded."""
        return self.recording_since is not None

    @property
    def latest(self) -> SimFile | None:
        """The newest file."""
        return max(self.files.values(), key=lambda f: f.number, default=None)

    def url_of(self, file: SimFile) -> str:
        """The level 2 URL of a file."""
        host = self.public_host or self._host
        return f"http://{host}/files/{self._storage_id}/{file.uri}"

    def ref_of(self, file: SimFile) -> str:
        """How the current protocol level names a file."""
        return file.uri if self.client_version == 1 else self.url_of(file)

    @property
    def _storage_id(self) -> str:
        return hashlib.md5(
            (self.serial_number or "x").encode(), usedforsecurity=False
        ).hexdigest()

    def _store(self, content: bytes, name: str, width: int, height: int) -> SimFile:
        number = int(name[1:8]) if name[1:8].isdigit() else 0
        file = SimFile(number, name, "100RICOH", content, time.time(), width, height)
        self.files[file.uri] = file
        return file

    def _store_picture(self) -> SimFile:
        number = next(self._numbers)
        width, height = self.picture_size
        file = self._store(
            make_jpeg(number, width, height), f"R{number:07d}.JPG", width, height
        )
        self.touch()
        return file

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
            or self._digest_ok(request)
        ):
            return await handler(request)
        self.auth_failures += 1
        nonce = secrets.token_hex(16)
        self._nonces.add(nonce)
        if len(self._nonces) > 256:
            self._nonces.pop()
        challenge = (
            f'Digest realm="{REALM}", qop="auth", nonce="{nonce}", algorithm=MD5'
        )
        return web.Response(
            status=401, text="Unauthorized", headers={"WWW-Authenticate": challenge}
        )

    def _digest_ok(self, request: web.Request) -> bool:
        assert self.auth is not None
        header = request.headers.get("Authorization", "")
        scheme, _, rest = header.partition(" ")
        if scheme.lower() != "digest":
            return False
        fields = {
            m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _DIGEST_PAIR.finditer(rest)
        }
        user, password = self.auth
        if (
            fields.get("username") != user
            or fields.get("realm") != REALM
            or fields.get("nonce") not in self._nonces
            or fields.get("uri") != request.raw_path
            or fields.get("algorithm", "MD5").upper() != "MD5"
        ):
            return False

        def md5(text: str) -> str:
            return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

        ha1 = md5(f"{user}:{REALM}:{password}")
        ha2 = md5(f"{request.method}:{fields['uri']}")
        if fields.get("qop") == "auth":
            expected = md5(
                f"{ha1}:{fields['nonce']}:{fields.get('nc', '')}:"
                f"{fields.get('cnonce', '')}:auth:{ha2}"
            )
        else:
            expected = md5(f"{ha1}:{fields['nonce']}:{ha2}")
        return hmac.compare_digest(expected, fields.get("response", ""))

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

    def _new_id(self) -> str:
        return str(next(self._ids))

    def _wire_id(self, command_id: str) -> str | int:
        return int(command_id) if self.numeric_ids else command_id

    def _advance(self) -> None:
        """Finish the time-based commands whose time has come."""
        if self.shot_polls is not None or self.stall_shots:
            return
        now = time.monotonic()
        for command in self.commands.values():
            if command.outcome is None and now - command.started >= self.shot_seconds:
                command.outcome = command.finish()

    def _completion(self, command: SimCommand) -> float:
        if self.stall_shots:
            return 0.5
        if self.shot_polls is not None:
            return command.polls / max(self.shot_polls, 1)
        return (time.monotonic() - command.started) / max(self.shot_seconds, 1e-6)

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

    def state_object(self) -> dict[str, Any]:
        """The ``state`` object of ``/osc/state``."""
        self._advance()
        battery: Any = round(self.battery_level, 2)
        if self.battery_as_string:
            battery = str(battery)
        state: dict[str, Any] = {"batteryLevel": battery}
        if self.client_version == 1:
            state["sessionId"] = next(iter(self.sessions), "")
            state["storageChanged"] = False
        else:
            state["storageUri"] = f"http://{self._host}/files/{self._storage_id}/"
        if self.theta_state:
            latest = self.latest
            recorded = (
                int(time.monotonic() - self.recording_since)
                if self.recording_since is not None
                else 0
            )
            state |= {
                "_apiVersion": self.client_version,
                "_batteryState": self.battery_state,
                "_captureStatus": self.capture_status,
                "_cameraError": [],
                "_capturedPictures": 0,
                "_recordedTime": recorded,
                "_recordableTime": 1500 - recorded if self.recording else 0,
                "_function": "normal",
            }
            key = "_latestFileUri" if self.client_version == 1 else "_latestFileUrl"
            state[key] = self.ref_of(latest) if latest is not None else ""
        return state

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
        return await self._run(name, params)

    async def _run(self, name: str, params: dict[str, Any]) -> web.StreamResponse:
        level1 = self.client_version == 1
        if (level1 and name in LEVEL2_ONLY) or (not level1 and name in LEVEL1_ONLY):
            raise OscFault(400, "unknownCommand", f"Command {name} is unknown")
        if level1 and name != "camera.startSession":
            self._check_session(params)
            params = {k: v for k, v in params.items() if k != "sessionId"}
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

    def _done(self, name: str, results: dict[str, Any] | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = {"name": name, "state": "done"}
        if results is not None:
            answer["results"] = results
        return answer

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

    def _start_capture(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.busy or self.options["captureMode"] == "image" or self.recording:
            raise OscFault(
                403, "disabledCommand", "Command startCapture is disabled now"
            )
        self.recording_since = time.monotonic()
        self.capture_status = "shooting"
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

    # ---- options

    @property
    def _capture_modes(self) -> tuple[str, ...]:
        """THETA API v2.0 (level 1) calls video mode ``_video``."""
        return CAPTURE_MODES_V1 if self.client_version == 1 else CAPTURE_MODES

    def _all_options(self) -> dict[str, Any]:
        used = sum(len(f.content) for f in self.files.values())
        return self.options | {
            "clientVersion": self.client_version,
            "remainingSpace": TOTAL_SPACE - used,
            "totalSpace": TOTAL_SPACE,
            "remainingPictures": (TOTAL_SPACE - used) // PICTURE_BYTES_ESTIMATE,
            "captureModeSupport": list(self._capture_modes),
            "isoSupport": list(ISO_SUPPORT),
            "exposureCompensationSupport": list(EV_SUPPORT),
            "whiteBalanceSupport": list(WHITE_BALANCE_SUPPORT),
        }

    def _set_options(self, params: dict[str, Any]) -> dict[str, Any]:
        options = params.get("options")
        if options is None:
            raise OscFault(400, "missingParameter", "Parameter options is missing")
        if not isinstance(options, dict) or not options:
            raise OscFault(400, "invalidParameterValue", "Parameter options is invalid")
        updates: dict[str, Any] = {}
        for name, value in options.items():
            updates[name] = self._check_option(name, value)
        if "captureMode" in updates and self.recording:
            raise OscFault(
                403, "disabledCommand", "Cannot change captureMode while recording"
            )
        version = updates.pop("clientVersion", None)
        self.options.update(updates)
        if version is not None and version != self.client_version:
            self.client_version = version
            self.sessions.clear()
        self.touch()
        return self._done("camera.setOptions")

    def _check_option(self, name: str, value: Any) -> Any:
        def bad() -> OscFault:
            return OscFault(
                400,
                "invalidParameterValue",
                f"Parameter options.{name} is out of range",
            )

        def number(v: Any) -> bool:
            return isinstance(v, int | float) and not isinstance(v, bool)

        if name in READ_ONLY_OPTIONS or (
            name not in self.options and name != "clientVersion"
        ):
            raise OscFault(
                400, "invalidParameterName", f"Parameter options.{name} is unsupported"
            )
        match name:
            case "iso":
                if not number(value) or value not in ISO_SUPPORT:
                    raise bad()
                return int(value)
            case "exposureCompensation":
                if not number(value) or round(float(value), 1) not in EV_SUPPORT:
                    raise bad()
                return float(value)
            case "captureMode":
                if value not in self._capture_modes:
                    raise bad()
            case "whiteBalance":
                if value not in WHITE_BALANCE_SUPPORT:
                    raise bad()
            case "clientVersion":
                if not number(value) or value not in self.api_levels:
                    raise bad()
                if value == 2 and self.refuse_level2:
                    raise bad()
                return int(value)
            case _:
                if not number(value) or value < 0:
                    raise bad()
        return value

    def _get_options(self, params: dict[str, Any]) -> dict[str, Any]:
        names = params.get("optionNames")
        if names is None:
            raise OscFault(400, "missingParameter", "Parameter optionNames is missing")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise OscFault(
                400, "invalidParameterValue", "Parameter optionNames is invalid"
            )
        known = self._all_options()
        for name in names:
            if name not in known:
                raise OscFault(
                    400,
                    "invalidParameterName",
                    f"Parameter optionNames.{name} is unsupported",
                )
        return self._done(
            "camera.getOptions", {"options": {n: known[n] for n in names}}
        )

    # ---- files

    def _ordered(self, kind: str) -> list[SimFile]:
        files = sorted(self.files.values(), key=lambda f: f.number, reverse=True)
        if kind == "image":
            return [f for f in files if not f.is_video]
        if kind == "video":
            return [f for f in files if f.is_video]
        return files

    def _entry(self, file: SimFile, key: str, ref: str) -> dict[str, Any]:
        stamp = time.strftime("%Y:%m:%d %H:%M:%S+00:00", time.gmtime(file.taken))
        return {
            "name": file.name,
            key: ref,
            "size": len(file.content),
            "dateTimeZone": stamp,
            "width": file.width,
            "height": file.height,
            "isProcessed": True,
            "previewUrl": "",
        }

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
        if not isinstance(count, int) or count < 0 or not isinstance(start, int):
            raise OscFault(
                400, "invalidParameterValue", "Parameter entryCount is invalid"
            )
        files = self._ordered(file_type)
        entries = [
            self._entry(f, "fileUrl", self.url_of(f))
            for f in files[start : start + count]
        ]
        return self._done(
            "camera.listFiles", {"entries": entries, "totalEntries": len(files)}
        )

    def _list_images(self, params: dict[str, Any]) -> dict[str, Any]:
        count = params.get("entryCount")
        if not isinstance(count, int) or count < 0:
            raise OscFault(400, "missingParameter", "Parameter entryCount is missing")
        files = self._ordered("image")
        entries = [self._entry(f, "uri", f.uri) for f in files[:count]]
        return self._done(
            "camera.listImages", {"entries": entries, "totalEntries": len(files)}
        )

    def _get_image(self, params: dict[str, Any]) -> web.Response:
        uri = params.get("fileUri")
        if not isinstance(uri, str):
            raise OscFault(400, "missingParameter", "Parameter fileUri is missing")
        file = self.files.get(uri)
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
        self.touch()
        return self._done("camera.delete")

    async def _file(self, request: web.Request) -> web.Response:
        uri = f"{request.match_info['directory']}/{request.match_info['name']}"
        file = self.files.get(uri)
        if file is None or request.match_info["storage"] != self._storage_id:
            return web.Response(status=404, text="Not Found")
        kind = "video/mp4" if file.is_video else "image/jpeg"
        return web.Response(body=file.content, content_type=kind)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line options of the fake camera."""
    group = parser.add_argument_group("OSC 360° camera")
    group.add_argument("--osc-port", type=int, default=0, help="port (0 = off)")
    group.add_argument(
        "--osc-api-level",
        type=int,
        choices=(1, 2),
        default=2,
        help="1: a level 1 only camera with sessions; 2: level 1 and 2, running 2",
    )
    group.add_argument(
        "--osc-shot-seconds", type=float, default=2.0, help="time a picture takes"
    )
    group.add_argument("--osc-username", help="require HTTP Digest auth")
    group.add_argument("--osc-password")
    group.add_argument("--osc-serial", default="10100001")


def build(args: argparse.Namespace) -> OscSimulator | None:
    """The fake camera configured from the command line."""
    if not args.osc_port:
        return None
    level1 = args.osc_api_level == 1
    sim = OscSimulator(
        api_levels=(1,) if level1 else (1, 2),
        client_version=1 if level1 else 2,
        shot_seconds=args.osc_shot_seconds,
        serial_number=args.osc_serial,
    )
    if level1:
        sim.model = "RICOH THETA S"
        sim.firmware_version = "01.11"
    if args.osc_username:
        sim.auth = (args.osc_username, args.osc_password or "")
    return sim
