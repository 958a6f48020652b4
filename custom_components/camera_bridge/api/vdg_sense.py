"""Client for the TKH Security VDG Sense HTTP/XML API (video exports).

The SensePluginManager answers ``/info`` (API >= 2.6.1, no authentication)
and ``/command?command=NAME&...`` with ``<result errorcode="N">`` documents.
Tags may come in any order and any case and new ones may appear; the parsers
here ignore what they do not need and refuse what they cannot do without
(the ``errorcode`` attribute, export ids, progress values) with
``InvalidResponse``.

Parsing paths:

* small answers (``/info``, ``getDeviceList``, ``exportVideo``) go through the
  shared ``decode_xml`` (xmltodict);
* the export list (``getExportVideoStatus``) is polled and can hold thousands
  of exports: xmltodict alone needs ~21 ms for 1,000 exports here, over the
  whole 20 ms budget of a poll. It is read with the C ElementTree parser, and
  ``ExportStatusParser`` skips the exports that did not change since the
  previous poll (~4 ms per poll for 1,000 exports, 100 of them running).
  The same refusal of document types and entity declarations applies,
  checked on the decoded text so that no byte encoding can hide them.

Authentication lives in ``HttpBasicLogin`` only: the documented
``AuthenticateUserDigest`` login cannot be implemented because its digest
formula is not public. Replace that class to switch.
"""

from __future__ import annotations

import base64
import codecs
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
import re
from typing import Any, Final, Protocol
import xml.etree.ElementTree as ET

import aiohttp
from yarl import URL

from ._http import Response, SingleFlight, decode_xml, fetch
from .errors import (
    AuthenticationFailed,
    BackendError,
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)

DEFAULT_PORT: Final = 80
DEFAULT_TIMEOUT: Final = 10.0
# Large installations list thousands of exports (~400 bytes each)
STATUS_MAX_BYTES: Final = 16 * 1024 * 1024
SMALL_MAX_BYTES: Final = 1024 * 1024
# exportVideo needs an API license and VDG Sense >= 2.7.3
EXPORT_MIN_VERSION: Final = (2, 7, 3)

RESULT_OK: Final = 0
RESULT_NOT_IMPLEMENTED: Final = -1
RESULT_NO_DEVICE: Final = -2
RESULT_NO_SERVER: Final = -17
RESULT_GENERAL_ERROR: Final = -18
RESULT_CONNECTION_LOST: Final = -53
RESULT_INVALID_EXPORT_ID: Final = -57

_MAX_MESSAGE: Final = 200


# --------------------------------------------------------------------------
# Errors


class VdgValidationError(CameraBridgeError):
    """The caller's arguments cannot be sent (naive datetime, empty path...)."""


class VdgNotImplemented(BackendError):
    """The server does not implement the command (-1: old version, no license)."""


class VdgNoDevice(BackendError):
    """The server does not know the device (-2)."""


class VdgNoServer(BackendError):
    """The server does not know the recording server (-17)."""


class VdgGeneralError(BackendError):
    """The server reported a general error (-18)."""


class VdgConnectionLost(BackendError):
    """The server lost the connection to the device (-53)."""


class VdgInvalidExportId(BackendError):
    """The export id does not exist (-57), e.g. after a plugin manager restart."""


_ERRORS: Final[Mapping[int, type[BackendError]]] = {
    RESULT_NOT_IMPLEMENTED: VdgNotImplemented,
    RESULT_NO_DEVICE: VdgNoDevice,
    RESULT_NO_SERVER: VdgNoServer,
    RESULT_GENERAL_ERROR: VdgGeneralError,
    RESULT_CONNECTION_LOST: VdgConnectionLost,
    RESULT_INVALID_EXPORT_ID: VdgInvalidExportId,
}


def error_for_code(code: int, description: str | None) -> BackendError:
    """The typed error for a non-zero result code."""
    cls = _ERRORS.get(code, BackendError)
    return cls(code, _short(description or ""))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _shown(value: str) -> str:
    """A value quoted for an error message, cut to a sane length."""
    return repr(value if len(value) <= 40 else value[:39] + "…")


