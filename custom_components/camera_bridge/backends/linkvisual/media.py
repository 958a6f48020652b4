"""The Media browser of a LinkVisual account: each camera's recordings, by day.

An account's folder holds one folder per camera (subentry); a camera's
folder the last ``DAYS`` days, today first (no request); a day's folder the
recordings of that day in Home Assistant's time zone, ``PAGE_SIZE`` per
folder, newest first: one ``QueryRecord`` page, two for a day that holds
more than a page (the service lists oldest first; its ``Total`` tells which
page holds the newest), then an "Older recordings" folder. Recordings made
with Record now are among them once uploaded.

Playing a recording asks ``QueryRecordUrl`` for a fresh HLS URL at that
moment (valid ``VOD_URL_VALIDITY``): a signed cloud URL handed to the player
as it is, never stored, never logged. Ids are checked before any request:
a camera of the entry, a day of the window, a page number, or a recording
listed for that camera (``RecordingMemory``); anything else is not found.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
import hashlib
import math
import re
from typing import Any, Final
from weakref import WeakKeyDictionary

from homeassistant.components.media_player.const import MediaClass
from homeassistant.util import dt as dt_util

from ...api.linkvisual import Recording, RecordPage
from ...const import DOMAIN
from ...media import MediaNode, MediaNotFound, MediaStream, ResolvedMedia
from .coordinator import LinkVisualCoordinator
from .settings import CameraConfig

# Days offered per camera, recordings per folder (one QueryRecord page)
DAYS: Final = 7
PAGE_SIZE: Final = 50
# Validity of the playback URL asked for when a recording is played
VOD_URL_VALIDITY: Final = 3600
# Recordings remembered per camera (least recently listed go first)
MEMORY: Final = 5_000
HLS_TYPE: Final = "application/vnd.apple.mpegurl"

_CAMERA: Final = re.compile(r"cam/([A-Za-z0-9_-]{1,64})")
_DAY: Final = re.compile(
    r"day/([A-Za-z0-9_-]{1,64})/(\d{4}-\d{2}-\d{2})(?:/([1-9][0-9]{0,5}))?"
)
_RECORDING: Final = re.compile(r"rec/([A-Za-z0-9_-]{1,64})/([0-9a-f]{16})")


def recording_key(file_name: str) -> str:
    """A recording's id: a short digest of its file name."""
    return hashlib.blake2b(file_name.encode(), digest_size=8).hexdigest()


def recording_media_id(entry_id: str, subentry_id: str, file_name: str) -> str:
    """The ``media-source://`` id of a camera's recording, for automations."""
    key = recording_key(file_name)
    return f"media-source://{DOMAIN}/{entry_id}/rec/{subentry_id}/{key}"


@dataclass(frozen=True, slots=True)
class ListedRecording:
    """A recording the service listed for a camera."""

    file_name: str
    title: str


class RecordingMemory:
    """The recordings listed for one camera, bounded (oldest listings go first)."""

    def __init__(self, size: int = MEMORY) -> None:
        """Start empty."""
        self.size = size
        self._items: OrderedDict[str, ListedRecording] = OrderedDict()

    def remember(self, item: ListedRecording) -> str:
        """Keep a listed recording; its id."""
        key = recording_key(item.file_name)
        self._items[key] = item
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> ListedRecording | None:
        """A listed recording, or None."""
        return self._items.get(key)

    def __len__(self) -> int:
        """How many recordings are remembered."""
        return len(self._items)


def _title(recording: Recording) -> str:
    """Local start and end time and the length, e.g. ``14:05:12 to 14:10:12 (5 min)``."""
    if recording.begin is None:
        return recording.file_name
    text = dt_util.as_local(recording.begin).strftime("%H:%M:%S")
    if recording.end is not None and recording.end >= recording.begin:
        text += " to " + dt_util.as_local(recording.end).strftime("%H:%M:%S")
        seconds = round((recording.end - recording.begin).total_seconds())
        length = f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"
        if seconds >= 60 and seconds % 60:
            length += f" {seconds % 60} s"
        text += f" ({length})"
    return text


def _newest_first(recording: Recording) -> float:
    return -recording.begin.timestamp() if recording.begin else math.inf


def _folder(path: str, title: str, children: list[MediaNode] | None) -> MediaNode:
    return MediaNode(
        path=path,
        title=title,
        media_class=MediaClass.DIRECTORY,
        content_type="",
        can_expand=True,
        children_media_class=None if children is None else MediaClass.DIRECTORY,
        children=None if children is None else tuple(children),
    )


