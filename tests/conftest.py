"""Fixtures shared by every Camera Bridge test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
import logging
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.camera_bridge.const import DOMAIN
from custom_components.camera_bridge.helpers import async_find_device
from simulator.common import RunningServer, SimulatorBase, serve


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


class _DeprecationReports(logging.Handler):
    """Collects Home Assistant's reports of deprecated use by this integration.

    Home Assistant's frame helper logs "Detected that custom integration
    'camera_bridge' ..." when the integration uses an API that a later
    release removes.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if f"Detected that custom integration '{DOMAIN}'" in message:
            self.reports.append(message)


@pytest.fixture(autouse=True)
def fail_on_deprecated_use() -> Iterator[None]:
    """Fail a test during which Home Assistant reported a deprecated use."""
    handler = _DeprecationReports()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    if handler.reports:
        pytest.fail(
            "Home Assistant reported a deprecated use by camera_bridge:\n"
            + "\n".join(handler.reports)
        )


type StartServer = Callable[[SimulatorBase], Awaitable[RunningServer]]


@pytest.fixture
async def start_server(socket_enabled: None) -> AsyncIterator[StartServer]:
    """Start simulators on free ports of 127.0.0.1; stop them at teardown."""
    servers: list[RunningServer] = []

    async def _start(sim: SimulatorBase) -> RunningServer:
        server = await serve(sim)
        servers.append(server)
        return server

    yield _start
    for server in servers:
        await server.stop()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session for API tests, closed at teardown."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def advance_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move the clock and let the polls it triggers finish.

    Scheduled coordinator polls run as background tasks.
    """
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def find_device(
    hass: HomeAssistant, entry_id: str, ident: str
) -> dr.DeviceEntry | None:
    """The entry's device whose identifier is (DOMAIN, ident)."""
    return async_find_device(hass, entry_id, (DOMAIN, ident))


async def setup_entry(
    hass: HomeAssistant,
    data: dict[str, Any],
    *,
    options: dict[str, Any] | None = None,
    unique_id: str | None = None,
    title: str = "Test",
    expect: ConfigEntryState = ConfigEntryState.LOADED,
    **kwargs: Any,
) -> MockConfigEntry:
    """Add a config entry and set it up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=data,
        options=options or {},
        unique_id=unique_id,
        title=title,
        **kwargs,
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is expect
    return entry
