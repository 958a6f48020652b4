"""Exception family of the Camera Bridge API clients.

Every client raises only these. Messages never contain credentials.
"""

from __future__ import annotations


class CameraBridgeError(Exception):
    """Base class of every error raised by the API clients."""


class CannotConnect(CameraBridgeError):
    """The backend could not be reached, timed out or dropped the connection."""


class AuthenticationFailed(CameraBridgeError):
    """The backend refused the credentials (or asks for some)."""


class InvalidResponse(CameraBridgeError):
    """The backend answered something that cannot be understood."""


class BackendError(CameraBridgeError):
    """The backend understood the request and answered with an error."""

    def __init__(self, code: str | int, message: str = "") -> None:
        """Keep the backend's own code and message."""
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}" if message else str(code))
