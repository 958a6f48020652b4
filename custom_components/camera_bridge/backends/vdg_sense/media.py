"""VDG Sense in the Media browser: the server's completed exports, listed.

Exports are files on the VDG Sense server, which its API cannot hand out:
the Media browser shows what exists (cameras, footage time span, path) and
offers no playback. The list is the coordinator's last poll: browsing sends
no request.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.components.media_player.const import MediaClass, MediaType
from homeassistant.components.media_source import Unresolvable
from homeassistant.util import dt as dt_util

from ...api.vdg_sense import Export, ExportState
from ...const import DOMAIN
from ...media import MediaNode, MediaNotFound, ResolvedMedia

if TYPE_CHECKING:
    from ...media import ByteRange, MediaStream
    from .coordinator import VdgCoordinator

_PREFIX = "export/"


def _when(value: datetime | None) -> str:
    return dt_util.as_local(value).strftime("%Y-%m-%d %H:%M") if value else "?"


def _title(coordinator: VdgCoordinator, export: Export) -> str:
    cameras = ", ".join(
        coordinator.device_name(d.server_id, d.device_id) or d.device_id
        for d in export.devices
    )
    starts = [d.start for d in export.devices if d.start is not None]
    ends = [d.end for d in export.devices if d.end is not None]
    span = f"{_when(min(starts, default=None))} to {_when(max(ends, default=None))}"
    return f"{cameras or 'Export ' + export.export_id}: {span} ({export.path})"


def _node(coordinator: VdgCoordinator, export: Export) -> MediaNode:
    return MediaNode(
        path=f"{_PREFIX}{export.export_id}",
        title=_title(coordinator, export),
        media_class=MediaClass.VIDEO,
        content_type=MediaType.VIDEO,
    )


def _completed(coordinator: VdgCoordinator) -> list[Export]:
    exports = coordinator.data.exports.values() if coordinator.data else ()
    return sorted(
        (e for e in exports if e.status is ExportState.COMPLETED),
        key=lambda e: max(
            (d.end for d in e.devices if d.end), default=dt_util.utc_from_timestamp(0)
        ),
        reverse=True,
    )


class VdgMediaProvider:
    """Completed exports of a VDG Sense server, newest footage first."""

    async def async_browse(self, coordinator: Any, path: str) -> MediaNode:
        """The entry's folder of exports, or one export."""
        if not path:
            return MediaNode(
                path="",
                title="",
                media_class=MediaClass.DIRECTORY,
                content_type=MediaType.VIDEO,
                can_expand=True,
                children_media_class=MediaClass.VIDEO,
                children=tuple(_node(coordinator, e) for e in _completed(coordinator)),
            )
        return _node(coordinator, self._export(coordinator, path))

    async def async_resolve(self, coordinator: Any, path: str) -> ResolvedMedia:
        """Exports stay on the server: nothing to play."""
        self._export(coordinator, path)
        raise Unresolvable(
            translation_domain=DOMAIN, translation_key="export_not_playable"
        )

    async def async_open(
        self, coordinator: Any, path: str, byte_range: ByteRange | None = None
    ) -> MediaStream:
        """Nothing is proxied for VDG Sense."""
        raise MediaNotFound(
            translation_domain=DOMAIN, translation_key="media_not_found"
        )

    @staticmethod
    def _export(coordinator: VdgCoordinator, path: str) -> Export:
        export_id = path.removeprefix(_PREFIX) if path.startswith(_PREFIX) else None
        exports = coordinator.data.exports if coordinator.data else {}
        export = exports.get(export_id) if export_id is not None else None
        if export is None or export.status is not ExportState.COMPLETED:
            raise MediaNotFound(
                translation_domain=DOMAIN, translation_key="media_not_found"
            )
        return export
