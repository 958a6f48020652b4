"""Constants of the VDG Sense backend."""

from __future__ import annotations

from typing import Final

MANUFACTURER: Final = "TKH Security"
MODEL: Final = "VDG Sense"

# Options: poll interval while exports run, and when none does
CONF_ACTIVE_INTERVAL: Final = "active_interval"
DEFAULT_ACTIVE_INTERVAL: Final = 10
DEFAULT_IDLE_INTERVAL: Final = 60
# Option: how long a finished export keeps its sensor (watch.py)
CONF_FINISHED_HOURS: Final = "finished_hours"
DEFAULT_FINISHED_HOURS: Final = 24
# Option: the server folder voice requests export into (a folder per export)
CONF_EXPORT_FOLDER: Final = "export_folder"

# An export started from Home Assistant that is still not listed after this
# many polls is reported as failed (it keeps being looked for).
AWAIT_POLLS: Final = 3

# Events of the exports event entity
EVENT_COMPLETED: Final = "export_completed"
EVENT_FAILED: Final = "export_failed"
EVENT_REMOVED: Final = "export_removed"
EVENT_TYPES: Final = (EVENT_COMPLETED, EVENT_FAILED, EVENT_REMOVED)

# Why an export left the list (event attribute "reason")
REASON_REMOVED: Final = "removed"
REASON_VANISHED: Final = "vanished"
REASON_REPLACED: Final = "replaced"
REASON_NOT_LISTED: Final = "not_listed"

# Actions
SERVICE_EXPORT_VIDEO: Final = "export_video"
SERVICE_GET_EXPORT_STATUS: Final = "get_export_status"
ATTR_DEVICES: Final = "devices"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_PATH: Final = "path"
ATTR_BANDWIDTH: Final = "bandwidth"
ATTR_EXPORT_ID: Final = "export_id"
