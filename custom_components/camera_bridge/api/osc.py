"""Client for Open Spherical Camera (OSC) API cameras such as the RICOH THETA.

The camera speaks JSON over plain HTTP: ``/osc/info``, ``/osc/state``,
``/osc/checkForUpdates``, ``/osc/commands/execute`` and
``/osc/commands/status``. Long commands (``camera.takePicture`` stitches for a
few seconds) answer ``inProgress`` with an id that is polled until ``done`` or
``error``.

Two protocol levels exist. Level 2 is used whenever the camera offers it; a
camera that only speaks level 1 (or that fell back to ``clientVersion`` 1) is
driven through ``camera.startSession`` and a ``sessionId`` in every command.
Only one command runs at a time per camera: the vendors ask clients never to
send a command before the previous answer arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
import logging
import math
import re
from types import MappingProxyType
from typing import Any, Final

import aiohttp
from yarl import URL

from ._http import Response, SingleFlight, fetch
from .errors import (
    AuthenticationFailed,
    BackendError,
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT: Final = 80
DEFAULT_TIMEOUT: Final = 10.0
# Polling of an inProgress command: every POLL_START seconds during the first
# POLL_FAST_FOR seconds (a THETA stitches a picture in 2 to 8 s), then backing
# off by POLL_BACKOFF up to POLL_MAX; the whole command gives up after
# COMMAND_DEADLINE (long exposures plus stitching stay well below it).
DEFAULT_POLL_START: Final = 0.25
DEFAULT_POLL_MAX: Final = 2.0
DEFAULT_POLL_FAST_FOR: Final = 6.0
POLL_BACKOFF: Final = 1.5
POLL_FLOOR: Final = 0.05
DEFAULT_COMMAND_DEADLINE: Final = 90.0
# Consecutive failed status polls (dropped connection, 503) tolerated while a
# command is in progress: a Wi-Fi hiccup must not lose a picture.
MAX_POLL_FAILURES: Final = 3
# RICOH asks to wait about a second after camera.setOptions before shooting.
DEFAULT_OPTIONS_SETTLE: Final = 1.0
# Answers of the protocol endpoints are small; pictures are not.
JSON_MAX_BYTES: Final = 1024 * 1024
DEFAULT_DOWNLOAD_MAX_BYTES: Final = 64 * 1024 * 1024
DEFAULT_DOWNLOAD_TIMEOUT: Final = 60.0

HEADERS: Final = MappingProxyType(
    {
        "Content-Type": "application/json;charset=utf-8",
        "Accept": "application/json",
        "X-XSRF-Protected": "1",
    }
)

CMD_TAKE_PICTURE: Final = "camera.takePicture"
CMD_START_SESSION: Final = "camera.startSession"
CMD_SET_OPTIONS: Final = "camera.setOptions"
CMD_GET_OPTIONS: Final = "camera.getOptions"
CMD_LIST_FILES: Final = "camera.listFiles"
CMD_LIST_IMAGES: Final = "camera.listImages"
CMD_GET_IMAGE: Final = "camera.getImage"
CMD_START_CAPTURE: Final = "camera.startCapture"
CMD_STOP_CAPTURE: Final = "camera.stopCapture"
# Level 1 THETA firmware (API v2.0) records video with vendor commands.
CMD_START_RECORDING_V1: Final = "camera._startRecording"
CMD_STOP_RECORDING_V1: Final = "camera._stopRecording"

STATE_DONE: Final = "done"
STATE_IN_PROGRESS: Final = "inProgress"
STATE_ERROR: Final = "error"

BUSY_CODES: Final = frozenset({"disabledCommand", "cameraInExclusiveUse"})
CANCEL_CODES: Final = frozenset({"canceledShooting", "canceledConversion"})
VALIDATION_CODES: Final = frozenset(
    {
        "missingParameter",
        "invalidParameterName",
        "invalidParameterValue",
        "tooManyParameters",
    }
)
SESSION_CODE: Final = "invalidSessionId"
TRANSIENT_CODES: Final = frozenset({"serviceUnavailable"})

type ProgressCallback = Callable[[float], None]


# --------------------------------------------------------------------------
# errors


class OscBusyError(BackendError):
    """The camera refuses the command for now (``disabledCommand``).

    Raised for instance when a picture is asked in video mode, while the
    camera records, or when another client holds the camera.
    """


class OscShotInProgress(OscBusyError):
    """A picture is already being taken by this client; nothing was sent."""

    def __init__(self) -> None:
        """Name the situation in the camera's own vocabulary."""
        super().__init__("shotInProgress", "a picture is already being taken")


