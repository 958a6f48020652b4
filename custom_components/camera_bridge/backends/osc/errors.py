"""How OSC errors reach users: translated messages and shot failure reasons."""

from __future__ import annotations

from ...api import CameraBridgeError, CannotConnect
from ...api.osc import (
    OscBusyError,
    OscCancelledError,
    OscCommandTimeout,
    OscParameterRefused,
    OscShotInProgress,
    OscUnknownCommand,
    OscValidationError,
)
from ...helpers import register_error_translation


def camera_message(err: CameraBridgeError) -> str:
    """The camera's own message, or the error's text."""
    return str(getattr(err, "message", "") or err)


def failure_reason(err: CameraBridgeError) -> str:
    """Short machine-readable reason of a failed shot, for automations."""
    if isinstance(err, OscBusyError):
        return "busy"
    if isinstance(err, OscCancelledError):
        return "cancelled"
    if isinstance(err, OscCommandTimeout):
        return "timeout"
    if isinstance(err, CannotConnect):
        return "cannot_connect"
    return str(getattr(err, "code", "") or "error")


register_error_translation(OscShotInProgress, "already_taking_picture")
register_error_translation(
    OscBusyError, "camera_busy", lambda err: {"message": camera_message(err)}
)
register_error_translation(OscCancelledError, "shot_cancelled")
register_error_translation(
    OscCommandTimeout, "shot_timeout", lambda err: {"message": camera_message(err)}
)
# RICOH's validation messages name no option: name one only when it is known
register_error_translation(
    OscValidationError,
    "invalid_request",
    lambda err: {"message": camera_message(err)},
)
register_error_translation(
    OscParameterRefused,
    "invalid_option",
    lambda err: {
        "parameter": getattr(err, "parameter", None) or "",
        "message": camera_message(err),
    },
)
register_error_translation(
    OscUnknownCommand,
    "unsupported_command",
    lambda err: {"message": camera_message(err)},
)
