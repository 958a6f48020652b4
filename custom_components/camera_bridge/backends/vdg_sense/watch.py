"""Which exports have a sensor: the running ones, and finished ones for a while.

A server lists every export until its plugin manager restarts: a busy site
lists thousands of finished jobs. A sensor is for what someone watches or
automates, so an export has one while it is syncing or pending, and once it
finished only for ``retention`` after Home Assistant saw it finish: when its
``export_completed`` event fires. Exports first listed finished (already
done when Home Assistant started, or finished between two polls) get none,
unless Home Assistant started them. Events, the
``get_export_status`` action, the active-exports sensor and the Media
browser read the whole list, not this.

Each poll costs what changed plus the exports watched, not the whole list.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from ...api.vdg_sense import Export
from .tracking import ExportChanges, SensorChanges


class ExportWatch:
    """The exports with a sensor, and since when each is finished."""

    def __init__(self, retention: timedelta) -> None:
        """Keep finished exports' sensors for ``retention``."""
        self.retention = retention
        # export id -> when Home Assistant saw it finish (None: running)
        self._finished: dict[str, datetime | None] = {}

    def __contains__(self, export_id: object) -> bool:
        """Whether the export with this id has a sensor."""
        return export_id in self._finished

    def __len__(self) -> int:
        """How many exports have a sensor."""
        return len(self._finished)

    def update(
        self, tracked: Mapping[str, Export], changes: ExportChanges, now: datetime
    ) -> SensorChanges:
        """Follow one poll: ``tracked`` is every listed export, by id."""
        finished = self._finished
        for export in changes.gone:
            finished.pop(export.export_id, None)
        added: list[Export] = []
        for export in changes.appeared:
            export_id = export.export_id
            if export.status.active:
                finished[export_id] = None
            elif export_id in changes.seen_awaited:  # started from Home Assistant
                finished[export_id] = now
            else:
                continue
            added.append(export)
        for export_id in changes.updated:
            export = tracked[export_id]
            if export_id not in finished:
                if export.status.active:  # listed finished, running again
                    finished[export_id] = None
                    added.append(export)
            elif export.status.active:
                finished[export_id] = None
            elif finished[export_id] is None:
                finished[export_id] = now
        cutoff = now - self.retention
        retired = [
            export_id
            for export_id, when in finished.items()
            if when is not None and when <= cutoff
        ]
        for export_id in retired:
            del finished[export_id]
        return SensorChanges(tuple(added), tuple(tracked[i] for i in retired))
