"""What the coordinator of an OSC camera knows after a poll."""

from __future__ import annotations

from dataclasses import dataclass

from ...api.osc import OscState, OscStorage


@dataclass(frozen=True, slots=True)
class OscData:
    """What the coordinator knows after a poll."""

    state: OscState
    latest_url: str | None
    storage: OscStorage | None

    @property
    def remaining_pictures(self) -> int | None:
        """Remaining pictures, from the state or the camera's options."""
        if self.state.remaining_pictures is not None:
            return self.state.remaining_pictures
        return self.storage.remaining_pictures if self.storage else None

    @property
    def remaining_space(self) -> int | None:
        """Remaining bytes, from the state or the camera's options."""
        if self.state.remaining_space is not None:
            return self.state.remaining_space
        return self.storage.remaining_space if self.storage else None
