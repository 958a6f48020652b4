"""Constants of the Web Call Server backend."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

CONF_STREAM_FILTER: Final = "stream_filter"
CONF_SNAPSHOT_CACHE: Final = "snapshot_cache"
CONF_SNAPSHOT_TIMEOUT: Final = "snapshot_timeout"
CONF_LIVE_PROTOCOL: Final = "live_protocol"
CONF_RTSP_PORT: Final = "rtsp_port"
CONF_HLS_PORT: Final = "hls_port"
# with WebRTC: what stream_source() gives (rtsp or hls)
CONF_STREAM_PROTOCOL: Final = "stream_protocol"
CONF_WS_PORT: Final = "ws_port"

DEFAULT_SCAN_INTERVAL: Final = 30
DEFAULT_SNAPSHOT_CACHE: Final = 5
DEFAULT_SNAPSHOT_TIMEOUT: Final = 4.0
# Live view: WebRTC in the browser, RTSP behind it for Home Assistant's
# stream component and go2rtc; WCS's own defaults (rtsp.port; HLS over http /
# over https; the WebSocket port is in api/wcs_signaling.py)
DEFAULT_LIVE_PROTOCOL: Final = "webrtc"
DEFAULT_STREAM_PROTOCOL: Final = "rtsp"
DEFAULT_RTSP_PORT: Final = 554
DEFAULT_HLS_PORT_HTTP: Final = 8082
DEFAULT_HLS_PORT_HTTPS: Final = 8445

# A stream that stays gone this long loses its device (and entities)
STREAM_REMOVE_AFTER: Final = timedelta(hours=24)

MANUFACTURER: Final = "Flashphoner"