# --------------------------------------------------------------------------
# Models


class ExportState(StrEnum):
    """State of an export or of one device of an export."""

    SYNCING = "syncing"
    PENDING = "pending"
    COMPLETED = "completed"
    REMOVED = "removed"
    UNKNOWN = "unknown"

    @property
    def active(self) -> bool:
        """True while the server is still working on it."""
        return self in (ExportState.SYNCING, ExportState.PENDING)


_STATES: Final[Mapping[str, ExportState]] = {
    state.value.upper(): state for state in ExportState
}


class DeviceKey(Protocol):
    """Anything naming one device: a server id and a device id."""

    @property
    def server_id(self) -> str:
        """Id of the recording server."""
        ...  # pragma: no cover

    @property
    def device_id(self) -> str:
        """Id of the device on that server."""
        ...  # pragma: no cover


@dataclass(frozen=True, slots=True)
class DeviceRef:
    """A device named by its ids, as exportVideo takes it."""

    server_id: str
    device_id: str


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What ``/info`` tells about the server (all unknown on older servers)."""

    version: str | None
    server_time: datetime | None
    # True when /info answered 404: an API older than 2.6.1, still usable
    legacy: bool
    extras: tuple[tuple[str, str], ...] = ()

    @property
    def version_tuple(self) -> tuple[int, ...] | None:
        """The version as numbers, e.g. (2, 7, 3), or None when unknown."""
        if not self.version:
            return None
        numbers = re.findall(r"\d+", self.version)
        return tuple(int(n) for n in numbers[:4]) if numbers else None

    @property
    def supports_export_video(self) -> bool | None:
        """Whether exportVideo exists on this version (None = unknown)."""
        version = self.version_tuple
        return None if version is None else version >= EXPORT_MIN_VERSION


@dataclass(frozen=True, slots=True)
class SenseDevice:
    """A device (camera, mostly) of ``getDeviceList``."""

    server_id: str
    device_id: str
    name: str
    status: str | None
    type: str | None
    brand: str | None
    location: str | None
    ptz_type: str | None
    ip_address: str | None
    port: int | None


@dataclass(frozen=True, slots=True)
class ExportDevice:
    """Progress of one device's footage within an export."""

    server_id: str
    device_id: str
    start: datetime | None
    end: datetime | None
    progress: float
    status: ExportState


@dataclass(frozen=True, slots=True)
class Export:
    """One export of ``getExportVideoStatus``."""

    export_id: str
    path: str
    status: ExportState
    # kbit/s
    bandwidth: int | None
    devices: tuple[ExportDevice, ...]

    @property
    def progress(self) -> float:
        """Overall progress in % (100 once completed, else the devices' mean)."""
        if self.status is ExportState.COMPLETED:
            return 100.0
        if not self.devices:
            return 0.0
        return sum(d.progress for d in self.devices) / len(self.devices)

    @property
    def identity(self) -> tuple[object, ...]:
        """What stays the same over an export's life: path and footage.

        Export ids restart when the plugin manager restarts; an id whose
        identity changed names a different export.
        """
        return (
            self.path,
            tuple((d.server_id, d.device_id, d.start, d.end) for d in self.devices),
        )


@dataclass(frozen=True, slots=True)
class ExportStatus:
    """The server's export list (or the one export asked for)."""

    exports: tuple[Export, ...]
    # the count attribute as sent, None when absent or not a number
    reported_count: int | None = None

    def by_id(self) -> dict[str, Export]:
        """The exports keyed by id (the first one wins on duplicates)."""
        found: dict[str, Export] = {}
        for export in self.exports:
            found.setdefault(export.export_id, export)
        return found

    @property
    def active_count(self) -> int:
        """How many exports are syncing or pending."""
        return sum(1 for export in self.exports if export.status.active)


# --------------------------------------------------------------------------
# Authentication: the one place to change when the digest login is known


