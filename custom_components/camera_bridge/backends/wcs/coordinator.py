"""Coordinator of a Web Call Server: one find_all per poll, streams that come and go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
import fnmatch
import logging
import re
import time
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.util import dt as dt_util

from ...api.wcs import Stream, WcsClient
from ...const import CONF_SCAN_INTERVAL, DOMAIN
from ...coordinator import BridgeCoordinator, CameraBridgeConfigEntry
from ...helpers import async_find_device, async_register_device, via_parent
from .const import (
    CONF_SNAPSHOT_CACHE,
    CONF_STREAM_FILTER,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_SNAPSHOT_CACHE,
    MANUFACTURER,
    STREAM_REMOVE_AFTER,
)

_LOGGER = logging.getLogger(__name__)


def compile_filter(pattern: str | None) -> Callable[[str], bool]:
    """A predicate for stream names.

    Empty: every stream. ``/regex/``: a regular expression searched in the
    name. Otherwise one or more comma-separated glob patterns (``cam-*``).
    Raises re.error for an invalid regular expression.
    """
    pattern = (pattern or "").strip()
    if not pattern:
        return lambda name: True
    if len(pattern) >= 2 and pattern.startswith("/") and pattern.endswith("/"):
        regex = re.compile(pattern[1:-1])
        return lambda name: regex.search(name) is not None
    globs = [p.strip() for p in pattern.split(",") if p.strip()]
    return lambda name: any(fnmatch.fnmatchcase(name, g) for g in globs)


@dataclass(frozen=True, slots=True)
class WcsData:
    """What one poll found: the streams that pass the filter, by name."""

    streams: dict[str, Stream]


class WcsCoordinator(BridgeCoordinator[WcsData]):
    """Polls a Web Call Server and keeps one device per stream."""

    def __init__(
        self, hass: HomeAssistant, entry: CameraBridgeConfigEntry, client: WcsClient
    ) -> None:
        """Read the options and prepare the stream bookkeeping."""
        options = entry.options
        super().__init__(
            hass,
            entry,
            update_interval=timedelta(
                seconds=float(options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL))
            ),
        )
        self.client = client
        self._filter = compile_filter(options.get(CONF_STREAM_FILTER))
        self._cache_ttl = float(
            options.get(CONF_SNAPSHOT_CACHE, DEFAULT_SNAPSHOT_CACHE)
        )
        self._cache: dict[str, tuple[float, bytes]] = {}
        # streams seen (or left as devices), to notice when they leave
        self._known: set[str] = set()
        self._gone_since: dict[str, Any] = {}
        self.server_device = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer=MANUFACTURER,
            model="Web Call Server",
            configuration_url=client.base_url,
        )
        self._server_entry = async_register_device(hass, entry, self.server_device)

    def stream_identifier(self, name: str) -> tuple[str, str]:
        """Device registry identifier of a stream's device."""
        return (DOMAIN, f"{self.config_entry.entry_id}:stream:{name}")

    def stream_device(self, stream: Stream) -> DeviceInfo:
        """Device info of a stream, linked to the server's device."""
        return DeviceInfo(
            identifiers={self.stream_identifier(stream.name)},
            name=stream.name,
            manufacturer=MANUFACTURER,
            model=f"{stream.media_provider or 'WCS'} stream",
            **via_parent(self._server_entry, (DOMAIN, self.config_entry.entry_id)),
        )

    def _stream_name(self, device: dr.DeviceEntry) -> str | None:
        prefix = f"{self.config_entry.entry_id}:stream:"
        for domain, ident in device.identifiers:
            if domain == DOMAIN and ident.startswith(prefix):
                return ident[len(prefix) :]
        return None

    async def _async_fetch(self) -> WcsData:
        streams = await self.client.find_all()
        return WcsData({s.name: s for s in streams if self._filter(s.name)})

    async def _async_setup(self) -> None:
        """Before the first poll: follow streams that devices are left of.

        Devices of streams seen before a restart are removed if their stream
        stays gone, like streams that leave while Home Assistant runs.
        """
        now = dt_util.utcnow()
        for device in dr.async_entries_for_config_entry(
            dr.async_get(self.hass), self.config_entry.entry_id
        ):
            if (name := self._stream_name(device)) is not None:
                self._known.add(name)
                self._gone_since.setdefault(name, now)
        self.config_entry.async_on_unload(
            self.async_add_listener(self._async_track_streams)
        )

    @callback
    def _async_track_streams(self) -> None:
        """Note when streams leave; remove the devices of long-gone ones."""
        if not self.last_update_success:
            return
        streams = self.data.streams
        self._known.update(streams)
        for name in streams:
            self._gone_since.pop(name, None)
        now = dt_util.utcnow()
        for name in self._known - streams.keys():
            self._gone_since.setdefault(name, now)
        expired = [
            name
            for name, since in self._gone_since.items()
            if now - since >= STREAM_REMOVE_AFTER
        ]
        if not expired:
            return
        dev_reg = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        for name in expired:
            del self._gone_since[name]
            self._known.discard(name)
            self._cache.pop(name, None)
            device = async_find_device(
                self.hass, entry_id, self.stream_identifier(name)
            )
            if device is not None:
                _LOGGER.info(
                    "Stream %s has been gone for a day: removing its device", name
                )
                # the device belongs to this entry alone
                dev_reg.async_remove_device(device.id)

    async def async_snapshot(self, name: str) -> bytes:
        """A PNG snapshot of a stream, reused for the cache lifetime.

        Concurrent calls share one request (the client coalesces them).
        """
        cached = self._cache.get(name)
        if cached is not None and time.monotonic() - cached[0] < self._cache_ttl:
            return cached[1]
        image = await self.client.snapshot(name)
        self._cache[name] = (time.monotonic(), image)
        return image

    @callback
    def async_can_remove_device(self, device: dr.DeviceEntry) -> bool:
        """A stream's device may go once the stream is gone."""
        name = self._stream_name(device)
        if name is None or (self.data is not None and name in self.data.streams):
            return False
        self._known.discard(name)
        self._gone_since.pop(name, None)
        self._cache.pop(name, None)
        return True

    def diagnostics(self) -> dict[str, Any]:
        """Streams as last seen (names and media details, no credentials)."""
        return {
            "base_url": self.client.base_url,
            "streams": [
                {
                    "name": s.name,
                    "status": s.status,
                    "published": s.published,
                    "size": f"{s.width}x{s.height}",
                    "video_codec": s.video_codec,
                    "media_provider": s.media_provider,
                }
                for s in (self.data.streams.values() if self.data else ())
            ],
            "gone_since": {k: v.isoformat() for k, v in self._gone_since.items()},
        }
