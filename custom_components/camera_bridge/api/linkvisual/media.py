"""Live streams, captured pictures and pages of recordings: models and readers.

Each answer shape is read by one function here, so an uncertain shape is one
place to change:

- ``QueryLiveStreaming``: ``Data.Path`` (the URL, which carries an access
  token) and ``Data.DecryptKey`` when the stream is encrypted; the answer
  says nothing of the URL's expiry, so it is the time of the request plus the
  ``UrlValidDuration`` asked for (``live_stream_from_data``).
- ``TriggerCapturePicture``: ``Data`` = the capture id (text), read
  leniently as ``Data.CaptureId`` too (``capture_id_from_data``).
  NOT CONFIRMED: REFERENCE marks the answer shape as uncertain.
- ``QueryDevicePictureFile`` (the follow-up that returns the picture):
  ``Data.PicUrl``; no ``PicUrl`` (or no Data) means the picture is not
  uploaded yet (``picture_url_from_data``). NOT CONFIRMED either.
- A camera that cannot capture answers an error whose code says so: which
  code is not documented; ``capture_unsupported`` decides (``NOT_SUPPORTED``).
- ``QueryRecord``: ``Data.List`` as before, plus ``Data.Total`` when the
  service gives it (``record_page_from_data``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from ..errors import InvalidResponse
from .answers import recordings_from_data
from .errors import LinkVisualError
from .models import Recording
from .values import to_int, to_text

LIVE_SCHEMES: Final = ("hls", "rtmp", "flv")
CAPTURE_ACTION: Final = "TriggerCapturePicture"
PICTURE_ACTION: Final = "QueryDevicePictureFile"
# Parts of an error code (lower case) meaning "this camera cannot do that".
# The real codes are not documented: uncertain, change here.
NOT_SUPPORTED: Final = ("notsupport", "unsupport")


@dataclass(frozen=True, slots=True)
class LiveStream:
    """A live stream URL and until when it may be opened.

    The URL carries an access token: it is kept out of every repr.
    """

    url: str = field(repr=False)
    expires_at: datetime
    scheme: str
    decrypt_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class RecordPage:
    """One page of ``QueryRecord``: its files and, when told, how many in all."""

    recordings: list[Recording]
    total: int | None = None


def live_stream_from_data(
    data: Any, *, requested_at: datetime, valid_for: int, scheme: str
) -> LiveStream:
    """The stream ``QueryLiveStreaming`` answered (``Data.Path``)."""
    if isinstance(data, Mapping):
        url = to_text(data.get("Path")) or to_text(data.get("Url"))
        decrypt_key = to_text(data.get("DecryptKey"))
    else:
        url, decrypt_key = to_text(data), None
    if url is None or not url.strip():
        raise InvalidResponse("QueryLiveStreaming answered no URL in 'Data.Path'")
    return LiveStream(
        url=url.strip(),
        expires_at=requested_at + timedelta(seconds=valid_for),
        scheme=scheme,
        decrypt_key=decrypt_key,
    )


def capture_id_from_data(data: Any) -> str:
    """The capture id ``TriggerCapturePicture`` answered (text, a number or ``CaptureId``)."""
    if isinstance(data, Mapping):
        data = data.get("CaptureId") or data.get("PicId")
    if isinstance(data, int) and not isinstance(data, bool):
        data = str(data)
    if not isinstance(data, str) or not data.strip():
        raise InvalidResponse(f"{CAPTURE_ACTION} answered no capture id in 'Data'")
    return data.strip()


def picture_url_from_data(data: Any) -> str | None:
    """The picture URL of ``QueryDevicePictureFile``; None while not uploaded."""
    if data in (None, "", [], {}):
        return None
    if not isinstance(data, Mapping):
        raise InvalidResponse(f"{PICTURE_ACTION} 'Data' is not an object")
    url = to_text(data.get("PicUrl"))
    return url.strip() if url and url.strip() else None


def capture_unsupported(err: LinkVisualError) -> bool:
    """Whether an error says the camera cannot capture pictures."""
    code = str(err.code).lower()
    return any(part in code for part in NOT_SUPPORTED)


def record_page_from_data(data: Any) -> RecordPage:
    """A ``QueryRecord`` page: its files and the total when the service gives it."""
    recordings = recordings_from_data(data)
    total = to_int(data.get("Total")) if isinstance(data, Mapping) else None
    return RecordPage(recordings, total if total is not None and total >= 0 else None)
