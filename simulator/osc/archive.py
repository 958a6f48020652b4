"""Files already on the fake camera when it starts: thousands, made on demand.

A camera that has been used for a year holds thousands of pictures and
videos. ``FileArchive`` describes them by arithmetic (file ``i`` of ``count``,
0 the newest) so that listing one page of 10,000 files costs what the page
costs; contents are made only when a file is listed or fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
import time

from .media import make_jpeg, make_mp4

# every VIDEO_EVERY-th file is a video; files are SPACING seconds apart
VIDEO_EVERY = 5
SPACING = 53 * 60
FILES_PER_DIRECTORY = 1000
# numbers of the shots taken during the simulation start after the archive
FIRST_NUMBER = 10


@dataclass(frozen=True, slots=True)
class ArchivedFile:
    """One file of the archive (its content is made on demand)."""

    index: int
    number: int
    name: str
    directory: str
    taken: float
    width: int
    height: int

    @property
    def is_video(self) -> bool:
        """Whether this is a video file."""
        return self.name.endswith(".MP4")

    @property
    def uri(self) -> str:
        """The level 1 file URI."""
        return f"{self.directory}/{self.name}"

    @property
    def content(self) -> bytes:
        """The file's bytes: a JPEG per number; videos all show one clip."""
        if self.is_video:
            return make_mp4(0)
        return make_jpeg(self.number, self.width, self.height)


@dataclass
class FileArchive:
    """``count`` files, the newest taken an hour before ``newest``."""

    count: int = 0
    picture_size: tuple[int, int] = (256, 128)
    newest: float = 0.0

    def __post_init__(self) -> None:
        """Files end an hour before now unless told otherwise."""
        if not self.newest:
            self.newest = time.time() - 3600

    def total(self, kind: str) -> int:
        """How many files of ``kind`` (``all``, ``image``, ``video``)."""
        videos = self.count // VIDEO_EVERY
        if kind == "video":
            return videos
        if kind == "image":
            return self.count - videos
        return self.count

    def _index(self, kind: str, position: int) -> int:
        """Archive index of the ``position``-th file of ``kind``, newest first."""
        if kind == "video":
            return position * VIDEO_EVERY + VIDEO_EVERY - 1
        if kind == "image":
            per_round = VIDEO_EVERY - 1
            return position // per_round * VIDEO_EVERY + position % per_round
        return position

    def file(self, index: int) -> ArchivedFile:
        """File ``index`` (0 = the newest)."""
        number = FIRST_NUMBER + self.count - 1 - index
        video = index % VIDEO_EVERY == VIDEO_EVERY - 1
        directory = f"{100 + number // FILES_PER_DIRECTORY}RICOH"
        width, height = (1920, 960) if video else self.picture_size
        return ArchivedFile(
            index=index,
            number=number,
            name=f"R{number:07d}.{'MP4' if video else 'JPG'}",
            directory=directory,
            taken=self.newest - index * SPACING,
            width=width,
            height=height,
        )

    def page(self, kind: str, start: int, count: int) -> list[ArchivedFile]:
        """Files ``start`` to ``start + count`` of ``kind``, newest first."""
        end = min(start + count, self.total(kind))
        return [self.file(self._index(kind, p)) for p in range(max(start, 0), end)]

    def find(self, uri: str) -> ArchivedFile | None:
        """The file with this level 1 URI (``100RICOH/R0000123.JPG``)."""
        name = uri.rpartition("/")[2]
        if len(name) != 12 or not name.startswith("R") or not name[1:8].isdigit():
            return None
        index = FIRST_NUMBER + self.count - 1 - int(name[1:8])
        if not 0 <= index < self.count:
            return None
        file = self.file(index)
        return file if file.uri == uri else None

    def clear(self) -> None:
        """Every file deleted."""
        self.count = 0
