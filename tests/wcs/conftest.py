"""Fixtures of the Web Call Server tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import patch

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


@pytest.fixture
async def ws_server(start_server: StartServer, wcs_sim: WcsSimulator) -> RunningServer:
    """The fake server's WebSocket signaling port (WebRTC playback)."""
    return await start_server(wcs_sim, wcs_sim.make_ws_app())


@pytest.fixture
def webrtc_loopback(socket_enabled: None) -> Iterator[None]:
    """WebRTC peers (aiortc's ICE agent) on 127.0.0.1 only.

    The test plugin replaces the machine's network adapters with a made-up
    10.10.10.10 for the whole session (its ``mock_network`` fixture), which
    aiortc's ICE agent cannot bind to; everything here stays on this
    machine's loopback instead.
    """
    with patch("aioice.ice.get_host_addresses", return_value=["127.0.0.1"]):
        yield