class HttpBasicLogin:
    """HTTP Basic credentials sent with every command.

    VDG Sense documents an ``AuthenticateUserDigest`` XML login whose digest
    formula is not public; servers (or a proxy in front of them) that accept
    HTTP Basic work with this. Swap this class to change the scheme.
    """

    __slots__ = ("_header", "_username")

    def __init__(self, username: str | None, password: str | None) -> None:
        """Keep the credentials (none when ``username`` is empty)."""
        self._username = username or None
        self._header: dict[str, str] = {}
        if not username:
            return
        if ":" in username:
            raise VdgValidationError("the user name must not contain ':'")
        token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
        self._header = {"Authorization": f"Basic {token}"}

    def headers(self) -> dict[str, str]:
        """Headers to add to an authenticated request."""
        return dict(self._header)

    def __repr__(self) -> str:
        """Never show the password."""
        return f"HttpBasicLogin(username={self._username!r})"


# --------------------------------------------------------------------------
# Decoding

_FORBIDDEN_XML: Final = re.compile(r"<!\s*(?:doctype|entity)", re.IGNORECASE)
_DECLARED_ENCODING: Final = re.compile(
    rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']"""
)


def _xml_text(body: bytes | str) -> str:
    """The body as text, honouring a BOM or the declared encoding."""
    if isinstance(body, str):
        return body
    if body.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif match := _DECLARED_ENCODING.match(body):
        encoding = match.group(1).decode("ascii")
    else:
        encoding = "utf-8-sig"
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        codec = None
    if codec is None or not codec._is_text_encoding:  # noqa: SLF001
        raise InvalidResponse(f"XML declares an unknown encoding {_shown(encoding)}")
    try:
        return body.decode(encoding)
    except ValueError as err:
        raise InvalidResponse(f"XML is not valid {encoding} text") from err


def _tree(text: str) -> ET.Element:
    """Parse XML text already checked for DTDs with the C parser."""
    try:
        return ET.fromstring(text)  # noqa: S314 - DTDs refused by the callers
    except (ET.ParseError, ValueError) as err:
        raise InvalidResponse(f"malformed XML: {err}") from err


def _local(tag: str) -> str:
    """A tag or attribute name without namespace, lower-cased."""
    if tag[:1] == "{":
        tag = tag.rpartition("}")[2]
    return tag.lower()


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return None
        return int(value) if value.is_integer() else None


def _check_code(code_text: str | None, description: str | None) -> None:
    """Raise the typed error of a result code; accept 0."""
    if code_text is None:
        raise InvalidResponse("<result> has no errorcode attribute")
    try:
        code = int(code_text)
    except ValueError:
        raise InvalidResponse(
            f"errorcode {_shown(code_text)} is not a number"
        ) from None
    if code != RESULT_OK:
        raise error_for_code(code, description)


def _timestamp(text: str | None, where: str) -> datetime | None:
    """An API timestamp (UTC ``yyyy-mm-dd hh:mm:ss[.zzz]``) as an aware datetime."""
    if text is None or not (text := text.strip()):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidResponse(f"{where}: {_shown(text)} is not a timestamp") from None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidResponse(f"{where}: {_shown(text)} is out of range") from None


_EXPORT_ID: Final = re.compile(r"[^\s\x00-\x1f\x7f]{1,64}")


def _export_id(text: str | None, where: str) -> str:
    value = text.strip() if text else ""
    if not value:
        raise InvalidResponse(f"{where}: missing exportid")
    if not _EXPORT_ID.fullmatch(value):
        raise InvalidResponse(f"{where}: invalid exportid {_shown(value)}")
    return value


def _progress(text: str | None, where: str) -> float:
    if text is None:
        raise InvalidResponse(f"{where}: missing progress")
    try:
        value = float(int(text))
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise InvalidResponse(
                f"{where}: progress {_shown(text)} is not a number"
            ) from None
    if not 0.0 <= value <= 100.0:
        raise InvalidResponse(f"{where}: progress {_shown(text)} is not in 0..100")
    return value


