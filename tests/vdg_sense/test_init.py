"""Set-up, polling, export sensors and events of the VDG Sense backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import EntityPlatform, async_get_platforms
import pytest

from custom_components.camera_bridge.backends.vdg_sense.coordinator import (
    VdgCoordinator,
)
from custom_components.camera_bridge.backends.vdg_sense.entities import VdgExportSensor
from custom_components.camera_bridge.const import DOMAIN
from simulator.common import Faults
from simulator.vdg_sense import SimExportDevice, VdgSenseSimulator
from tests.conftest import advance_time, find_device, setup_entry
from tests.flows import outage_logged_once, reauth_at_setup, retried_until_up
from tests.vdg_sense.conftest import EXPORTS_EVENT, export_events

SERVER = "sensor.vdg_sense_127_0_0_1"
START = datetime(2024, 1, 19, 10, tzinfo=UTC)
END = START + timedelta(minutes=5)


async def _setup(hass: HomeAssistant, data: dict[str, Any], **kwargs: Any):
    return await setup_entry(hass, data, title="VDG Sense 127.0.0.1", **kwargs)


async def _poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float = 61
) -> None:
    await advance_time(hass, freezer, seconds)


def _sensor_platform(hass: HomeAssistant, entry: Any) -> EntityPlatform:
    """The sensor platform of the entry, to add entities to it."""
    return next(
        platform
        for platform in async_get_platforms(hass, DOMAIN)
        if platform.domain == "sensor" and platform.config_entry is entry
    )


async def _seen_finishing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sim: VdgSenseSimulator
) -> None:
    """Let every running export finish and Home Assistant see it finish."""
    sim.advance(200)
    await _poll(hass, freezer, 11)


def _export_sensors(hass: HomeAssistant) -> list[str]:
    return sorted(
        entity_id
        for entity_id in hass.states.async_entity_ids("sensor")
        if "_export_" in entity_id
    )


async def test_setup(hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator) -> None:
    """Server device, count sensor, a sensor per running export, event entity.

    An export already completed when Home Assistant starts gets no sensor.
    """
    sim.add_export("\\\\nas\\a", age=100)  # completed
    sim.add_export("\\\\nas\\b", age=5)  # pending
    sim.add_export("\\\\nas\\c")  # syncing
    sim.add_export("\\\\nas\\d")
    sim.remove(4)
    entry = await _setup(hass, vdg_data)
    server = find_device(hass, entry.entry_id, entry.entry_id)
    assert server is not None
    assert (server.manufacturer, server.model) == ("TKH Security", "VDG Sense")
    assert server.sw_version == sim.version
    assert hass.states.get(f"{SERVER}_active_exports").state == "2"
    assert _export_sensors(hass) == [f"{SERVER}_export_2", f"{SERVER}_export_3"]
    waiting = hass.states.get(f"{SERVER}_export_2")
    assert waiting.state == "15.0"
    assert waiting.attributes["unit_of_measurement"] == "%"
    assert waiting.attributes["state_class"] == "measurement"
    assert waiting.attributes["status"] == "pending"
    assert waiting.attributes["path"] == "\\\\nas\\b"
    assert waiting.attributes["export_id"] == "2"
    assert waiting.attributes["bandwidth"] is None
    (device,) = waiting.attributes["devices"]
    assert device["name"] == "Entrance"
    assert device["device_id"] == sim.devices[0].device_id
    assert device["start"] == "2024-01-19T10:00:00+00:00"
    assert device["progress"] == 15.0
    assert device["status"] == "pending"
    assert hass.states.get(f"{SERVER}_export_3").attributes["status"] == "syncing"
    assert hass.states.get(EXPORTS_EVENT).state == STATE_UNKNOWN
    # info, device list and one export list
    assert sim.commands == {"getdevicelist": 1, "getexportvideostatus": 1}
    coordinator: VdgCoordinator = entry.runtime_data
    assert coordinator.update_interval == timedelta(seconds=10)


async def test_legacy_server(hass: HomeAssistant, vdg_data, sim) -> None:
    """A server without /info works, without a version."""
    sim.legacy = True
    entry = await _setup(hass, vdg_data)
    assert find_device(hass, entry.entry_id, entry.entry_id).sw_version is None


async def test_device_list_failure_is_not_fatal(
    hass: HomeAssistant, vdg_data, sim
) -> None:
    """Without a device list the exports still work; names are unknown."""
    sim.fail(-1, "no", command="getDeviceList")
    sim.add_export("p", age=5)
    entry = await _setup(hass, vdg_data)
    assert (
        hass.states.get(f"{SERVER}_export_1").attributes["devices"][0]["name"] is None
    )
    assert entry.runtime_data.device_list_error == "-1: no"


async def test_one_request_per_poll_and_intervals(
    hass: HomeAssistant, vdg_data, sim, freezer
) -> None:
    """One export list per poll; 10 s while exports run, 60 s when idle."""
    sim.seed_exports(200, active_share=0.0)
    entry = await _setup(hass, vdg_data)
    coordinator: VdgCoordinator = entry.runtime_data
    assert coordinator.update_interval == timedelta(seconds=60)
    # all 192 listed (8 more are REMOVED) were completed before: no sensor
    assert _export_sensors(hass) == []
    await _poll(hass, freezer, 30)
    assert sim.commands["getexportvideostatus"] == 1
    await _poll(hass, freezer, 31)
    assert sim.commands["getexportvideostatus"] == 2
    sim.add_export("new")
    await _poll(hass, freezer)
    assert coordinator.update_interval == timedelta(seconds=10)
    await _poll(hass, freezer, 11)
    assert sim.commands["getexportvideostatus"] == 4
    assert _export_sensors(hass) == [f"{SERVER}_export_201"]


async def test_options_change_intervals(hass: HomeAssistant, vdg_data, sim) -> None:
    """The options set both intervals."""
    entry = await _setup(
        hass, vdg_data, options={"scan_interval": 300, "active_interval": 5}
    )
    assert entry.runtime_data.update_interval == timedelta(seconds=300)
    assert entry.runtime_data.active_interval == timedelta(seconds=5)


async def test_progress_and_completion(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, freezer
) -> None:
    """Progress rises; completion fires export_completed once."""
    camera = sim.devices[1]
    sim.add_export(
        "D:\\exports\\x",
        [
            SimExportDevice(camera.server_id, camera.device_id, START, END, 1.0),
            SimExportDevice(
                sim.devices[2].server_id, sim.devices[2].device_id, START, END, 2.0
            ),
        ],
        bandwidth=1024,
    )
    await _setup(hass, vdg_data)
    fired = export_events(hass)
    sensor = f"{SERVER}_export_1"
    assert hass.states.get(sensor).state == "0.0"
    sim.advance(12)  # 10 s exporting: 50 % and 25 %
    await _poll(hass, freezer, 11)
    state = hass.states.get(sensor)
    assert state.state == "37.5"
    assert state.attributes["status"] == "pending"
    assert [d["progress"] for d in state.attributes["devices"]] == [50.0, 25.0]
    assert state.attributes["bandwidth"] == 1024
    assert hass.states.get(f"{SERVER}_active_exports").state == "1"
    sim.advance(100)
    await _poll(hass, freezer, 11)
    assert hass.states.get(sensor).state == "100.0"
    assert hass.states.get(f"{SERVER}_active_exports").state == "0"
    (event,) = fired
    assert event["event_type"] == "export_completed"
    assert event["event_types"] == [
        "export_completed",
        "export_failed",
        "export_removed",
    ]
    assert {k: event[k] for k in ("export_id", "path", "status", "progress")} == {
        "export_id": "1",
        "path": "D:\\exports\\x",
        "status": "completed",
        "progress": 100.0,
    }
    assert "reason" not in event
    await _poll(hass, freezer, 61)
    assert len(fired) == 1


async def test_unchanged_exports_write_no_state(
    hass: HomeAssistant, vdg_data, sim, freezer
) -> None:
    """A poll only writes the sensors of exports that changed."""
    sim.add_export("done", age=5)
    await _setup(hass, vdg_data)
    await _seen_finishing(hass, freezer, sim)
    sim.add_export("running", age=5)
    await _poll(hass, freezer, 61)
    done = hass.states.get(f"{SERVER}_export_1").last_reported
    running = hass.states.get(f"{SERVER}_export_2").last_reported
    count = hass.states.get(f"{SERVER}_active_exports").last_reported
    sim.advance(5)
    await _poll(hass, freezer, 11)
    assert hass.states.get(f"{SERVER}_export_1").last_reported == done
    assert hass.states.get(f"{SERVER}_export_2").last_reported > running
    # the other entities are written on every poll
    assert hass.states.get(f"{SERVER}_active_exports").last_reported > count


async def test_removed_export(hass: HomeAssistant, vdg_data, sim, freezer) -> None:
    """REMOVED: the sensor goes and export_removed fires."""
    sim.add_export("a", age=5)
    entry = await _setup(hass, vdg_data)
    await _seen_finishing(hass, freezer, sim)
    sim.add_export("b", age=5)
    await _poll(hass, freezer, 61)
    fired = export_events(hass)
    ent_reg = er.async_get(hass)
    assert ent_reg.async_get(f"{SERVER}_export_1") is not None
    sim.remove(1)
    sim.remove(2)
    await _poll(hass, freezer, 11)
    assert _export_sensors(hass) == []
    assert ent_reg.async_get(f"{SERVER}_export_1") is None
    assert [
        (e["event_type"], e["export_id"], e["reason"], e["status"]) for e in fired
    ] == [
        ("export_removed", "1", "removed", "completed"),
        ("export_removed", "2", "removed", "pending"),
    ]
    assert entry.state is ConfigEntryState.LOADED


async def test_vanished_exports(hass: HomeAssistant, vdg_data, sim, freezer) -> None:
    """Leaving the list: failed while running, removed once completed."""
    sim.add_export("done", age=5)
    sim.add_export("stays", age=5)
    await _setup(hass, vdg_data)
    await _seen_finishing(hass, freezer, sim)
    sim.add_export("running", age=5)
    await _poll(hass, freezer, 61)
    fired = export_events(hass)
    sim.forget(1)
    sim.forget(3)
    await _poll(hass, freezer, 11)
    assert _export_sensors(hass) == [f"{SERVER}_export_2"]
    assert [(e["event_type"], e["export_id"], e["reason"]) for e in fired] == [
        ("export_removed", "1", "vanished"),
        ("export_failed", "3", "vanished"),
    ]
    assert fired[1]["progress"] == 15.0


async def test_restart_reuses_ids(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, freezer
) -> None:
    """An id naming another export after a restart is a new export."""
    sim.add_export("first", age=5)
    entry = await _setup(hass, vdg_data)
    fired = export_events(hass)
    ent_reg = er.async_get(hass)
    old_unique = ent_reg.async_get(f"{SERVER}_export_1").unique_id
    sim.restart()
    sim.add_export("second")
    await _poll(hass, freezer, 11)
    assert [
        (e["event_type"], e["export_id"], e["path"], e["reason"]) for e in fired
    ] == [("export_failed", "1", "first", "replaced")]
    entity = ent_reg.async_get(f"{SERVER}_export_1")
    assert entity is not None
    assert entity.unique_id != old_unique
    assert entity.unique_id.startswith(f"{entry.entry_id}_export_1_")
    state = hass.states.get(f"{SERVER}_export_1")
    assert state.attributes["path"] == "second"
    assert state.state == "0.0"
    assert _export_sensors(hass) == [f"{SERVER}_export_1"]


async def test_exports_left_while_stopped_are_cleaned(
    hass: HomeAssistant, vdg_data, sim
) -> None:
    """Sensors of exports that left while Home Assistant was stopped go."""
    sim.add_export("a", age=5)
    sim.add_export("b", age=5)
    entry = await _setup(hass, vdg_data)
    assert await hass.config_entries.async_unload(entry.entry_id)
    sim.forget(1)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    ent_reg = er.async_get(hass)
    assert ent_reg.async_get(f"{SERVER}_export_1") is None
    assert ent_reg.async_get(f"{SERVER}_export_2") is not None


async def test_export_gone_before_its_sensor_is_added(
    hass: HomeAssistant, vdg_data, sim, freezer
) -> None:
    """An export that leaves before its sensor is in place leaves no sensor."""
    entry = await _setup(hass, vdg_data)
    coordinator: VdgCoordinator = entry.runtime_data
    sim.add_export("flash", age=100)
    await coordinator.async_refresh()  # the sensor is scheduled, not added
    sim.forget(1)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert _export_sensors(hass) == []
    assert er.async_get(hass).async_get(f"{SERVER}_export_1") is None


async def test_sensor_of_an_export_already_gone_removes_itself(
    hass: HomeAssistant, vdg_data, sim
) -> None:
    """A sensor added after its export left takes itself out of the registry."""
    sim.add_export("a", age=5)
    entry = await _setup(hass, vdg_data)
    coordinator: VdgCoordinator = entry.runtime_data
    export = coordinator.exports["1"]
    ghost = replace(export, export_id="9", path="elsewhere")
    replaced = replace(export, path="other")
    sensors = _sensor_platform(hass, entry)
    await sensors.async_add_entities([VdgExportSensor(coordinator, ghost)])
    await hass.async_block_till_done()
    assert _export_sensors(hass) == [f"{SERVER}_export_1"]
    # a sensor whose id now names another export goes as well
    stale = VdgExportSensor(coordinator, replaced)
    await sensors.async_add_entities([stale])
    await hass.async_block_till_done()
    assert (
        er.async_get(hass).async_get_entity_id("sensor", DOMAIN, stale.unique_id)
        is None
    )
    assert _export_sensors(hass) == [f"{SERVER}_export_1"]


async def test_unload(hass: HomeAssistant, vdg_data, sim) -> None:
    """Unloading makes the entities unavailable."""
    sim.add_export("a", age=5)
    entry = await _setup(hass, vdg_data)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(f"{SERVER}_export_1").state == STATE_UNAVAILABLE


async def test_not_ready_while_server_down_then_recovers(
    hass: HomeAssistant, vdg_data, sim, freezer
) -> None:
    """Down at start: retried until the server answers."""
    faults = Faults(status=503, status_body="starting")
    await retried_until_up(hass, freezer, sim, faults, partial(_setup, hass, vdg_data))


async def test_not_ready_when_export_list_fails(
    hass: HomeAssistant, vdg_data, sim, freezer
) -> None:
    """A failing export list at start is retried too."""
    sim.fail(-53, "lost", command="getExportVideoStatus")
    entry = await _setup(hass, vdg_data, expect=ConfigEntryState.SETUP_RETRY)
    await _poll(hass, freezer, 90)
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize("path", ["/info", "/command"])
async def test_auth_failure_starts_reauth(
    hass: HomeAssistant, vdg_data, sim, path: str
) -> None:
    """Refused credentials (on /info or on commands) start a reauth flow."""
    if path == "/info":
        sim.faults = Faults(status=401, paths=("/info",))
    else:
        sim.auth = ("admin", "secret")
    await reauth_at_setup(hass, partial(_setup, hass, vdg_data))


async def test_unavailable_and_back_logged_once(
    hass: HomeAssistant, vdg_data, sim, freezer, caplog: pytest.LogCaptureFixture
) -> None:
    """Every entity goes unavailable with the server and comes back with it."""
    sim.add_export("a", age=5)
    await _setup(hass, vdg_data)
    entities = [f"{SERVER}_export_1", f"{SERVER}_active_exports"]
    poll = partial(_poll, hass, freezer)
    await outage_logged_once(hass, sim, caplog, poll, entities)
    assert hass.states.get(f"{SERVER}_export_1").state == "15.0"


async def test_answer_without_export_list_is_a_failed_poll(
    hass: HomeAssistant, vdg_data, sim, freezer
) -> None:
    """No <exports> at all: sensors go unavailable, none leaves (issue 10)."""
    sim.add_export("a", age=5)
    await _setup(hass, vdg_data)
    fired = export_events(hass)
    sim.faults = Faults(
        status=200,
        status_body='<result errorcode="0"><description>Ok</description></result>',
        paths=("/command",),
    )
    await _poll(hass, freezer)
    assert hass.states.get(f"{SERVER}_export_1").state == STATE_UNAVAILABLE
    assert hass.states.get(f"{SERVER}_active_exports").state == STATE_UNAVAILABLE
    sim.faults.reset()
    await _poll(hass, freezer)
    assert _export_sensors(hass) == [f"{SERVER}_export_1"]
    assert hass.states.get(f"{SERVER}_export_1").state == "15.0"
    # the event entity came back, no export event fired
    assert [f["event_type"] for f in fired] == [None]


async def test_new_exports_appear(hass: HomeAssistant, vdg_data, sim, freezer) -> None:
    """Exports started elsewhere get a sensor at the next poll, no event.

    One listed already completed (it ran between two polls) gets none.
    """
    await _setup(hass, vdg_data)
    fired = export_events(hass)
    assert _export_sensors(hass) == []
    sim.add_export("elsewhere")
    sim.add_export("quick", age=100)
    await _poll(hass, freezer)
    assert _export_sensors(hass) == [f"{SERVER}_export_1"]
    assert fired == []
    assert DOMAIN in hass.config.components


async def test_raw_ampersand_does_not_blind_the_server(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, freezer
) -> None:
    """A server echoing ``ha & co`` raw: every export keeps updating (issue 8)."""
    sim.raw_values = True
    sim.add_export("D:\\exports\\first", age=5)
    await _setup(hass, vdg_data)
    sim.add_export("D:\\exports\\ha & co")
    await _poll(hass, freezer, 11)
    assert _export_sensors(hass) == [f"{SERVER}_export_1", f"{SERVER}_export_2"]
    assert hass.states.get(f"{SERVER}_export_1").state == "15.0"
    new = hass.states.get(f"{SERVER}_export_2")
    assert new.attributes["path"] == "D:\\exports\\ha & co"
    assert new.attributes["status"] == "syncing"
    sim.advance(10)
    await _poll(hass, freezer, 11)
    assert hass.states.get(f"{SERVER}_export_1").state == "65.0"
    assert hass.states.get(f"{SERVER}_export_2").state == "40.0"
    assert hass.states.get(f"{SERVER}_active_exports").state == "2"


async def test_unreadable_export_is_skipped(
    hass: HomeAssistant,
    vdg_data,
    sim: VdgSenseSimulator,
    freezer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One export the server writes only in part: that sensor only is unavailable."""
    sim.raw_values = True
    for path in ("a", "b & c", "d"):
        sim.add_export(path, age=5)
    entry = await _setup(hass, vdg_data)
    fired = export_events(hass)
    caplog.set_level(logging.INFO)
    sim.truncated.add(2)
    for step in range(3):
        sim.advance(2)
        await _poll(hass, freezer, 11)
        assert hass.states.get(f"{SERVER}_export_2").state == STATE_UNAVAILABLE
        for other in (1, 3):
            assert hass.states.get(f"{SERVER}_export_{other}").state == str(
                float(15 + 10 * (step + 1))
            )
    assert fired == []
    assert _export_sensors(hass) == [
        f"{SERVER}_export_1",
        f"{SERVER}_export_2",
        f"{SERVER}_export_3",
    ]
    assert caplog.text.count("is not readable XML") == 1
    assert "Export 2 listed by camera_bridge VDG Sense 127.0.0.1" in caplog.text
    assert "no element found" in caplog.text
    coordinator: VdgCoordinator = entry.runtime_data
    (skipped,) = coordinator.diagnostics()["unreadable_exports"]
    assert skipped["id"] == "2"
    assert skipped["excerpt"] == "<export><exportid>2</exportid><path>b & c"
    assert skipped["error"].startswith("malformed XML: no element found")
    sim.truncated.clear()
    await _poll(hass, freezer, 11)
    assert hass.states.get(f"{SERVER}_export_2").state == "45.0"
    assert caplog.text.count("is readable again") == 1
    assert coordinator.diagnostics()["unreadable_exports"] == []


async def test_unreadable_export_never_seen_gets_no_sensor(
    hass: HomeAssistant, vdg_data, sim: VdgSenseSimulator, freezer
) -> None:
    """An export unreadable from the start has no sensor until it can be read."""
    sim.add_export("a", age=5)
    sim.add_export("b", age=5)
    sim.truncated.add(2)
    entry = await _setup(hass, vdg_data)
    assert _export_sensors(hass) == [f"{SERVER}_export_1"]
    assert entry.runtime_data.unreadable_exports == frozenset({"2"})
    sim.truncated.clear()
    await _poll(hass, freezer)
    assert _export_sensors(hass) == [f"{SERVER}_export_1", f"{SERVER}_export_2"]
