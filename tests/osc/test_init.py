"""Set-up, polling and availability of an OSC camera entry."""

from __future__ import annotations

from functools import partial
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.const import DOMAIN
from simulator.common import Faults
from simulator.osc import OscSimulator
from tests.conftest import advance_time, find_device, setup_entry
from tests.flows import assert_reauth_started, reauth_at_setup, retried_until_up

from .conftest import coordinator_of, refusal

BATTERY = "sensor.theta_battery"


async def _poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float = 11
) -> None:
    await advance_time(hass, freezer, seconds)


@pytest.fixture
async def generic_entry(
    hass: HomeAssistant, osc_data: dict[str, Any], osc_sim: OscSimulator
) -> MockConfigEntry:
    """A loaded entry of a camera whose state tells no _latestFileUrl."""
    osc_sim.theta_state = False
    return await setup_entry(hass, osc_data, title="THETA")


def _commands(sim: OscSimulator) -> int:
    return sum(n for key, n in sim.requests.items() if key.startswith("execute:"))


async def test_setup_device_and_entities(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """The camera is a device with its entities."""
    device = find_device(hass, osc_entry.entry_id, "10100001")
    assert device is not None
    assert device.manufacturer == "RICOH"
    assert device.model == "RICOH THETA Z1"
    assert device.sw_version == "3.20.1"
    assert device.serial_number == "10100001"
    ent_reg = er.async_get(hass)
    entities = {
        e.entity_id
        for e in er.async_entries_for_config_entry(ent_reg, osc_entry.entry_id)
    }
    assert entities == {
        "button.theta_take_picture",
        "button.theta_start_recording",
        "button.theta_stop_recording",
        "camera.theta_latest_picture",
        "camera.theta_live_preview",
        "event.theta_shots",
        BATTERY,
        "sensor.theta_capture_status",
        "sensor.theta_remaining_pictures",
        "sensor.theta_remaining_space",
    }
    unique = ent_reg.async_get("button.theta_take_picture")
    assert unique is not None and unique.unique_id == "10100001_take_picture"
    assert hass.states.get(BATTERY).state == "87"


async def test_one_state_request_per_poll(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every 10 s one /osc/state; nothing else while the fingerprint stays."""
    states = osc_sim.count("/osc/state")
    commands = _commands(osc_sim)
    before = hass.states.get(BATTERY)
    await _poll(hass, freezer)
    await _poll(hass, freezer)
    assert osc_sim.count("/osc/state") == states + 2
    assert _commands(osc_sim) == commands
    # unchanged fingerprint: entities are not even rewritten
    assert hass.states.get(BATTERY).last_reported == before.last_reported
    osc_sim.set_battery(0.5)
    await _poll(hass, freezer)
    assert hass.states.get(BATTERY).state == "50"
    assert osc_sim.count("/osc/state") == states + 3
    # a THETA reports the latest file in its state: only the storage is re-read
    assert _commands(osc_sim) == commands + 1


async def test_scan_interval_option(
    hass: HomeAssistant,
    osc_data: dict[str, Any],
    osc_sim: OscSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The poll interval comes from the options."""
    await setup_entry(hass, osc_data, options={"scan_interval": 60}, title="THETA")
    states = osc_sim.count("/osc/state")
    await _poll(hass, freezer, 11)
    assert osc_sim.count("/osc/state") == states
    await _poll(hass, freezer, 50)
    assert osc_sim.count("/osc/state") == states + 1


async def test_generic_camera_lists_files_on_change(
    hass: HomeAssistant,
    osc_data: dict[str, Any],
    osc_sim: OscSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without _latestFileUrl the newest picture comes from listFiles, on change only."""
    osc_sim.theta_state = False
    osc_sim.shoot_on_camera()
    await setup_entry(hass, osc_data, title="THETA")
    camera = hass.states.get("camera.theta_latest_picture")
    assert camera.attributes["file_url"].endswith("R0000010.JPG")
    # no capture status reported: no such sensor
    assert hass.states.get("sensor.theta_capture_status") is None
    listings = osc_sim.count("execute:camera.listFiles")
    await _poll(hass, freezer)
    assert osc_sim.count("execute:camera.listFiles") == listings
    osc_sim.shoot_on_camera()
    await _poll(hass, freezer)
    assert osc_sim.count("execute:camera.listFiles") == listings + 1
    camera = hass.states.get("camera.theta_latest_picture")
    assert camera.attributes["file_url"].endswith("R0000011.JPG")


async def test_generic_camera_listing_fails_then_retried(
    hass: HomeAssistant,
    generic_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A listing that fails is owed and asked again on the next poll."""
    osc_sim.shoot_on_camera()
    osc_sim.faults = Faults(status=503, paths=("/osc/commands/execute",), remaining=2)
    await _poll(hass, freezer)
    assert coordinator_of(generic_entry).data.latest_url is None
    await _poll(hass, freezer)
    assert coordinator_of(generic_entry).data.latest_url is not None
    assert coordinator_of(generic_entry).data.storage is not None


async def test_camera_without_listing(
    hass: HomeAssistant,
    generic_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A camera that knows no listFiles is not asked again."""
    osc_sim.faults = refusal("camera.listFiles", "unknownCommand")
    osc_sim.set_battery(0.3)
    await _poll(hass, freezer)
    osc_sim.set_battery(0.2)
    await _poll(hass, freezer)
    assert osc_sim.count("execute:camera.listFiles") == 1
    assert generic_entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize("code", ["invalidParameterName", "unknownCommand"])
async def test_camera_without_video_or_storage(
    hass: HomeAssistant,
    osc_data: dict[str, Any],
    osc_sim: OscSimulator,
    code: str,
) -> None:
    """No recording buttons without video; no storage sensors without the options."""
    osc_sim.faults = refusal("camera.getOptions", code, "unsupported")
    entry = await setup_entry(hass, osc_data, title="THETA")
    assert hass.states.get("button.theta_take_picture") is not None
    assert hass.states.get("button.theta_start_recording") is None
    assert hass.states.get("sensor.theta_remaining_pictures") is None
    assert not coordinator_of(entry).supports_video


async def test_unload(hass: HomeAssistant, osc_entry: MockConfigEntry) -> None:
    """Unloading makes the entities unavailable."""
    assert await hass.config_entries.async_unload(osc_entry.entry_id)
    await hass.async_block_till_done()
    assert osc_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(BATTERY).state == STATE_UNAVAILABLE


async def test_not_ready_while_camera_down_then_recovers(
    hass: HomeAssistant,
    osc_data: dict[str, Any],
    osc_sim: OscSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A camera that is off (asleep) retries set-up until it answers."""
    setup = partial(setup_entry, hass, osc_data)
    await retried_until_up(hass, freezer, osc_sim, Faults(drop=True), setup)


async def test_auth_failure_starts_reauth(
    hass: HomeAssistant, osc_data: dict[str, Any], osc_sim: OscSimulator
) -> None:
    """401 at set-up starts a reauth flow."""
    osc_sim.auth = ("THETAYL10100001", "10100001")
    await reauth_at_setup(hass, partial(setup_entry, hass, osc_data))


async def test_auth_failure_while_running(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A password set on the camera later also starts a reauth flow."""
    osc_sim.auth = ("THETAYL10100001", "10100001")
    await _poll(hass, freezer)
    assert_reauth_started(hass, osc_entry)


async def test_unavailable_and_back_logged_once(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A camera going to sleep makes entities unavailable, logged once."""
    osc_sim.faults = Faults(drop=True)
    caplog.set_level(logging.INFO)
    for _ in range(3):
        await _poll(hass, freezer)
        assert hass.states.get(BATTERY).state == STATE_UNAVAILABLE
    assert caplog.text.count(f"Error fetching {DOMAIN}") == 1
    osc_sim.faults.reset()
    await _poll(hass, freezer)
    assert hass.states.get(BATTERY).state == "87"
    assert caplog.text.count("data recovered") == 1


async def test_storage_owed_while_busy(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Storage is not read behind a running command; it is read on a later poll."""
    coordinator = coordinator_of(osc_entry)
    async with coordinator.client._lock:
        osc_sim.shoot_on_camera()
        reads = osc_sim.count("execute:camera.getOptions")
        await _poll(hass, freezer)
        assert osc_sim.count("execute:camera.getOptions") == reads
    await _poll(hass, freezer)
    assert osc_sim.count("execute:camera.getOptions") == reads + 1
    # a failed read (503, not counted by command name) is owed too
    osc_sim.faults = Faults(status=503, paths=("/osc/commands/execute",), remaining=1)
    osc_sim.shoot_on_camera()
    executes = osc_sim.count("/osc/commands/execute")
    await _poll(hass, freezer)
    assert osc_sim.count("/osc/commands/execute") == executes + 1
    await _poll(hass, freezer)
    assert osc_sim.count("execute:camera.getOptions") == reads + 2


async def test_generic_camera_listing_waits_for_commands(
    hass: HomeAssistant,
    generic_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The listing is not queued behind a running command: it is owed."""
    coordinator = coordinator_of(generic_entry)
    listings = osc_sim.count("execute:camera.listFiles")
    async with coordinator.client._lock:
        osc_sim.shoot_on_camera()
        await _poll(hass, freezer)
        assert osc_sim.count("execute:camera.listFiles") == listings
    await _poll(hass, freezer)
    assert osc_sim.count("execute:camera.listFiles") == listings + 1
    assert coordinator.data.latest_url is not None
