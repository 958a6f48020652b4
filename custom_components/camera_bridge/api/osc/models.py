"""What the camera answers, as frozen dataclasses built from its JSON.

Every ``from_dict`` is lenient about what it may ignore and raises
``InvalidResponse`` naming what it needs but did not get.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..errors import InvalidResponse
from .const import STATE_DONE, STATE_ERROR, STATE_IN_PROGRESS
from .values import (
    battery_level,
    first,
    json_object,
    opt_float,
    opt_int,
    opt_str,
    str_list,
)


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
        data = json_object(raw, "/osc/info")
        serial = opt_str(data.get("serialNumber"))
        camera_id = opt_str(data.get("cameraId"))
        if serial is None and camera_id is None:
            raise InvalidResponse("/osc/info has neither serialNumber nor cameraId")
        levels_raw = data.get("apiLevel")
        levels: tuple[int, ...] = ()
        if isinstance(levels_raw, list):
            levels = tuple(
                sorted({n for v in levels_raw if (n := opt_int(v)) is not None})
            )
        elif (single := opt_int(levels_raw)) is not None:
            levels = (single,)
        endpoints = data.get("endpoints")
        endpoints = endpoints if isinstance(endpoints, dict) else {}
        return cls(
            manufacturer=opt_str(data.get("manufacturer")) or "",
            model=opt_str(data.get("model")) or "",
            serial_number=serial,
            firmware_version=opt_str(data.get("firmwareVersion")),
            camera_id=camera_id,
            support_url=opt_str(data.get("supportUrl")),
            api=str_list(data.get("api")),
            # the spec's default when the camera does not say
            api_levels=levels or (1,),
            http_port=opt_int(endpoints.get("httpPort")),
            http_updates_port=opt_int(endpoints.get("httpUpdatesPort")),
            https_port=opt_int(endpoints.get("httpsPort")),
            gps=data.get("gps") is True,
            gyro=data.get("gyro") is True,
            uptime=opt_int(data.get("uptime")),
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
        data = json_object(raw, "/osc/state")
        fingerprint = opt_str(data.get("fingerprint"))
        if fingerprint is None:
            raise InvalidResponse("/osc/state has no fingerprint")
        state = data.get("state")
        if not isinstance(state, dict):
            raise InvalidResponse("/osc/state has no state object")
        return cls(
            fingerprint=fingerprint,
            battery_level=battery_level(state.get("batteryLevel")),
            battery_state=opt_str(state.get("_batteryState")),
            capture_status=opt_str(state.get("_captureStatus")),
            # level 2 THETA: _latestFileUrl; level 1 (API v2.0): _latestFileUri
            latest_file_url=opt_str(
                first(state, "_latestFileUrl", "_latestFileUri", "latestFileUrl")
            ),
            storage_uri=opt_str(state.get("storageUri")),
            remaining_pictures=opt_int(
                first(state, "remainingPictures", "_remainingPictures")
            ),
            remaining_space=opt_int(first(state, "remainingSpace", "_remainingSpace")),
            total_space=opt_int(first(state, "totalSpace", "_totalSpace")),
            captured_pictures=opt_int(state.get("_capturedPictures")),
            recorded_time=opt_int(state.get("_recordedTime")),
            recordable_time=opt_int(state.get("_recordableTime")),
            api_version=opt_int(state.get("_apiVersion")),
            camera_errors=str_list(state.get("_cameraError")),
            raw=MappingProxyType(state),
        )


@dataclass(frozen=True, slots=True)
class OscUpdates:
    """Answer of ``/osc/checkForUpdates``."""

    fingerprint: str
    throttle_timeout: float | None
    changed: bool

    @classmethod
    def from_dict(cls, raw: Any, known: str) -> OscUpdates:
        """Build from the answer to a check against fingerprint ``known``."""
        data = json_object(raw, "update check")
        new = opt_str(data.get("stateFingerprint"))
        if new is None:
            raise InvalidResponse("/osc/checkForUpdates has no stateFingerprint")
        return cls(
            fingerprint=new,
            throttle_timeout=opt_float(data.get("throttleTimeout")),
            changed=new != known,
        )


@dataclass(frozen=True, slots=True)
class OscStorage:
    """Remaining capacity, read from the camera's options."""

    remaining_pictures: int | None
    remaining_space: int | None
    total_space: int | None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> OscStorage:
        """Build from a ``camera.getOptions`` answer (unreadable values: None)."""
        return cls(
            remaining_pictures=opt_int(options.get("remainingPictures")),
            remaining_space=opt_int(options.get("remainingSpace")),
            total_space=opt_int(options.get("totalSpace")),
        )