class LinkVisualMediaProvider:
    """Recordings of LinkVisual cameras, for Home Assistant's Media browser."""

    def __init__(self) -> None:
        """Nothing is known before the first listing."""
        # per coordinator: a reloaded entry starts with an empty memory
        self._memories: WeakKeyDictionary[
            LinkVisualCoordinator, dict[str, RecordingMemory]
        ] = WeakKeyDictionary()

    def memory(
        self, coordinator: LinkVisualCoordinator, subentry_id: str
    ) -> RecordingMemory:
        """What was listed for one camera."""
        cameras = self._memories.setdefault(coordinator, {})
        if (memory := cameras.get(subentry_id)) is None:
            memory = cameras[subentry_id] = RecordingMemory()
        return memory

    async def async_browse(
        self, coordinator: LinkVisualCoordinator, path: str
    ) -> MediaNode:
        """The cameras, a camera's days, a day's recordings or one recording."""
        if not path:
            return _folder(
                "",
                coordinator.config_entry.title,
                [
                    _folder(f"cam/{sub_id}", tracker.config.name, None)
                    for sub_id, tracker in coordinator.trackers.items()
                ],
            )
        if match := _CAMERA.fullmatch(path):
            config = _camera(coordinator, match[1])
            return _folder(
                path,
                config.name,
                [
                    _folder(
                        f"day/{config.subentry_id}/{day.isoformat()}",
                        day.strftime("%Y-%m-%d, %A"),
                        None,
                    )
                    for day in _days()
                ],
            )
        if match := _DAY.fullmatch(path):
            config = _camera(coordinator, match[1])
            day = _day(match[2])
            page = int(match[3]) if match[3] else None
            return await self._async_day(coordinator, config, day, page)
        config, key, item = self._lookup(coordinator, path)
        return self._item(config, key, item)

    async def async_resolve(
        self, coordinator: LinkVisualCoordinator, path: str
    ) -> ResolvedMedia:
        """A fresh playback URL of a listed recording (``QueryRecordUrl`` now)."""
        config, _, item = self._lookup(coordinator, path)
        url = await coordinator.client.query_record_url(
            item.file_name, VOD_URL_VALIDITY, device=config.device
        )
        return ResolvedMedia(url, HLS_TYPE, proxied=False)

    async def async_open(
        self, coordinator: LinkVisualCoordinator, path: str, byte_range: Any = None
    ) -> MediaStream:
        """Nothing goes through the media view: players fetch the cloud URLs."""
        raise MediaNotFound

    # ---- folders and items

    def _lookup(
        self, coordinator: LinkVisualCoordinator, path: str
    ) -> tuple[CameraConfig, str, ListedRecording]:
        match = _RECORDING.fullmatch(path)
        if match is None:
            raise MediaNotFound
        config = _camera(coordinator, match[1])
        item = self.memory(coordinator, config.subentry_id).get(match[2])
        if item is None:
            # the camera's newest recording, as the sensor and the
            # recording_ready event name it, plays without browsing first
            tracker = coordinator.trackers.get(config.subentry_id)
            last = tracker.last if tracker else None
            if last is None or recording_key(last.file_name) != match[2]:
                raise MediaNotFound
            item = ListedRecording(last.file_name, _title(last))
        return config, match[2], item

    async def _async_day(
        self,
        coordinator: LinkVisualCoordinator,
        config: CameraConfig,
        day: date,
        page: int | None,
    ) -> MediaNode:
        """One page of a day's recordings, newest first, and the way to older ones."""
        begin = dt_util.start_of_local_day(day)
        end = dt_util.start_of_local_day(day + timedelta(days=1)) - timedelta(seconds=1)
        client = coordinator.client
        number = page or 1
        result = await client.query_record_page(
            config.device, begin, end, number, PAGE_SIZE
        )
        if page is None and (result.total or 0) > PAGE_SIZE:
            # the service lists oldest first: the newest are on the last page
            number = math.ceil((result.total or 0) / PAGE_SIZE)
            result = await client.query_record_page(
                config.device, begin, end, number, PAGE_SIZE
            )
        base = f"day/{config.subentry_id}/{day.isoformat()}"
        children = self._items(coordinator, config, result)
        if result.total is None and len(result.recordings) >= PAGE_SIZE:
            # without a total the pages can only be followed forwards
            children.insert(
                0, _folder(f"{base}/{number + 1}", "Later recordings", None)
            )
        if number > 1:
            children.append(_folder(f"{base}/{number - 1}", "Older recordings", None))
        title = day.strftime("%Y-%m-%d, %A")
        if result.total is not None and result.recordings:
            first = (number - 1) * PAGE_SIZE + 1
            last = first + len(result.recordings) - 1
            title += f": recordings {first} to {last} of {result.total}"
        return MediaNode(
            path=base if page is None else f"{base}/{page}",
            title=title,
            media_class=MediaClass.DIRECTORY,
            content_type="",
            can_expand=True,
            children_media_class=MediaClass.VIDEO,
            children=tuple(children),
        )

    def _items(
        self,
        coordinator: LinkVisualCoordinator,
        config: CameraConfig,
        result: RecordPage,
    ) -> list[MediaNode]:
        memory = self.memory(coordinator, config.subentry_id)
        nodes = []
        for recording in sorted(result.recordings, key=_newest_first):
            item = ListedRecording(recording.file_name, _title(recording))
            nodes.append(self._item(config, memory.remember(item), item))
        return nodes

    @staticmethod
    def _item(config: CameraConfig, key: str, item: ListedRecording) -> MediaNode:
        return MediaNode(
            path=f"rec/{config.subentry_id}/{key}",
            title=item.title,
            media_class=MediaClass.VIDEO,
            content_type=HLS_TYPE,
            can_play=True,
        )


def _camera(coordinator: LinkVisualCoordinator, subentry_id: str) -> CameraConfig:
    tracker = coordinator.trackers.get(subentry_id)
    if tracker is None:
        raise MediaNotFound
    return tracker.config


def _days() -> list[date]:
    """The days offered, today (Home Assistant's time zone) first."""
    today = dt_util.now().date()
    return [today - timedelta(days=offset) for offset in range(DAYS)]


def _day(text: str) -> date:
    """A day of the window, or MediaNotFound."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise MediaNotFound from None
    if day not in _days():
        raise MediaNotFound
    return day
