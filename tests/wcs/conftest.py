"""Fixtures of the Web Call Server tests."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.camera_bridge.const import CONF_KIND, KIND_WCS
from simulator.common import RunningServer
from simulator.wcs import WcsSimulator
from tests.conftest import StartServer


@pytest.fixture
def wcs_sim() -> WcsSimulator:
    """A fake server publishing two streams."""
    sim = WcsSimulator()
    sim.publish("front-door")
    sim.publish("garden", width=640, height=480)
    return sim


@pytest.fixture
async def wcs_server(start_server: StartServer, wcs_sim: WcsSimulator) -> RunningServer:
    """The fake server on a free port."""
    return await start_server(wcs_sim)


@pytest.fixture
def wcs_data(wcs_server: RunningServer) -> dict[str, Any]:
    """Entry data that points at the fake server."""
    return {CONF_KIND: KIND_WCS, "url": wcs_server.url, "verify_ssl": True}
