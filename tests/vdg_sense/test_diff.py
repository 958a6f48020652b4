"""The export diff of the VDG Sense coordinator, on its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from custom_components.camera_bridge.api.vdg_sense import (
    Export,
    ExportDevice,
    ExportState,
    ExportStatus,
)
from custom_components.camera_bridge.backends.vdg_sense.tracking import (
    ExportEvent,
    diff_exports,
    export_digest,
)

T0 = datetime(2024, 1, 19, 10, tzinfo=UTC)
T1 = datetime(2024, 1, 19, 10, 5, tzinfo=UTC)


pytestmark = pytest.mark.without_hass


def _export(
    export_id: str,
    status: ExportState = ExportState.PENDING,
    progress: float = 10.0,
    path: str = "p",
) -> Export:
    device = ExportDevice("{S}", "{D}", T0, T1, progress, status)
    return Export(export_id, path, status, None, (device,))


def _status(*exports: Export) -> ExportStatus:
    return ExportStatus(exports)


def _tracked(*exports: Export) -> dict[str, Export]:
    return {export.export_id: export for export in exports}


def test_first_poll_fires_nothing() -> None:
    """Exports listed when tracking starts appear silently; REMOVED are skipped."""
    done = _export("1", ExportState.COMPLETED, 100)
    running = _export("2")
    removed = _export("3", ExportState.REMOVED)
    tracked, changes = diff_exports({}, _status(done, running, removed))
    assert tracked == _tracked(done, running)
    assert changes.appeared == (done, running)
    assert changes.events == ()
    assert changes.gone == ()
    assert changes.updated == frozenset()


def test_unchanged_exports_cost_nothing() -> None:
    """The same objects: nothing to update."""
    a, b = _export("1"), _export("2", ExportState.COMPLETED, 100)
    tracked, changes = diff_exports(_tracked(a, b), _status(a, b))
    assert tracked == _tracked(a, b)
    assert changes.appeared == changes.gone == changes.events == ()
    assert changes.updated == frozenset()


def test_progress_and_completion() -> None:
    """A changed export is updated; reaching COMPLETED fires once."""
    running = _export("1")
    further = _export("1", progress=60)
    tracked, changes = diff_exports(_tracked(running), _status(further))
    assert changes.updated == {"1"}
    assert changes.events == ()
    done = _export("1", ExportState.COMPLETED, 100)
    _, changes = diff_exports(tracked, _status(done))
    assert changes.events == (
        ExportEvent("export_completed", "1", "p", None, ExportState.COMPLETED, 100.0),
    )
    # an export that was not running (unknown state) completes silently
    odd = _export("1", ExportState.UNKNOWN)
    _, changes = diff_exports(_tracked(odd), _status(done))
    assert changes.events == ()


def test_removed_and_vanished() -> None:
    """REMOVED and unlisted exports go, with the right event each."""
    running, done = _export("1"), _export("2", ExportState.COMPLETED, 100)
    gone_running, kept = _export("3"), _export("4")
    tracked, changes = diff_exports(
        _tracked(running, done, gone_running, kept),
        _status(
            replace(running, status=ExportState.REMOVED),
            replace(done, status=ExportState.REMOVED),
            kept,
        ),
    )
    assert tracked == _tracked(kept)
    assert changes.gone == (running, done, gone_running)
    assert [
        (e.event_type, e.export_id, e.reason, e.status) for e in changes.events
    ] == [
        ("export_removed", "1", "removed", ExportState.PENDING),
        ("export_removed", "2", "removed", ExportState.COMPLETED),
        ("export_failed", "3", "vanished", ExportState.PENDING),
    ]


def test_reused_id() -> None:
    """Same id, other path or footage: the old one left, a new one appeared."""
    old = _export("1", ExportState.COMPLETED, 100)
    new = _export("1", path="other")
    tracked, changes = diff_exports(_tracked(old), _status(new))
    assert tracked == _tracked(new)
    assert changes.gone == (old,)
    assert changes.appeared == (new,)
    assert [(e.event_type, e.reason) for e in changes.events] == [
        ("export_removed", "replaced")
    ]
    assert export_digest(old) != export_digest(new)
    assert export_digest(old) == export_digest(replace(old, status=ExportState.PENDING))


def test_awaited_exports() -> None:
    """Exports started from Home Assistant fire even when first seen finished."""
    done = _export("7", ExportState.COMPLETED, 100)
    removed = _export("8", ExportState.REMOVED)
    running = _export("9")
    _, changes = diff_exports(
        {}, _status(done, removed, running), awaited={"7", "8", "9", "10"}
    )
    assert changes.seen_awaited == {"7", "8", "9"}
    assert [(e.event_type, e.export_id) for e in changes.events] == [
        ("export_completed", "7"),
        ("export_removed", "8"),
    ]
    assert changes.appeared == (done, running)


def test_duplicate_ids() -> None:
    """An id listed twice counts once (the first)."""
    first, second = _export("1", progress=10), _export("1", progress=90)
    tracked, changes = diff_exports({}, _status(first, second))
    assert tracked == {"1": first}
    assert changes.appeared == (first,)


def test_event_attributes() -> None:
    """Only what is known goes into the event."""
    assert ExportEvent("export_failed", "1", "p", "not_listed").attributes() == {
        "export_id": "1",
        "path": "p",
        "reason": "not_listed",
    }
    assert ExportEvent(
        "export_completed", "1", "p", None, ExportState.COMPLETED, 99.94
    ).attributes() == {
        "export_id": "1",
        "path": "p",
        "status": "completed",
        "progress": 99.9,
    }
