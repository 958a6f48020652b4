"""What voice assistants can ask of a VDG Sense server: export, export status.

An export is started by the coordinator method the export_video action
calls, with the cameras named from the server's device list, into the
entry's "Export folder for voice requests" option (a folder per export).
The status is the action's own fresh ``getExportVideoStatus``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from ...api.vdg_sense import Export
from ...const import DOMAIN
from ...voice import Ability, ExportInfo, VoiceActions, VoiceRefused
from .const import CONF_EXPORT_FOLDER
from .coordinator import VdgCoordinator
from .services import resolve_devices


def _abilities(
    coordinator: VdgCoordinator, device: dr.DeviceEntry
) -> frozenset[Ability]:
    if (DOMAIN, coordinator.config_entry.entry_id) not in device.identifiers:
        return frozenset()
    return frozenset({Ability.EXPORT, Ability.EXPORT_STATUS})


def _sources(coordinator: VdgCoordinator, device: dr.DeviceEntry) -> list[str]:
    """The server's cameras, by name (from its device list)."""
    return [camera.name for camera in coordinator.devices if camera.name]


def export_path(folder: str, start: datetime) -> str:
    """A new folder below ``folder`` named after the footage's local start."""
    separator = "\\" if "\\" in folder else "/"
    stamp = dt_util.as_local(start).strftime("%Y%m%d-%H%M%S")
    return f"{folder.rstrip('/\\')}{separator}camera_bridge-{stamp}"


async def _async_export(
    coordinator: VdgCoordinator,
    device: dr.DeviceEntry,
    cameras: Sequence[str],
    start: datetime,
    end: datetime,
) -> str:
    folder = str(coordinator.config_entry.options.get(CONF_EXPORT_FOLDER) or "")
    if not folder.strip():
        raise VoiceRefused(
            "voice_no_export_folder", title=coordinator.config_entry.title
        )
    devices = resolve_devices(await coordinator.async_refresh_devices(), list(cameras))
    return await coordinator.async_export_video(
        devices,
        dt_util.as_utc(start),
        dt_util.as_utc(end),
        export_path(folder.strip(), start),
        None,
    )


def _info(coordinator: VdgCoordinator, export: Export) -> ExportInfo:
    starts = [d.start for d in export.devices if d.start is not None]
    ends = [d.end for d in export.devices if d.end is not None]
    return ExportInfo(
        export_id=export.export_id,
        status=export.status.value,
        progress=round(export.progress, 1),
        cameras=tuple(
            coordinator.device_name(d.server_id, d.device_id) or d.device_id
            for d in export.devices
        ),
        start=min(starts, default=None),
        end=max(ends, default=None),
    )


async def _async_export_status(
    coordinator: VdgCoordinator, device: dr.DeviceEntry, export_id: str | None
) -> list[ExportInfo]:
    """The server's exports, newest footage first."""
    status = await coordinator.client.export_status(export_id)
    exports = [_info(coordinator, export) for export in status.exports]
    oldest = dt_util.utc_from_timestamp(0)
    return sorted(exports, key=lambda e: e.end or oldest, reverse=True)


VOICE = VoiceActions(
    abilities=_abilities,
    export=_async_export,
    export_status=_async_export_status,
    sources=_sources,
)
