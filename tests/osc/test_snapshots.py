"""Snapshots of what users see of an OSC camera entry: entities and device."""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.camera_bridge.backends.osc import SPEC
from custom_components.camera_bridge.const import KIND_OSC
from simulator.osc import OscSimulator
from tests.conftest import only_platforms, setup_entry, snapshot_devices

ENTRY_ID = "01SNAPSHOTOSCENTRY0000000"

pytestmark = [
    pytest.mark.freeze_time("2026-01-15 12:00:00+00:00"),
    pytest.mark.usefixtures("entity_registry_enabled_by_default"),
]


async def _setup(hass: HomeAssistant, data: dict[str, Any], sim: OscSimulator) -> str:
    entry = await setup_entry(
        hass, data, title="THETA", unique_id=sim.serial_number, entry_id=ENTRY_ID
    )
    return entry.entry_id


@pytest.mark.parametrize("platform", SPEC.platforms)
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    osc_data: dict[str, Any],
    osc_sim: OscSimulator,
    platform: Platform,
) -> None:
    """Registry entries and states of the camera's entities."""
    with only_platforms(KIND_OSC, platform):
        entry_id = await _setup(hass, osc_data, osc_sim)
    await snapshot_platform(hass, entity_registry, snapshot, entry_id)


async def test_devices(
    hass: HomeAssistant,
    snapshot: SnapshotAssertion,
    osc_data: dict[str, Any],
    osc_sim: OscSimulator,
) -> None:
    """The camera device."""
    snapshot_devices(hass, snapshot, await _setup(hass, osc_data, osc_sim))
