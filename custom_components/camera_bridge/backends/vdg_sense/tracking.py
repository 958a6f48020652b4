"""What one poll changed: the exports tracked, the ones that came and went, their events."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
import hashlib
from typing import Any

from ...api.vdg_sense import Export, ExportState, ExportStatus
from .const import (
    EVENT_COMPLETED,
    EVENT_FAILED,
    EVENT_REMOVED,
    REASON_REMOVED,
    REASON_REPLACED,
    REASON_VANISHED,
)


@dataclass(frozen=True, slots=True)
class ExportEvent:
    """Something that happened to an export, for the event entity."""

    event_type: str
    export_id: str
    path: str
    reason: str | None = None
    status: ExportState | None = None
    progress: float | None = None

    def attributes(self) -> dict[str, Any]:
        """Event attributes (JSON-friendly)."""
        attributes: dict[str, Any] = {"export_id": self.export_id, "path": self.path}
        if self.reason is not None:
            attributes["reason"] = self.reason
        if self.status is not None:
            attributes["status"] = self.status.value
        if self.progress is not None:
            attributes["progress"] = round(self.progress, 1)
        return attributes


@dataclass(frozen=True, slots=True)
class ExportChanges:
    """What one poll changed compared with the previous one."""

    # listed for the first time (or under a reused id): an entity each
    appeared: tuple[Export, ...] = ()
    # ids of tracked exports whose data changed
    updated: frozenset[str] = frozenset()
    # tracked exports that left: their entities go
    gone: tuple[Export, ...] = ()
    events: tuple[ExportEvent, ...] = ()
    # exports started from Home Assistant seen for the first time
    seen_awaited: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SensorChanges:
    """Exports that got a sensor in a poll, and those whose sensor retires."""

    added: tuple[Export, ...] = ()
    retired: tuple[Export, ...] = ()


@dataclass(frozen=True, slots=True)
class VdgData:
    """What the last poll found."""

    status: ExportStatus
    # listed exports that are not REMOVED, by id
    exports: Mapping[str, Export]
    changes: ExportChanges = field(default_factory=ExportChanges)
    poll: int = 0
    sensors: SensorChanges = field(default_factory=SensorChanges)


def export_digest(export: Export) -> str:
    """A short stable digest of an export's identity (path and footage).

    Part of the entity's unique id: an export id reused by the server after a
    restart gets a new entity rather than the old export's history.
    """
    return hashlib.blake2s(repr(export.identity).encode(), digest_size=5).hexdigest()


def _left(export: Export, reason: str) -> ExportEvent:
    """The event of a tracked export that left the list or was replaced."""
    return ExportEvent(
        EVENT_FAILED if export.status.active else EVENT_REMOVED,
        export.export_id,
        export.path,
        reason,
        export.status,
        export.progress,
    )


def diff_exports(
    tracked: Mapping[str, Export],
    status: ExportStatus,
    awaited: Collection[str] = (),
    unreadable: Collection[str] = (),
) -> tuple[dict[str, Export], ExportChanges]:
    """Compare a poll with the exports tracked so far.

    Returns the new tracked exports (listed and not REMOVED) and the changes:
    - an export going from SYNCING/PENDING to COMPLETED fires export_completed
      (also one first seen completed if it was started from Home Assistant);
    - a tracked export that becomes REMOVED fires export_removed;
    - a tracked export that leaves the list, or whose id now names another
      export (the plugin manager restarted), fires export_failed when it was
      still running and export_removed otherwise.
    Exports already listed when tracking starts fire nothing. A tracked export
    listed but ``unreadable`` this time is kept as it was: it did not leave.
    """
    current: dict[str, Export] = {}
    seen: set[str] = set()
    appeared: list[Export] = []
    updated: list[str] = []
    gone: list[Export] = []
    events: list[ExportEvent] = []
    seen_awaited: list[str] = []
    for export in status.exports:
        export_id = export.export_id
        if export_id in seen:  # listed twice: the first one counts
            continue
        seen.add(export_id)
        old = tracked.get(export_id)
        if old is export:  # the parser hands back unchanged exports as they were
            current[export_id] = export
            continue
        if export_id in awaited:
            seen_awaited.append(export_id)
        if export.status is ExportState.REMOVED:
            if old is not None:
                gone.append(old)
            if old is not None or export_id in awaited:
                last = old or export
                events.append(
                    ExportEvent(
                        EVENT_REMOVED,
                        export_id,
                        export.path,
                        REASON_REMOVED,
                        last.status,
                        last.progress,
                    )
                )
            continue
        current[export_id] = export
        if old is not None and old.identity != export.identity:
            gone.append(old)
            events.append(_left(old, REASON_REPLACED))
            old = None
        if old is None:
            appeared.append(export)
            completed = export_id in awaited
        else:
            updated.append(export_id)
            completed = old.status.active
        if completed and export.status is ExportState.COMPLETED:
            events.append(
                ExportEvent(
                    EVENT_COMPLETED,
                    export_id,
                    export.path,
                    status=export.status,
                    progress=export.progress,
                )
            )
    if not seen.issuperset(tracked):
        for export_id, old in tracked.items():
            if export_id in seen:
                continue
            if export_id in unreadable:
                current[export_id] = old
                continue
            gone.append(old)
            events.append(_left(old, REASON_VANISHED))
    return current, ExportChanges(
        tuple(appeared),
        frozenset(updated),
        tuple(gone),
        tuple(events),
        frozenset(seen_awaited),
    )
