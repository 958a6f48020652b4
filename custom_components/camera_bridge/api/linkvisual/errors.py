"""The LinkVisual members of the ``CameraBridgeError`` family."""

from __future__ import annotations

from ..errors import AuthenticationFailed, BackendError, CameraBridgeError


class LinkVisualValidationError(CameraBridgeError):
    """A request was refused before sending: an argument is out of range.

    ``field`` names the offending argument (``duration``, ``pre_record``,
    ``stream_type``, ``device``, ...).
    """

    def __init__(self, field_name: str, message: str) -> None:
        """Keep the field name and a readable message."""
        self.field = field_name
        super().__init__(message)


class LinkVisualError(BackendError):
    """LinkVisual answered an error (``Success=false`` or an HTTP error).

    ``code`` and ``message`` are the service's ``Code`` and ``ErrorMessage``
    (or ``Message``), ``request_id`` its ``RequestId`` for support tickets,
    ``status`` the HTTP status. ``retryable`` tells whether trying again later
    may succeed.
    """

    retryable = False

    def __init__(
        self,
        code: str | int,
        message: str = "",
        *,
        request_id: str | None = None,
        status: int | None = None,
    ) -> None:
        """Keep everything the service said about the failure."""
        super().__init__(code, message)
        self.request_id = request_id
        self.status = status

    def __str__(self) -> str:
        """Code, message and request id."""
        text = super().__str__()
        return f"{text} (RequestId {self.request_id})" if self.request_id else text


class LinkVisualThrottled(LinkVisualError):
    """The service throttled the call (``Throttling*`` or HTTP 429): retry later."""

    retryable = True


class LinkVisualUnavailable(LinkVisualError):
    """The service failed on its side (HTTP 5xx, InternalError): retry later."""

    retryable = True


class LinkVisualAuthenticationFailed(AuthenticationFailed):
    """The key id, the secret or the key's permissions were refused."""

    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        request_id: str | None = None,
        status: int | None = None,
    ) -> None:
        """Keep the service's code, message and request id."""
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status = status
        text = f"{code}: {message}" if message else code
        if request_id:
            text = f"{text} (RequestId {request_id})"
        super().__init__(text)
