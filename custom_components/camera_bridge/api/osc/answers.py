"""Reading the camera's HTTP answers: JSON of a success, error objects of a failure.

An OSC camera answers a failed command with an HTTP error status and a
command object whose ``error`` holds the code and message; some firmware
sends the status alone, or a command object that does not say ``error``.
"""

from __future__ import annotations

from typing import Any

from .._http import Response
from ..errors import BackendError, InvalidResponse
from .const import STATE_ERROR
from .errors import command_error
from .models import OscCommand
from .values import opt_str


def read_json(response: Response, what: str) -> Any:
    """JSON of a 2xx answer; non-2xx answers become BackendError."""
    if 200 <= response.status < 300:
        return response.json()
    try:
        data = response.json()
    except InvalidResponse:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        error = data["error"]
        code = opt_str(error.get("code")) or str(response.status)
        raise command_error(code, opt_str(error.get("message")) or "")
    raise BackendError(response.status, f"{what} answered HTTP {response.status}")


def read_command(
    response: Response, name: str, known_id: str | int | None = None
) -> OscCommand:
    """The command object of an execute or status answer.

    An HTTP error status without an error object is a BackendError naming
    the status; ``known_id`` is the id being polled (see ``OscCommand``).
    """
    try:
        data = response.json()
    except InvalidResponse:
        if response.status >= 400:
            raise BackendError(
                response.status, f"{name} answered HTTP {response.status}"
            ) from None
        raise
    if response.status >= 400 and not (
        isinstance(data, dict) and isinstance(data.get("error"), dict)
    ):
        raise BackendError(response.status, f"{name} answered HTTP {response.status}")
    answer = OscCommand.from_dict(data, name, known_id)
    if response.status >= 400 and answer.state != STATE_ERROR:
        # an error status with a command object that does not say error
        error = data["error"]
        return OscCommand(
            name=answer.name,
            state=STATE_ERROR,
            id=answer.id,
            results=answer.results,
            error_code=opt_str(error.get("code")) or str(response.status),
            error_message=opt_str(error.get("message")) or "",
            completion=None,
        )
    return answer
