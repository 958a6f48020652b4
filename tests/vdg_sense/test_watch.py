"""Export sensors stay bounded: running exports, and finished ones for a while (issue 16).

A server lists every export until its plugin manager restarts. A sensor is
kept while an export runs and for the retention option (default 24 hours)
after Home Assistant saw it finish; the events, the ``get_export_status``
action and the active-exports sensor still see every export.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.camera_bridge.backends.vdg_sense.coordinator import (
    VdgCoordinator,
)
from custom_components.camera_bridge.const import DOMAIN
from simulator.vdg_sense import VdgSenseSimulator
from tests.conftest import advance_time, find_device, setup_entry

SERVER = "sensor.vdg_sense_127_0_0_1"


def _export_sensors(hass: HomeAssistant) -> set[str]:
    """Export sensors in the state machine."""
    return {
        entity_id
        for entity_id in hass.states.async_entity_ids("sensor")
        if "_export_" in entity_id
    }


def _registered(hass: HomeAssistant) -> set[str]:
    """Export sensors in the entity registry."""
    return {
        entity.entity_id
        for entity in er.async_get(hass).entities.values()
        if entity.platform == DOMAIN and "_export_" in entity.entity_id
    }


async def _setup(hass: HomeAssistant, data: dict[str, Any], **options: Any) -> Any:
    return await setup_entry(
        hass, data, title="VDG Sense 127.0.0.1", options=options or None
    )


async def _finish(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sim: VdgSenseSimulator
) -> None:
    """Running exports finish and the next poll sees it."""
    sim.advance(200)
    await advance_time(hass, freezer, 11)


async def test_finished_export_keeps_its_sensor_for_the_retention(
    hass: HomeAssistant,
    vdg_data: dict[str, Any],
    sim: VdgSenseSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Seen finishing: kept for the option's hours, then out of the registry."""
    sim.add_export("done before", age=100)
    sim.add_export("runs", age=5)
    await _setup(hass, vdg_data, finished_hours=2)
    sensor = f"{SERVER}_export_2"
    assert _export_sensors(hass) == {sensor}
    await _finish(hass, freezer, sim)
    assert hass.states.get(sensor).state == "100.0"
    await advance_time(hass, freezer, 3600)
    assert _export_sensors(hass) == _registered(hass) == {sensor}
    await advance_time(hass, freezer, 3600)
    assert _export_sensors(hass) == _registered(hass) == set()
    # the action still reports both exports
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    server = find_device(hass, entry.entry_id, entry.entry_id)
    response = await hass.services.async_call(
        DOMAIN,
        "get_export_status",
        {"device_id": server.id},
        blocking=True,
        return_response=True,
    )
    assert [export["export_id"] for export in response["exports"]] == ["1", "2"]


async def test_retention_zero_retires_at_once(
    hass: HomeAssistant,
    vdg_data: dict[str, Any],
    sim: VdgSenseSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    sim.add_export("runs", age=5)
    await _setup(hass, vdg_data, finished_hours=0)
    assert _registered(hass) == {f"{SERVER}_export_1"}
    await _finish(hass, freezer, sim)
    assert _export_sensors(hass) == _registered(hass) == set()


async def test_restarted_home_assistant_forgets_finished_exports(
    hass: HomeAssistant,
    vdg_data: dict[str, Any],
    sim: VdgSenseSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After a restart, exports finished before it have no sensor."""
    sim.add_export("runs", age=5)
    entry = await _setup(hass, vdg_data)
    await _finish(hass, freezer, sim)
    assert _registered(hass) == {f"{SERVER}_export_1"}
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _export_sensors(hass) == _registered(hass) == set()


async def test_many_listed_exports_few_sensors(
    hass: HomeAssistant,
    vdg_data: dict[str, Any],
    sim: VdgSenseSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """2,000 listed, 20 running: 20 sensors, and no more once they finished."""
    sim.seed_exports(2000, active_share=0.01)
    entry = await _setup(hass, vdg_data)
    coordinator: VdgCoordinator = entry.runtime_data
    running = {
        export_id
        for export_id, export in coordinator.exports.items()
        if export.status.active
    }
    assert len(running) == 20
    assert hass.states.get(f"{SERVER}_active_exports").state == "20"
    assert _export_sensors(hass) == {f"{SERVER}_export_{i}" for i in running}
    assert len(coordinator.watch) == 20
    sim.advance(100_000)  # every one finishes
    await advance_time(hass, freezer, 11)
    assert hass.states.get(f"{SERVER}_active_exports").state == "0"
    assert _export_sensors(hass) == {f"{SERVER}_export_{i}" for i in running}
    await advance_time(hass, freezer, timedelta(hours=24).total_seconds())
    assert _export_sensors(hass) == _registered(hass) == set()
    assert len(coordinator.exports) > 1900
