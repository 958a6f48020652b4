"""What voice assistants can ask of a Web Call Server stream: its snapshot.

The snapshot is the one the stream's camera entity shows (the coordinator's
cached snapshot, taken now if the cache is stale); it is handed on as the
camera's ``media-source://camera/<entity_id>`` id, never as a URL.
"""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util

from ...const import DOMAIN
from ...voice import Ability, MediaRef, VoiceActions
from .coordinator import WcsCoordinator


def _stream(coordinator: WcsCoordinator, device: dr.DeviceEntry) -> str | None:
    prefix = f"{coordinator.config_entry.entry_id}:stream:"
    for domain, ident in device.identifiers:
        if domain == DOMAIN and ident.startswith(prefix):
            return ident[len(prefix) :]
    return None


def _abilities(
    coordinator: WcsCoordinator, device: dr.DeviceEntry
) -> frozenset[Ability]:
    name = _stream(coordinator, device)
    data = coordinator.data
    if name is None or data is None or name not in data.streams:
        return frozenset()
    return frozenset({Ability.LATEST})


async def _async_latest(
    coordinator: WcsCoordinator, device: dr.DeviceEntry
) -> MediaRef | None:
    name = _stream(coordinator, device)
    camera = next(
        (
            entity.entity_id
            for entity in er.async_entries_for_device(
                er.async_get(coordinator.hass), device.id
            )
            if entity.domain == Platform.CAMERA
        ),
        None,
    )
    if name is None or camera is None:
        return None
    await coordinator.async_snapshot(name)
    return MediaRef(
        kind="snapshot",
        media_id=f"media-source://camera/{camera}",
        when=dt_util.now(),
        title=name,
    )


VOICE = VoiceActions(abilities=_abilities, latest=_async_latest)
