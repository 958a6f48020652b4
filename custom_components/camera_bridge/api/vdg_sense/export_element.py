"""One ``<export>`` element: the texts of its fields and the ``Export`` built from them."""

from __future__ import annotations

from collections import deque
from typing import Final
import xml.etree.ElementTree as ET

from .._http import yield_gil
from .._xml import MalformedXml, XmlPullParser
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
# characters parsed between two hand-overs of the GIL (~0.3 ms of parsing
# and reading)
_PIECE: Final = 32 * 1024


def read_export_list(text: str) -> tuple[list[ExportTexts], int | None]:
    """The fields of every export of an answer, and its count attribute.

    The exports are the ``<export>`` children of the first ``<exports>``
    element, as documented, else the ``<export>`` elements right under
    ``<result>``. An answer with neither is no export list (every export
    would leave): InvalidResponse. An empty list is one the server sent as
    such (``<exports count="0"/>``, ``<exports/>``). The result code is
    checked first.

    The text is parsed a piece at a time, handing the GIL over between
    pieces (``yield_gil``). After each piece the exports the list holds by
    then, all but the one being parsed, are read and dropped: the tree of a
    big list is never whole in memory, and the garbage collector, which runs
    as objects pile up and then holds the GIL for milliseconds, has next to
    nothing to do.
    """
    parser = XmlPullParser()
    root: ET.Element | None = None
    container: ET.Element | None = None
    reported: int | None = None
    listed: list[ExportTexts] = []
    looked_at = 0  # children of <result> looked at for <exports>
    try:
        # a step per piece, and one more to close
        for start in range(0, len(text) + _PIECE, _PIECE):
            if start:
                yield_gil()
            closed = start >= len(text)
            if closed:
                parser.close()
            else:
                parser.feed(text[start : start + _PIECE])
            events = parser.read_events()
            if root is None:
                root = next(events, (None, None))[1]
            deque(events, maxlen=0)  # the elements are in the tree
            if root is None:
                continue
            if container is None:
                for child in root[looked_at:]:
                    looked_at += 1
                    if local_name(child.tag) == "exports":
                        container = child
                        reported = _count(child)
                        break
            if container is not None:
                # all but the one being parsed, unless the list has ended
                end = len(container)
                if not closed and root[-1] is container:
                    end -= 1
                listed.extend(
                    export_texts(element)
                    for element in container[:end]
                    if local_name(element.tag) == "export"
                )
                del container[:end]
    except (ET.ParseError, ValueError) as err:
        raise MalformedXml(f"malformed XML: {err}") from err
    assert root is not None  # close() raised for a document without element
    check_result_element(root)
    if container is not None:
        return listed, reported
    loose = [export_texts(e) for e in root if local_name(e.tag) == "export"]
    if not loose:
        raise InvalidResponse("the answer has no <exports> element")
    return loose, None


def _count(container: ET.Element) -> int | None:
    """The ``count`` attribute of ``<exports>`` (any case), None if no number."""
    reported: int | None = None
    for name, value in container.attrib.items():
        if local_name(name) == "count":
            reported = read_int(value)
    return reported


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
