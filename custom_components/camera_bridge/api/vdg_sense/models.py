"""What the VDG Sense answers hold, as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import re
from typing import Final, Protocol

from .._coerce import as_int

# exportVideo needs an API license and VDG Sense >= 2.7.3
EXPORT_MIN_VERSION: Final = (2, 7, 3)


class ExportState(StrEnum):
    """State of an export or of one device of an export."""

    SYNCING = "syncing"
    PENDING = "pending"
    COMPLETED = "completed"
    REMOVED = "removed"
    UNKNOWN = "unknown"

    @property
    def active(self) -> bool:
        """True while the server is still working on it."""
        return self in (ExportState.SYNCING, ExportState.PENDING)


class DeviceKey(Protocol):
    """Anything naming one device: a server id and a device id."""

    @property
    def server_id(self) -> str:
        """Id of the recording server."""
        ...  # pragma: no cover

    @property
    def device_id(self) -> str:
        """Id of the device on that server."""
        ...  # pragma: no cover


@dataclass(frozen=True, slots=True)
class DeviceRef:
    """A device named by its ids, as exportVideo takes it."""

    server_id: str
    device_id: str


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What ``/info`` tells about the server (all unknown on older servers)."""

    version: str | None
    server_time: datetime | None
    # True when /info answered 404: an API older than 2.6.1, still usable
    legacy: bool
    extras: tuple[tuple[str, str], ...] = ()

    @property
    def version_tuple(self) -> tuple[int, ...] | None:
        """The version as numbers, e.g. (2, 7, 3), or None when unknown."""
        if not self.version:
            return None
        numbers = [as_int(n) for n in re.findall(r"\d+", self.version)[:4]]
        if not numbers or None in numbers:  # none, or too long to be a version
            return None
        return tuple(n for n in numbers if n is not None)

    @property
    def supports_export_video(self) -> bool | None:
        """Whether exportVideo exists on this version (None = unknown)."""
        version = self.version_tuple
        return None if version is None else version >= EXPORT_MIN_VERSION


@dataclass(frozen=True, slots=True)
class SenseDevice:
    """A device (camera, mostly) of ``getDeviceList``."""

    server_id: str
    device_id: str
    name: str
    status: str | None
    type: str | None
    brand: str | None
    location: str | None
    ptz_type: str | None
    ip_address: str | None
    port: int | None


@dataclass(frozen=True, slots=True)
class DeviceList:
    """The devices of ``getDeviceList`` and the entries that were unreadable."""

    devices: tuple[SenseDevice, ...]
    unreadable: tuple[UnreadableBlock, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportDevice:
    """Progress of one device's footage within an export."""

    server_id: str
    device_id: str
    start: datetime | None
    end: datetime | None
    progress: float
    status: ExportState


@dataclass(frozen=True, slots=True)
class Export:
    """One export of ``getExportVideoStatus``."""

    export_id: str
    path: str
    status: ExportState
    # kbit/s
    bandwidth: int | None
    devices: tuple[ExportDevice, ...]

    @property
    def progress(self) -> float:
        """Overall progress in % (100 once completed, else the devices' mean)."""
        if self.status is ExportState.COMPLETED:
            return 100.0
        if not self.devices:
            return 0.0
        return sum(d.progress for d in self.devices) / len(self.devices)

    @property
    def identity(self) -> tuple[object, ...]:
        """What stays the same over an export's life: path and footage.

        Export ids restart when the plugin manager restarts; an id whose
        identity changed names a different export.
        """
        return (
            self.path,
            tuple((d.server_id, d.device_id, d.start, d.end) for d in self.devices),
        )


@dataclass(frozen=True, slots=True)
class UnreadableBlock:
    """One ``<export>`` or ``<device>`` of an answer that could not be read.

    Servers that echo user text raw can break one entry of a list; that entry
    is skipped (even after repair it is not XML) and the others are kept.
    """

    # "export" or "device"
    tag: str
    # its exportid / deviceid when that much could still be read
    ident: str | None
    # what the XML parser said about it
    error: str
    # the start of its text, whitespace collapsed
    excerpt: str


@dataclass(frozen=True, slots=True)
class ExportStatus:
    """The server's export list (or the one export asked for)."""

    exports: tuple[Export, ...]
    # the count attribute as sent, None when absent or not a number
    reported_count: int | None = None
    # exports left out because their XML stayed unreadable (document order)
    unreadable: tuple[UnreadableBlock, ...] = ()

    def by_id(self) -> dict[str, Export]:
        """The exports keyed by id (the first one wins on duplicates)."""
        found: dict[str, Export] = {}
        for export in self.exports:
            found.setdefault(export.export_id, export)
        return found

    @property
    def active_count(self) -> int:
        """How many exports are syncing or pending."""
        return sum(1 for export in self.exports if export.status.active)
