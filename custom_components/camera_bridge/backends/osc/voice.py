"""What voice assistants can ask of an OSC camera: a picture, the newest file.

A picture is taken by the coordinator method the take_picture action calls.
Files are handed on as ``media-source://`` ids of the Media browser (the
media view streams them from the camera): the file is remembered as if it
had been listed, so the id resolves without browsing first.
"""

from __future__ import annotations

from datetime import datetime
import re
from typing import Final

from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from ...api import CameraBridgeError
from ...const import DOMAIN
from ...voice import Ability, MediaRef, VoiceActions
from .coordinator import OscCoordinator
from .media import OscMediaProvider
from .media_memory import ListedFile

# "2015:07:10 11:05:18+09:00" (dateTimeZone) or without the zone (dateTime)
_DATE: Final = re.compile(
    r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})([+-]\d{2}:?\d{2})?"
)


def file_time(text: str | None) -> datetime | None:
    """When the camera says it wrote a file (its clock, its zone if given)."""
    if not text or not (match := _DATE.match(text)):
        return None
    iso = f"{match[1]}-{match[2]}-{match[3]}T{match[4]}:{match[5]}:{match[6]}"
    try:
        parsed = dt_util.parse_datetime(iso + (match[7] or ""))
    except ValueError:  # a date that does not exist
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt_util.get_default_time_zone())
    return parsed


def _is_video(name: str) -> bool:
    return name.lower().endswith((".mp4", ".mov", ".insv"))


class OscVoice:
    """Voice abilities of OSC cameras, sharing the Media browser's memory."""

    def __init__(self, media: OscMediaProvider) -> None:
        """Files are remembered where the Media browser looks them up."""
        self._media = media

    def actions(self) -> VoiceActions:
        """The backend's VoiceActions."""
        return VoiceActions(
            abilities=self.abilities,
            take_picture=self.async_take_picture,
            latest=self.async_latest,
        )

    @staticmethod
    def abilities(
        coordinator: OscCoordinator, device: dr.DeviceEntry
    ) -> frozenset[Ability]:
        """The camera takes pictures and has a newest file."""
        if coordinator.info is None or (
            (DOMAIN, coordinator.unique_id) not in device.identifiers
        ):
            return frozenset()
        return frozenset({Ability.PICTURE, Ability.LATEST})

    def _ref(
        self, coordinator: OscCoordinator, url: str, when: datetime | None
    ) -> MediaRef:
        name = url.rsplit("/", 1)[-1]
        title = name
        if when is not None:
            title = f"{dt_util.as_local(when).strftime('%Y-%m-%d %H:%M')} · {name}"
        video = _is_video(name)
        listed = ListedFile(url, name, title, video, coordinator.client.api_level == 1)
        file_id = self._media.memory(coordinator).remember(listed)
        entry_id = coordinator.config_entry.entry_id
        return MediaRef(
            kind="video" if video else "picture",
            media_id=f"media-source://{DOMAIN}/{entry_id}/file/{file_id}",
            when=when,
            title=title,
        )

    async def async_take_picture(
        self, coordinator: OscCoordinator, device: dr.DeviceEntry
    ) -> MediaRef:
        """Take a picture (as the take_picture action does); the new file."""
        url = await coordinator.async_take_picture()
        return self._ref(coordinator, url, dt_util.now())

    async def async_latest(
        self, coordinator: OscCoordinator, device: dr.DeviceEntry
    ) -> MediaRef | None:
        """The newest picture the camera entity shows, with the camera's time.

        The time comes from a one-file listing; a camera that is busy (or
        fails to list) leaves it unknown rather than waiting.
        """
        url = coordinator.data.latest_url if coordinator.data else None
        if url is None:
            return None
        when = None
        if not coordinator.client.busy:
            try:
                newest = await coordinator.client.latest_picture()
            except CameraBridgeError:
                newest = None
            if newest is not None and newest.url == url:
                when = file_time(newest.date_time)
        return self._ref(coordinator, url, when)
