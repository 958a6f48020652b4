"""One ``<export>`` element: the texts of its fields and the ``Export`` built from them."""

from __future__ import annotations

from typing import Final
import xml.etree.ElementTree as ET

from ..errors import InvalidResponse
from .document import check_result_element, local_name
from .models import Export, ExportDevice
from .values import read_export_id, read_int, read_progress, read_state, read_timestamp

type _DeviceTexts = tuple[
    str | None, str | None, str | None, str | None, str | None, str | None
]
type ExportTexts = tuple[
    str | None, str | None, str | None, str | None, tuple[_DeviceTexts, ...]
]

# child tag -> slot; the lower-case spelling is looked up first, other
# spellings after local_name()
_EXPORT_SLOTS: Final = {
    "exportid": 0,
    "path": 1,
    "status": 2,
    "bandwidth": 3,
    "devices": 4,
    "device": 5,
}
_DEVICE_SLOTS: Final = {
    "serverid": 0,
    "deviceid": 1,
    "starttime": 2,
    "endtime": 3,
    "progress": 4,
    "status": 5,
}


def export_elements(root: ET.Element) -> tuple[list[ET.Element], int | None]:
    """The export elements of an answer and its count attribute.

    The documented answer always holds ``<exports count=…>``; ``<export>``
    elements right under ``<result>`` are accepted as well. An answer with
    neither is no export list (every export would leave): InvalidResponse.
    An empty list is one the server sent as such (``<exports count="0"/>``,
    ``<exports/>``).
    """
    check_result_element(root)
    container: ET.Element | None = None
    loose: list[ET.Element] = []
    for child in root:
        tag = local_name(child.tag)
        if tag == "exports":
            if container is None:
                container = child
        elif tag == "export":
            loose.append(child)
    if container is None:
        if not loose:
            raise InvalidResponse("the answer has no <exports> element")
        return loose, None
    reported: int | None = None
    for name, value in container.attrib.items():
        if local_name(name) == "count":
            reported = read_int(value)
    return [c for c in container if local_name(c.tag) == "export"], reported


def export_texts(element: ET.Element) -> ExportTexts:
    """The raw texts of an export (first of duplicates), devices included."""
    values: list[str | None] = [None, None, None, None]
    devices: list[_DeviceTexts] = []
    for child in element:
        slot = _EXPORT_SLOTS.get(child.tag)
        if slot is None:
            slot = _EXPORT_SLOTS.get(local_name(child.tag))
            if slot is None:
                continue
        if slot == 4:
            devices.extend(
                [
                    _device_texts(device)
                    for device in child
                    if _EXPORT_SLOTS.get(local_name(device.tag)) == 5
                ]
            )
        elif slot == 5:
            devices.append(_device_texts(child))
        elif values[slot] is None:
            values[slot] = child.text
    return values[0], values[1], values[2], values[3], tuple(devices)


def _device_texts(element: ET.Element) -> _DeviceTexts:
    values: list[str | None] = [None, None, None, None, None, None]
    for child in element:
        slot = _DEVICE_SLOTS.get(child.tag)
        if slot is None:
            slot = _DEVICE_SLOTS.get(local_name(child.tag))
            if slot is None:
                continue
        if values[slot] is None:
            values[slot] = child.text
    return values[0], values[1], values[2], values[3], values[4], values[5]


def build_export(texts: ExportTexts, index: int) -> Export:
    """The export the texts describe; ``index`` names it while its id is unknown."""
    export_id, path, status, bandwidth, devices = texts
    ident = read_export_id(export_id, f"export #{index}")
    where = f"export {ident}"
    return Export(
        ident,
        path.strip() if path else "",
        read_state(status),
        read_int(bandwidth),
        tuple([_build_device(device, where) for device in devices]),
    )


def _build_device(texts: _DeviceTexts, where: str) -> ExportDevice:
    server_id, device_id, start, end, progress, status = texts
    device_id = device_id.strip() if device_id else ""
    if not device_id:
        raise InvalidResponse(f"{where}: device without deviceid")
    where = f"{where} device {device_id[:40]}"
    server_id = server_id.strip() if server_id else ""
    if not server_id:
        raise InvalidResponse(f"{where}: missing serverid")
    return ExportDevice(
        server_id,
        device_id,
        read_timestamp(start, where),
        read_timestamp(end, where),
        read_progress(progress, where),
        read_state(status),
    )
