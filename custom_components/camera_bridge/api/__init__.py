"""Home Assistant-free async clients for the backends Camera Bridge talks to."""

from .errors import (
    AuthenticationFailed,
    BackendError,
    CameraBridgeError,
    CannotConnect,
    InvalidResponse,
)

__all__ = [
    "AuthenticationFailed",
    "BackendError",
    "CameraBridgeError",
    "CannotConnect",
    "InvalidResponse",
]
