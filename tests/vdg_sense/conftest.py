"""Fixtures of the VDG Sense tests: the simulator on a real socket, a session, entry data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
import pytest

from custom_components.camera_bridge.api.vdg_sense import DeviceRef, VdgSenseClient
from custom_components.camera_bridge.const import CONF_KIND, KIND_VDG_SENSE
from simulator.common import RunningServer
from simulator.vdg_sense import VdgSenseSimulator
from tests.conftest import StartServer

# The recording span the client tests export
START = datetime(2024, 1, 19, 10, 0, tzinfo=UTC)
END = START + timedelta(minutes=5)


EXPORTS_EVENT = "event.vdg_sense_127_0_0_1_exports"


def export_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Collect the exports event entity's events as they fire."""
    fired: list[dict[str, Any]] = []

    @callback
    def _record(event: Event) -> None:
        new = event.data["new_state"]
        if (
            event.data["entity_id"] == EXPORTS_EVENT
            and new
            and new.state != STATE_UNAVAILABLE
        ):
            fired.append(dict(new.attributes))

    hass.bus.async_listen("state_changed", _record)
    return fired


def camera_ref(sim: VdgSenseSimulator, index: int = 0) -> DeviceRef:
    """The simulated server's camera number ``index``."""
    device = sim.devices[index]
    return DeviceRef(device.server_id, device.device_id)


def authed_client(
    server: RunningServer,
    session: aiohttp.ClientSession,
    username: str | None,
    password: str | None,
) -> VdgSenseClient:
    """A client of the fake server with credentials."""
    return VdgSenseClient(
        session,
        server.host,
        server.port,
        username=username,
        password=password,
        timeout=2.0,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of the tests that need no Home Assistant."""
    config.addinivalue_line(
        "markers", "without_hass: the test needs no Home Assistant instance"
    )


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Load custom_components/ in every test not marked ``without_hass``.

    The client and parser tests are marked: they start no Home Assistant.
    """
    if request.node.get_closest_marker("without_hass") is None:
        request.getfixturevalue("enable_custom_integrations")


@pytest.fixture
def sim() -> VdgSenseSimulator:
    """A fake server whose clock only moves with ``advance``."""
    return VdgSenseSimulator(clock=lambda: 0.0)


@pytest.fixture
async def vdg_server(
    start_server: StartServer, sim: VdgSenseSimulator
) -> RunningServer:
    """The fake server on a free port of 127.0.0.1."""
    return await start_server(sim)


@pytest.fixture
def client(vdg_server: RunningServer, session: aiohttp.ClientSession) -> VdgSenseClient:
    """A client of the fake server, without credentials."""
    return VdgSenseClient(session, vdg_server.host, vdg_server.port, timeout=2.0)


@pytest.fixture
def vdg_data(vdg_server: RunningServer) -> dict[str, Any]:
    """Entry data that points at the fake server."""
    return {
        CONF_KIND: KIND_VDG_SENSE,
        "host": vdg_server.host,
        "port": vdg_server.port,
        "ssl": False,
        "verify_ssl": True,
    }
