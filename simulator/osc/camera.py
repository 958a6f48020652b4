"""State and knobs of the fake camera, and what tests do to it.

``OscCamera`` holds the camera (files, running commands, sessions, options)
and the knobs tests turn; the command handlers (``commands``, ``options``)
and the HTTP server (``server``) build on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import hashlib
import itertools
import time
from typing import Any

from ..common import SimulatorBase
from .archive import FIRST_NUMBER, ArchivedFile, FileArchive
from .constants import CAPTURE_MODES, CAPTURE_MODES_V1
from .media import make_jpeg


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


type AnyFile = SimFile | ArchivedFile


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
class OscCamera(SimulatorBase):
    """State and knobs of the fake camera (served by ``server.OscSimulator``)."""

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
    # files on the camera before the simulation starts (made on demand)
    archive_files: int = 0
    # listings: at most this many entries per call (None: as many as asked);
    # thumbnails of at most thumb_limit pixels (the camera's maximum, answered
    # when more is asked); False leaves them out (as a THETA SC2 does)
    max_entries: int | None = None
    thumb_limit: int = 160
    list_thumbnails: bool = True
    # a file URL with ?type=thumb answers the thumbnail (THETA); False: the file
    thumb_query: bool = True
    # files answer Range requests (206); False: always the whole file
    ranges: bool = True
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
        self.archive = FileArchive(self.archive_files, self.picture_size)
        self._numbers = itertools.count(FIRST_NUMBER + self.archive_files)
        self._sessions = itertools.count(1)
        self._nonces: set[str] = set()
        self._changed: asyncio.Event | None = None
        self._started = time.monotonic()
        self._host = "127.0.0.1"
        # ends the live previews being sent (``preview``)
        self._preview_stop: asyncio.Event | None = None

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
        self.end_previews()
        return self._store_picture()

    def end_previews(self) -> None:
        """End the previews being sent, between two frames (as a shot does)."""
        if self._preview_stop is not None:
            self._preview_stop.set()
            self._preview_stop = None

    def set_archive(self, count: int) -> None:
        """Put ``count`` older files on the camera (before any shot is taken)."""
        self.archive_files = count
        self.archive = FileArchive(count, self.picture_size)
        self._numbers = itertools.count(FIRST_NUMBER + count)

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
    def latest(self) -> AnyFile | None:
        """The newest file."""
        newest = max(self.files.values(), key=lambda f: f.number, default=None)
        if newest is None and self.archive.count:
            return self.archive.file(0)
        return newest

    def find_file(self, uri: str) -> AnyFile | None:
        """The file with this level 1 URI, taken now or archived."""
        return self.files.get(uri) or self.archive.find(uri)

    def url_of(self, file: AnyFile) -> str:
        """The level 2 URL of a file."""
        host = self.public_host or self._host
        return f"http://{host}/files/{self._storage_id}/{file.uri}"

    def ref_of(self, file: AnyFile) -> str:
        """How the current protocol level names a file."""
        return file.uri if self.client_version == 1 else self.url_of(file)

    def thumbnail_of(self, file: AnyFile, size: int) -> bytes:
        """A file's thumbnail (a JPEG), at most ``size`` and ``thumb_limit`` wide."""
        side = max(min(size, self.thumb_limit), 2)
        return make_jpeg(file.number, side, side // 2)

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

    # ---- command helpers

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

    @property
    def _capture_modes(self) -> tuple[str, ...]:
        """THETA API v2.0 (level 1) calls video mode ``_video``."""
        return CAPTURE_MODES_V1 if self.client_version == 1 else CAPTURE_MODES

    def _done(self, name: str, results: dict[str, Any] | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = {"name": name, "state": "done"}
        if results is not None:
            answer["results"] = results
        return answer
