"""Live view of Web Call Server streams: the URL a player pulls a stream from.

WCS is itself an RTSP server (``rtsp://HOST:PORT/STREAM``, port = the
server's ``rtsp.port``) and an HLS server (``HOST:PORT/STREAM/STREAM.m3u8``
on its own port). The host is the one of the REST URL; HLS uses the REST
URL's scheme, so its default port follows it: 8082 for http, 8445 for https.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from yarl import URL

from .const import (
    CONF_HLS_PORT,
    CONF_LIVE_PROTOCOL,
    CONF_RTSP_PORT,
    DEFAULT_HLS_PORT_HTTP,
    DEFAULT_HLS_PORT_HTTPS,
    DEFAULT_LIVE_PROTOCOL,
    DEFAULT_RTSP_PORT,
)


class LiveProtocol(StrEnum):
    """How Home Assistant (or go2rtc) pulls a stream's video."""

    RTSP = "rtsp"
    HLS = "hls"
    OFF = "off"


def default_hls_port(base_url: str) -> int:
    """WCS's default HLS port for a server reached at ``base_url``."""
    secure = URL(base_url).scheme == "https"
    return DEFAULT_HLS_PORT_HTTPS if secure else DEFAULT_HLS_PORT_HTTP


@dataclass(frozen=True, slots=True)
class LiveView:
    """Where the server plays its streams, as the options say."""

    protocol: LiveProtocol
    scheme: str
    # as written in a URL: an IPv6 address in brackets
    host: str
    port: int

    @classmethod
    def from_options(cls, base_url: str, options: Mapping[str, Any]) -> LiveView:
        """The live view of the server at ``base_url`` with these options."""
        url = URL(base_url)
        try:
            protocol = LiveProtocol(
                options.get(CONF_LIVE_PROTOCOL, DEFAULT_LIVE_PROTOCOL)
            )
        except ValueError:
            protocol = LiveProtocol(DEFAULT_LIVE_PROTOCOL)
        host = url.raw_host or ""
        if ":" in host:
            host = f"[{host}]"
        if protocol is LiveProtocol.HLS:
            port = options.get(CONF_HLS_PORT) or default_hls_port(base_url)
            return cls(protocol, url.scheme, host, int(port))
        port = options.get(CONF_RTSP_PORT) or DEFAULT_RTSP_PORT
        return cls(protocol, "rtsp", host, int(port))

    @property
    def enabled(self) -> bool:
        """Whether streams with video are offered for live view at all."""
        return self.protocol is not LiveProtocol.OFF

    def source(self, name: str) -> str | None:
        """The URL of stream ``name`` (None when live view is off)."""
        if not self.enabled:
            return None
        quoted = quote(name, safe="")
        base = f"{self.scheme}://{self.host}:{self.port}/{quoted}"
        if self.protocol is LiveProtocol.HLS:
            return f"{base}/{quoted}.m3u8"
        return base
