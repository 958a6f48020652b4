"""Constants of the OSC 360° camera backend."""

from __future__ import annotations

from typing import Final

CONF_SHOT_TIMEOUT: Final = "shot_timeout"
# the live preview's size, "1024x512@30"; PREVIEW_FORMAT_CAMERA: as set on it
CONF_PREVIEW_FORMAT: Final = "preview_format"
PREVIEW_FORMAT_CAMERA: Final = "camera"

DEFAULT_PORT: Final = 80
DEFAULT_SCAN_INTERVAL: Final = 10
DEFAULT_SHOT_TIMEOUT: Final = 90

EVENT_PICTURE_TAKEN: Final = "picture_taken"
EVENT_CAPTURE_FAILED: Final = "capture_failed"

# Where a picture_taken event comes from
SOURCE_HOME_ASSISTANT: Final = "home_assistant"
SOURCE_CAMERA: Final = "camera"

ATTR_FILE_URL: Final = "file_url"
ATTR_OPTIONS: Final = "options"

SERVICE_TAKE_PICTURE: Final = "take_picture"
SERVICE_SET_OPTIONS: Final = "set_options"

# Capture states a THETA reports in _captureStatus, normalised to
# translation-friendly keys; anything else shows as "other".
CAPTURE_STATES: Final = (
    "idle",
    "shooting",
    "self_timer_countdown",
    "bracket_shooting",
    "converting",
    "time_shift_shooting",
    "continuous_shooting",
    "retrospective_image_recording",
    "burst_shooting",
    "other",
)

# Pictures announced by Home Assistant, kept to avoid announcing them twice
ANNOUNCED_MEMORY: Final = 32
# Scaled copies of the latest picture kept per requested size
SCALED_MEMORY: Final = 4
