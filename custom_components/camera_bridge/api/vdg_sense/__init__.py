"""Client for the TKH Security VDG Sense HTTP/XML API (video exports).

The SensePluginManager answers ``/info`` (API >= 2.6.1, no authentication)
and ``/command?command=NAME&...`` with ``<result errorcode="N">`` documents.
Tags may come in any order and any case and new ones may appear; the parsers
here ignore what they do not need and refuse what they cannot do without
(the ``errorcode`` attribute, export ids, progress values) with
``InvalidResponse``.

Every answer is decoded by the shared ``xml_text`` (an allow-list of
encodings) and parsed with the C ElementTree parser (``document``), in a
worker thread from 16 KiB on; document types and entities are refused by
expat itself, in whatever encoding it reads them (``api/_xml.py``). The
export list (``getExportVideoStatus``) is polled and can hold thousands of
exports: it is parsed a piece at a time, each export read and dropped as
soon as it is complete (~10 ms of CPU for 1,000 exports; xmltodict needed
~21 ms for the parse alone), and ``ExportStatusParser`` does not build again
the exports whose fields read as in the previous poll.

VDG Sense writes its answers by concatenating strings, so a value the user
chose (a path ``ha & co``, a camera name) can arrive with a bare "&", "<" or
">". Every parser reads an answer that is not XML again after
``repair_xml``; if it still is not, lists are read entry by entry
(``export_list._recover``, ``answers._recover_devices``) and an entry that stays
unreadable is skipped and reported (``UnreadableBlock``) while the envelope
(result code, container) must still be readable.

Authentication lives in ``HttpBasicLogin`` only: the documented
``AuthenticateUserDigest`` login cannot be implemented because its digest
formula is not public. Replace that class to switch.

- ``client``: ``VdgSenseClient``, the requests and their size caps;
- ``export_list``: ``getExportVideoStatus`` answers, reused between polls;
- ``export_element``: one ``<export>`` element and the ``Export`` it makes;
- ``answers``: ``/info``, ``getDeviceList`` and ``exportVideo``'s reply;
- ``export_request``: the ``exportVideo`` request body;
- ``document``: an answer's element tree, its fields and result code;
- ``repair``: ``repair_xml`` and ``repair_text_fields`` for values echoed raw;
- ``entries``: a list answer cut into entries read one by one;
- ``values``: readers of single values (numbers, timestamps, ids, states);
- ``models``: the answers as frozen dataclasses;
- ``errors``: result codes and the errors they become;
- ``login``: ``HttpBasicLogin``, the one place of authentication.
"""

from .answers import (
    parse_device_list,
    parse_device_report,
    parse_export_reply,
    parse_info,
)
from .client import DEFAULT_PORT, DEFAULT_TIMEOUT, VdgSenseClient
from .errors import (
    RESULT_CONNECTION_LOST,
    RESULT_GENERAL_ERROR,
    RESULT_INVALID_EXPORT_ID,
    RESULT_NO_DEVICE,
    RESULT_NO_SERVER,
    RESULT_NOT_IMPLEMENTED,
    RESULT_OK,
    VdgConnectionLost,
    VdgGeneralError,
    VdgInvalidExportId,
    VdgNoDevice,
    VdgNoServer,
    VdgNotImplemented,
    VdgValidationError,
    error_for_code,
)
from .export_list import ExportStatusParser, parse_export_status
from .export_request import build_export_request, format_timestamp
from .login import HttpBasicLogin
from .models import (
    EXPORT_MIN_VERSION,
    DeviceKey,
    DeviceList,
    DeviceRef,
    Export,
    ExportDevice,
    ExportState,
    ExportStatus,
    SenseDevice,
    ServerInfo,
    UnreadableBlock,
)
from .repair import repair_text_fields, repair_xml

__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "EXPORT_MIN_VERSION",
    "RESULT_CONNECTION_LOST",
    "RESULT_GENERAL_ERROR",
    "RESULT_INVALID_EXPORT_ID",
    "RESULT_NOT_IMPLEMENTED",
    "RESULT_NO_DEVICE",
    "RESULT_NO_SERVER",
    "RESULT_OK",
    "DeviceKey",
    "DeviceList",
    "DeviceRef",
    "Export",
    "ExportDevice",
    "ExportState",
    "ExportStatus",
    "ExportStatusParser",
    "HttpBasicLogin",
    "SenseDevice",
    "ServerInfo",
    "UnreadableBlock",
    "VdgConnectionLost",
    "VdgGeneralError",
    "VdgInvalidExportId",
    "VdgNoDevice",
    "VdgNoServer",
    "VdgNotImplemented",
    "VdgSenseClient",
    "VdgValidationError",
    "build_export_request",
    "error_for_code",
    "format_timestamp",
    "parse_device_list",
    "parse_device_report",
    "parse_export_reply",
    "parse_export_status",
    "parse_info",
    "repair_text_fields",
    "repair_xml",
]
