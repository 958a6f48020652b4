"""The small answers: ``/info``, ``getDeviceList`` and ``exportVideo``'s reply."""

from __future__ import annotations

from collections import Counter, deque
from datetime import UTC, datetime
from typing import Final
import xml.etree.ElementTree as ET

from .._http import xml_text
from ..errors import CameraBridgeError, InvalidResponse
from .document import (
    check_result_element,
    children,
    field_text,
    first_child,
    local_name,
    own_text,
    parse_tree,
    parse_tree_lenient,
)
from .entries import RESULT_TEXT_FIELDS, cut_out, cuttable, entry_spans, read_block
from .models import DeviceList, SenseDevice, ServerInfo, UnreadableBlock
from .values import read_export_id, read_int, read_timestamp

# fields holding user text, read as text when nothing else makes an entry XML
_DEVICE_TEXT_FIELDS: Final = ("name", "location", "brand", "type", "status", "ptztype")
# elements looked at for exportVideo's export id, nearest first
_REPLY_SEARCH: Final = 64


def _document(body: bytes | str) -> ET.Element:
    """The element tree of an answer; of its repair when it is not XML as sent.

    Encodings outside the shared allow-list are refused (``xml_text``)
    before any repair, document types by the parser (``parse_tree``).
    """
    return parse_tree_lenient(xml_text(body))


def read_result(body: bytes | str) -> ET.Element:
    """The ``<result>`` element of an answer, after checking its result code."""
    root = _document(body)
    check_result_element(root)
    return root


def parse_info(body: bytes) -> ServerInfo:
    """Parse an ``/info`` answer (``<apiinfo>``, maybe inside ``<result>``)."""
    root = _document(body)
    match local_name(root.tag):
        case "apiinfo":
            info = root
        case "result":
            check_result_element(root)
            inner = first_child(root, "apiinfo")
            info = root if inner is None else inner
        case _:
            raise InvalidResponse(f"answer is <{root.tag[:40]}>, not <apiinfo>")
    # extras: the fields that appear once
    counts = Counter(child.tag for child in info)
    extras: list[tuple[str, str]] = []
    for child in info:
        name = local_name(child.tag)
        if name in ("version", "utc") or counts[child.tag] > 1:
            continue
        if (text := own_text(child)) is not None:
            extras.append((name, text[:200]))
    return ServerInfo(
        version=field_text(info, "version"),
        server_time=_server_time(field_text(info, "utc")),
        legacy=False,
        extras=tuple(extras),
    )


def _server_time(text: str | None) -> datetime | None:
    """The server's clock: an API timestamp or epoch seconds; None if neither."""
    if text is None:
        return None
    try:
        return read_timestamp(text, "utc")
    except InvalidResponse:
        pass
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError, OverflowError, OSError:
        return None


def parse_device_list(body: bytes) -> tuple[SenseDevice, ...]:
    """Parse a ``getDeviceList`` answer (see ``parse_device_report``)."""
    return parse_device_report(body).devices


def parse_device_report(body: bytes) -> DeviceList:
    """Parse a ``getDeviceList`` answer, with the devices that were unreadable.

    Names and locations echoed raw are repaired; a device whose entry stays
    unreadable is left out and listed in ``unreadable``.
    """
    try:
        result = read_result(body)
    except InvalidResponse:
        recovered = _recover_devices(body)
        if recovered is None:
            raise
        return recovered
    return DeviceList(
        tuple(
            _device(entry, index) for index, entry in enumerate(_device_entries(result))
        )
    )


def _device_entries(result: ET.Element) -> list[ET.Element]:
    container = first_child(result, "devices")
    return children(result if container is None else container, "device")


def _device(entry: ET.Element, index: int) -> SenseDevice:
    if not len(entry) and not entry.attrib:
        raise InvalidResponse(f"device #{index}: no fields")
    device_id = field_text(entry, "deviceid")
    if device_id is None:
        raise InvalidResponse(f"device #{index}: missing deviceid")
    server_id = field_text(entry, "serverid")
    if server_id is None:
        raise InvalidResponse(f"device {device_id[:40]}: missing serverid")
    return SenseDevice(
        server_id=server_id,
        device_id=device_id,
        name=field_text(entry, "name") or device_id,
        status=field_text(entry, "status"),
        type=field_text(entry, "type"),
        brand=field_text(entry, "brand"),
        location=field_text(entry, "location"),
        ptz_type=field_text(entry, "ptztype"),
        ip_address=field_text(entry, "ipaddress"),
        port=read_int(field_text(entry, "port")),
    )


def _is_placeholder(element: ET.Element) -> bool:
    """No fields, no attributes, no text: what ``<device/>`` reads as."""
    return not len(element) and not element.attrib and own_text(element) is None


def _recover_devices(body: bytes) -> DeviceList | None:
    """Read a broken device list entry by entry, skipping unreadable devices."""
    try:
        text = xml_text(body)
    except InvalidResponse:
        return None
    if not cuttable(text):
        return None
    low = text.lower()
    if len(low) != len(text):
        return None
    spans = entry_spans(low, "device", "devices")
    if not spans:
        return None
    skeleton, blocks = cut_out(text, spans, "<device/>")
    root = read_block(skeleton, "result", RESULT_TEXT_FIELDS, parse_tree)
    if isinstance(root, UnreadableBlock):
        return None
    try:
        check_result_element(root)
    except CameraBridgeError:
        return None
    entries = _device_entries(root)
    if len(entries) != len(blocks) or not all(map(_is_placeholder, entries)):
        return None
    devices: list[SenseDevice] = []
    unreadable: list[UnreadableBlock] = []
    for index, block in enumerate(blocks):
        parsed = read_block(block, "device", _DEVICE_TEXT_FIELDS, parse_tree)
        if isinstance(parsed, UnreadableBlock):
            unreadable.append(parsed)
        else:
            devices.append(_device(parsed, index))
    return DeviceList(tuple(devices), tuple(unreadable))


def parse_export_reply(body: bytes) -> str:
    """Parse an ``exportVideo`` answer: the new export id.

    The reply's exact shape is not documented: the first ``exportid`` element
    (or attribute) anywhere in ``<result>`` is taken.
    """
    pending = deque([read_result(body)])
    for _ in range(_REPLY_SEARCH):
        if not pending:
            break
        element = pending.popleft()
        for name, value in element.attrib.items():
            if local_name(name) == "exportid":
                return read_export_id(value, "exportVideo answer")
        for child in element:
            if local_name(child.tag) == "exportid":
                return read_export_id(own_text(child), "exportVideo answer")
            pending.append(child)
    raise InvalidResponse("exportVideo answer: missing exportid")
