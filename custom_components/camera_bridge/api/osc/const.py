"""Constants of the OSC protocol (the client's timings: ``tuning``)."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Final

DEFAULT_PORT: Final = 80
# Polling of an inProgress command (see tuning.OscTuning): the interval grows
# by POLL_BACKOFF once the fast phase is over, and is never below POLL_FLOOR.
POLL_BACKOFF: Final = 1.5
POLL_FLOOR: Final = 0.05
# Consecutive failed status polls (dropped connection, 503) tolerated while a
# command is in progress: a Wi-Fi hiccup must not lose a picture.
MAX_POLL_FAILURES: Final = 3
# Answers of the protocol endpoints are small; pictures are not.
JSON_MAX_BYTES: Final = 1024 * 1024
DEFAULT_DOWNLOAD_MAX_BYTES: Final = 64 * 1024 * 1024
DEFAULT_DOWNLOAD_TIMEOUT: Final = 60.0
# A listing with thumbnails carries one base64 JPEG per entry (a THETA's are
# 640 pixels wide, tens of KB): a page of 50 is a few MB.
LIST_THUMBS_MAX_BYTES: Final = 16 * 1024 * 1024
# RICOH THETA serves a file's thumbnail at its URL with this query added
# (reported by THETA developers, not in the OSC spec: other cameras may
# ignore it and send the whole file, which THUMB_MAX_BYTES cuts short)
THUMB_QUERY: Final = "type=thumb"
THUMB_MAX_BYTES: Final = 2 * 1024 * 1024

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
# How a camera back at clientVersion 1 refuses a level 2 command (no sessionId)
FALLBACK_CODES: Final = frozenset({"missingParameter", "invalidParameterName"})
TRANSIENT_CODES: Final = frozenset({"serviceUnavailable"})

type ProgressCallback = Callable[[float], None]
