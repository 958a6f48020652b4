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

VDG Sense writes its answers by concatenating strings, so a value the user
chose (a path ``ha & co``, a camera name) can arrive with a bare "&", "<" or
">". Every parser reads an answer that is not XML again after
``repair_xml``; if it still is not, lists are read entry by entry
(``_recover_exports``, ``_recover_devices``) and an entry that stays
unreadable is skipped and reported (``UnreadableBlock``) while the envelope
(result code, container) must still be readable.

Authentication lives in ``HttpBasicLogin`` only: the documented
``AuthenticateUserDigest`` login cannot be implemented because its digest
formula is not public. Replace that class to switch.
"""

from __future__ import annotations

import base64
import codecs
from collections.abc import Callable, Iterable, Mapping, Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
import functools
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
class DeviceList:
    """The devices of ``getDeviceList`` and the entries that were unreadable."""

    devices: tuple[SenseDevice, ...]
    unreadable: tuple[UnreadableBlock, ...] = ()


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
class UnreadableBlock:
    """One ``<export>`` or ``<device>`` of an answer that could not be read.

    Servers that echo user text raw can break one entry of a list; that entry
    is skipped (even after repair it is not XML) and the others are kept.
    """

    # "export" or "device"
    tag: str
    # its exportid / deviceid when that much could still be read
    ident: str | None
    # what the XML parser said about it
    error: str
    # the start of its text, whitespace collapsed
    excerpt: str


@dataclass(frozen=True, slots=True)
class ExportStatus:
    """The server's export list (or the one export asked for)."""

    exports: tuple[Export, ...]
    # the count attribute as sent, None when absent or not a number
    reported_count: int | None = None
    # exports left out because their XML stayed unreadable (document order)
    unreadable: tuple[UnreadableBlock, ...] = ()

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


def _tree_lenient(text: str) -> ET.Element:
    """Parse checked XML text; if it is not well-formed, parse its repair.

    The error reported is the one of the text as sent.
    """
    try:
        return _tree(text)
    except InvalidResponse as err:
        first = err
    repaired = repair_xml(text)
    if repaired != text:
        try:
            return _tree(repaired)
        except InvalidResponse:
            pass
    raise first


# --- repair of values echoed raw -------------------------------------------
#
# VDG Sense builds its answers by concatenating strings: a value the user
# chose (an export path, a camera name) comes back as typed, so
# ``D:\exports\ha & co`` arrives as a bare "&" and the whole answer is not
# XML. ``repair_xml`` escapes what cannot be markup. It changes nothing in a
# well-formed document (it is only used on one that failed to parse), it only
# ever turns "&", "<" and ">" into references (so it cannot create a document
# type or an entity), and every pattern is linear: lookaheads stop at the
# next "<" and use possessive quantifiers.

_S: Final = "[ \\t\\r\\n]"
_NAME_START: Final = "[A-Za-z_:\\u0080-\\U0010ffff]"
_NAME_REST: Final = "[^ \\t\\r\\n<>/=\"'&]*+"
# what may follow a "<" that starts markup: a start tag (attributes in
# quotes), an end tag, a processing instruction, a comment or a CDATA section
_MARKUP: Final = (
    f"{_NAME_START}{_NAME_REST}"
    f"(?:{_S}++[^ \\t\\r\\n<>/=\"']++{_S}*+={_S}*+(?:\"[^\"<]*+\"|'[^'<]*+'))*+"
    f"{_S}*+/?>"
    f"|/{_NAME_START}{_NAME_REST}{_S}*+>"
    f"|\\?{_NAME_START}(?:[^<?]++|\\?(?!>))*+\\?>"
    "|!--"
    "|!\\[CDATA\\["
)
_BARE_LT: Final = re.compile(f"<(?!{_MARKUP})")
_BARE_AMP: Final = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]++|#x[0-9a-fA-F]++);)")
# characters XML 1.0 does not allow at all, even as references
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CDATA_END: Final = "]]>"
# sections whose text is taken as it is, and how each one ends
_VERBATIM: Final = re.compile(r"<!\[CDATA\[|<!--")
_VERBATIM_END: Final = {"<![CDATA[": _CDATA_END, "<!--": "-->"}


