"""Set-up, polling, dynamic streams and device removal of the WCS backend."""

from __future__ import annotations

from functools import partial

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest

from custom_components.camera_bridge.backends.wcs.const import STREAM_REMOVE_AFTER
from simulator.common import Faults
from tests.conftest import advance_time, find_device, setup_entry
from tests.flows import outage_logged_once, reauth_at_setup, retried_until_up


async def _poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float = 31
) -> None:
    await advance_time(hass, freezer, seconds)


async def test_setup_creates_devices_and_entities(
    hass: HomeAssistant, wcs_data, wcs_sim
) -> None:
    entry = await setup_entry(hass, wcs_data, title="Web Call Server 127.0.0.1")
    server = find_device(hass, entry.entry_id, entry.entry_id)
    assert server is not None
    assert server.manufacturer == "Flashphoner"
    door = find_device(hass, entry.entry_id, f"{entry.entry_id}:stream:front-door")
    assert door is not None
    assert door.via_device_id == server.id
    assert hass.states.get("camera.front_door") is not None
    assert hass.states.get("camera.garden").attributes["width"] == 640
    assert (
        hass.states.get("sensor.web_call_server_127_0_0_1_published_streams").state
        == "2"
    )
    # one find_all per poll, whatever the number of streams
    assert wcs_sim.count("/rest-api/stream/find_all") == 1


async def test_one_request_per_poll(
    hass: HomeAssistant, wcs_data, wcs_sim, freezer
) -> None:
    for i in range(10):
        wcs_sim.publish(f"cam-{i}")
    await setup_entry(hass, wcs_data)
    before = wcs_sim.count("/rest-api/stream/find_all")
    await _poll(hass, freezer)
    assert wcs_sim.count("/rest-api/stream/find_all") == before + 1
    assert len(hass.states.async_entity_ids("camera")) == 12


async def test_unload(hass: HomeAssistant, wcs_data) -> None:
    entry = await setup_entry(hass, wcs_data)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("camera.garden").state == STATE_UNAVAILABLE


async def test_not_ready_while_server_down_then_recovers(
    hass: HomeAssistant, wcs_data, wcs_sim, freezer
) -> None:
    faults = Faults(status=503, status_body="starting")
    setup = partial(setup_entry, hass, wcs_data)
    await retried_until_up(hass, freezer, wcs_sim, faults, setup)
    assert hass.states.get("camera.garden") is not None


async def test_auth_failure_starts_reauth(
    hass: HomeAssistant, wcs_data, wcs_sim
) -> None:
    wcs_sim.auth = ("admin", "secret")
    await reauth_at_setup(hass, partial(setup_entry, hass, wcs_data))


async def test_unavailable_and_back_logged_once(
    hass: HomeAssistant, wcs_data, wcs_sim, freezer, caplog: pytest.LogCaptureFixture
) -> None:
    await setup_entry(hass, wcs_data)
    poll = partial(_poll, hass, freezer)
    await outage_logged_once(
        hass, wcs_sim, caplog, poll, ["camera.garden"], polls_back=2
    )
    assert hass.states.get("camera.garden").state == "idle"


async def test_streams_come_and_go(
    hass: HomeAssistant, wcs_data, wcs_sim, freezer
) -> None:
    entry = await setup_entry(hass, wcs_data)
    wcs_sim.publish("visitor")
    await _poll(hass, freezer)
    assert hass.states.get("camera.visitor").state == "idle"
    sensor = "sensor.test_published_streams"
    assert hass.states.get(sensor).state == "3"

    wcs_sim.unpublish("visitor")
    await _poll(hass, freezer)
    assert hass.states.get("camera.visitor").state == STATE_UNAVAILABLE
    assert hass.states.get(sensor).state == "2"

    # it comes back: the same entity, available again
    wcs_sim.publish("visitor")
    await _poll(hass, freezer)
    assert hass.states.get("camera.visitor").state == "idle"

    # gone for good: the device goes after STREAM_REMOVE_AFTER
    wcs_sim.unpublish("visitor")
    await _poll(hass, freezer)
    ident = f"{entry.entry_id}:stream:visitor"
    assert find_device(hass, entry.entry_id, ident) is not None
    await _poll(hass, freezer, STREAM_REMOVE_AFTER.total_seconds())
    assert find_device(hass, entry.entry_id, ident) is None
    assert er.async_get(hass).async_get("camera.visitor") is None
    # and a return after removal creates it anew
    wcs_sim.publish("visitor")
    await _poll(hass, freezer)
    assert hass.states.get("camera.visitor").state == "idle"


async def test_stream_gone_across_restart_is_removed_later(
    hass: HomeAssistant, wcs_data, wcs_sim, freezer
) -> None:
    entry = await setup_entry(hass, wcs_data)
    assert await hass.config_entries.async_unload(entry.entry_id)
    wcs_sim.unpublish("garden")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    ident = f"{entry.entry_id}:stream:garden"
    assert find_device(hass, entry.entry_id, ident) is not None
    await _poll(hass, freezer, STREAM_REMOVE_AFTER.total_seconds() + 1)
    assert find_device(hass, entry.entry_id, ident) is None
    # the live stream keeps its device
    assert find_device(hass, entry.entry_id, f"{entry.entry_id}:stream:front-door")


async def test_stream_filter_option(hass: HomeAssistant, wcs_data, wcs_sim) -> None:
    wcs_sim.publish("cam-1")
    wcs_sim.publish("cam-22")
    await setup_entry(hass, wcs_data, options={"stream_filter": "/^cam-\\d$/"})
    assert sorted(hass.states.async_entity_ids("camera")) == ["camera.cam_1"]


async def test_glob_filter_option(hass: HomeAssistant, wcs_data, wcs_sim) -> None:
    wcs_sim.publish("cam-1")
    await setup_entry(hass, wcs_data, options={"stream_filter": "cam-*, garden"})
    assert sorted(hass.states.async_entity_ids("camera")) == [
        "camera.cam_1",
        "camera.garden",
    ]


async def test_remove_device_by_hand(
    hass: HomeAssistant, wcs_data, wcs_sim, freezer, hass_ws_client
) -> None:
    assert await async_setup_component(hass, "config", {})
    entry = await setup_entry(hass, wcs_data)
    garden = find_device(hass, entry.entry_id, f"{entry.entry_id}:stream:garden")
    server = find_device(hass, entry.entry_id, entry.entry_id)
    client = await hass_ws_client(hass)

    async def remove(device_id: str) -> bool:
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": entry.entry_id,
                "device_id": device_id,
            }
        )
        return (await client.receive_json())["success"]

    # a live stream and the server itself cannot be removed
    assert not await remove(garden.id)
    assert not await remove(server.id)
    wcs_sim.unpublish("garden")
    await _poll(hass, freezer)
    assert await remove(garden.id)
    assert dr.async_get(hass).async_get(garden.id) is None
