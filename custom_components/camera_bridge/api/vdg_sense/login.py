"""Authentication: the one place to change once the digest login is known."""

from __future__ import annotations

import base64

from .errors import VdgValidationError


class HttpBasicLogin:
    """HTTP Basic credentials sent with every command.

    VDG Sense documents an ``AuthenticateUserDigest`` XML login whose digest
    formula is not public; servers (or a proxy in front of them) that accept
    HTTP Basic work with this. Swap this class to change the scheme.
    """

    __slots__ = ("_header", "_username")

    def __init__(self, username: str | None, password: str | None) -> None:
        """Keep the credentials (none when ``username`` is empty)."""
        self._username = username or None
        self._header: dict[str, str] = {}
        if not username:
            return
        if ":" in username:
            raise VdgValidationError("the user name must not contain ':'")
        token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
        self._header = {"Authorization": f"Basic {token}"}

    def headers(self) -> dict[str, str]:
        """Headers to add to an authenticated request."""
        return dict(self._header)

    def __repr__(self) -> str:
        """Never show the password."""
        return f"HttpBasicLogin(username={self._username!r})"