def repair_xml(text: str) -> str:
    """Escape what a server echoing values raw leaves bare in its XML.

    - an "&" that does not start ``&amp;`` ``&lt;`` ``&gt;`` ``&quot;``
      ``&apos;`` or a character reference becomes ``&amp;``;
    - a "<" that cannot start a tag, an end tag, ``<?``, ``<!--`` or a CDATA
      section becomes ``&lt;``;
    - ``]]>`` outside a CDATA section (not allowed in text) becomes ``]]&gt;``;
    - characters XML forbids become U+FFFD.

    CDATA sections and comments are kept as they are. A value that looks like
    a complete tag (``<b>``) cannot be told from markup here: see
    ``repair_text_fields``.
    """
    if "<!" not in text:
        return _repair_plain(text)
    parts: list[str] = []
    position = 0
    while section := _VERBATIM.search(text, position):
        closing = _VERBATIM_END[section.group()]
        end = text.find(closing, section.end())
        if end < 0:  # never closed: repaired like the rest
            break
        parts.append(_repair_plain(text[position : section.start()]))
        parts.append(text[section.start() : end + len(closing)])
        position = end + len(closing)
    parts.append(_repair_plain(text[position:]))
    return "".join(parts)


def _repair_plain(text: str) -> str:
    """``repair_xml`` of text without CDATA sections."""
    if "&" in text:
        text = _BARE_AMP.sub("&amp;", text)
    if "<" in text:
        text = _BARE_LT.sub("&lt;", text)
    if _CDATA_END in text:
        text = text.replace(_CDATA_END, "]]&gt;")
    return _NOT_XML.sub("\ufffd", text)


@functools.cache
def _field_patterns(
    names: tuple[str, ...],
) -> tuple[re.Pattern[str], dict[str, re.Pattern[str]]]:
    """The opening-tag pattern of ``names`` and each one's closing-tag pattern."""
    alternatives = "|".join(re.escape(name) for name in names)
    return (
        re.compile(f"<({alternatives}){_S}*+>", re.IGNORECASE),
        {
            name: re.compile(f"</{re.escape(name)}{_S}*+>", re.IGNORECASE)
            for name in names
        },
    )


def repair_text_fields(text: str, names: tuple[str, ...]) -> str:
    """Escape every "<" inside the text-only fields ``names`` of ``text``.

    A field runs from ``<name>`` (any case, no attributes) to the next
    ``</name>``; a field without one is left alone. Meant for one entry of a
    list (an ``<export>`` block), where a runaway field cannot swallow others:
    it reads ``<path>a <b> c</path>``, which ``repair_xml`` cannot.
    """
    openers, closers = _field_patterns(names)
    parts: list[str] = []
    position = 0
    # per field: the closing tag found last (searches only move forward)
    found: dict[str, re.Match[str] | None] = {}
    for opener in openers.finditer(text):
        begin = opener.end()
        if opener.start() < position:
            continue
        name = opener.group(1).lower()
        if name not in found or (
            (previous := found[name]) is not None and previous.start() < begin
        ):
            found[name] = closers[name].search(text, begin)
        closer = found[name]
        if closer is None:
            continue
        content = text[begin : closer.start()]
        if "<" in content:
            parts.append(text[position:begin])
            parts.append(content.replace("<", "&lt;"))
            position = closer.start()
    if not parts:
        return text
    parts.append(text[position:])
    return "".join(parts)


def _strip_declaration(text: str) -> str:
    """Text without its ``<?xml …?>`` declaration (it may name an encoding)."""
    text = text.lstrip()
    if text.startswith("<?xml"):
        end = text.find("?>")
        if end >= 0:
            return text[end + 2 :]
    return text


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
_AFTER_NAME: Final = frozenset(" \t\r\n/>")
# fields holding user text, read as text when nothing else makes an entry XML
_EXPORT_TEXT_FIELDS: Final = ("path",)
_RESULT_TEXT_FIELDS: Final = ("description",)
_DEVICE_TEXT_FIELDS: Final = ("name", "location", "brand", "type", "status", "ptztype")
_EXCERPT: Final = 120


