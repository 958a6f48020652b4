"""Client for Open Spherical Camera (OSC) API cameras such as the RICOH THETA.

The camera speaks JSON over plain HTTP: ``/osc/info``, ``/osc/state``,
``/osc/checkForUpdates``, ``/osc/commands/execute`` and
``/osc/commands/status``. Long commands (``camera.takePicture`` stitches for a
few seconds) answer ``inProgress`` with an id that is polled until ``done`` or
``error``.

Two protocol levels exist. Level 2 is used whenever the camera offers it; a
camera that only speaks level 1 (or that fell back to ``clientVersion`` 1) is
driven through ``camera.startSession`` and a ``sessionId`` in every command.
Only one command runs at a time per camera: the vendors ask clients never to
send a command before the previous answer arrived.

- ``client``: ``OscClient``, pictures, video, options, files and downloads;
- ``live``, ``preview``: the live preview (``MjpegReader`` reads its frames);
- ``commands``: running one command to its end, protocol level and sessions;
- ``connection``: HTTP, Digest authentication, ``/osc/info`` and ``/osc/state``;
- ``answers``: JSON and command objects of HTTP answers, error objects;
- ``models``: the answers as dataclasses (``OscInfo``, ``OscState`` ...);
- ``values``: lenient readers of single answer values;
- ``errors``: the OSC error classes and ``command_error``;
- ``tuning``: ``OscTuning``, the client's timeouts and polling cadence;
- ``const``: protocol names and limits.
"""

from ..errors import CameraBridgeError
from .client import OscClient
from .const import HEADERS
from .errors import (
    OscBusyError,
    OscCancelledError,
    OscCommandTimeout,
    OscParameterRefused,
    OscShotInProgress,
    OscUnknownCommand,
    OscValidationError,
    command_error,
)
from .models import (
    OscCommand,
    OscFile,
    OscFileList,
    OscInfo,
    OscState,
    OscStorage,
    OscUpdates,
    picture_url,
)
from .preview import MjpegReader, preview_boundary
from .preview_format import OscPreviewSupport, PreviewFormat
from .tuning import DEFAULT_TUNING, OscTuning

__all__ = [
    "DEFAULT_TUNING",
    "HEADERS",
    "CameraBridgeError",
    "MjpegReader",
    "OscBusyError",
    "OscCancelledError",
    "OscClient",
    "OscCommand",
    "OscCommandTimeout",
    "OscFile",
    "OscFileList",
    "OscInfo",
    "OscParameterRefused",
    "OscPreviewSupport",
    "OscShotInProgress",
    "OscState",
    "OscStorage",
    "OscTuning",
    "OscUnknownCommand",
    "OscUpdates",
    "OscValidationError",
    "PreviewFormat",
    "command_error",
    "picture_url",
    "preview_boundary",
]
