"""The simulated account's contents: cameras, recorded files, triggered records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone

API_VERSION = "2018-01-20"
DEFAULT_KEY_ID = "LTAI5tSimulatorKeyId"
DEFAULT_KEY_SECRET = "simulator-secret-0123456789"
FILE_SPLIT = 1800  # a file holds at most 30 minutes
MS_THRESHOLD = 100_000_000_000
CST = timezone(timedelta(hours=8), "CST")


@dataclass
class SimCamera:
    """A camera of the simulated account."""

    iot_id: str
    product_key: str
    device_name: str
    pre_record: bool = True
    online: bool = True
    can_capture: bool = True


@dataclass
class SimFile:
    """A recorded file, visible once ``ready_at`` (server time) has passed."""

    file_name: str
    iot_id: str
    begin: float
    end: float
    ready_at: float
    stream_type: int = 0
    record_type: int = 0  # 0 scheduled, 1 alarm, 2 triggered
    event_type: int = 0
    record_id: str | None = None

    @property
    def size(self) -> int:
        """About 256 kB per second of video."""
        return max(1, int(self.end - self.begin)) * 256 * 1024


@dataclass
class SimCapture:
    """A picture a camera was asked to take."""

    iot_id: str
    ready_at: float
    index: int


@dataclass
class SimRecord:
    """A triggered record and its files."""

    record_id: str
    iot_id: str
    files: list[SimFile]
    stopped: bool = False


def default_cameras() -> dict[str, SimCamera]:
    """The two cameras of a fresh account: garden (pre-records) and porch."""
    cameras = [
        SimCamera("SimCam0001xyzIotIdA000100", "a1SimProduct", "garden"),
        SimCamera(
            "SimCam0002xyzIotIdB000100", "a1SimProduct", "porch", pre_record=False
        ),
    ]
    return {c.iot_id: c for c in cameras}