def _state(text: str | None) -> ExportState:
    if text is None:
        return ExportState.UNKNOWN
    return _STATES.get(text.strip().upper(), ExportState.UNKNOWN)


# --- getExportVideoStatus (ElementTree, the hot path) ----------------------


type _DeviceTexts = tuple[
    str | None, str | None, str | None, str | None, str | None, str | None
]
type _ExportTexts = tuple[
    str | None, str | None, str | None, str | None, tuple[_DeviceTexts, ...]
]

# child tag -> slot; the lower-case spelling is looked up first, other
# spellings after _local()
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


_PLACEHOLDER: Final = "<export/>"
_XML_SPACE: Final = " \t\r\n"
_AFTER_NAME: Final = frozenset(" \t\r\n/>")


def _export_spans(low: str) -> list[tuple[int, int]] | None:
    """Where each ``<export>`` element starts and ends in lower-cased text.

    Only for documents without comments, CDATA, DTDs, processing
    instructions or namespaces: there every "<" starts a tag. Each export
    start tag must be closed by a later ``</export>``; None when one is not.
    """
    spans: list[tuple[int, int]] = []
    find = low.find
    position = 0
    while (start := find("<export", position)) >= 0:
        if low[start + 7 : start + 8] not in _AFTER_NAME:  # <exportid>, <exports>
            position = start + 7
            continue
        end = find("</export", start + 7)
        while True:
            if end < 0:
                return None
            close = find(">", end + 8)
            if close < 0:
                return None
            if not low[end + 8 : close].strip(_XML_SPACE):
                break
            end = find("</export", end + 8)
        spans.append((start, close + 1))
        position = close + 1
    return spans


class ExportStatusParser:
    """Parse ``getExportVideoStatus`` answers, reusing unchanged exports.

    A poll returns the whole export list, and between two polls most exports
    do not change. The parser keeps the exports of the previous answer keyed
    by their XML text: an unchanged export is neither parsed nor validated
    again, and comes back as the very same object, so callers can diff with
    ``is``. An answer identical to the previous one returns the previous
    result. Only the previous answer is kept.

    Fast path: the answer is cut into its ``<export>`` elements with a
    regular expression, the rest (envelope, container, count) is parsed with
    one placeholder per export, and only new export texts are parsed. When
    the document has anything that could make cutting by text unsafe, or the
    cut does not add up, the whole document is parsed instead: both paths
    give the same result.
    """

    __slots__ = ("_body", "_cache", "_result")

    def __init__(self) -> None:
        """Start with nothing to reuse."""
        self._body: bytes | str | None = None
        self._result: ExportStatus | None = None
        self._cache: dict[str, Export] = {}

    def parse(self, body: bytes | str) -> ExportStatus:
        """Parse one answer (see ``parse_export_status``)."""
        if self._result is not None and body == self._body:
            return self._result
        text = _xml_text(body)
        if _FORBIDDEN_XML.search(text):
            raise InvalidResponse("XML with a document type or entities is refused")
        cache: dict[str, Export] = {}
        result = self._by_chunks(text, cache)
        if result is None:
            cache = {}
            result = _parse_whole(text)
        self._body, self._result, self._cache = body, result, cache
        return result

    def _by_chunks(self, text: str, cache: dict[str, Export]) -> ExportStatus | None:
        """Parse export by export, or None when the whole must be parsed.

        Every export element of the document is cut out and replaced by an
        empty ``<export/>``; what is left is parsed for the envelope. The cut
        is used only when the placeholders are exactly the export list of
        that skeleton, the new texts parse as one element each and every new
        export is valid: then each text is a complete export element in its
        place and parsing it alone gives what the whole parse gives. Any
        failure falls back to the whole parse, whose errors are the ones
        reported.
        """
        if "<!" in text or "xmlns" in text:
            return None
        instructions = text.count("<?")
        if instructions > 1 or (
            instructions == 1 and not text.lstrip().startswith("<?xml")
        ):
            return None
        low = text.lower()
        if len(low) != len(text):  # positions would not match
            return None
        spans = _export_spans(low)
        if not spans:
            return None
        pieces: list[str] = []
        chunks: list[str] = []
        position = 0
        for start, end in spans:
            pieces.append(text[position:start])
            pieces.append(_PLACEHOLDER)
            chunks.append(text[start:end])
            position = end
        pieces.append(text[position:])
        try:
            elements, reported = _export_elements(_tree("".join(pieces)))
        except CameraBridgeError:
            # the whole document tells which error it really is
            return None
        if len(elements) != len(chunks):
            return None
        previous = self._cache
        new = [chunk for chunk in dict.fromkeys(chunks) if chunk not in previous]
        if new:
            # one parser run for every new export: much cheaper than one each
            try:
                batch = ET.fromstring(f"<batch>{''.join(new)}</batch>")  # noqa: S314
            except ET.ParseError:
                return None
            if len(batch) != len(new):
                return None
            try:
                built = {
                    chunk: _build_export(_export_texts(element), index)
                    for index, (chunk, element) in enumerate(
                        zip(new, batch, strict=True)
                    )
                }
            except CameraBridgeError:
                return None
        else:
            built = {}
        exports = [previous.get(chunk) or built[chunk] for chunk in chunks]
        cache.update(zip(chunks, exports, strict=True))
        return ExportStatus(tuple(exports), reported)


