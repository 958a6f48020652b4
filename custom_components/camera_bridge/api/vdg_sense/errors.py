"""Result codes of VDG Sense answers and the errors they become."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..errors import BackendError, CameraBridgeError

RESULT_OK: Final = 0
RESULT_NOT_IMPLEMENTED: Final = -1
RESULT_NO_DEVICE: Final = -2
RESULT_NO_SERVER: Final = -17
RESULT_GENERAL_ERROR: Final = -18
RESULT_CONNECTION_LOST: Final = -53
RESULT_INVALID_EXPORT_ID: Final = -57

_MAX_MESSAGE: Final = 200


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
