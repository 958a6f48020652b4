"""What a backend offers to voice assistants (LLM tools and Assist intents).

A backend that can act on voice gives its ``BackendSpec`` a ``VoiceActions``:
which of its devices can do what, and one callable per ability. The shared
``assist.py`` finds the device a person named (only among entities exposed
to the assistant and allowed to the user), then calls these; ``llm.py`` and
``intent.py`` turn the answers into tool results and spoken sentences.

Every callable gets the entry's coordinator and the device, calls the same
coordinator method the button or action calls, and raises the API's
``CameraBridgeError`` family or a ``VoiceRefused`` (a translated sentence).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN


class Ability(StrEnum):
    """What a person can ask of a device."""

    PICTURE = "take_picture"
    RECORD = "record"
    LATEST = "latest_media"
    EXPORT = "export_video"
    EXPORT_STATUS = "export_status"


class VoiceRefused(HomeAssistantError):
    """A request the assistant answers with a translated sentence.

    Not a failure of Home Assistant: a camera that cannot be found, a time
    in the future, a duration out of range.
    """

    def __init__(self, key: str, **placeholders: Any) -> None:
        """Name the translation key (exceptions.<key>) and its placeholders."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={k: str(v) for k, v in placeholders.items()},
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaRef:
    """A picture, recording or snapshot, as an assistant hands it on.

    ``media_id`` is a ``media-source://`` id (never a signed or tokened URL):
    an AI Task takes it as an attachment, a notification resolves it.
    ``when`` is when it was taken (None: unknown).
    """

    kind: str  # "picture", "video", "recording" or "snapshot"
    media_id: str
    when: datetime | None = None
    title: str | None = None
    # records started but not uploaded yet (LinkVisual), by record id
    pending: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportInfo:
    """One export as a person wants to hear about it."""

    export_id: str
    status: str
    progress: float
    cameras: tuple[str, ...]
    start: datetime | None
    end: datetime | None


type DeviceAbilities = Callable[[Any, dr.DeviceEntry], frozenset[Ability]]
type TakePicture = Callable[[Any, dr.DeviceEntry], Awaitable[MediaRef]]
type Record = Callable[[Any, dr.DeviceEntry, int], Awaitable[str]]
type Latest = Callable[[Any, dr.DeviceEntry], Awaitable[MediaRef | None]]
type Export = Callable[
    [Any, dr.DeviceEntry, Sequence[str], datetime, datetime], Awaitable[str]
]
type ExportStatus = Callable[
    [Any, dr.DeviceEntry, str | None], Awaitable[list[ExportInfo]]
]
type Sources = Callable[[Any, dr.DeviceEntry], list[str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceActions:
    """The voice side of one backend kind.

    ``abilities`` tells what one of the entry's devices can do (nothing for
    a device that is not a camera or server of this kind). ``sources``
    names what a device records from when that is not itself (the cameras
    a VDG Sense server exports), for the assistant's prompt.
    """

    abilities: DeviceAbilities
    take_picture: TakePicture | None = None
    record: Record | None = None
    latest: Latest | None = None
    export: Export | None = None
    export_status: ExportStatus | None = None
    sources: Sources | None = None
    # bounds of Record's duration in seconds
    record_range: tuple[int, int] = (0, 0)


def _norm(text: str) -> str:
    return " ".join(text.strip().casefold().split())


def match_source(wanted: str, sources: Sequence[str]) -> str | None:
    """A camera of a server as a person names it ("the lobby camera": Lobby)."""
    spoken = _norm(wanted).removeprefix("the ")
    tries = [spoken] + [
        spoken.removesuffix(suffix)
        for suffix in (" camera", " cam")
        if spoken.endswith(suffix)
    ]
    for attempt in tries:
        for source in sources:
            if _norm(source) == attempt:
                return source
    return None