def _parse_whole(text: str) -> ExportStatus:
    """Parse a checked document in one go."""
    elements, reported = _export_elements(_tree(text))
    return ExportStatus(
        tuple(
            [
                _build_export(_export_texts(element), index)
                for index, element in enumerate(elements)
            ]
        ),
        reported,
    )


def parse_export_status(body: bytes | str) -> ExportStatus:
    """Parse a ``getExportVideoStatus`` answer.

    Accepts ``<exports><export>…`` as documented and a bare ``<export>`` list
    directly under ``<result>``; an answer without either holds no export.
    """
    return ExportStatusParser().parse(body)


def _export_elements(root: ET.Element) -> tuple[list[ET.Element], int | None]:
    """The export elements of a checked answer and its count attribute."""
    _check_result_element(root)
    container: ET.Element | None = None
    loose: list[ET.Element] = []
    for child in root:
        tag = _local(child.tag)
        if tag == "exports":
            if container is None:
                container = child
        elif tag == "export":
            loose.append(child)
    if container is None:
        return loose, None
    reported: int | None = None
    for name, value in container.attrib.items():
        if _local(name) == "count":
            reported = _int(value)
    return [c for c in container if _local(c.tag) == "export"], reported


def _check_result_element(root: ET.Element) -> None:
    if _local(root.tag) != "result":
        raise InvalidResponse(f"answer is <{root.tag[:40]}>, not <result>")
    code: str | None = None
    for name, value in root.attrib.items():
        if _local(name) == "errorcode":
            code = value
            break
    if code is not None and code.strip() == "0":
        return
    description = None
    for child in root:
        if _local(child.tag) == "description":
            description = child.text
            break
    _check_code(code, description)


