"""What the Media browser remembers of one camera's listings.

The media view streams only files the camera itself listed for the entry:
every listed file gets a short opaque id, and ids not in this memory are
refused before anything is sent. The memory is bounded (least recently used
files go first) and lives as long as the entry's coordinator: after a
restart browsing fills it again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
import hashlib
import re
from typing import Final

# Files remembered per camera, and bytes of their thumbnails
FILE_MEMORY: Final = 10_000
THUMB_MEMORY_BYTES: Final = 16 * 1024 * 1024
# level 1 continuation tokens handed out as "Older files" folders
TOKEN_MEMORY: Final = 1_000
# ids are 16 lower-case hex digits
_ID: Final = re.compile(r"[0-9a-f]{16}")


def media_id(ref: str) -> str:
    """A file's id: a short digest of its URL (or level 1 URI)."""
    return hashlib.blake2b(ref.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class ListedFile:
    """A file the camera listed: where it is and what it is."""

    ref: str
    name: str
    title: str
    is_video: bool
    # a level 1 URI (read with camera.getImage) rather than a URL
    uri: bool


class _Lru[V]:
    """An ordered dict that forgets its least recently used keys."""

    def __init__(self, limit: int) -> None:
        self._items: OrderedDict[str, V] = OrderedDict()
        self._limit = limit

    def get(self, key: str) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: str, value: V) -> None:
        """Store ``value``, forgetting the oldest keys beyond the limit."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._limit:
            self._items.popitem(last=False)

    def pop(self, key: str) -> V | None:
        return self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


class CameraMedia:
    """Listed files, their thumbnails and level 1 page tokens of one camera."""

    def __init__(
        self,
        file_limit: int = FILE_MEMORY,
        thumb_bytes: int = THUMB_MEMORY_BYTES,
        token_limit: int = TOKEN_MEMORY,
    ) -> None:
        """Start empty."""
        self._files: _Lru[ListedFile] = _Lru(file_limit)
        self._thumbs: OrderedDict[str, bytes] = OrderedDict()
        self._thumb_bytes = 0
        self._thumb_limit = thumb_bytes
        self._tokens: _Lru[str] = _Lru(token_limit)

    def __len__(self) -> int:
        """How many files are remembered."""
        return len(self._files)

    def remember(self, file: ListedFile) -> str:
        """Remember a listed file; return its id."""
        file_id = media_id(file.ref)
        self._files.put(file_id, file)
        return file_id

    def file(self, file_id: str) -> ListedFile | None:
        """A remembered file, or None for any other id."""
        if not _ID.fullmatch(file_id):
            return None
        return self._files.get(file_id)

    def forget(self, file_id: str) -> None:
        """The camera no longer has the file."""
        self._files.pop(file_id)
        if (thumb := self._thumbs.pop(file_id, None)) is not None:
            self._thumb_bytes -= len(thumb)

    def thumbnail(self, file_id: str) -> bytes | None:
        """The thumbnail of a file, if still remembered."""
        thumb = self._thumbs.get(file_id)
        if thumb is not None:
            self._thumbs.move_to_end(file_id)
        return thumb

    def keep_thumbnail(self, file_id: str, thumb: bytes) -> None:
        """Remember a thumbnail, forgetting the oldest beyond the limit."""
        if len(thumb) > self._thumb_limit:
            return
        if (old := self._thumbs.pop(file_id, None)) is not None:
            self._thumb_bytes -= len(old)
        self._thumbs[file_id] = thumb
        self._thumb_bytes += len(thumb)
        while self._thumb_bytes > self._thumb_limit:
            self._thumb_bytes -= len(self._thumbs.popitem(last=False)[1])

    def token_key(self, token: str) -> str:
        """Remember a continuation token; return the key naming it."""
        key = media_id(token)
        self._tokens.put(key, token)
        return key

    def token(self, key: str) -> str | None:
        """The continuation token a key names, or None."""
        if not _ID.fullmatch(key):
            return None
        return self._tokens.get(key)