def _cuttable(text: str) -> bool:
    """Whether the text can be cut into entries by looking for their tags.

    Only without comments, CDATA, DTDs, namespaces or processing
    instructions (but a leading XML declaration): there every "<" that is
    not a value echoed raw starts a tag.
    """
    if "<!" in text or "xmlns" in text:
        return False
    instructions = text.count("<?")
    return instructions == 0 or (
        instructions == 1 and text.lstrip().startswith("<?xml")
    )


def _next_start(low: str, opening: str, position: int) -> int:
    """Where the next ``opening`` tag (``<export``, not ``<exportid``) starts."""
    find = low.find
    size = len(opening)
    while (start := find(opening, position)) >= 0:
        if low[start + size : start + size + 1] in _AFTER_NAME:
            return start
        position = start + size
    return -1


@functools.cache
def _entry_tags(tag: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Start tags (not ``<tagid>``) and end tags of ``tag`` in lower-case text."""
    return re.compile(f"<{tag}(?=[ \\t\\r\\n/>])"), re.compile(f"</{tag}{_S}*+>")


def _entry_spans(low: str, tag: str, container: str) -> list[tuple[int, int]]:
    """Cut lower-cased text into its ``<tag>`` entries, broken ones included.

    An entry runs to the last ``</tag>`` before the next entry starts (so a
    value holding ``</tag>`` stays inside). With none, it was written only in
    part: it ends where the next entry starts or the ``container`` (or
    ``<result>``) closes, and does not take the next entry down with it.
    Linear; only for ``_cuttable`` text.
    """
    opening, closing = _entry_tags(tag)
    starts = [found.start() for found in opening.finditer(low)]
    ends = [found.end() for found in closing.finditer(low)]
    starts.append(len(low))
    spans: list[tuple[int, int]] = []
    position, count = 0, len(ends)
    for index in range(len(starts) - 1):
        start, limit = starts[index], starts[index + 1]
        while position < count and ends[position] <= start:
            position += 1
        last = -1
        while position < count and ends[position] <= limit:
            last = ends[position]
            position += 1
        spans.append((start, last if last > 0 else _stop(low, container, start, limit)))
    return spans


def _stop(low: str, container: str, start: int, limit: int) -> int:
    """Where an entry without end tag stops: at ``limit`` or a closing container."""
    for mark in (f"</{container}", "</result"):
        found = low.find(mark, start, limit)
        if found >= 0:
            limit = found
    return limit


def _cut(
    text: str, spans: list[tuple[int, int]], placeholder: str
) -> tuple[str, list[str]]:
    """The text with each span replaced by ``placeholder``, and the spans' texts."""
    pieces: list[str] = []
    blocks: list[str] = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(placeholder)
        blocks.append(text[start:end])
        position = end
    pieces.append(text[position:])
    return "".join(pieces), blocks


def _read_block[T](
    block: str, tag: str, fields: tuple[str, ...], parse: Callable[[str], T]
) -> T | UnreadableBlock:
    """``_read_entry`` without telling how the entry was read."""
    return _read_entry(block, tag, fields, parse)[0]


def _read_entry[T](
    block: str, tag: str, fields: tuple[str, ...], parse: Callable[[str], T]
) -> tuple[T | UnreadableBlock, bool]:
    """Parse one entry as sent, else repaired, else with its text fields as text.

    Also tells whether it parsed as sent or with ``repair_xml`` alone. Text
    fields are tried only in a block holding one entry: in a cut that holds
    the start of the next entry too, a field left open would swallow it.
    """
    try:
        return parse(block), True
    except InvalidResponse as err:
        error = err
    repaired = repair_xml(block)
    if repaired != block:
        try:
            return parse(repaired), True
        except InvalidResponse as err:
            error = err  # what is left wrong once the raw values are repaired
    if _next_start(block.lower(), f"<{tag}", 1) < 0 and (
        fixed := repair_xml(repair_text_fields(block, fields))
    ) not in (block, repaired):
        try:
            return parse(fixed), False
        except InvalidResponse:
            pass
    ident = _block_ident(block, tag)
    return UnreadableBlock(tag, ident, str(error), _excerpt(block)), False


def _block_ident(block: str, tag: str) -> str | None:
    """The ``<tag>id`` of a broken entry if it can still be read."""
    match = re.search(f"<{tag}id{_S}*+>([^<]{{0,100}})", block, re.IGNORECASE)
    if match is None:
        return None
    ident = match.group(1).strip()
    return ident if _EXPORT_ID.fullmatch(ident) else None


def _excerpt(block: str) -> str:
    text = " ".join(block[: _EXCERPT * 4].split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


@dataclass(slots=True)
class _Reuse:
    """What the previous answer made of each export text, and this one.

    ``rough`` holds the texts that did not parse as sent or with
    ``repair_xml`` alone (unreadable, or read with their text fields as
    text).
    """

    previous: Mapping[str, Export]
    previous_bad: Mapping[str, UnreadableBlock]
    previous_rough: AbstractSet[str]
    cache: dict[str, Export] = field(default_factory=dict)
    bad: dict[str, UnreadableBlock] = field(default_factory=dict)
    rough: set[str] = field(default_factory=set)

    def known(self, text: str) -> Export | UnreadableBlock | None:
        """What the previous answer made of this export text, if anything."""
        return self.previous.get(text) or self.previous_bad.get(text)

    def keep(self, text: str, entry: Export | UnreadableBlock, *, plain: bool) -> None:
        """Remember what this answer made of an export text."""
        if isinstance(entry, Export):
            self.cache[text] = entry
        else:
            self.bad[text] = entry
        if not plain:
            self.rough.add(text)

    def entries(
        self, texts: list[str]
    ) -> tuple[list[Export], list[UnreadableBlock], list[str]]:
        """The exports, the unreadable entries and the rough texts, in order.

        Every text must be known, from this answer or the previous one.
        """
        exports: list[Export] = []
        unreadable: list[UnreadableBlock] = []
        rough: list[str] = []
        for text in texts:
            entry = self.cache.get(text) or self.bad.get(text) or self.known(text)
            if entry is None:  # pragma: no cover - every text was read
                raise InvalidResponse("export list changed while read")
            plain = text not in self.rough and text not in self.previous_rough
            self.keep(text, entry, plain=plain)
            if not plain:
                rough.append(text)
            if isinstance(entry, Export):
                exports.append(entry)
            else:
                unreadable.append(entry)
        return exports, unreadable, rough

    def read(self, texts: list[str], *, strict: bool) -> bool:
        """Read and build the texts not known yet; False if ``strict`` fails.

        Semantic errors (a readable export with wrong values) propagate.
        """
        previous, previous_bad = self.previous, self.previous_bad
        new = [text for text in dict.fromkeys(texts) if text not in previous]
        if previous_bad:
            new = [text for text in new if text not in previous_bad]
        if not new:
            return True
        read = _read_chunks(new, strict=strict)
        if read is None:
            return False
        for text, (element, plain) in zip(new, read, strict=True):
            if isinstance(element, UnreadableBlock):
                self.keep(text, element, plain=plain)
                continue
            try:
                export = _build_export(_export_texts(element), 0)
            except CameraBridgeError:
                # fails again, naming its place in the list
                export = _build_export(_export_texts(element), texts.index(text))
            self.keep(text, export, plain=plain)
        return True


class ExportStatusParser:
    """Parse ``getExportVideoStatus`` answers, reusing unchanged exports.

    A poll returns the whole export list, and between two polls most exports
    do not change. The parser keeps the exports of the previous answer keyed
    by their XML text: an unchanged export is neither parsed nor validated
    again, and comes back as the very same object, so callers can diff with
    ``is``. An answer identical to the previous one returns the previous
    result. Only the previous answer is kept.

    Fast path: the answer is cut into its ``<export>`` elements by text, the
    rest (envelope, container, count) is parsed with one placeholder per
    export, and only new export texts are parsed. When the document has
    anything that could make cutting by text unsafe, or the cut does not add
    up, the whole document is parsed instead (``_parse_whole``): both paths
    give the same result, repairs and skipped exports included.
    """

    __slots__ = ("_bad", "_body", "_cache", "_result", "_rough")

    def __init__(self) -> None:
        """Start with nothing to reuse."""
        self._body: bytes | str | None = None
        self._result: ExportStatus | None = None
        self._cache: dict[str, Export] = {}
        self._bad: dict[str, UnreadableBlock] = {}
        self._rough: set[str] = set()

    def parse(self, body: bytes | str) -> ExportStatus:
        """Parse one answer (see ``parse_export_status``)."""
        if self._result is not None and body == self._body:
            return self._result
        text = _xml_text(body)
        if _FORBIDDEN_XML.search(text):
            raise InvalidResponse("XML with a document type or entities is refused")
        reuse = _Reuse(self._cache, self._bad, self._rough)
        result = _by_chunks(text, reuse)
        if result is None:
            reuse = _Reuse(self._cache, self._bad, self._rough)
            result = _parse_whole(text, reuse)
        self._body, self._result = body, result
        self._cache, self._bad, self._rough = reuse.cache, reuse.bad, reuse.rough
        return result


def _by_chunks(text: str, reuse: _Reuse) -> ExportStatus | None:
    """Parse export by export, or None when the whole must be parsed.

    Every export entry of the document is cut out (``_entry_spans``) and
    replaced by an empty ``<export/>``; what is left is parsed for the
    envelope. The cut is used only when the placeholders are exactly the
    export list of that skeleton and the new texts come out as one element
    each (or unreadable). Then, if every entry parses as sent or repaired,
    each is a complete export element in its place, and parsing it alone
    gives what the whole parse gives. If exactly one does not, the whole
    document cannot parse either (every other entry is balanced, so nothing
    else can close that one, or what it closes), and the whole parse reads it
    entry by entry the very same way; the one exception, an entry cut short
    right after a self-closed start tag, goes to the whole parse. Any failure
    falls back to the whole parse, whose errors are the ones reported.
    """
    if not _cuttable(text):
        return None
    low = text.lower()
    if len(low) != len(text):  # positions would not match
        return None
    spans = _entry_spans(low, "export", "exports")
    if not spans:
        return None
    skeleton, chunks = _cut(text, spans, _PLACEHOLDER)
    try:
        elements, reported = _export_elements(_tree_lenient(skeleton))
    except CameraBridgeError:
        # the whole document tells which error it really is
        return None
    if len(elements) != len(chunks):
        return None
    try:
        if not reuse.read(chunks, strict=True):
            return None
    except CameraBridgeError:
        return None
    if not reuse.rough and not reuse.previous_rough:
        previous, built = reuse.previous, reuse.cache
        exports = [previous.get(chunk) or built[chunk] for chunk in chunks]
        built.update(zip(chunks, exports, strict=True))
        return ExportStatus(tuple(exports), reported)
    exports, unreadable, rough = reuse.entries(chunks)
    if len(rough) > 1 or (rough and _cut_after_empty_start(rough[0])):
        return None
    return ExportStatus(tuple(exports), reported, tuple(unreadable))


_CLOSED_AT_END: Final = re.compile(f"</export{_S}*+>\\Z", re.IGNORECASE)
_EMPTY_START: Final = re.compile(
    f"<export(?:{_S}++[^ \\t\\r\\n<>/=\"']++{_S}*+={_S}*+"
    f"(?:\"[^\"<]*+\"|'[^'<]*+'))*+{_S}*+/>",
    re.IGNORECASE,
)


def _cut_after_empty_start(chunk: str) -> bool:
    """Whether an entry without end tag starts with a self-closed ``<export/>``.

    Such an entry can be whole in a document that parses: ``<export/>`` and
    some text after it.
    """
    return not _CLOSED_AT_END.search(chunk) and bool(
        _EMPTY_START.match(repair_xml(chunk))
    )


type _Read = tuple[ET.Element | UnreadableBlock, bool]


def _read_chunks(chunks: list[str], *, strict: bool) -> list[_Read] | None:
    """Parse export texts: all at once (as sent, else repaired), else by halves.

    Each comes with whether it parsed as sent or with ``repair_xml`` alone;
    a single text that does not is read with ``_read_entry``. When texts
    parse together but not as one element each: None if ``strict`` (the fast
    path), else they are split further.
    """
    joined = "".join(chunks)
    batch = _batch(joined)
    if batch is None and (repaired := repair_xml(joined)) != joined:
        batch = _batch(repaired)
    if batch is not None:
        if len(batch) != len(chunks):
            if strict:
                return None
        elif not any(element.tail and not element.tail.isspace() for element in batch):
            # one element each, nothing after it: as each parses alone
            return [(element, True) for element in batch]
    if len(chunks) == 1:
        return [_read_entry(chunks[0], "export", _EXPORT_TEXT_FIELDS, _tree)]
    half = len(chunks) // 2
    first = _read_chunks(chunks[:half], strict=strict)
    second = _read_chunks(chunks[half:], strict=strict)
    if first is None or second is None:
        return None
    return first + second


def _batch(joined: str) -> list[ET.Element] | None:
    """The elements of texts parsed in one parser run, None if not XML."""
    try:
        return list(ET.fromstring(f"<batch>{joined}</batch>"))  # noqa: S314
    except ET.ParseError, ValueError:
        return None


def _parse_whole(text: str, reuse: _Reuse | None = None) -> ExportStatus:
    """Parse a checked document in one go, repaired if need be.

    When even the repaired document is not XML, it is read export by export
    (``_recover_exports``, reusing and filling ``reuse``); if that fails too,
    the first error is raised.
    """
    try:
        root = _tree_lenient(text)
    except InvalidResponse:
        recovered = _recover_exports(text, reuse or _Reuse({}, {}, set()))
        if recovered is None:
            raise
        return recovered
    elements, reported = _export_elements(root)
    return ExportStatus(
        tuple(
            [
                _build_export(_export_texts(element), index)
                for index, element in enumerate(elements)
            ]
        ),
        reported,
    )


def _recover_exports(text: str, reuse: _Reuse) -> ExportStatus | None:
    """Read a broken export list entry by entry, skipping unreadable exports.

    The envelope (result code, container, count) must still be readable with
    one placeholder per export; None when it is not.
    """
    if not _cuttable(text):
        return None
    low = text.lower()
    if len(low) != len(text):
        return None
    spans = _entry_spans(low, "export", "exports")
    if not spans:
        return None
    skeleton, blocks = _cut(text, spans, _PLACEHOLDER)
    root = _read_block(skeleton, "result", _RESULT_TEXT_FIELDS, _tree)
    if isinstance(root, UnreadableBlock):
        return None
    try:
        elements, reported = _export_elements(root)
    except CameraBridgeError:
        return None
    if len(elements) != len(blocks):
        return None
    reuse.read(blocks, strict=False)
    exports, unreadable, _ = reuse.entries(blocks)
    return ExportStatus(tuple(exports), reported, tuple(unreadable))


def parse_export_status(body: bytes | str) -> ExportStatus:
    """Parse a ``getExportVideoStatus`` answer.

    Accepts ``<exports><export>…`` as documented and a bare ``<export>`` list
    directly under ``<result>``; an answer without either holds no export.
    Values echoed raw are repaired; an export that stays unreadable is left
    out and listed in ``unreadable``.
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
    try:
        text = _xml_text(body)
    except InvalidResponse:
        text = None
    if text is not None and not _FORBIDDEN_XML.search(text):
        repaired = repair_xml(text)
        if repaired != text:
            try:
                return _decode_text(repaired)
            except InvalidResponse:
                pass
    raise first


def _decode_text(text: str) -> dict[str, Any]:
    """``decode_xml`` of decoded text (sent as UTF-8 without its declaration)."""
    return decode_xml(_strip_declaration(text).encode())


def _result(body: bytes | str) -> dict[str, Any]:
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
    _check_code(_field(result, "@errorcode"), _field(result, "description"))
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
        return _timestamp(text, "utc")
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
        result = _result(body)
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
        port=_int(_field(entry, "port")),
    )


def _recover_devices(body: bytes) -> DeviceList | None:
    """Read a broken device list entry by entry, skipping unreadable devices."""
    try:
        text = _strip_declaration(_xml_text(body))
    except InvalidResponse:
        return None
    if _FORBIDDEN_XML.search(text) or not _cuttable(text):
        return None
    low = text.lower()
    if len(low) != len(text):
        return None
    spans = _entry_spans(low, "device", "devices")
    if not spans:
        return None
    skeleton, blocks = _cut(text, spans, "<device/>")
    document = _read_block(skeleton, "result", _RESULT_TEXT_FIELDS, _decode_text)
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
        parsed = _read_block(block, "device", _DEVICE_TEXT_FIELDS, _decode_text)
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
        return (await self.device_report()).devices

    async def device_report(self) -> DeviceList:
        """Every readable device, and the entries that were not readable."""
        return parse_device_report(await self._command("getDeviceList"))

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