class OscCancelledError(BackendError):
    """The shot or its conversion was cancelled (``canceledShooting``)."""


class OscValidationError(BackendError):
    """The camera refused a parameter or an option.

    ``parameter`` names it when the camera's message (or the request) lets
    us tell which one; it is always a name the request carried.
    """

    def __init__(
        self, code: str | int, message: str = "", parameter: str | None = None
    ) -> None:
        """Keep the offending parameter's name beside the camera's answer."""
        super().__init__(code, message)
        self.parameter = parameter


class OscParameterRefused(OscValidationError):
    """A validation error known to be about one parameter or option we sent."""

    parameter: str

    def __init__(self, code: str | int, message: str, parameter: str) -> None:
        """Name the refused parameter (never None here)."""
        super().__init__(code, message, parameter)


class OscUnknownCommand(BackendError):
    """The camera does not know the command (``unknownCommand``)."""


class OscCommandTimeout(BackendError):
    """A command stayed in progress beyond the client's deadline."""


class _SessionLost(Exception):
    """Internal: the camera wants a (new) level 1 session before the command."""


# --------------------------------------------------------------------------
# lenient value readers


def _opt_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _opt_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().rstrip("%"))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _opt_int(value: Any) -> int | None:
    number = _opt_float(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def _battery_level(value: Any) -> float | None:
    """Battery as a 0..1 fraction; 0..100 percentages are scaled down."""
    level = _opt_float(value)
    if level is None or level < 0:
        return None
    if level <= 1:
        return level
    if level <= 100:
        return level / 100
    return None


def _first(raw: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if raw.get(key) is not None:
            return raw[key]
    return None


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidResponse(f"{what} is not a JSON object")
    return value


def _str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list | tuple):
        return tuple(s for v in value if (s := _opt_str(v)) is not None)
    return ()


# --------------------------------------------------------------------------
# models


@dataclass(frozen=True, slots=True)
class OscInfo:
    """What ``/osc/info`` says about the camera (static facts)."""

    manufacturer: str
    model: str
    serial_number: str | None
    firmware_version: str | None
    camera_id: str | None
    support_url: str | None
    api: tuple[str, ...]
    api_levels: tuple[int, ...]
    http_port: int | None
    http_updates_port: int | None
    https_port: int | None
    gps: bool
    gyro: bool
    uptime: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def unique_id(self) -> str:
        """Serial number, or the level 2.1 ``cameraId`` when there is none."""
        return self.serial_number or self.camera_id or ""

    @property
    def supports_level2(self) -> bool:
        """Whether the camera speaks API level 2."""
        return 2 in self.api_levels

    @classmethod
    def from_dict(cls, raw: Any) -> OscInfo:
        """Build from the ``/osc/info`` answer, or raise InvalidResponse."""
        data = _object(raw, "/osc/info")
        serial = _opt_str(data.get("serialNumber"))
        camera_id = _opt_str(data.get("cameraId"))
        if serial is None and camera_id is None:
            raise InvalidResponse("/osc/info has neither serialNumber nor cameraId")
        levels_raw = data.get("apiLevel")
        levels: tuple[int, ...] = ()
        if isinstance(levels_raw, list):
            levels = tuple(
                sorted({n for v in levels_raw if (n := _opt_int(v)) is not None})
            )
        elif (single := _opt_int(levels_raw)) is not None:
            levels = (single,)
        endpoints = data.get("endpoints")
        endpoints = endpoints if isinstance(endpoints, dict) else {}
        return cls(
            manufacturer=_opt_str(data.get("manufacturer")) or "",
            model=_opt_str(data.get("model")) or "",
            serial_number=serial,
            firmware_version=_opt_str(data.get("firmwareVersion")),
            camera_id=camera_id,
            support_url=_opt_str(data.get("supportUrl")),
            api=_str_list(data.get("api")),
            # the spec's default when the camera does not say
            api_levels=levels or (1,),
            http_port=_opt_int(endpoints.get("httpPort")),
            http_updates_port=_opt_int(endpoints.get("httpUpdatesPort")),
            https_port=_opt_int(endpoints.get("httpsPort")),
            gps=data.get("gps") is True,
            gyro=data.get("gyro") is True,
            uptime=_opt_int(data.get("uptime")),
            raw=MappingProxyType(data),
        )


@dataclass(frozen=True, slots=True)
class OscState:
    """What ``/osc/state`` says; vendor (``_``) fields are None when absent."""

    fingerprint: str
    battery_level: float | None
    battery_state: str | None
    capture_status: str | None
    latest_file_url: str | None
    storage_uri: str | None
    remaining_pictures: int | None
    remaining_space: int | None
    total_space: int | None
    captured_pictures: int | None
    recorded_time: int | None
    recordable_time: int | None
    api_version: int | None
    camera_errors: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def shooting(self) -> bool:
        """Whether the camera reports a capture under way."""
        return self.capture_status not in (None, "idle")

    @classmethod
    def from_dict(cls, raw: Any) -> OscState:
        """Build from the ``/osc/state`` answer, or raise InvalidResponse."""
        data = _object(raw, "/osc/state")
        fingerprint = _opt_str(data.get("fingerprint"))
        if fingerprint is None:
            raise InvalidResponse("/osc/state has no fingerprint")
        state = data.get("state")
        if not isinstance(state, dict):
            raise InvalidResponse("/osc/state has no state object")
        return cls(
            fingerprint=fingerprint,
            battery_level=_battery_level(state.get("batteryLevel")),
            battery_state=_opt_str(state.get("_batteryState")),
            capture_status=_opt_str(state.get("_captureStatus")),
            # level 2 THETA: _latestFileUrl; level 1 (API v2.0): _latestFileUri
            latest_file_url=_opt_str(
                _first(state, "_latestFileUrl", "_latestFileUri", "latestFileUrl")
            ),
            storage_uri=_opt_str(state.get("storageUri")),
            remaining_pictures=_opt_int(
                _first(state, "remainingPictures", "_remainingPictures")
            ),
            remaining_space=_opt_int(
                _first(state, "remainingSpace", "_remainingSpace")
            ),
            total_space=_opt_int(_first(state, "totalSpace", "_totalSpace")),
            captured_pictures=_opt_int(state.get("_capturedPictures")),
            recorded_time=_opt_int(state.get("_recordedTime")),
            recordable_time=_opt_int(state.get("_recordableTime")),
            api_version=_opt_int(state.get("_apiVersion")),
            camera_errors=_str_list(state.get("_cameraError")),
            raw=MappingProxyType(state),
        )


@dataclass(frozen=True, slots=True)
class OscUpdates:
    """Answer of ``/osc/checkForUpdates``."""

    fingerprint: str
    throttle_timeout: float | None
    changed: bool


@dataclass(frozen=True, slots=True)
class OscStorage:
    """Remaining capacity, read from the camera's options."""

    remaining_pictures: int | None
    remaining_space: int | None
    total_space: int | None


@dataclass(frozen=True, slots=True)
class OscFile:
    """One file on the camera (``fileUrl`` on level 2, ``uri`` on level 1)."""

    name: str
    url: str
    size: int | None
    date_time: str | None
    width: int | None
    height: int | None

    @property
    def is_video(self) -> bool:
        """Whether the file is a video, judged by its extension."""
        return self.name.lower().endswith((".mp4", ".mov", ".insv"))

    @classmethod
    def from_dict(cls, raw: Any) -> OscFile:
        """Build from a listing entry, or raise InvalidResponse."""
        data = _object(raw, "file entry")
        url = _opt_str(_first(data, "fileUrl", "uri", "fileUri"))
        if url is None:
            raise InvalidResponse("file entry has no fileUrl")
        name = _opt_str(data.get("name")) or url.rsplit("/", 1)[-1]
        return cls(
            name=name,
            url=url,
            size=_opt_int(data.get("size")),
            date_time=_opt_str(_first(data, "dateTimeZone", "dateTime")),
            width=_opt_int(data.get("width")),
            height=_opt_int(data.get("height")),
        )


@dataclass(frozen=True, slots=True)
class OscFileList:
    """A page of the camera's file listing, newest first as cameras send it."""

    entries: tuple[OscFile, ...]
    total_entries: int | None


@dataclass(frozen=True, slots=True)
class OscCommand:
    """A command object as the camera answers it."""

    name: str
    state: str
    id: str | int | None
    results: Mapping[str, Any]
    error_code: str | None
    error_message: str
    completion: float | None

    @classmethod
    def from_dict(
        cls, raw: Any, sent_name: str, known_id: str | int | None = None
    ) -> OscCommand:
        """Build from an execute/status answer, or raise InvalidResponse.

        ``known_id`` is the id being polled: status answers may leave it out.
        """
        data = _object(raw, "command answer")
        state = data.get("state")
        if state not in (STATE_DONE, STATE_IN_PROGRESS, STATE_ERROR):
            raise InvalidResponse(f"{sent_name} answer has no valid state")
        command_id = data.get("id")
        if isinstance(command_id, bool) or not isinstance(command_id, str | int):
            command_id = known_id
        if state == STATE_IN_PROGRESS and command_id in (None, ""):
            raise InvalidResponse(f"{sent_name} is in progress without an id")
        results = data.get("results")
        error_code: str | None = None
        error_message = ""
        if state == STATE_ERROR:
            error = data.get("error")
            error = error if isinstance(error, dict) else {}
            error_code = _opt_str(error.get("code")) or "unknownError"
            error_message = _opt_str(error.get("message")) or ""
        progress = data.get("progress")
        completion = (
            _opt_float(progress.get("completion"))
            if isinstance(progress, dict)
            else None
        )
        return cls(
            name=_opt_str(data.get("name")) or sent_name,
            state=state,
            id=command_id,
            results=MappingProxyType(results if isinstance(results, dict) else {}),
            error_code=error_code,
            error_message=error_message,
            completion=completion,
        )


# --------------------------------------------------------------------------
# error mapping

# A word of the camera's message, or what it quotes (names with odd characters)
_TOKEN = re.compile(r"""'([^']*)'|"([^"]*)"|`([^`]*)`|(\w+)""")
_WORD = re.compile(r"\w+")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
# Codes that refuse something the request carried (missingParameter does not)
_ABOUT_SENT_CODES: Final = frozenset({"invalidParameterName", "invalidParameterValue"})


def _tokens(message: str) -> Iterator[str]:
    """Words and quoted strings of ``message``, in order, in one linear pass.

    A quoted string is given whole and then word by word, so ``'options.iso'``
    yields ``options.iso``, ``options`` and ``iso``.
    """
    for match in _TOKEN.finditer(message):
        word = match.group(4)
        if word is not None:
            yield word
            continue
        quoted = match.group(1) or match.group(2) or match.group(3) or ""
        yield quoted
        yield from _WORD.findall(quoted)


def _sent_names(sent: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Names the request carried: top-level parameters and the innermost names.

    Innermost names are option names (keys of ``options``, entries of
    ``optionNames``), or the parameter itself when it holds a plain value.
    The level 1 ``sessionId`` is plumbing, never what a user got wrong.
    """
    top: list[str] = []
    inner: list[str] = []
    for key, value in sent.items():
        if key == "sessionId":
            continue
        top.append(key)
        names: list[str] = []
        if isinstance(value, dict):
            names = [str(name) for name in value]
        elif isinstance(value, list):
            names = [
                v for v in value if isinstance(v, str) and _IDENTIFIER.fullmatch(v)
            ]
        inner.extend(names or [key])
    return top, inner


def _parameter_in(
    code: str, message: str, sent: Mapping[str, Any] | None
) -> str | None:
    """The sent parameter or option a validation error is about, if known.

    Only names the request carried can come back: the camera's message is
    searched for them (option names first, then top-level parameters, each
    time the first one mentioned), which takes one pass over the message
    and one set of the names. RICOH's messages are generic and name nothing
    ("Any input parameter or option is recognized, but its value is
    invalid."): then a request that carried exactly one option or parameter
    names it, since the refusal can only be about that one.
    """
    if not sent:
        return None
    top, inner = _sent_names(sent)
    wanted = set(inner) | set(top)
    mentioned = [token for token in _tokens(message) if token in wanted]
    for candidates in (set(inner), set(top)):
        for token in mentioned:
            if token in candidates:
                return token
    if code in _ABOUT_SENT_CODES and len(inner) == 1:
        return inner[0]
    return None


def command_error(
    code: str, message: str, sent: Mapping[str, Any] | None = None
) -> BackendError:
    """Map an OSC error code to the typed exception callers can tell apart.

    ``sent`` is the command's parameters: a validation error names one of
    them only when the camera's answer lets us tell which one.
    """
    if code in BUSY_CODES:
        return OscBusyError(
            code, message or "the camera is busy or the command is disabled"
        )
    if code in CANCEL_CODES:
        return OscCancelledError(code, message or "the shot was cancelled")
    if code in VALIDATION_CODES:
        if (parameter := _parameter_in(code, message, sent)) is not None:
            return OscParameterRefused(code, message, parameter)
        return OscValidationError(code, message)
    if code == "unknownCommand":
        return OscUnknownCommand(code, message)
    return BackendError(code, message)


# --------------------------------------------------------------------------
# client


class OscClient:
    """One OSC camera, reached over HTTP at ``host``:``port``."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int = DEFAULT_PORT,
        username: str | None = None,
        password: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        poll_start: float = DEFAULT_POLL_START,
        poll_max: float = DEFAULT_POLL_MAX,
        poll_fast_for: float = DEFAULT_POLL_FAST_FOR,
        command_deadline: float = DEFAULT_COMMAND_DEADLINE,
        options_settle: float = DEFAULT_OPTIONS_SETTLE,
    ) -> None:
        """Prepare the client; nothing is sent before the first call."""
        try:
            self._base = URL.build(scheme="http", host=host.strip(), port=port)
        except (TypeError, ValueError) as err:
            raise CannotConnect(f"invalid camera address: {err}") from err
        self._session = session
        self._middlewares: tuple[aiohttp.ClientMiddlewareType, ...] = ()
        if username:
            if ":" in username:
                raise AuthenticationFailed("a user name cannot contain ':'")
            self._middlewares = (
                aiohttp.DigestAuthMiddleware(username, password or ""),
            )
        self._timeout = timeout
        self._poll_start = max(poll_start, POLL_FLOOR)
        self._poll_max = max(poll_max, self._poll_start)
        self._poll_fast_for = poll_fast_for
        self._command_deadline = command_deadline
        self._options_settle = options_settle
        self._lock = asyncio.Lock()
        self._flight: SingleFlight[str, Any] = SingleFlight()
        self._info: OscInfo | None = None
        # None until negotiated; 1 = sessions, 2 = plain commands
        self._level: int | None = None
        self._session_id: str | None = None
        self._reported_version: int | None = None
        self._current: str | None = None
        self._pictures_pending = 0
        self._options_set_at: float | None = None

    # ---- properties

    @property
    def base_url(self) -> str:
        """Where the camera is reached."""
        return str(self._base)

    @property
    def api_level(self) -> int | None:
        """Protocol level in use, once the first command negotiated it."""
        return self._level

    @property
    def busy(self) -> bool:
        """Whether a command is running or waiting for the camera."""
        return self._lock.locked()

    @property
    def current_command(self) -> str | None:
        """Name of the command the camera is working on, if any."""
        return self._current

    @property
    def picture_in_progress(self) -> bool:
        """Whether a ``take_picture`` call is running or queued."""
        return self._pictures_pending > 0

    # ---- transport

    async def _request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        timeout: float | None = None,
    ) -> Response:
        response = await fetch(
            self._session,
            method,
            self._base.with_path(path),
            timeout=timeout or self._timeout,
            max_bytes=JSON_MAX_BYTES,
            json_body=body,
            headers=HEADERS,
            middlewares=self._middlewares,
        )
        self._check_auth(response)
        return response

    def _check_auth(self, response: Response) -> None:
        if response.status == 401:
            if self._middlewares:
                raise AuthenticationFailed(
                    "the camera refused the user name or password"
                )
            raise AuthenticationFailed("the camera asks for a user name and password")

    @staticmethod
    def _decode(response: Response, what: str) -> Any:
        """JSON of a 2xx answer; non-2xx answers become BackendError."""
        if 200 <= response.status < 300:
            return response.json()
        try:
            data = response.json()
        except InvalidResponse:
            data = None
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            error = data["error"]
            code = _opt_str(error.get("code")) or str(response.status)
            raise command_error(code, _opt_str(error.get("message")) or "")
        raise BackendError(response.status, f"{what} answered HTTP {response.status}")

    # ---- protocol endpoints

    async def info(self, *, refresh: bool = False) -> OscInfo:
        """Read ``/osc/info`` (cached after the first success)."""
        if self._info is not None and not refresh:
            return self._info

        async def read() -> OscInfo:
            response = await self._request("GET", "/osc/info")
            info = OscInfo.from_dict(self._decode(response, "/osc/info"))
            self._info = info
            return info

        result: OscInfo = await self._flight.run("info", read)
        return result

    async def state(self) -> OscState:
        """Read ``/osc/state``; concurrent callers share one request."""

        async def read() -> OscState:
            response = await self._request("POST", "/osc/state")
            state = OscState.from_dict(self._decode(response, "/osc/state"))
            self._note_version(state.api_version)
            return state

        result: OscState = await self._flight.run("state", read)
        return result

    async def check_for_updates(
        self, fingerprint: str, wait_timeout: int | None = None
    ) -> OscUpdates:
        """Ask whether the state changed since ``fingerprint`` was read."""
        body: dict[str, Any] = {"stateFingerprint": fingerprint}
        if wait_timeout is not None:
            body["waitTimeout"] = wait_timeout
        timeout = self._timeout + (wait_timeout or 0)
        response = await self._request(
            "POST", "/osc/checkForUpdates", body, timeout=timeout
        )
        data = _object(self._decode(response, "/osc/checkForUpdates"), "update check")
        new = _opt_str(data.get("stateFingerprint"))
        if new is None:
            raise InvalidResponse("/osc/checkForUpdates has no stateFingerprint")
        return OscUpdates(
            fingerprint=new,
            throttle_timeout=_opt_float(data.get("throttleTimeout")),
            changed=new != fingerprint,
        )

    def _note_version(self, version: int | None) -> None:
        """Track ``_apiVersion``: a THETA S falls back to 1 when Wi-Fi drops."""
        if version is None:
            return
        self._reported_version = version
        if self._level is not None and version != self._level and not self.busy:
            _LOGGER.debug("camera reports API version %s: renegotiating", version)
            self._level = None
            self._session_id = None

    # ---- commands

    @contextmanager
    def _running(self, name: str) -> Iterator[None]:
        self._current = name
        try:
            yield
        finally:
            self._current = None

    async def execute(
        self,
        name: str,
        parameters: Mapping[str, Any] | None = None,
        progress_cb: ProgressCallback | None = None,
        *,
        deadline: float | None = None,
    ) -> OscCommand:
        """Run a command to its end and return the final (done) command object.

        Commands are queued: one at a time per camera. ``inProgress`` answers
        are followed through ``/osc/commands/status``; their completion goes
        to ``progress_cb``. Errors become the typed exceptions of this module.
        """
        async with self._lock:
            with self._running(name):
                return await self._execute_locked(
                    name, dict(parameters or {}), progress_cb, deadline
                )

    async def _execute_locked(
        self,
        name: str,
        parameters: dict[str, Any],
        progress_cb: ProgressCallback | None,
        deadline: float | None,
    ) -> OscCommand:
        loop = asyncio.get_running_loop()
        end = loop.time() + (deadline or self._command_deadline)
        await self._ensure_level()
        try:
            answer = await self._send(name, parameters)
        except _SessionLost:
            _LOGGER.debug("%s: session lost, opening a new one", name)
            await self._renegotiate()
            try:
                answer = await self._send(name, parameters)
            except _SessionLost as err:
                raise BackendError(
                    SESSION_CODE, "the camera refused a freshly opened session"
                ) from err
        return await self._follow(answer, parameters, progress_cb, end)

    async def _send(self, name: str, parameters: dict[str, Any]) -> OscCommand:
        body: dict[str, Any] = {"name": name}
        params = dict(parameters)
        if self._level == 1 and name != CMD_START_SESSION:
            params["sessionId"] = self._session_id
        if params:
            body["parameters"] = params
        response = await self._request("POST", "/osc/commands/execute", body)
        answer = self._command_answer(response, name)
        if answer.state == STATE_ERROR and self._session_problem(answer):
            raise _SessionLost
        return answer

    def _session_problem(self, answer: OscCommand) -> bool:
        if answer.error_code == SESSION_CODE:
            return True
        # a level 2 command reaching a camera back at clientVersion 1
        return (
            self._level == 2
            and answer.error_code == "missingParameter"
            and "sessionid" in answer.error_message.lower()
        )

    @staticmethod
    def _command_answer(
        response: Response, name: str, known_id: str | int | None = None
    ) -> OscCommand:
        try:
            data = response.json()
        except InvalidResponse:
            if response.status >= 400:
                raise BackendError(
                    response.status, f"{name} answered HTTP {response.status}"
                ) from None
            raise
        if response.status >= 400 and not (
            isinstance(data, dict) and isinstance(data.get("error"), dict)
        ):
            raise BackendError(
                response.status, f"{name} answered HTTP {response.status}"
            )
        answer = OscCommand.from_dict(data, name, known_id)
        if response.status >= 400 and answer.state != STATE_ERROR:
            # an error status with a command object that does not say error
            error = data["error"]
            return OscCommand(
                name=answer.name,
                state=STATE_ERROR,
                id=answer.id,
                results=answer.results,
                error_code=_opt_str(error.get("code")) or str(response.status),
                error_message=_opt_str(error.get("message")) or "",
                completion=None,
            )
        return answer

    async def _follow(
        self,
        answer: OscCommand,
        sent: Mapping[str, Any],
        progress_cb: ProgressCallback | None,
        end: float,
    ) -> OscCommand:
        """Poll an inProgress command until it is done; raise on error."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        interval = self._poll_start
        last_completion: float | None = None
        failures = 0
        while answer.state == STATE_IN_PROGRESS:
            if answer.completion is not None:
                _report(progress_cb, answer.completion)
            now = loop.time()
            if now >= end:
                raise OscCommandTimeout(
                    "timeout", f"{answer.name} still in progress after the deadline"
                )
            delay = interval
            completion = answer.completion
            if (
                completion is not None
                and 0 < completion < 1
                and completion != last_completion
            ):
                # rising completion tells when the command should be over
                eta = (now - started) * (1 - completion) / completion
                delay = min(delay, max(eta, POLL_FLOOR))
            last_completion = completion
            await asyncio.sleep(min(delay, end - now))
            if loop.time() - started >= self._poll_fast_for:
                interval = min(interval * POLL_BACKOFF, self._poll_max)
            assert answer.id is not None  # checked when parsed
            try:
                answer = await self._status(answer.id, answer.name, sent)
            except (CannotConnect, _Transient) as err:
                failures += 1
                if failures >= MAX_POLL_FAILURES:
                    if isinstance(err, _Transient):
                        raise err.error from None
                    raise
                _LOGGER.debug("status poll failed (%s), retrying", err)
                continue
            failures = 0
        if answer.state == STATE_ERROR:
            raise command_error(
                answer.error_code or "unknownError", answer.error_message, sent
            )
        _report(progress_cb, 1.0)
        return answer

    async def _status(
        self, command_id: str | int, name: str, sent: Mapping[str, Any]
    ) -> OscCommand:
        response = await self._request(
            "POST", "/osc/commands/status", {"id": command_id}
        )
        try:
            answer = self._command_answer(response, name, command_id)
        except BackendError as err:
            if response.status == 503:
                raise _Transient(err) from None
            raise
        if answer.state == STATE_ERROR and answer.error_code in TRANSIENT_CODES:
            raise _Transient(command_error(answer.error_code, answer.error_message))
        return answer

    # ---- protocol level negotiation

    async def _ensure_level(self) -> None:
        if self._level is not None:
            return
        info = await self.info()
        if not info.supports_level2:
            await self._open_session()
            self._level = 1
            return
        version = self._reported_version
        if 1 in info.api_levels and version is None:
            version = (await self.state()).api_version
        if version == 1:
            await self._upgrade()
        else:
            self._level = 2

    async def _renegotiate(self) -> None:
        self._level = None
        self._session_id = None
        self._reported_version = None
        await self._ensure_level()

    async def _open_session(self) -> None:
        answer = await self._send(CMD_START_SESSION, {})
        if answer.state != STATE_DONE:
            if answer.state == STATE_ERROR:
                raise command_error(
                    answer.error_code or "unknownError", answer.error_message
                )
            raise InvalidResponse("camera.startSession did not finish at once")
        session_id = _opt_str(answer.results.get("sessionId"))
        if session_id is None:
            raise InvalidResponse("camera.startSession answered no sessionId")
        self._session_id = session_id

    async def _upgrade(self) -> None:
        """Switch a level 1+2 camera running clientVersion 1 to level 2."""
        self._level = 1
        await self._open_session()
        answer = await self._send(CMD_SET_OPTIONS, {"options": {"clientVersion": 2}})
        if answer.state == STATE_ERROR:
            _LOGGER.debug(
                "camera refused clientVersion 2 (%s): staying on level 1",
                answer.error_code,
            )
            return
        self._level = 2
        self._session_id = None
        self._reported_version = 2

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
        return OscStorage(
            remaining_pictures=_opt_int(options.get("remainingPictures")),
            remaining_space=_opt_int(options.get("remainingSpace")),
            total_space=_opt_int(options.get("totalSpace")),
        )

    async def capture_modes(self) -> tuple[str, ...]:
        """Capture modes the camera supports (``image``, ``video``, ...).

        Level 1 THETA firmware calls video ``_video``: it is named ``video``.
        """
        try:
            options = await self.get_options(["captureModeSupport"])
        except OscValidationError:
            return ()
        modes = _str_list(options.get("captureModeSupport"))
        return tuple(dict.fromkeys(m.removeprefix("_") for m in modes))

    async def list_files(
        self,
        file_type: str = "image",
        entry_count: int = 10,
        start_position: int = 0,
    ) -> OscFileList:
        """List files, newest first (level 1 cameras list images only)."""
        await self._ensure_level_locked()
        if self._level == 1:
            params: dict[str, Any] = {
                "entryCount": entry_count,
                "maxSize": 0,
                "includeThumb": False,
            }
            answer = await self.execute(CMD_LIST_IMAGES, params)
        else:
            params = {
                "fileType": file_type,
                "entryCount": entry_count,
                "maxThumbSize": 0,
            }
            if start_position:
                params["startPosition"] = start_position
            answer = await self.execute(CMD_LIST_FILES, params)
        entries_raw = answer.results.get("entries")
        if not isinstance(entries_raw, list):
            raise InvalidResponse("file listing has no entries")
        return OscFileList(
            entries=tuple(OscFile.from_dict(e) for e in entries_raw),
            total_entries=_opt_int(answer.results.get("totalEntries")),
        )

    async def latest_picture(self) -> OscFile | None:
        """The newest picture on the camera, if any."""
        listing = await self.list_files("image", entry_count=1)
        return listing.entries[0] if listing.entries else None

    async def _ensure_level_locked(self) -> None:
        if self._level is None:
            async with self._lock:
                await self._ensure_level()

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
        urls = _str_list(answer.results.get("fileUrls")) or _str_list(
            _first(answer.results, "fileUrl", "fileUri", "_fileUrl")
        )
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
        return self._command_answer(response, CMD_GET_IMAGE)


class _Transient(Exception):
    """Internal: a status poll the camera could not answer right now."""

    def __init__(self, error: BackendError) -> None:
        super().__init__(str(error))
        self.error = error


def _report(progress_cb: ProgressCallback | None, completion: float) -> None:
    if progress_cb is None:
        return
    try:
        progress_cb(min(max(completion, 0.0), 1.0))
    except Exception:
        _LOGGER.exception("progress callback failed")


def picture_url(results: Mapping[str, Any]) -> str | None:
    """The picture named by takePicture results.

    ``fileUrl`` per the spec, ``fileUri`` on level 1; Insta360 cameras have
    been seen answering ``_localFileGroup`` (a URL, a list of URLs or an
    object holding them) instead.
    """
    for key in ("fileUrl", "fileUri", "_fileUrl"):
        if (url := _opt_str(results.get(key))) is not None:
            return url
    group = results.get("_localFileGroup")
    return _url_in(group)


def _url_in(value: Any, depth: int = 0) -> str | None:
    if depth > 3:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, list):
        for item in value:
            if (url := _url_in(item, depth + 1)) is not None:
                return url
        return None
    if isinstance(value, dict):
        for key in ("fileUrl", "url", "uri", "fileUri"):
            if (url := _url_in(value.get(key), depth + 1)) is not None:
                return url
        for item in value.values():
            if (url := _url_in(item, depth + 1)) is not None:
                return url
    return None


__all__ = [
    "CameraBridgeError",
    "OscBusyError",
    "OscCancelledError",
    "OscClient",
    "OscCommand",
    "OscCommandTimeout",
    "OscFile",
    "OscFileList",
    "OscInfo",
    "OscParameterRefused",
    "OscShotInProgress",
    "OscState",
    "OscStorage",
    "OscUnknownCommand",
    "OscUpdates",
    "OscValidationError",
    "command_error",
    "picture_url",
]
