"""Error answers of the simulated gateway and actions."""

from __future__ import annotations


class Fail(Exception):
    """An error answer: gateway shape when ``gateway``, else Success=false."""

    def __init__(
        self, code: str, message: str, status: int = 400, *, gateway: bool = True
    ) -> None:
        """Keep the code, the message, the HTTP status and the answer's shape."""
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status
        self.gateway = gateway


def api_error(code: str, message: str) -> Fail:
    """An action error: HTTP 200 with ``Success: false``."""
    return Fail(code, message, 200, gateway=False)
