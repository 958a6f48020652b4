"""What voice assistants can ask of a LinkVisual camera: record now, the newest recording.

Recording calls the coordinator method the Record now button and the
trigger_record action call. The newest recording is the one the Last
recording sensor shows, with its ``media-source://`` id (a fresh playback
URL is asked for only when it is played) and the records still uploading.
"""

from __future__ import annotations

from homeassistant.helpers import device_registry as dr

from ...api.linkvisual import MAX_DURATION, MIN_DURATION
from ...voice import Ability, MediaRef, VoiceActions, VoiceRefused
from .coordinator import LinkVisualCoordinator
from .media import recording_media_id


def _camera(coordinator: LinkVisualCoordinator, device: dr.DeviceEntry) -> str | None:
    return coordinator.subentry_id_of(set(device.identifiers))


def _abilities(
    coordinator: LinkVisualCoordinator, device: dr.DeviceEntry
) -> frozenset[Ability]:
    if _camera(coordinator, device) is None:
        return frozenset()
    return frozenset({Ability.RECORD, Ability.LATEST})


async def _async_record(
    coordinator: LinkVisualCoordinator, device: dr.DeviceEntry, seconds: int
) -> str:
    sub_id = _camera(coordinator, device)
    assert sub_id is not None
    return await coordinator.async_trigger_record(sub_id, duration=seconds)


async def _async_latest(
    coordinator: LinkVisualCoordinator, device: dr.DeviceEntry
) -> MediaRef | None:
    sub_id = _camera(coordinator, device)
    assert sub_id is not None
    tracker = coordinator.trackers[sub_id]
    pending = tuple(tracker.pending)
    last = tracker.last
    if last is None:
        if pending:
            raise VoiceRefused("voice_recording_pending", name=tracker.config.name)
        return None
    return MediaRef(
        kind="recording",
        media_id=recording_media_id(
            coordinator.config_entry.entry_id, sub_id, last.file_name
        ),
        when=last.begin,
        title=last.file_name,
        pending=pending,
    )


VOICE = VoiceActions(
    abilities=_abilities,
    record=_async_record,
    latest=_async_latest,
    record_range=(MIN_DURATION, MAX_DURATION),
)
