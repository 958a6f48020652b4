"""Live view of Web Call Server streams: how and from where they are played.

WCS plays streams to browsers over WebRTC, signaled on its WebSocket port
(see ``api/wcs_signaling.py``; the sessions live in ``webrtc.py``). It is
also an RTSP server (``rtsp://HOST:PORT/STREAM``, port = the server's
``rtsp.port``) and an HLS server (``HOST:PORT/STREAM/STREAM.m3u8`` on its
own port): the URL ``stream_source()`` gives Home Assistant's stream
component and go2rtc, with WebRTC too. The host is the one of the REST URL;
HLS and the WebSocket use the REST URL's scheme, so their default ports
follow it: 8082 / 8445 for HLS, 8080 (ws) / 8443 (wss) for the WebSocket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from yarl import URL

from ...api.wcs_signaling import ws_url
from .const import (
    CONF_HLS_PORT,
    CONF_LIVE_PROTOCOL,
    CONF_RTSP_PORT,
    CONF_STREAM_PROTOCOL,
    CONF_WS_PORT,
    DEFAULT_HLS_PORT_HTTP,
    DEFAULT_HLS_PORT_HTTPS,
    DEFAULT_LIVE_PROTOCOL,
    DEFAULT_RTSP_PORT,
    DEFAULT_STREAM_PROTOCOL,
)


class LiveProtocol(StrEnum):
    """How a stream's video is played."""

    WEBRTC = "webrtc"
    RTSP = "rtsp"
    HLS = "hls"
    OFF = "off"


def default_hls_port(base_url: str) -> int:
    """WCS's default HLS port for a server reached at ``base_url``."""
    secure = URL(base_url).scheme == "https"
    return DEFAULT_HLS_PORT_HTTPS if secure else DEFAULT_HLS_PORT_HTTP


@dataclass(frozen=True, slots=True)
class LiveView:
    """Where the server plays its streams, as the options say.

    ``protocol`` is what the frontend plays; ``source_protocol`` what
    ``stream_source()`` gives (the same, or RTSP/HLS behind WebRTC).
    """

    protocol: LiveProtocol
    source_protocol: LiveProtocol
    scheme: str
    # as written in a URL: an IPv6 address in brackets
    host: str
    port: int
    # the WebSocket signaling URL when the frontend plays WebRTC
    signaling_url: str | None = None

    @classmethod
    def from_options(cls, base_url: str, options: Mapping[str, Any]) -> LiveView:
        """The live view of the server at ``base_url`` with these options."""
        url = URL(base_url)
        protocol = _protocol(
            options.get(CONF_LIVE_PROTOCOL), LiveProtocol(DEFAULT_LIVE_PROTOCOL)
        )
        source = protocol
        signaling = None
        if protocol is LiveProtocol.WEBRTC:
            source = _protocol(
                options.get(CONF_STREAM_PROTOCOL),
                LiveProtocol(DEFAULT_STREAM_PROTOCOL),
                (LiveProtocol.RTSP, LiveProtocol.HLS),
            )
            ws_port = options.get(CONF_WS_PORT)
            signaling = ws_url(base_url, int(ws_port) if ws_port else None)
        host = url.raw_host or ""
        if ":" in host:
            host = f"[{host}]"
        if source is LiveProtocol.HLS:
            port = options.get(CONF_HLS_PORT) or default_hls_port(base_url)
            return cls(protocol, source, url.scheme, host, int(port), signaling)
        port = options.get(CONF_RTSP_PORT) or DEFAULT_RTSP_PORT
        return cls(protocol, source, "rtsp", host, int(port), signaling)

    @property
    def enabled(self) -> bool:
        """Whether streams with video are offered for live view at all."""
        return self.protocol is not LiveProtocol.OFF

    @property
    def webrtc(self) -> bool:
        """Whether the frontend plays the streams over WebRTC."""
        return self.protocol is LiveProtocol.WEBRTC

    def source(self, name: str) -> str | None:
        """The URL of stream ``name`` (None when live view is off)."""
        if not self.enabled:
            return None
        quoted = quote(name, safe="")
        base = f"{self.scheme}://{self.host}:{self.port}/{quoted}"
        if self.source_protocol is LiveProtocol.HLS:
            return f"{base}/{quoted}.m3u8"
        return base


def _protocol(
    value: Any,
    default: LiveProtocol,
    allowed: tuple[LiveProtocol, ...] = tuple(LiveProtocol),
) -> LiveProtocol:
    """The protocol an option names; ``default`` for anything else."""
    try:
        protocol = LiveProtocol(value)
    except ValueError:
        return default
    return protocol if protocol in allowed else default