@dataclass(frozen=True, slots=True)
class OscFile:
    """One file on the camera (``fileUrl`` on level 2, ``uri`` on level 1)."""

    name: str
    url: str
    size: int | None
    date_time: str | None
    width: int | None
    height: int | None
    # base64 as listed (``maxThumbSize``/``includeThumb``), decoded on demand
    thumbnail: str | None = field(default=None, repr=False)

    @property
    def is_video(self) -> bool:
        """Whether the file is a video, judged by its extension."""
        return self.name.lower().endswith((".mp4", ".mov", ".insv"))

    def thumbnail_bytes(self) -> bytes | None:
        """The listed thumbnail (a JPEG), or None; InvalidResponse if garbled."""
        if not self.thumbnail:
            return None
        text = self.thumbnail
        if text.startswith("data:"):  # a data URL rather than bare base64
            text = text.partition(",")[2]
        try:
            return base64.b64decode(text, validate=True) or None
        except ValueError as err:
            raise InvalidResponse(f"thumbnail of {self.name} is no base64") from err

    @classmethod
    def from_dict(cls, raw: Any) -> OscFile:
        """Build from a listing entry, or raise InvalidResponse."""
        data = json_object(raw, "file entry")
        url = opt_str(first(data, "fileUrl", "uri", "fileUri"))
        if url is None:
            raise InvalidResponse("file entry has no fileUrl")
        name = opt_str(data.get("name")) or url.rsplit("/", 1)[-1]
        return cls(
            name=name,
            url=url,
            size=opt_int(data.get("size")),
            date_time=opt_str(first(data, "dateTimeZone", "dateTime")),
            width=opt_int(data.get("width")),
            height=opt_int(data.get("height")),
            thumbnail=opt_str(data.get("thumbnail")),
        )


@dataclass(frozen=True, slots=True)
class OscFileList:
    """A page of the camera's file listing, newest first as cameras send it.

    ``continuation_token`` (level 1 ``listImages``) asks for the next page;
    None when the listing is complete.
    """

    entries: tuple[OscFile, ...]
    total_entries: int | None
    continuation_token: str | None = None

    @classmethod
    def from_results(cls, results: Mapping[str, Any]) -> OscFileList:
        """Build from ``camera.listFiles`` (level 1: ``listImages``) results."""
        entries = results.get("entries")
        if not isinstance(entries, list):
            raise InvalidResponse("file listing has no entries")
        return cls(
            entries=tuple(OscFile.from_dict(entry) for entry in entries),
            total_entries=opt_int(results.get("totalEntries")),
            continuation_token=opt_str(results.get("continuationToken")),
        )


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
        data = json_object(raw, "command answer")
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
            error_code = opt_str(error.get("code")) or "unknownError"
            error_message = opt_str(error.get("message")) or ""
        progress = data.get("progress")
        completion = (
            opt_float(progress.get("completion"))
            if isinstance(progress, dict)
            else None
        )
        return cls(
            name=opt_str(data.get("name")) or sent_name,
            state=state,
            id=command_id,
            results=MappingProxyType(results if isinstance(results, dict) else {}),
            error_code=error_code,
            error_message=error_message,
            completion=completion,
        )


def supported_capture_modes(options: Mapping[str, Any]) -> tuple[str, ...]:
    """Capture modes of ``captureModeSupport`` (``image``, ``video``, ...).

    Level 1 THETA firmware calls video ``_video``: it is named ``video``.
    """
    modes = str_list(options.get("captureModeSupport"))
    return tuple(dict.fromkeys(mode.removeprefix("_") for mode in modes))


def recorded_urls(results: Mapping[str, Any]) -> tuple[str, ...]:
    """The files ``camera.stopCapture`` names (level 1 may name none)."""
    return str_list(results.get("fileUrls")) or str_list(
        first(results, "fileUrl", "fileUri", "_fileUrl")
    )


def picture_url(results: Mapping[str, Any]) -> str | None:
    """The picture named by takePicture results.

    ``fileUrl`` per the spec, ``fileUri`` on level 1; Insta360 cameras have
    been seen answering ``_localFileGroup`` (a URL, a list of URLs or an
    object holding them) instead.
    """
    for key in ("fileUrl", "fileUri", "_fileUrl"):
        if (url := opt_str(results.get(key))) is not None:
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
