"""Constants of the Web Call Server backend."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

CONF_STREAM_FILTER: Final = "stream_filter"
CONF_SNAPSHOT_CACHE: Final = "snapshot_cache"
CONF_SNAPSHOT_TIMEOUT: Final = "snapshot_timeout"

DEFAULT_SCAN_INTERVAL: Final = 30
DEFAULT_SNAPSHOT_CACHE: Final = 5
DEFAULT_SNAPSHOT_TIMEOUT: Final = 4.0

# A stream that stays gone this long loses its device (and entities)
STREAM_REMOVE_AFTER: Final = timedelta(hours=24)

MANUFACTURER: Final = "Flashphoner"
