"""Snapshots of what users see of a VDG Sense entry: entities and device."""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.camera_bridge.backends.vdg_sense import SPEC
from custom_components.camera_bridge.const import KIND_VDG_SENSE
from simulator.vdg_sense import VdgSenseSimulator
from tests.conftest import only_platforms, setup_entry, snapshot_devices

ENTRY_ID = "01SNAPSHOTVDGENTRY0000000"

pytestmark = [
    pytest.mark.freeze_time("2026-01-15 12:00:00+00:00"),
    pytest.mark.usefixtures("entity_registry_enabled_by_default"),
]


async def _setup(
    hass: HomeAssistant, data: dict[str, Any], sim: VdgSenseSimulator
) -> str:
    # one export in each state the server reports (the simulator's clock
    # stands still: the fixture's clock is 0, ages are simulated seconds)
    sim.add_export("\\\\nas\\exports\\completed", age=100)
    sim.add_export("\\\\nas\\exports\\pending", age=5)
    sim.add_export("\\\\nas\\exports\\syncing", bandwidth=2048)
    sim.add_export("\\\\nas\\exports\\removed", age=100)
    sim.remove(4)
    entry = await setup_entry(
        hass, data, title="VDG Sense 127.0.0.1", entry_id=ENTRY_ID
    )
    return entry.entry_id


@pytest.mark.parametrize("platform", SPEC.platforms)
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    vdg_data: dict[str, Any],
    sim: VdgSenseSimulator,
    platform: Platform,
) -> None:
    """Registry entries and states of the server's export entities."""
    with only_platforms(KIND_VDG_SENSE, platform):
        entry_id = await _setup(hass, vdg_data, sim)
    await snapshot_platform(hass, entity_registry, snapshot, entry_id)


async def test_devices(
    hass: HomeAssistant,
    snapshot: SnapshotAssertion,
    vdg_data: dict[str, Any],
    sim: VdgSenseSimulator,
) -> None:
    """The server device."""
    snapshot_devices(hass, snapshot, await _setup(hass, vdg_data, sim))
