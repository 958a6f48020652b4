"""The ``exportVideo`` request body."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
import re
from typing import Final
import xml.etree.ElementTree as ET

from .errors import VdgValidationError
from .models import DeviceKey

_BAD_XML_CHARS: Final = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_value(value: str, what: str) -> str:
    """A value to send: non-empty text without control characters."""
    if not isinstance(value, str) or not value.strip():
        raise VdgValidationError(f"{what} must be a non-empty text")
    if _BAD_XML_CHARS.search(value):
        raise VdgValidationError(f"{what} contains control characters")
    return value


def format_timestamp(value: datetime, *, millis: bool = False) -> str:
    """An aware datetime as the API writes it: UTC ``yyyy-mm-dd hh:mm:ss[.zzz]``."""
    if not isinstance(value, datetime):
        raise VdgValidationError("timestamps must be datetimes")
    if value.tzinfo is None or value.utcoffset() is None:
        raise VdgValidationError(
            "timestamps must carry a time zone (naive datetimes are ambiguous)"
        )
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise VdgValidationError("timestamp out of range") from None
    text = (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    )
    return f"{text}.{utc.microsecond // 1000:03d}" if millis else text


def build_export_request(
    devices: Iterable[DeviceKey],
    start: datetime,
    end: datetime,
    path: str,
    bandwidth: int | None = None,
) -> bytes:
    """The ``exportVideo`` XML body (every value escaped by ElementTree)."""
    begin = format_timestamp(start, millis=True)
    finish = format_timestamp(end, millis=True)
    if start >= end:
        raise VdgValidationError("the export must start before it ends")
    path = clean_value(path, "path")
    if bandwidth is not None and (
        isinstance(bandwidth, bool) or not isinstance(bandwidth, int) or bandwidth <= 0
    ):
        raise VdgValidationError("bandwidth must be a positive number of kbit/s")
    root = ET.Element("export")
    container = ET.SubElement(root, "devices")
    count = 0
    for device in devices:
        element = ET.SubElement(container, "device")
        ET.SubElement(element, "serverid").text = clean_value(
            device.server_id, "serverid"
        )
        ET.SubElement(element, "deviceid").text = clean_value(
            device.device_id, "deviceid"
        )
        ET.SubElement(element, "starttime").text = begin
        ET.SubElement(element, "endtime").text = finish
        count += 1
    if not count:
        raise VdgValidationError("an export needs at least one device")
    ET.SubElement(root, "path").text = path
    if bandwidth is not None:
        ET.SubElement(root, "bandwidth").text = str(bandwidth)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body
