"""Fixtures shared by every Camera Bridge test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
import logging
import os
from pathlib import Path
import re
from typing import Any
from unittest.mock import PropertyMock, patch

import aiohttp
from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import MAJOR_VERSION, MINOR_VERSION, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.setup import async_setup_component
from hypothesis import (
    HealthCheck,
    given,
    settings as hypothesis_settings,
    strategies as st,
)
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import WebSocketGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation
from syrupy.types import PropertyPath, SerializableData

from custom_components.camera_bridge.backends import BACKENDS
from custom_components.camera_bridge.const import DOMAIN
from custom_components.camera_bridge.helpers import async_find_device
from simulator.common import RunningServer, SimulatorBase, serve


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


# Fuzz tests (hypothesis) use a bounded profile so CI stays fast; for a long
# local run: HYPOTHESIS_PROFILE=long scripts/test tests -k fuzz
_FUZZ_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
hypothesis_settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=_FUZZ_HEALTH
)
hypothesis_settings.register_profile(
    "long", max_examples=20_000, deadline=None, suppress_health_check=_FUZZ_HEALTH
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# Hypothesis makes its own per-thread PRNG on the first example it runs and, in
# derandomized runs (CI=true), checks with gc.get_referrers() that something
# keeps it. pytest-homeassistant-custom-component calls gc.freeze() before each
# test module, which hides the thread-local that keeps it, so the first
# hypothesis test of a run warned "register_random was passed an object that
# could be garbage collected" (a false alarm). One example run before the first
# freeze makes that PRNG where the check sees its keeper.
@pytest.fixture(autouse=True, scope="session")
def hypothesis_prng_before_gc_freeze() -> None:
    """Run one hypothesis example before the first gc.freeze() (see above)."""

    @given(st.none())
    @hypothesis_settings(max_examples=1, database=None)
    def one_example(_: None) -> None:
        """Nothing to check: the example only makes hypothesis's PRNG."""

    one_example()


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


# a simulator served on a free port: its main application, or ``app`` (another
# port of the same backend, e.g. WCS's HLS server or WebSocket signaling)
type StartServer = Callable[..., Awaitable[RunningServer]]


@pytest.fixture
async def start_server(socket_enabled: None) -> AsyncIterator[StartServer]:
    """Start simulators on free ports of 127.0.0.1; stop them at teardown."""
    servers: list[RunningServer] = []

    async def _start(
        sim: SimulatorBase, app: web.Application | None = None
    ) -> RunningServer:
        server = await serve(sim, app=app)
        servers.append(server)
        return server

    yield _start
    for server in servers:
        await server.stop()
    # let handlers cancelled by the shutdown finish before the cleanup checks
    for _ in range(3):
        await asyncio.sleep(0)


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


# --- Media browser --------------------------------------------------------------

# media_source/<command> over the websocket API: (command, media id) -> answer
type MediaWs = Callable[[str, str], Awaitable[dict[str, Any]]]


@pytest.fixture
async def media_ws(hass: HomeAssistant, hass_ws_client: WebSocketGenerator) -> MediaWs:
    """Browse and resolve media over the websocket API, as the frontend does.

    Sets up media_source. Integrations loaded later register views once the
    test server runs, which Home Assistant's own server allows: it keeps the
    router from being frozen when it starts (http/server.py); the test
    server is told the same.
    """
    assert await async_setup_component(hass, "media_source", {})
    hass.http.app._router.freeze = lambda: None
    client = await hass_ws_client(hass)

    async def send(command: str, media_content_id: str) -> dict[str, Any]:
        await client.send_json_auto_id(
            {"type": f"media_source/{command}", "media_content_id": media_content_id}
        )
        answer: dict[str, Any] = await client.receive_json()
        return answer

    return send


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


# --- entity snapshots ---------------------------------------------------------

# Each test leg (the minimum and the newest Home Assistant) serialises registry
# entries with the fields of its own release, so each keeps its own snapshots.
HA_RELEASE = f"{MAJOR_VERSION}.{MINOR_VERSION}"


class ReleaseSnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's amber snapshots, in snapshots-<release>/ beside the test.

    Not snapshots/<release>/: the fixtures this one builds on register their
    own extensions, and Home Assistant's walks snapshots/ recursively, so it
    would find the other release's files, call them unused and delete them
    on --snapshot-update.
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """The snapshot folder of the running Home Assistant release."""
        folder = Path(test_location.filepath).parent
        return str(folder / f"snapshots-{HA_RELEASE}")


# Simulators listen on a free port chosen at each run
_SIMULATOR_ADDRESS = re.compile(r"127\.0\.0\.1:\d+")
# Home Assistant gives every camera a fresh random access token
_TOKEN_QUERY = re.compile(r"([?&]token=)[^&]+")
_TOKEN = "<access token>"


def normalise_snapshot(
    *, data: SerializableData, path: PropertyPath
) -> SerializableData:
    """Replace the values that change from run to run by fixed text.

    The simulator's port becomes ``<port>``; a camera's access token (the
    ``access_token`` attribute and the ``token`` of its ``entity_picture``)
    becomes ``<access token>``.
    """
    if not isinstance(data, str):
        return data
    if path and path[-1][0] == "access_token":
        return _TOKEN
    text = _SIMULATOR_ADDRESS.sub("127.0.0.1:<port>", data)
    return _TOKEN_QUERY.sub(rf"\g<1>{_TOKEN}", text)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots per Home Assistant release, with run-dependent values normalised."""
    return snapshot.with_defaults(
        extension_class=ReleaseSnapshotExtension, matcher=normalise_snapshot
    )


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Register every entity enabled, also those disabled by default."""
    with patch.object(
        Entity,
        "entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@contextmanager
def only_platforms(kind: str, *platforms: Platform) -> Iterator[None]:
    """Let entries of a backend kind set up only ``platforms``.

    ``snapshot_platform`` wants one platform per entry; a backend forwards
    all of its platforms at once.
    """
    spec = replace(BACKENDS[kind], platforms=platforms)
    with patch.dict(BACKENDS, {kind: spec}):
        yield


def snapshot_devices(
    hass: HomeAssistant, snapshot: SnapshotAssertion, entry_id: str
) -> None:
    """Snapshot every device of an entry, and which entities sit on which device.

    The registry snapshots hide device ids (``<ANY>``); the layout shows the
    device tree and each device's entities by identifier and entity id.
    """
    device_registry = dr.async_get(hass)
    entity_registry = er.async_get(hass)
    devices = sorted(
        dr.async_entries_for_config_entry(device_registry, entry_id),
        key=lambda device: sorted(device.identifiers),
    )
    assert devices

    def ident(device_id: str | None) -> str | None:
        if device_id is None:
            return None
        device = device_registry.async_get(device_id)
        assert device is not None
        return ", ".join(sorted(":".join(pair) for pair in device.identifiers))

    layout: dict[str | None, dict[str, Any]] = {}
    for device in devices:
        name = ident(device.id)
        assert device == snapshot(name=f"{name}-device")
        layout[name] = {
            "via_device": ident(device.via_device_id),
            "entities": sorted(
                entity.entity_id
                for entity in er.async_entries_for_device(
                    entity_registry, device.id, include_disabled_entities=True
                )
            ),
        }
    assert layout == snapshot(name="device-layout")
