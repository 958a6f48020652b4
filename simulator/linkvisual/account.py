"""What the action handlers and the media routes see of the simulated account.

``server.LinkVisualSimulator`` is such an account. ``actions`` and ``live``
take it by this shape rather than by its class, so that the modules the
server is built from never import the server back.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from .state import SimCamera, SimCapture, SimFile, SimRecord


class Account(Protocol):
    """The account's contents, knobs and clock, as the handlers use them."""

    cameras: dict[str, SimCamera]
    files: list[SimFile]
    records: dict[str, SimRecord]
    captures: dict[str, SimCapture]
    media_requests: Counter[str]
    record_delay: float
    capture_delay: float
    live_refusals: int
    list_total: bool
    pending_data: Any
    started: float

    def now(self) -> float:
        """The server clock (UNIX seconds)."""
        ...

    def add_recording(
        self,
        iot_id: str,
        begin: float,
        end: float,
        *,
        record_type: int = 0,
        stream_type: int = 0,
        ready_at: float | None = None,
    ) -> SimFile:
        """Add a finished recording of a camera."""
        ...

    def time_value(self, value: float) -> Any:
        """A time as answers write it."""
        ...

    def vod_url(self, origin: str, file_name: str, valid_for: int) -> str:
        """A signed HLS playback URL of a file."""
        ...

    def token(self, resource: str, expires: int) -> str:
        """The token of a URL to ``resource`` valid until ``expires``."""
        ...
