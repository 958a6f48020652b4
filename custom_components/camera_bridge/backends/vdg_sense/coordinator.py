"""Coordinator of a VDG Sense server: one export list per poll, exports that come and go."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util import dt as dt_util

from ...api import AuthenticationFailed, CameraBridgeError
from ...api.vdg_sense import (
    DeviceKey,
    Export,
    SenseDevice,
    ServerInfo,
    UnreadableBlock,
    VdgSenseClient,
)
from ...const import CONF_SCAN_INTERVAL, DOMAIN
from ...coordinator import BridgeCoordinator, CameraBridgeConfigEntry
from .const import (
    AWAIT_POLLS,
    CONF_ACTIVE_INTERVAL,
    CONF_FINISHED_HOURS,
    DEFAULT_ACTIVE_INTERVAL,
    DEFAULT_FINISHED_HOURS,
    DEFAULT_IDLE_INTERVAL,
    EVENT_FAILED,
    MANUFACTURER,
    MODEL,
    REASON_NOT_LISTED,
)
from .tracking import ExportChanges, ExportEvent, VdgData, diff_exports, export_digest
from .watch import ExportWatch

_LOGGER = logging.getLogger(__name__)

# Forget an export started from Home Assistant that never showed up after
# this many polls (it was reported as failed long before).
_AWAIT_GIVE_UP = AWAIT_POLLS * 20


@dataclass(slots=True)
class _Awaited:
    """An export started from Home Assistant, not listed yet."""

    path: str
    polls: int = 0
    reported: bool = False


class VdgCoordinator(BridgeCoordinator[VdgData]):
    """Polls a VDG Sense server's export list and keeps one sensor per export."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CameraBridgeConfigEntry,
        client: VdgSenseClient,
    ) -> None:
        """Read the options and prepare the export bookkeeping."""
        options = entry.options
        self.idle_interval = timedelta(
            seconds=float(options.get(CONF_SCAN_INTERVAL, DEFAULT_IDLE_INTERVAL))
        )
        self.active_interval = timedelta(
            seconds=float(options.get(CONF_ACTIVE_INTERVAL, DEFAULT_ACTIVE_INTERVAL))
        )
        super().__init__(hass, entry, update_interval=self.idle_interval)
        self.client = client
        self.info: ServerInfo | None = None
        self.devices: tuple[SenseDevice, ...] = ()
        self.device_list_error: str | None = None
        # entries the server listed but that stayed unreadable, by key
        self._unreadable_exports: dict[str, UnreadableBlock] = {}
        self._unreadable_devices: dict[str, UnreadableBlock] = {}
        # ids of listed exports the last poll had to skip
        self.unreadable_exports: frozenset[str] = frozenset()
        self._device_names: dict[tuple[str, str], str] = {}
        self.server_device = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer=MANUFACTURER,
            model=MODEL,
        )
        self._tracked: dict[str, Export] = {}
        # the exports that have a sensor
        self.watch = ExportWatch(
            timedelta(
                hours=float(options.get(CONF_FINISHED_HOURS, DEFAULT_FINISHED_HOURS))
            )
        )
        self._awaited: dict[str, _Awaited] = {}
        self._poll = 0
        self._applied = 0
        self._event_listeners: list[Callable[[ExportEvent], None]] = []

    # --- polling -------------------------------------------------------------

    async def _async_setup(self) -> None:
        """Read the server's version; list its cameras for diagnostics.

        From then on every poll's changes are applied (``_async_apply``).
        """
        try:
            self.info = await self.client.info()
        except AuthenticationFailed as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except CameraBridgeError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        if self.info.version:
            self.server_device["sw_version"] = self.info.version
        try:
            await self.async_refresh_devices()
        except CameraBridgeError as err:
            # only diagnostics and the export action need the cameras
            _LOGGER.debug("Device list of %s unavailable: %s", self.name, err)
        self.config_entry.async_on_unload(self.async_add_listener(self._async_apply))

    async def async_refresh_devices(self) -> tuple[SenseDevice, ...]:
        """Ask the server for its devices (cameras)."""
        try:
            report = await self.client.device_report()
        except CameraBridgeError as err:
            self.device_list_error = str(err)
            raise
        self.devices = report.devices
        self.device_list_error = None
        self._unreadable_devices = self._note_unreadable(
            "Camera", self._unreadable_devices, report.unreadable
        )
        self._device_names = {
            (device.server_id, device.device_id): device.name for device in self.devices
        }
        return self.devices

    async def _async_fetch(self) -> VdgData:
        status = await self.client.export_status()
        self._unreadable_exports = self._note_unreadable(
            "Export", self._unreadable_exports, status.unreadable
        )
        unreadable = frozenset(
            block.ident for block in status.unreadable if block.ident is not None
        )
        tracked, changes = diff_exports(
            self._tracked, status, self._awaited, unreadable
        )
        events = list(changes.events)
        for export_id in changes.seen_awaited:
            self._awaited.pop(export_id, None)
        for export_id, waiting in list(self._awaited.items()):
            if export_id in unreadable:  # listed, just not readable
                continue
            waiting.polls += 1
            if waiting.polls >= AWAIT_POLLS and not waiting.reported:
                waiting.reported = True
                _LOGGER.warning(
                    "Export %s started on %s is still not listed by the server;"
                    " still looking for it",
                    export_id,
                    self.name,
                )
                events.append(
                    ExportEvent(
                        EVENT_FAILED, export_id, waiting.path, REASON_NOT_LISTED
                    )
                )
            if waiting.polls >= _AWAIT_GIVE_UP:
                del self._awaited[export_id]
        if len(events) != len(changes.events):
            changes = ExportChanges(
                changes.appeared,
                changes.updated,
                changes.gone,
                tuple(events),
                changes.seen_awaited,
            )
        self._tracked = tracked
        sensors = self.watch.update(tracked, changes, dt_util.utcnow())
        self._poll += 1
        self.update_interval = (
            self.active_interval
            if status.active_count or self._awaited
            else self.idle_interval
        )
        self.unreadable_exports = unreadable
        return VdgData(status, tracked, changes, self._poll, sensors)

    def _note_unreadable(
        self,
        what: str,
        before: Mapping[str, UnreadableBlock],
        blocks: tuple[UnreadableBlock, ...],
    ) -> dict[str, UnreadableBlock]:
        """Log once when an entry becomes unreadable and once when that ends."""
        now = {_unreadable_key(block): block for block in blocks}
        for key, block in now.items():
            if key not in before:
                _LOGGER.warning(
                    "%s %s listed by %s is not readable XML and is skipped"
                    " until it is: %s (%s)",
                    what,
                    block.ident or "without id",
                    self.name,
                    block.error,
                    block.excerpt,
                )
        for key, block in before.items():
            if key not in now:
                _LOGGER.info(
                    "%s %s listed by %s is readable again or gone",
                    what,
                    block.ident or "without id",
                    self.name,
                )
        return now

    # --- exports started from Home Assistant ----------------------------------

    async def async_export_video(
        self,
        devices: Collection[DeviceKey],
        start: datetime,
        end: datetime,
        path: str,
        bandwidth: int | None,
    ) -> str:
        """Start an export; follow it until it completes or fails."""
        export_id = await self.client.export_video(devices, start, end, path, bandwidth)
        self._awaited[export_id] = _Awaited(path)
        self.update_interval = self.active_interval
        await self.async_request_refresh()
        return export_id

    # --- entities --------------------------------------------------------------

    @property
    def exports(self) -> Mapping[str, Export]:
        """Listed exports that are not REMOVED, by id (empty before a poll)."""
        return self.data.exports if self.data is not None else {}

    @callback
    def async_add_event_listener(
        self, listener: Callable[[ExportEvent], None]
    ) -> CALLBACK_TYPE:
        """Receive export events; returns the function that stops it."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    def export_unique_id(self, export: Export) -> str:
        """Unique id of an export's sensor."""
        return (
            f"{self.config_entry.entry_id}_export_{export.export_id}_"
            f"{export_digest(export)}"
        )

    @callback
    def _async_apply(self) -> None:
        """Remove the sensors of exports that left or retired; fire the events.

        The sensors of new exports are added by the sensor platform.
        """
        data = self.data
        if data is None or data.poll == self._applied:
            return
        self._applied = data.poll
        changes = data.changes
        if leaving := (*changes.gone, *data.sensors.retired):
            ent_reg = er.async_get(self.hass)
            for export in leaving:
                if entity_id := ent_reg.async_get_entity_id(
                    "sensor", DOMAIN, self.export_unique_id(export)
                ):
                    ent_reg.async_remove(entity_id)
        for event in changes.events:
            for listener in list(self._event_listeners):
                listener(event)

    def device_name(self, server_id: str, device_id: str) -> str | None:
        """Name of a device from the device list, if known."""
        return self._device_names.get((server_id, device_id))

    def export_as_dict(self, export: Export) -> dict[str, Any]:
        """An export as plain data (action responses, diagnostics)."""
        return {
            "export_id": export.export_id,
            "path": export.path,
            "status": export.status.value,
            "progress": round(export.progress, 1),
            "bandwidth": export.bandwidth,
            "devices": [
                {
                    "server_id": device.server_id,
                    "device_id": device.device_id,
                    "name": self.device_name(device.server_id, device.device_id),
                    "start": device.start.isoformat() if device.start else None,
                    "end": device.end.isoformat() if device.end else None,
                    "progress": device.progress,
                    "status": device.status.value,
                }
                for device in export.devices
            ],
        }

    def diagnostics(self) -> dict[str, Any]:
        """Server version, its cameras and the exports as last seen."""
        status = self.data.status if self.data is not None else None
        return {
            "base_url": str(self.client.base_url),
            "version": self.info.version if self.info else None,
            "legacy_api": self.info.legacy if self.info else None,
            "cameras": [
                {
                    "name": device.name,
                    "server_id": device.server_id,
                    "device_id": device.device_id,
                    "status": device.status,
                    "type": device.type,
                    "brand": device.brand,
                    "location": device.location,
                    "ptz_type": device.ptz_type,
                    "ip_address": device.ip_address,
                    "port": device.port,
                }
                for device in self.devices
            ],
            "device_list_error": self.device_list_error,
            "unreadable_devices": [
                _unreadable_as_dict(block)
                for block in self._unreadable_devices.values()
            ],
            "export_count": len(status.exports) if status else None,
            "reported_count": status.reported_count if status else None,
            "active_exports": status.active_count if status else None,
            "exports": [
                self.export_as_dict(export)
                for export in (status.exports if status else ())
            ][:50],
            "unreadable_exports": [
                _unreadable_as_dict(block)
                for block in self._unreadable_exports.values()
            ][:50],
            "awaited_exports": sorted(self._awaited),
            "update_interval": str(self.update_interval),
        }


def _unreadable_key(block: UnreadableBlock) -> str:
    """What names a skipped entry from one poll to the next."""
    return f"id:{block.ident}" if block.ident is not None else block.excerpt


def _unreadable_as_dict(block: UnreadableBlock) -> dict[str, Any]:
    return {"id": block.ident, "error": block.error, "excerpt": block.excerpt}
