"""What the LinkVisual client takes and returns: credentials, devices, recordings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import InvalidResponse
from .errors import LinkVisualValidationError
from .values import parse_time, to_int, to_text


@dataclass(frozen=True, slots=True)
class Credentials:
    """An AccessKey pair, the secret kept out of every repr."""

    access_key_id: str
    access_key_secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Device:
    """A camera, given by IotId or by ProductKey + DeviceName (IotId wins).

    Empty strings count as missing; surrounding spaces are dropped.
    """

    iot_id: str | None = None
    product_key: str | None = None
    device_name: str | None = None

    def __post_init__(self) -> None:
        """Normalise the identifiers and refuse a device that names nothing."""
        for name in ("iot_id", "product_key", "device_name"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise LinkVisualValidationError("device", f"{name} must be text")
            cleaned = value.strip() if value else None
            object.__setattr__(self, name, cleaned or None)
        if self.iot_id is None and not (self.product_key and self.device_name):
            raise LinkVisualValidationError(
                "device", "a device needs an IotId or a ProductKey and a DeviceName"
            )

    @property
    def key(self) -> str:
        """A stable text identifier: the IotId or ``ProductKey/DeviceName``."""
        return self.iot_id or f"{self.product_key}/{self.device_name}"

    def params(self) -> dict[str, str]:
        """The request parameters naming the device."""
        if self.iot_id is not None:
            return {"IotId": self.iot_id}
        assert self.product_key is not None
        assert self.device_name is not None
        return {"ProductKey": self.product_key, "DeviceName": self.device_name}


@dataclass(frozen=True, slots=True)
class Recording:
    """A recorded video file.

    From ``QueryRecordByRecordId`` (``record_id`` and ``vod_url`` set) or from
    ``QueryRecord`` (file size, types and snapshot set). Unknown values are None.
    """

    file_name: str
    begin: datetime | None = None
    end: datetime | None = None
    # signed cloud URLs: their access tokens stay out of every repr
    vod_url: str | None = field(default=None, repr=False)
    record_id: str | None = None
    file_size: int | None = None
    record_type: int | None = None
    stream_type: int | None = None
    event_type: int | None = None
    snapshot_url: str | None = field(default=None, repr=False)

    @classmethod
    def from_dict(
        cls, raw: Mapping[str, Any], *, record_id: str | None = None
    ) -> Recording:
        """Build a recording from an answer object, or raise InvalidResponse."""
        file_name = raw.get("FileName")
        if not isinstance(file_name, str) or not file_name:
            raise InvalidResponse("recording has no 'FileName'")
        if to_text(file_name) is None:
            raise InvalidResponse("recording's 'FileName' is not valid text")
        return cls(
            file_name=file_name,
            begin=parse_time(raw.get("BeginTime")),
            end=parse_time(raw.get("EndTime")),
            vod_url=to_text(raw.get("VodUrl")),
            record_id=record_id,
            file_size=to_int(raw.get("FileSize")),
            record_type=to_int(raw.get("RecordType")),
            stream_type=to_int(raw.get("StreamType")),
            event_type=to_int(raw.get("EventType")),
            snapshot_url=to_text(raw.get("SnapshotUrl")),
        )
