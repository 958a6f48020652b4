"""Fixtures of the voice tests: one entry per backend on its simulator, exposure, callers.

Home Assistant 2026.8 added the ``llm`` integration whose platform offers
Camera Bridge's tools; on older releases (the minimum leg) the tool tests
are not collected and ``test_llm_absent`` checks that nothing is offered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
import importlib.util
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.const import (
    CONF_KIND,
    KIND_LINKVISUAL,
    KIND_OSC,
    KIND_VDG_SENSE,
    KIND_WCS,
)
from simulator.common import RunningServer
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, LinkVisualSimulator
from simulator.vdg_sense import VdgSenseSimulator
from simulator.wcs import WcsSimulator
from tests.conftest import StartServer, setup_entry
from tests.linkvisual.conftest import ENTRY_UNIQUE_ID, camera
from tests.osc import conftest as osc_fixtures

HAS_LLM_PLATFORM = importlib.util.find_spec("homeassistant.components.llm") is not None

# Each leg runs the tests its release can run: the tools where the llm
# platform exists, the check that nothing is offered where it does not.
collect_ignore = (
    ["test_llm_absent.py"]
    if HAS_LLM_PLATFORM
    else ["test_llm_tools.py", "test_llm_access.py"]
)

ASSISTANT = "conversation"

THETA_BUTTON = "button.theta_take_picture"
THETA_CAMERA = "camera.theta_latest_picture"
GARDEN_BUTTON = "button.garden_record_now"
GARDEN_SENSOR = "sensor.garden_last_recording"
VDG_SENSOR = "sensor.vdg_sense_127_0_0_1_active_exports"
FRONT_DOOR = "camera.front_door"
EXPORT_FOLDER = "D:\\Exports\\Voice"


# OSC clients made by the integration poll fast (autouse)
fast_osc_client = osc_fixtures.fast_osc_client


def _served(sim_fixture: str) -> Any:
    """A fixture: the simulator of fixture ``sim_fixture``, served on a free port."""

    @pytest.fixture
    async def server(
        start_server: StartServer, request: pytest.FixtureRequest
    ) -> RunningServer:
        return await start_server(request.getfixturevalue(sim_fixture))

    return server


# The THETA (shots finish after two status polls) and its server, as the
# OSC tests have them
osc_sim = osc_fixtures.osc_sim
osc_server = osc_fixtures.osc_server


@pytest.fixture
def lv_sim() -> LinkVisualSimulator:
    """A LinkVisual account whose records are ready almost at once."""
    return LinkVisualSimulator(record_delay=0.05)


@pytest.fixture
def vdg_sim() -> VdgSenseSimulator:
    """A VDG Sense server whose clock moves only when told."""
    return VdgSenseSimulator(clock=lambda: 0.0)


@pytest.fixture
def wcs_sim() -> WcsSimulator:
    """A Web Call Server publishing the front door."""
    sim = WcsSimulator()
    sim.publish("front-door")
    return sim


lv_server = _served("lv_sim")
vdg_server = _served("vdg_sim")
wcs_server = _served("wcs_sim")


@pytest.fixture
async def assist_setup(hass: HomeAssistant) -> None:
    """What Assist needs: exposure settings and, where it exists, the llm API."""
    assert await async_setup_component(hass, "homeassistant", {})
    if HAS_LLM_PLATFORM:
        assert await async_setup_component(hass, "llm", {})


@pytest.fixture
async def osc_entry(
    hass: HomeAssistant, assist_setup: None, osc_server: RunningServer
) -> MockConfigEntry:
    """The THETA (an OSC camera)."""
    data = {CONF_KIND: KIND_OSC, CONF_HOST: osc_server.host, CONF_PORT: osc_server.port}
    return await setup_entry(hass, data, title="THETA", unique_id="theta")


@pytest.fixture
async def lv_entry(
    hass: HomeAssistant, assist_setup: None, lv_server: RunningServer
) -> MockConfigEntry:
    """A LinkVisual account with the Garden camera."""
    data = {
        CONF_KIND: KIND_LINKVISUAL,
        "access_key_id": DEFAULT_KEY_ID,
        "access_key_secret": DEFAULT_KEY_SECRET,
        "endpoint": lv_server.url,
        "region": "cn-shanghai",
        "iot_instance_id": "",
    }
    return await setup_entry(
        hass,
        data,
        unique_id=ENTRY_UNIQUE_ID,
        title="LinkVisual cn-shanghai",
        subentries_data=[camera()],
    )


@pytest.fixture
async def vdg_entry(
    hass: HomeAssistant, assist_setup: None, vdg_server: RunningServer
) -> MockConfigEntry:
    """A VDG Sense server with an export folder for voice requests."""
    data = {
        CONF_KIND: KIND_VDG_SENSE,
        "host": vdg_server.host,
        "port": vdg_server.port,
        "ssl": False,
        "verify_ssl": True,
    }
    return await setup_entry(
        hass,
        data,
        options={"export_folder": EXPORT_FOLDER},
        title="VDG Sense 127.0.0.1",
        unique_id="vdg",
    )


@pytest.fixture
async def wcs_entry(
    hass: HomeAssistant, assist_setup: None, wcs_server: RunningServer
) -> MockConfigEntry:
    """A Web Call Server with the front-door stream."""
    data = {CONF_KIND: KIND_WCS, "url": wcs_server.url, "verify_ssl": True}
    return await setup_entry(
        hass, data, title="Web Call Server 127.0.0.1", unique_id="wcs"
    )


@pytest.fixture
async def vdg_at_noon(
    hass: HomeAssistant,
    vdg_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    expose: Expose,
) -> MockConfigEntry:
    """The VDG Sense entry, its sensor exposed, at 12:00 in Amsterdam (5 Dec 2026)."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    freezer.move_to(datetime(2026, 12, 5, 11, 0, tzinfo=UTC))  # 12:00 local
    expose(VDG_SENSOR)
    return vdg_entry


@pytest.fixture
def theta_and_garden(
    osc_entry: MockConfigEntry, lv_entry: MockConfigEntry, expose: Expose
) -> None:
    """The THETA and the Garden camera, their buttons exposed."""
    expose(THETA_BUTTON, GARDEN_BUTTON)


type Expose = Callable[..., None]


@pytest.fixture
def expose(hass: HomeAssistant) -> Expose:
    """Expose entities to Assist (``expose(*entity_ids, exposed=True)``)."""

    def _expose(*entity_ids: str, exposed: bool = True) -> None:
        for entity_id in entity_ids:
            assert hass.states.get(entity_id) is not None, entity_id
            async_expose_entity(hass, ASSISTANT, entity_id, exposed)

    return _expose
