"""Constants of Camera Bridge."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "camera_bridge"

# Which backend a config entry talks to
CONF_KIND: Final = "kind"
KIND_WCS: Final = "wcs"
KIND_OSC: Final = "osc"
KIND_VDG_SENSE: Final = "vdg_sense"
KIND_LINKVISUAL: Final = "linkvisual"

# Options shared by every backend
CONF_SCAN_INTERVAL: Final = "scan_interval"
