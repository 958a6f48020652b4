"""Answers without a body, as fault knobs, and the check every client passes.

aiohttp hands every body-less answer (204, 304, HEAD, ...) one shared empty
reader that froze the event loop the second time a process read it
(``api/_stream.has_body``). Each case is a ``Faults`` setting of the
simulators; ``assert_ends`` runs a client call against it three times under
the loop-lag probe, then once more when the server behaves again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from custom_components.camera_bridge.api import CameraBridgeError
from simulator.common import Faults, SimulatorBase
from tests.loop_lag import loop_lag

# a whole answer sent after a 204's headers: read as the next request's
# answer if the connection were reused
SMUGGLED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"
)

BODYLESS = [
    pytest.param({"status": 204}, id="204"),
    pytest.param({"status": 205}, id="205"),
    pytest.param({"status": 205, "status_body": "a body"}, id="205-with-body"),
    pytest.param({"status": 304}, id="304"),
    pytest.param({"status": 204, "after_body": SMUGGLED}, id="204-then-answer"),
    pytest.param({"status": 204, "after_body": b"x" * 70_000}, id="204-then-bytes"),
]
INTERIM = [
    pytest.param({"interim": 100}, id="100-then-answer"),
    pytest.param({"interim": 103}, id="103-then-answer"),
]


async def assert_ends[T](
    sim: SimulatorBase, call: Callable[[], Awaitable[T]], faults: dict[str, Any]
) -> T:
    """``call`` ends each time ``sim`` answers ``faults``; then its real result.

    A body-less answer is a CameraBridgeError (what it means is the client's
    business), an interim answer is skipped. The event loop is never
    blocked for more than 100 ms, and the call after the fault (a fresh
    answer, not bytes left on a reused connection) is returned.
    """
    sim.faults = Faults(**faults)
    async with loop_lag(limit=0.1):
        for _ in range(3):
            if "interim" in faults:
                await call()
            else:
                with pytest.raises(CameraBridgeError):
                    await call()
        sim.faults.reset()
        return await call()
