"""What a backend offers to Home Assistant's Media browser.

A backend that has media (pictures on a camera, cloud recordings, exports)
gives its ``BackendSpec`` a ``MediaProvider``. Paths are the backend's own
identifiers below its config entry; the shared ``media_source.py`` puts the
entry id in front and turns nodes into ``BrowseMediaSource`` objects.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
import re
from typing import Any, Final, Protocol
from urllib.parse import quote

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN

# Where the media view (media_view.py) serves proxied files
MEDIA_VIEW_PREFIX = f"/api/{DOMAIN}/media"
_RANGE: Final = re.compile(r"bytes=(\d{1,15})-(\d{1,15})?")


def media_view_path(entry_id: str, path: str) -> str:
    """The media view's path for one item of an entry.

    Backends hand it out as ``ResolvedMedia.url`` (``proxied``) or as a
    node's thumbnail; the shared code signs it before a player gets it.
    """
    return f"{MEDIA_VIEW_PREFIX}/{entry_id}/{quote(path, safe='/')}"


class MediaNotFound(HomeAssistantError):
    """The media id names nothing this backend listed (unknown or tampered)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaNode:
    """One folder or item of the Media browser, below a config entry.

    ``media_class`` / ``children_media_class`` are Home Assistant MediaClass
    values, ``content_type`` a MediaType or MIME type.
    """

    path: str
    title: str
    media_class: str
    content_type: str
    can_play: bool = False
    can_expand: bool = False
    thumbnail: str | None = None
    children_media_class: str | None = None
    children: tuple[MediaNode, ...] | None = None


@dataclass(frozen=True, slots=True)
class ResolvedMedia:
    """Where a player fetches an item: a URL and its MIME type.

    ``proxied`` URLs are paths of Home Assistant's media view, which the
    shared code signs for the player.
    """

    url: str
    mime_type: str
    proxied: bool = False


@dataclass(frozen=True, slots=True)
class ByteRange:
    """The part of a file a player asks for (``Range: bytes=start-end``).

    ``end`` is inclusive, None to the end of the file. Players seek with it,
    and Safari plays no video from a server that ignores it.
    """

    start: int
    end: int | None = None

    @classmethod
    def parse(cls, header: str | None) -> ByteRange | None:
        """One ``bytes=start-[end]`` range; None for anything else."""
        if not header or not (match := _RANGE.fullmatch(header.strip())):
            return None
        start, end = int(match[1]), int(match[2]) if match[2] else None
        if end is not None and end < start:
            return None
        return cls(start, end)

    @property
    def header(self) -> str:
        """The range as a ``Range`` header value, to pass on to the device."""
        return f"bytes={self.start}-{'' if self.end is None else self.end}"


@dataclass(slots=True)
class MediaStream:
    """A file read from the device for the media view, chunk by chunk.

    ``status`` 206 with a ``Content-Range`` header answers a ``ByteRange``;
    a provider may ignore the range and send the whole file (200).
    """

    content_type: str
    size: int | None
    chunks: AsyncGenerator[bytes]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


class MediaProvider(Protocol):
    """The Media browser side of one backend kind.

    Every method gets the entry's coordinator. Unknown paths raise
    ``MediaNotFound`` before any request is sent; device failures raise the
    API's ``CameraBridgeError`` family.
    """

    async def async_browse(self, coordinator: Any, path: str) -> MediaNode:
        """The folder (with children) or item at ``path`` ("" is the entry)."""

    async def async_resolve(self, coordinator: Any, path: str) -> ResolvedMedia:
        """Where to play the item at ``path`` (fresh URLs, never stored ones)."""

    async def async_open(
        self, coordinator: Any, path: str, byte_range: ByteRange | None = None
    ) -> MediaStream:
        """Stream a proxied item from the device (for ``ResolvedMedia.proxied``).

        ``byte_range`` is the part the player asked for, if any.
        """
