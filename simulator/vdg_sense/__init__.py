"""Fake TKH Security VDG Sense management server (SensePluginManager).

Serves ``/info`` and ``/command?command=getDeviceList|getExportVideoStatus|
exportVideo`` with ``<result errorcode="N">`` XML answers. Exports go
SYNCING -> PENDING -> COMPLETED while their progress rises with the
simulator's clock; tests move that clock with ``advance`` instead of sleeping.

Knobs: ``legacy`` (``/info`` answers 404 like servers older than API 2.6.1),
``restart`` (forget every export and start ids at 1 again), ``fail`` (answer a
result code on demand), ``auth`` (HTTP Basic), ``seed_exports`` (load),
``tag_case``/``status_case``/``shuffle``/``extra_tags`` (vary the XML),
``export_reply`` (shape of the exportVideo answer), ``raw_values`` (write
values unescaped, as real servers that build their XML by concatenating
strings do: a path ``ha & co`` comes out as a bare "&"), ``truncated``
(export ids whose XML is written only in part).

- ``server``: ``VdgSenseSimulator``, the commands over HTTP;
- ``writer``: the XML of the answers and the knobs that vary it;
- ``state``: cameras, exports and their progress on the simulated clock;
- ``records``: the dataclasses kept, result codes, API timestamps;
- ``cli``: the command line of ``python -m simulator``.
"""

from .cli import add_arguments, build
from .records import (
    CODE_GENERAL,
    CODE_INVALID_EXPORT_ID,
    CODE_NO_DEVICE,
    CODE_NOT_IMPLEMENTED,
    DEFAULT_CAMERAS,
    DEFAULT_VERSION,
    SimDevice,
    SimExport,
    SimExportDevice,
    SimFailure,
    StatusCase,
    TagCase,
    api_time,
    parse_api_time,
)
from .server import VdgSenseSimulator

__all__ = [
    "CODE_GENERAL",
    "CODE_INVALID_EXPORT_ID",
    "CODE_NOT_IMPLEMENTED",
    "CODE_NO_DEVICE",
    "DEFAULT_CAMERAS",
    "DEFAULT_VERSION",
    "SimDevice",
    "SimExport",
    "SimExportDevice",
    "SimFailure",
    "StatusCase",
    "TagCase",
    "VdgSenseSimulator",
    "add_arguments",
    "api_time",
    "build",
    "parse_api_time",
]
