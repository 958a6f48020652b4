"""What the fake VDG Sense server keeps: cameras, exports, failures, and its constants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

type TagCase = Literal["lower", "upper", "camel", "random"]
type StatusCase = Literal["upper", "lower", "title"]

CODE_NOT_IMPLEMENTED = -1
CODE_NO_DEVICE = -2
CODE_GENERAL = -18
CODE_INVALID_EXPORT_ID = -57

DEFAULT_VERSION = "2.8.1.14"
DEFAULT_CAMERAS = (
    "Entrance",
    "Parking north",
    "Parking south",
    "Loading dock",
    "Lobby",
    "Server room",
)

_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S")


def uid(kind: int, number: int) -> str:
    """A GUID-like id as VDG Sense uses for servers and devices."""
    return f"{{{kind:08X}-5E45-4E53-8000-{number:012X}}}"


def api_time(value: datetime) -> str:
    """A datetime as the API writes it (UTC, seconds)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def parse_api_time(text: str) -> datetime:
    """Read ``yyyy-mm-dd hh:mm:ss[.zzz]`` (UTC); ValueError otherwise."""
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"not an API timestamp: {text!r}")


@dataclass
class SimDevice:
    """A camera known to the fake server."""

    name: str
    server_id: str
    device_id: str
    status: str = "online"
    type: str = "camera"
    brand: str = "Sim"
    location: str = "Site A"
    ptz_type: str = "none"
    ip_address: str = "192.0.2.10"
    port: int = 554


@dataclass
class SimExportDevice:
    """One device's footage within an export."""

    server_id: str
    device_id: str
    start: datetime
    end: datetime
    # how much slower than the export's speed this device goes (1 = as fast)
    slowness: float = 1.0


@dataclass
class SimExport:
    """An export as the fake server keeps it."""

    export_id: int
    path: str
    bandwidth: int | None
    devices: list[SimExportDevice]
    created: float
    removed: bool = False


@dataclass
class SimFailure:
    """A result code to answer instead of doing the work."""

    code: int
    description: str
    command: str | None
    remaining: int | None