def _export_texts(element: ET.Element) -> _ExportTexts:
    """The raw texts of an export (first of duplicates), devices included."""
    values: list[str | None] = [None, None, None, None]
    devices: list[_DeviceTexts] = []
    for child in element:
        slot = _EXPORT_SLOTS.get(child.tag)
        if slot is None:
            slot = _EXPORT_SLOTS.get(_local(child.tag))
            if slot is None:
                continue
        if slot == 4:
            devices.extend(
                [
                    _device_texts(device)
                    for device in child
                    if _EXPORT_SLOTS.get(_local(device.tag)) == 5
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
            slot = _DEVICE_SLOTS.get(_local(child.tag))
            if slot is None:
                continue
        if values[slot] is None:
            values[slot] = child.text
    return values[0], values[1], values[2], values[3], values[4], values[5]


def _build_export(texts: _ExportTexts, index: int) -> Export:
    export_id, path, status, bandwidth, devices = texts
    ident = _export_id(export_id, f"export #{index}")
    where = f"export {ident}"
    return Export(
        ident,
        path.strip() if path else "",
        _state(status),
        _int(bandwidth),
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
        _timestamp(start, where),
        _timestamp(end, where),
        _progress(progress, where),
        _state(status),
    )


# --- small answers (xmltodict via decode_xml) ------------------------------


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


def _result(body: bytes) -> dict[str, Any]:
    """The ``<result>`` node of an answer, after checking its result code."""
    document = decode_xml(body)
    result = _first(document, "result")
    if result is None:
        root = next(iter(document), "?")
        raise InvalidResponse(f"answer is <{root[:40]}>, not <result>")
    return _checked(result)


def _checked(result: Any) -> dict[str, Any]:
    """The ``<result>`` node if its result code is 0, else the typed error."""
    if not isinstance(result, dict):
        raise InvalidResponse("<result> has no errorcode attribute")
    _check_code(_field(result, "@errorcode"), _field(result, "description"))
    return result


def parse_info(body: bytes) -> ServerInfo:
    """Parse an ``/info`` answer (``<apiinfo>``, maybe inside ``<result>``)."""
    document = decode_xml(body)
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
        return _timestamp(text, "utc")
    except InvalidResponse:
        pass
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError, OverflowError, OSError:
        return None


def parse_device_list(body: bytes) -> tuple[SenseDevice, ...]:
    """Parse a ``getDeviceList`` answer."""
    result = _result(body)
    container = _first(result, "devices")
    entries = _items(container, "device") if container is not None else []
    if container is None:
        entries = _items(result, "device")
    devices = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InvalidResponse(f"device #{index}: no fields")
        device_id = _field(entry, "deviceid")
        if device_id is None:
            raise InvalidResponse(f"device #{index}: missing deviceid")
        server_id = _field(entry, "serverid")
        if server_id is None:
            raise InvalidResponse(f"device {device_id[:40]}: missing serverid")
        devices.append(
            SenseDevice(
                server_id=server_id,
                device_id=device_id,
                name=_field(entry, "name") or device_id,
                status=_field(entry, "status"),
                type=_field(entry, "type"),
                brand=_field(entry, "brand"),
                location=_field(entry, "location"),
                ptz_type=_field(entry, "ptztype"),
                ip_address=_field(entry, "ipaddress"),
                port=_int(_field(entry, "port")),
            )
        )
    return tuple(devices)


def parse_export_reply(body: bytes) -> str:
    """Parse an ``exportVideo`` answer: the new export id.

    The reply's exact shape is not documented: the first ``exportid`` element
    (or attribute) anywhere in ``<result>`` is taken.
    """
    result = _result(body)
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
                return _export_id(_text(value), "exportVideo answer")
            if isinstance(value, list):
                pending.extend(value)
            else:
                pending.append(value)
    raise InvalidResponse("exportVideo answer: missing exportid")


# --------------------------------------------------------------------------
# Requests

_BAD_XML_CHARS: Final = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _clean(value: str, what: str) -> str:
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
    path = _clean(path, "path")
    if bandwidth is not None and (
        isinstance(bandwidth, bool) or not isinstance(bandwidth, int) or bandwidth <= 0
    ):
        raise VdgValidationError("bandwidth must be a positive number of kbit/s")
    root = ET.Element("export")
    container = ET.SubElement(root, "devices")
    count = 0
    for device in devices:
        element = ET.SubElement(container, "device")
        ET.SubElement(element, "serverid").text = _clean(device.server_id, "serverid")
        ET.SubElement(element, "deviceid").text = _clean(device.device_id, "deviceid")
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


class VdgSenseClient:
    """Async client of one VDG Sense management server."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        ssl: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session, the server address and the credentials."""
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise VdgValidationError("port must be 1..65535")
        bare = host.strip().removeprefix("[").removesuffix("]") if host else ""
        if not bare:
            raise VdgValidationError("host must not be empty")
        try:
            self.base_url = URL.build(
                scheme="https" if ssl else "http", host=bare, port=port
            )
        except ValueError:
            raise VdgValidationError(f"invalid host {_shown(host)}") from None
        self._session = session
        self._login = HttpBasicLogin(username, password)
        self.timeout = timeout
        self._status_flight: SingleFlight[str | None, ExportStatus] = SingleFlight()
        # full-list polls reuse the exports of the previous poll
        self._status_parser = ExportStatusParser()

    def __repr__(self) -> str:
        """Address only, never credentials."""
        return f"VdgSenseClient({str(self.base_url)!r})"

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: bytes | None = None,
        authenticated: bool = True,
        max_bytes: int = SMALL_MAX_BYTES,
    ) -> Response:
        headers = self._login.headers() if authenticated else {}
        if data is not None:
            headers["Content-Type"] = "text/xml; charset=utf-8"
        return await fetch(
            self._session,
            method,
            self.base_url.with_path(path),
            timeout=self.timeout,
            max_bytes=max_bytes,
            params=params,
            data=data,
            headers=headers,
        )

    async def _command(
        self,
        name: str,
        extra: Mapping[str, str] | None = None,
        *,
        body: bytes | None = None,
        max_bytes: int = SMALL_MAX_BYTES,
    ) -> bytes:
        params = {"command": name, **(extra or {})}
        resp = await self._request(
            "POST" if body is not None else "GET",
            "/command",
            params=params,
            data=body,
            max_bytes=max_bytes,
        )
        _check_http(resp)
        return resp.body

    async def info(self) -> ServerInfo:
        """Version and clock of the server (``/info``, no authentication).

        Servers older than API 2.6.1 answer 404: they are still usable and
        get an info with an unknown version.
        """
        resp = await self._request("GET", "/info", authenticated=False)
        if resp.status == 404:
            return ServerInfo(version=None, server_time=None, legacy=True)
        _check_http(resp)
        return parse_info(resp.body)

    async def device_list(self) -> tuple[SenseDevice, ...]:
        """Every device of the server (``getDeviceList``)."""
        return parse_device_list(await self._command("getDeviceList"))

    async def export_status(self, export_id: str | int | None = None) -> ExportStatus:
        """The export list, or one export (``getExportVideoStatus``).

        Without an id, one request returns every export. Concurrent identical
        calls share one request.
        """
        key = None if export_id is None else _clean(str(export_id), "export id")
        return await self._status_flight.run(key, lambda: self._export_status(key))

    async def _export_status(self, export_id: str | None) -> ExportStatus:
        extra = {"exportid": export_id} if export_id is not None else None
        body = await self._command(
            "getExportVideoStatus", extra, max_bytes=STATUS_MAX_BYTES
        )
        if export_id is None:
            return self._status_parser.parse(body)
        return parse_export_status(body)

    async def export_video(
        self,
        devices: Iterable[DeviceKey],
        start: datetime,
        end: datetime,
        path: str,
        bandwidth: int | None = None,
    ) -> str:
        """Start exporting ``start``..``end`` of ``devices`` to ``path``.

        ``start`` and ``end`` must be aware datetimes (sent in UTC). Returns
        the new export id. Needs an API license and VDG Sense >= 2.7.3.
        """
        body = build_export_request(devices, start, end, path, bandwidth)
        return parse_export_reply(await self._command("exportVideo", body=body))


def _check_http(resp: Response) -> None:
    """Map a status code; a non-2xx answer carrying a result code keeps it."""
    if resp.status in (401, 403):
        raise AuthenticationFailed(f"the server answered HTTP {resp.status}")
    if 200 <= resp.status < 300:
        return
    try:
        _result(resp.body)
    except BackendError:
        raise
    except CameraBridgeError:
        pass
    if resp.status >= 500:
        raise CannotConnect(f"the server answered HTTP {resp.status}")
    raise InvalidResponse(
        f"unexpected HTTP {resp.status} (is this a VDG Sense server?)"
    )
