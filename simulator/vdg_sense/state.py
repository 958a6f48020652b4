"""State and knobs of the fake VDG Sense server, and its exports over time.

``VdgSenseState`` holds the cameras and exports, the simulated clock and the
knobs tests turn; the XML writer (``writer``) and the HTTP server
(``server``) build on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import random
import time
from typing import Literal

from ..common import SimulatorBase
from .records import (
    DEFAULT_CAMERAS,
    DEFAULT_VERSION,
    SimDevice,
    SimExport,
    SimExportDevice,
    SimFailure,
    StatusCase,
    TagCase,
    uid,
)


@dataclass
class VdgSenseState(SimulatorBase):
    """State and knobs of the fake VDG Sense server."""

    version: str = DEFAULT_VERSION
    legacy: bool = False
    # percent per simulated second for each device of an export
    speed: float = 5.0
    # simulated seconds an export stays SYNCING before progress starts
    sync_seconds: float = 2.0
    tag_case: TagCase = "lower"
    status_case: StatusCase = "upper"
    shuffle: bool = False
    extra_tags: bool = False
    omit_count: bool = False
    export_reply: Literal["flat", "nested", "attribute"] = "flat"
    # write text and attribute values as they are, without escaping
    raw_values: bool = False
    # export ids whose element is cut short after its path value
    truncated: set[int] = field(default_factory=set)
    api_license: bool = True
    devices: list[SimDevice] = field(default_factory=list)
    exports: dict[int, SimExport] = field(default_factory=dict)
    next_id: int = 1
    failure: SimFailure | None = None
    clock: Callable[[], float] = time.monotonic
    offset: float = 0.0
    seed: int = 4
    last_query: dict[str, str] = field(default_factory=dict)
    last_body: bytes = b""
    # requests per command (lower case), authorized ones only
    commands: Counter[str] = field(default_factory=Counter)
    restarts: int = 0

    def __post_init__(self) -> None:
        """Start with the default cameras."""
        self._random = random.Random(self.seed)
        # ids of the elements of the answer being written that are cut short
        self._cut: set[int] = set()
        if not self.devices:
            self.devices = [
                SimDevice(name, uid(0x5E45E001, 1), uid(0xD0000000, i + 1))
                for i, name in enumerate(DEFAULT_CAMERAS)
            ]

    # --- time ----------------------------------------------------------------

    def now(self) -> float:
        """Simulated seconds."""
        return self.clock() + self.offset

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass."""
        self.offset += seconds

    # --- knobs ---------------------------------------------------------------

    def restart(self) -> None:
        """Restart the plugin manager: exports forgotten, ids from 1 again."""
        self.exports.clear()
        self.next_id = 1
        self.restarts += 1

    def fail(
        self,
        code: int,
        description: str = "",
        *,
        command: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer ``code`` to the next ``times`` commands (None = until cleared)."""
        self.failure = SimFailure(
            code, description, command.lower() if command else None, times
        )

    def remove(self, export_id: int) -> None:
        """Mark an export REMOVED (it stays listed)."""
        self.exports[export_id].removed = True

    def forget(self, export_id: int) -> None:
        """Drop an export from the list."""
        del self.exports[export_id]

    def add_export(
        self,
        path: str,
        devices: list[SimExportDevice] | None = None,
        bandwidth: int | None = None,
        *,
        age: float = 0.0,
    ) -> SimExport:
        """Create an export as exportVideo does, ``age`` simulated seconds old."""
        if devices is None:
            camera = self.devices[0]
            end = datetime(2024, 1, 19, 10, 5, tzinfo=UTC)
            devices = [
                SimExportDevice(
                    camera.server_id, camera.device_id, end - timedelta(minutes=5), end
                )
            ]
        export = SimExport(
            self.next_id, path, bandwidth, devices, created=self.now() - age
        )
        self.exports[export.export_id] = export
        self.next_id += 1
        return export

    def seed_exports(self, count: int, *, active_share: float = 0.1) -> None:
        """Add ``count`` exports (the load knob).

        ``active_share`` of them, spread evenly, are still running (half
        SYNCING, half PENDING at various progress); the others are COMPLETED,
        every 25th of those REMOVED. Large installations keep many finished
        exports and run a few at a time.
        """
        base = datetime(2024, 1, 19, 8, 0, tzinfo=UTC)
        exporting = 100.0 / max(self.speed, 1e-9)
        running = 0
        for i in range(count):
            cameras = [
                self.devices[(i + k) % len(self.devices)] for k in range(1 + i % 3)
            ]
            start = base + timedelta(minutes=i)
            devices = [
                SimExportDevice(
                    c.server_id,
                    c.device_id,
                    start,
                    start + timedelta(minutes=2 + k),
                    1.0 + 0.5 * k,
                )
                for k, c in enumerate(cameras)
            ]
            active = int((i + 1) * active_share) > int(i * active_share)
            if active:
                running += 1
                if running % 2:
                    age = self.sync_seconds / 2
                else:  # the fastest device is 5..94 % done
                    age = self.sync_seconds + exporting * ((i * 37) % 90 + 5) / 100
            else:
                age = self.sync_seconds + exporting * devices[-1].slowness + 60.0
            export = self.add_export(
                f"\\\\nas\\exports\\load\\export_{i:05d}",
                devices,
                bandwidth=512 * (1 + i % 8),
                age=age,
            )
            if not active and i % 25 == 24:
                export.removed = True

    # --- export state over time ----------------------------------------------

    def device_progress(self, export: SimExport, device: SimExportDevice) -> float:
        """Progress of one device in %, from the simulated clock."""
        elapsed = self.now() - export.created - self.sync_seconds
        if elapsed <= 0:
            return 0.0
        return min(100.0, elapsed * self.speed / device.slowness)

    def export_state(self, export: SimExport) -> str:
        """SYNCING, PENDING, COMPLETED or REMOVED."""
        if export.removed:
            return "REMOVED"
        if self.now() - export.created < self.sync_seconds:
            return "SYNCING"
        if all(self.device_progress(export, d) >= 100.0 for d in export.devices):
            return "COMPLETED"
        return "PENDING"
