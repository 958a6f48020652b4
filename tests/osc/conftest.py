"""Fixtures of the OSC tests: a simulated camera over real HTTP and a client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
import io
from typing import Any

import aiohttp
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.api.osc import OscClient, OscTuning
from custom_components.camera_bridge.backends import osc as osc_backend
from custom_components.camera_bridge.backends.osc.coordinator import OscCoordinator
from custom_components.camera_bridge.backends.osc.preview import (
    PreviewHub,
    PreviewTiming,
)
from custom_components.camera_bridge.const import CONF_KIND, KIND_OSC
from simulator.common import Faults, RunningServer
from simulator.osc import OscSimulator
from tests.conftest import StartServer, setup_entry

# Test-sized timings: polls every few milliseconds, no wait after setOptions
FAST_TUNING = OscTuning(poll_start=0.01, poll_max=0.05, options_settle=0.0)

type ClientFactory = Callable[..., OscClient]

STATUS = "/osc/commands/status"
# What RICOH's emulator answers for validation errors, word for word
RICOH_NAME = "Any input parameter or option name is unrecognized or supported."
RICOH_VALUE = "Any input parameter or option is recognized, but its value is invalid."
RICOH_MISSING = "Any required parameter is not specified."


async def prime(client: OscClient) -> None:
    """Let the client learn the camera (info, level) before faults are set."""
    await client.info()
    await client.state()


def refusal(name: str, code: str, message: str | None = None) -> Faults:
    """Faults: the camera answers every command with this OSC error (HTTP 400)."""
    error = {"code": code} if message is None else {"code": code, "message": message}
    return Faults(
        status=400,
        status_body={"name": name, "state": "error", "error": error},
        paths=("execute",),
    )


def answered(name: str, state: str = "done", **fields: Any) -> Faults:
    """Faults: the camera answers every command as ``name`` in ``state``, with ``fields``."""
    return Faults(
        status=200,
        status_body={"name": name, "state": state, **fields},
        paths=("execute",),
    )


def empty_results(name: str) -> Faults:
    """Faults: the camera answers every command as ``name`` done, with no results."""
    return answered(name, results={})


def is_jpeg(data: bytes) -> tuple[int, int]:
    """Size of a JPEG, failing the test when it is not one."""
    assert data[:2] == b"\xff\xd8"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


@pytest.fixture
def osc_sim() -> OscSimulator:
    """A level 2 camera whose shots finish after two status polls."""
    return OscSimulator(shot_polls=2)


@pytest.fixture
def digest_sim(osc_sim: OscSimulator) -> OscSimulator:
    """The camera in client mode: Digest authentication."""
    osc_sim.auth = ("THETAYL10100001", "10100001")
    return osc_sim


@pytest.fixture
def level1_sim(osc_sim: OscSimulator) -> OscSimulator:
    """A level 1 only camera (THETA S on old firmware)."""
    osc_sim.api_levels = (1,)
    osc_sim.client_version = 1
    return osc_sim


@pytest.fixture
async def osc_server(start_server: StartServer, osc_sim: OscSimulator) -> RunningServer:
    """The simulated camera, served on a free port of 127.0.0.1."""
    return await start_server(osc_sim)


@pytest.fixture
def make_client(
    osc_server: RunningServer, session: aiohttp.ClientSession
) -> Callable[..., OscClient]:
    """Build clients for the simulated camera with fast, test-sized timings."""

    def factory(
        username: str | None = None, password: str | None = None, **changes: float
    ) -> OscClient:
        return OscClient(
            session,
            osc_server.host,
            osc_server.port,
            username,
            password,
            tuning=replace(FAST_TUNING, **({"timeout": 5.0} | changes)),
        )

    return factory


@pytest.fixture
def client(make_client: Callable[..., OscClient]) -> OscClient:
    """A client without credentials."""
    return make_client()


@pytest.fixture(autouse=True)
def fast_osc_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients made by the integration poll fast and do not wait after setOptions.

    The integration builds its clients from the backend's DEFAULT_TUNING
    (with the entry's shot timeout): the test-sized timings replace it.
    """
    monkeypatch.setattr(osc_backend, "DEFAULT_TUNING", FAST_TUNING)


@pytest.fixture
def osc_data(osc_server: RunningServer) -> dict[str, Any]:
    """Entry data pointing at the simulated camera (direct mode, no auth)."""
    return {
        CONF_KIND: KIND_OSC,
        CONF_HOST: osc_server.host,
        CONF_PORT: osc_server.port,
    }


@pytest.fixture
async def osc_entry(
    hass: HomeAssistant, osc_data: dict[str, Any], osc_sim: OscSimulator
) -> MockConfigEntry:
    """A loaded entry for the simulated THETA, titled THETA."""
    return await setup_entry(
        hass, osc_data, title="THETA", unique_id=osc_sim.serial_number
    )


type TimingSetter = Callable[[PreviewTiming], PreviewHub]


@pytest.fixture
def preview_timing(
    osc_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> TimingSetter:
    """Give the entry's live preview other timings for one test: its preview hub."""

    def set_timing(timing: PreviewTiming) -> PreviewHub:
        hub = coordinator_of(osc_entry).preview
        monkeypatch.setattr(hub, "timing", timing)
        return hub

    return set_timing


async def until(condition: Callable[[], bool]) -> None:
    """Wait until ``condition`` holds, 5 s at the most."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met within 5 s")


def coordinator_of(entry: MockConfigEntry) -> OscCoordinator:
    """The entry's coordinator."""
    coordinator = entry.runtime_data
    assert isinstance(coordinator, OscCoordinator)
    return coordinator
