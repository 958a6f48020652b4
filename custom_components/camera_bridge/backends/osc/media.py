"""The Media browser of an OSC camera: its pictures and videos, page by page.

An entry's folder is the newest page of the camera's files (``PAGE_SIZE``,
newest first, titled with the day and time they were taken, so the days
follow one another), ending with an "Older files" folder for the next page:
``page/<startPosition>`` on API level 2, ``next/<token key>`` on level 1
(``camera.listImages`` pages with opaque continuation tokens). One folder
costs one listing command, whatever the number of files on the camera.

Files and thumbnails go through Home Assistant's media view (the camera sits
behind Digest auth on the home network): ``file/<id>`` and ``thumb/<id>``,
where ``id`` names a file the camera listed for this entry (``media_memory``);
any other id is refused before a request is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import logging
import mimetypes
import re
from typing import Final
from weakref import WeakKeyDictionary

from homeassistant.components.media_player.const import MediaClass

from ...api import BackendError, CannotConnect, InvalidResponse
from ...api._http import OFF_LOOP_BYTES
from ...api.osc import OscClient, OscFile, OscFileList
from ...media import (
    ByteRange,
    MediaNode,
    MediaNotFound,
    MediaStream,
    ResolvedMedia,
    media_view_path,
)
from .coordinator import OscCoordinator
from .media_memory import CameraMedia, ListedFile

_LOGGER = logging.getLogger(__name__)

# Files per folder; the size of thumbnails asked from the camera (640 is the
# value RICOH documents for maxThumbSize; other cameras answer their maximum)
PAGE_SIZE: Final = 50
THUMB_SIZE: Final = 640
# A listing waits for the camera's previous command (a shot may stitch)
LIST_DEADLINE: Final = 30.0
# What one file may weigh through the media view
PICTURE_MAX_BYTES: Final = 256 * 1024 * 1024
VIDEO_MAX_BYTES: Final = 16 * 1024**3
_PAGE: Final = re.compile(r"page/([1-9][0-9]{0,8})")
_DATE: Final = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2})")


def _title(file: OscFile) -> str:
    """Day and time the camera wrote (its own clock), then the file name."""
    if file.date_time and (m := _DATE.match(file.date_time)):
        return f"{m[1]}-{m[2]}-{m[3]} {m[4]}:{m[5]} · {file.name}"
    return file.name


def _mime(file: ListedFile) -> str:
    guessed, _ = mimetypes.guess_type(file.name)
    if guessed and guessed.startswith(("image/", "video/")):
        return guessed
    return "video/mp4" if file.is_video else "image/jpeg"


def _image_type(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"


def _thumbnails(entries: tuple[OscFile, ...]) -> list[bytes | None]:
    """The listed thumbnails, decoded (a garbled one is left out)."""
    found: list[bytes | None] = []
    for file in entries:
        try:
            found.append(file.thumbnail_bytes())
        except InvalidResponse as err:
            _LOGGER.debug("%s", err)
            found.append(None)
    return found


async def _one_chunk(data: bytes) -> MediaStream:
    async def chunks() -> AsyncGenerator[bytes]:
        yield data

    return MediaStream(_image_type(data), len(data), chunks())


class OscMediaProvider:
    """Pictures and videos on OSC cameras, for Home Assistant's Media browser."""

    def __init__(self) -> None:
        """Nothing is known before the first listing."""
        # per coordinator: a reloaded entry starts with an empty memory
        self._cameras: WeakKeyDictionary[OscCoordinator, CameraMedia] = (
            WeakKeyDictionary()
        )

    def memory(self, coordinator: OscCoordinator) -> CameraMedia:
        """What is known of a camera's files."""
        if (memory := self._cameras.get(coordinator)) is None:
            memory = self._cameras[coordinator] = CameraMedia()
        return memory

    async def async_browse(self, coordinator: OscCoordinator, path: str) -> MediaNode:
        """A page of files ("", ``page/<n>``, ``next/<key>``) or one file."""
        memory = self.memory(coordinator)
        if not path:
            return await self._page(coordinator, path, 0, None)
        if match := _PAGE.fullmatch(path):
            return await self._page(coordinator, path, int(match[1]), None)
        kind, _, key = path.partition("/")
        if kind == "next" and (token := memory.token(key)) is not None:
            return await self._page(coordinator, path, 0, token)
        if kind == "file" and (file := memory.file(key)) is not None:
            return self._item(coordinator, key, file)
        raise MediaNotFound

    async def async_resolve(
        self, coordinator: OscCoordinator, path: str
    ) -> ResolvedMedia:
        """The media view's path of a listed file (no request to the camera)."""
        kind, _, file_id = path.partition("/")
        file = self.memory(coordinator).file(file_id) if kind == "file" else None
        if file is None:
            raise MediaNotFound
        entry_id = coordinator.config_entry.entry_id
        return ResolvedMedia(media_view_path(entry_id, path), _mime(file), True)

    async def async_open(
        self,
        coordinator: OscCoordinator,
        path: str,
        byte_range: ByteRange | None = None,
    ) -> MediaStream:
        """Stream a listed file (``file/<id>``) or its thumbnail (``thumb/<id>``).

        A range goes on to the camera: its answer (206, or the whole file
        from a camera that ignores ranges) comes back as it is.
        """
        memory = self.memory(coordinator)
        kind, _, file_id = path.partition("/")
        file = memory.file(file_id) if kind in ("file", "thumb") else None
        if file is None:
            raise MediaNotFound
        client = coordinator.client
        try:
            if kind == "thumb":
                return await self._thumbnail(client, memory, file_id, file)
            if file.uri:  # level 1: camera.getImage answers the whole picture
                data = await client.download(file.ref, max_bytes=PICTURE_MAX_BYTES)
                return await _one_chunk(data)
            response = await client.open_file(
                file.ref,
                max_bytes=VIDEO_MAX_BYTES if file.is_video else PICTURE_MAX_BYTES,
                byte_range=byte_range.header if byte_range else None,
            )
        except BackendError as err:
            if err.code != "notFound":
                raise
            memory.forget(file_id)  # deleted on the camera since it was listed
            raise MediaNotFound from err
        content_type = response.headers.get("Content-Type", "").partition(";")[0]
        if not content_type.startswith(("image/", "video/")):
            content_type = _mime(file)
        headers = {
            name: value
            for name in ("Accept-Ranges", "Content-Range")
            if (value := response.headers.get(name))
        }
        return MediaStream(
            content_type,
            response.content_length,
            response.chunks(),
            headers,
            response.status,
        )

    # ---- folders and items

    async def _page(
        self, coordinator: OscCoordinator, path: str, start: int, token: str | None
    ) -> MediaNode:
        """One listing command: a page of files and the way to older ones."""
        client = coordinator.client
        try:
            async with asyncio.timeout(LIST_DEADLINE):
                listing = await client.list_files(
                    "all",
                    PAGE_SIZE,
                    start,
                    thumb_size=THUMB_SIZE,
                    continuation_token=token,
                )
        except TimeoutError as err:
            raise CannotConnect(
                f"the camera did not list its files within {LIST_DEADLINE:g} s"
            ) from err
        level1 = client.api_level == 1
        if (start and level1) or (token and not level1):
            # the camera changed protocol level since the folder was handed out
            raise MediaNotFound
        children = await self._remember(coordinator, listing, level1)
        more = self._older(coordinator, listing, start, level1)
        if more is not None:
            children.append(more)
        shown = start + len(listing.entries)
        title = "Older files"
        if listing.entries and listing.total_entries and not level1:
            title = f"Files {start + 1} to {shown} of {listing.total_entries}"
        return MediaNode(
            path=path,
            title=title,
            media_class=MediaClass.DIRECTORY,
            content_type="",
            can_expand=True,
            children=tuple(children),
        )

    async def _remember(
        self, coordinator: OscCoordinator, listing: OscFileList, level1: bool
    ) -> list[MediaNode]:
        memory = self.memory(coordinator)
        entries = listing.entries
        if sum(len(file.thumbnail or "") for file in entries) >= OFF_LOOP_BYTES:
            thumbs = await coordinator.hass.async_add_executor_job(_thumbnails, entries)
        else:
            thumbs = _thumbnails(entries)
        nodes = []
        for file, thumb in zip(entries, thumbs, strict=True):
            listed = ListedFile(
                file.url, file.name, _title(file), file.is_video, level1
            )
            file_id = memory.remember(listed)
            if thumb is not None:
                memory.keep_thumbnail(file_id, thumb)
            nodes.append(self._item(coordinator, file_id, listed))
        return nodes

    def _older(
        self,
        coordinator: OscCoordinator,
        listing: OscFileList,
        start: int,
        level1: bool,
    ) -> MediaNode | None:
        """The folder of the next page, if the camera has more files."""
        if level1:
            if not listing.continuation_token or not listing.entries:
                return None
            key = self.memory(coordinator).token_key(listing.continuation_token)
            path = f"next/{key}"
        else:
            shown = start + len(listing.entries)
            total = listing.total_entries
            if not listing.entries or (total is not None and shown >= total):
                return None
            if total is None and len(listing.entries) < PAGE_SIZE:
                return None
            path = f"page/{shown}"
        return MediaNode(
            path=path,
            title="Older files",
            media_class=MediaClass.DIRECTORY,
            content_type="",
            can_expand=True,
        )

    def _item(
        self, coordinator: OscCoordinator, file_id: str, file: ListedFile
    ) -> MediaNode:
        memory = self.memory(coordinator)
        thumbnail = None
        if memory.thumbnail(file_id) is not None or not file.uri:
            thumbnail = media_view_path(
                coordinator.config_entry.entry_id, f"thumb/{file_id}"
            )
        return MediaNode(
            path=f"file/{file_id}",
            title=file.title,
            media_class=MediaClass.VIDEO if file.is_video else MediaClass.IMAGE,
            content_type=_mime(file),
            can_play=True,
            thumbnail=thumbnail,
        )

    async def _thumbnail(
        self, client: OscClient, memory: CameraMedia, file_id: str, file: ListedFile
    ) -> MediaStream:
        """The listed thumbnail, or the camera's own thumbnail URL (level 2)."""
        thumb = memory.thumbnail(file_id)
        if thumb is None:
            if file.uri:
                raise MediaNotFound
            thumb = await client.thumbnail(file.ref)
            memory.keep_thumbnail(file_id, thumb)
        return await _one_chunk(thumb)
