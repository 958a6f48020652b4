"""The record store: each camera's pending records and latest recording.

A triggered record stays pending until its file is uploaded; the pending
records and the latest recording of every camera are kept in ``.storage``
(one Store per account), so reloads and restarts lose nothing. This module
holds that state (``CameraTracker``, ``PendingRecord``) and its JSON form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ...api.linkvisual import Recording
from ...const import DOMAIN, KIND_LINKVISUAL
from .const import STORAGE_VERSION
from .settings import CameraConfig

_LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class PendingRecord:
    """A triggered record whose file is not there yet."""

    record_id: str
    started: datetime
    deadline: datetime
    duration: int
    late: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the store."""
        return {
            "record_id": self.record_id,
            "started": self.started.isoformat(),
            "deadline": self.deadline.isoformat(),
            "duration": self.duration,
            "late": self.late,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> PendingRecord:
        """Read the store's JSON form (raises KeyError/ValueError/TypeError if broken)."""
        return cls(
            record_id=str(raw["record_id"]),
            started=_stored_time(raw["started"]),
            deadline=_stored_time(raw["deadline"]),
            duration=int(raw["duration"]),
            late=bool(raw.get("late", False)),
        )


@dataclass(slots=True)
class CameraTracker:
    """What the coordinator knows and does for one camera."""

    config: CameraConfig
    pending: dict[str, PendingRecord] = field(default_factory=dict)
    last: Recording | None = None
    next_idle_poll: datetime = field(default_factory=dt_util.utcnow)
    error: str | None = None


def recording_as_dict(recording: Recording) -> dict[str, Any]:
    """A recording as attributes or stored JSON (times in ISO 8601)."""
    return {
        "record_id": recording.record_id,
        "file_name": recording.file_name,
        "begin": recording.begin.isoformat() if recording.begin else None,
        "end": recording.end.isoformat() if recording.end else None,
        "vod_url": recording.vod_url,
    }


def recording_from_dict(raw: Mapping[str, Any]) -> Recording:
    """Read the stored JSON form of a recording (raises KeyError/ValueError/TypeError if broken)."""
    return Recording(
        file_name=str(raw["file_name"]),
        begin=_stored_time(raw["begin"]) if raw.get("begin") else None,
        end=_stored_time(raw["end"]) if raw.get("end") else None,
        vod_url=raw.get("vod_url"),
        record_id=raw.get("record_id"),
    )


def _stored_time(value: Any) -> datetime:
    """A stored time: ISO 8601 text with a zone (ValueError/TypeError otherwise).

    A time without zone is refused: the coordinator compares stored times
    with aware ones, which a naive time would make fail at every poll.
    """
    when = dt_util.parse_datetime(value)
    if when is None or when.tzinfo is None:
        raise ValueError("bad time")
    return when


def account_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where an account's pending recordings are kept across restarts."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{KIND_LINKVISUAL}.{entry_id}")


def restore_trackers(trackers: Mapping[str, CameraTracker], stored: Any) -> None:
    """Give each camera the pending records and latest recording stored for it.

    ``stored`` is whatever the Store loaded (the file may have been edited
    by hand): this never raises. Cameras that are no longer configured are
    left out; a camera whose stored state is unreadable starts empty (logged).
    """
    if not isinstance(stored, Mapping):
        return
    cameras = stored.get("cameras")
    if not isinstance(cameras, Mapping):
        return
    for sub_id, raw in cameras.items():
        tracker = trackers.get(sub_id)
        if tracker is None or not isinstance(raw, Mapping):
            continue
        try:
            for item in raw.get("pending", []):
                record = PendingRecord.from_dict(item)
                tracker.pending[record.record_id] = record
            if raw.get("last"):
                tracker.last = recording_from_dict(raw["last"])
        except KeyError, ValueError, TypeError, AttributeError, OverflowError:
            _LOGGER.warning(
                "Ignoring unreadable stored state of %s", tracker.config.name
            )


def stored_form(trackers: Mapping[str, CameraTracker]) -> dict[str, Any]:
    """What the Store keeps of every camera: pending records and latest recording."""
    return {
        "cameras": {
            sub_id: {
                "pending": [p.as_dict() for p in t.pending.values()],
                "last": recording_as_dict(t.last) if t.last else None,
            }
            for sub_id, t in trackers.items()
        }
    }
