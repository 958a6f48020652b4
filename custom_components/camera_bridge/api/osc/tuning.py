"""How the OSC client paces itself: the one place of its default timings.

Callers pass their own ``OscTuning`` to ``OscClient`` (Home Assistant makes
shots time out after the entry's option, tests poll fast); what they leave
out keeps the default written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True, kw_only=True)
class OscTuning:
    """Timeouts and the polling cadence of commands that stay in progress.

    An ``inProgress`` command is polled every ``poll_start`` seconds during
    the first ``poll_fast_for`` seconds (a THETA stitches a picture in 2 to
    8 s), then less often (``const.POLL_BACKOFF``) up to every ``poll_max``
    seconds; it gives up after ``command_deadline`` (long exposures plus
    stitching stay well below it). RICOH asks to wait about a second after
    ``camera.setOptions`` before shooting: ``options_settle``.
    """

    # seconds for one request to the protocol endpoints
    timeout: float = 10.0
    poll_start: float = 0.25
    poll_max: float = 2.0
    poll_fast_for: float = 6.0
    command_deadline: float = 90.0
    options_settle: float = 1.0


DEFAULT_TUNING: Final = OscTuning()
