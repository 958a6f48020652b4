"""The small answers: ``/info``, ``getDeviceList`` and ``exportVideo``'s reply."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from .._http import decode_xml, xml_text
from ..errors import CameraBridgeError, InvalidResponse
from .document import check_code, strip_declaration
from .entries import RESULT_TEXT_FIELDS, cut_out, cuttable, entry_spans, read_block
from .models import DeviceList, SenseDevice, ServerInfo, UnreadableBlock
from .repair import repair_xml
from .values import read_export_id, read_int, read_timestamp

# fields holding user text, read as text when nothing else makes an entry XML
_DEVICE_TEXT_FIELDS: Final = ("name", "location", "brand", "type", "status", "ptztype")


def _items(node: Any, name: str) -> list[Any]:
    """The children called ``name`` (any case) of an xmltodict node."""
    if not isinstance(node, dict):
        return []
    found: list[Any] = []
    for key, value in node.items():
        if key.lower() == name:
            if isinstance(value, list):
                found.extend(value)
            else:
                found.append(value)
    return found


def _first(node: Any, name: str) -> Any:
    found = _items(node, name)
    return found[0] if found else None


def _text(value: Any) -> str | None:
    """The text of an xmltodict value (None when empty or not text)."""
    if isinstance(value, dict):
        value = value.get("#text")
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _field(node: Any, name: str) -> str | None:
    return _text(_first(node, name))


def _document(body: bytes | str) -> dict[str, Any]:
    """``decode_xml`` of an answer; of its repair when it is not XML as sent.

    Document types and entities are refused before any repair (on the
    decoded text, whatever the encoding); the first error is the one raised
    when the repair does not help.
    """
    try:
        return decode_xml(body)
    except InvalidResponse as err:
        first = err
    text = xml_text(body)  # an encoding or a document type refused: raised again
    repaired = repair_xml(text)
    if repaired != text:
        try:
            return _decode_text(repaired)
        except InvalidResponse:
            pass
    raise first


def _decode_text(text: str) -> dict[str, Any]:
    """``decode_xml`` of decoded text (sent as UTF-8 without its declaration)."""
    return decode_xml(strip_declaration(text).encode())


def read_result(body: bytes | str) -> dict[str, Any]:
    """The ``<result>`` node of an answer, after checking its result code."""
    return _result_of(_document(body))


def _result_of(document: dict[str, Any]) -> dict[str, Any]:
    result = _first(document, "result")
    if result is None:
        root = next(iter(document), "?")
        raise InvalidResponse(f"answer is <{root[:40]}>, not <result>")
    return _checked(result)


def _checked(result: Any) -> dict[str, Any]:
    """The ``<result>`` node if its result code is 0, else the typed error."""
    if not isinstance(result, dict):
        raise InvalidResponse("<result> has no errorcode attribute")
    check_code(_field(result, "@errorcode"), _field(result, "description"))
    return result


def parse_info(body: bytes) -> ServerInfo:
    """Parse an ``/info`` answer (``<apiinfo>``, maybe inside ``<result>``)."""
    document = _document(body)
    if found := _items(document, "apiinfo"):
        info = found[0]
    elif found := _items(document, "result"):
        result = _checked(found[0])
        inner = _items(result, "apiinfo")
        info = inner[0] if inner else result
    else:
        root = next(iter(document), "?")
        raise InvalidResponse(f"answer is <{root[:40]}>, not <apiinfo>")
    extras: list[tuple[str, str]] = []
    if isinstance(info, dict):
        for key, value in info.items():
            lowered = key.lower()
            if lowered in ("version", "utc") or lowered.startswith(("@", "#")):
                continue
            if (text := _text(value)) is not None:
                extras.append((lowered, text[:200]))
    return ServerInfo(
        version=_field(info, "version"),
        server_time=_server_time(_field(info, "utc")),
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


def _device_entries(result: dict[str, Any]) -> list[Any]:
    container = _first(result, "devices")
    if container is None:
        return _items(result, "device")
    return _items(container, "device")


def _device(entry: Any, index: int) -> SenseDevice:
    if not isinstance(entry, dict):
        raise InvalidResponse(f"device #{index}: no fields")
    device_id = _field(entry, "deviceid")
    if device_id is None:
        raise InvalidResponse(f"device #{index}: missing deviceid")
    server_id = _field(entry, "serverid")
    if server_id is None:
        raise InvalidResponse(f"device {device_id[:40]}: missing serverid")
    return SenseDevice(
        server_id=server_id,
        device_id=device_id,
        name=_field(entry, "name") or device_id,
        status=_field(entry, "status"),
        type=_field(entry, "type"),
        brand=_field(entry, "brand"),
        location=_field(entry, "location"),
        ptz_type=_field(entry, "ptztype"),
        ip_address=_field(entry, "ipaddress"),
        port=read_int(_field(entry, "port")),
    )


def _recover_devices(body: bytes) -> DeviceList | None:
    """Read a broken device list entry by entry, skipping unreadable devices."""
    try:
        text = strip_declaration(xml_text(body))
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
    document = read_block(skeleton, "result", RESULT_TEXT_FIELDS, _decode_text)
    if isinstance(document, UnreadableBlock):
        return None
    try:
        entries = _device_entries(_result_of(document))
    except CameraBridgeError:
        return None
    if len(entries) != len(blocks) or any(entry is not None for entry in entries):
        return None
    devices: list[SenseDevice] = []
    unreadable: list[UnreadableBlock] = []
    for index, block in enumerate(blocks):
        parsed = read_block(block, "device", _DEVICE_TEXT_FIELDS, _decode_text)
        if isinstance(parsed, UnreadableBlock):
            unreadable.append(parsed)
        else:
            devices.append(_device(_first(parsed, "device"), index))
    return DeviceList(tuple(devices), tuple(unreadable))


def parse_export_reply(body: bytes) -> str:
    """Parse an ``exportVideo`` answer: the new export id.

    The reply's exact shape is not documented: the first ``exportid`` element
    (or attribute) anywhere in ``<result>`` is taken.
    """
    result = read_result(body)
    pending: list[Any] = [result]
    for _ in range(64):
        if not pending:
            break
        node = pending.pop(0)
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            name = key.lower()
            if name in ("exportid", "@exportid"):
                return read_export_id(_text(value), "exportVideo answer")
            if isinstance(value, list):
                pending.extend(value)
            else:
                pending.append(value)
    raise InvalidResponse("exportVideo answer: missing exportid")
