"""Snapshots of what users see of a LinkVisual account: entities and devices."""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.camera_bridge.backends.linkvisual import SPEC
from custom_components.camera_bridge.const import KIND_LINKVISUAL
from simulator.linkvisual import LinkVisualSimulator
from tests.conftest import only_platforms, snapshot_devices

from .conftest import GARDEN_IOT_ID, PORCH_CAMERA, camera, setup_account

ENTRY_ID = "01SNAPSHOTLINKVISUAL00000"

pytestmark = [
    pytest.mark.freeze_time("2026-01-15 12:00:00+00:00"),
    pytest.mark.usefixtures("entity_registry_enabled_by_default"),
]


async def _setup(
    hass: HomeAssistant, data: dict[str, Any], sim: LinkVisualSimulator
) -> str:
    # the garden camera has one finished recording, the porch camera none;
    # the simulator names files with a random uuid: give it a fixed name
    now = dt_util.utcnow().timestamp()
    recording = sim.add_recording(GARDEN_IOT_ID, now - 900, now - 600)
    recording.file_name = f"{int(now - 900)}_{GARDEN_IOT_ID}_0/snapshot-recording"
    entry = await setup_account(hass, data, [camera(), PORCH_CAMERA], entry_id=ENTRY_ID)
    return entry.entry_id


@pytest.mark.parametrize("platform", SPEC.platforms)
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
    platform: Platform,
) -> None:
    """Registry entries and states of each camera's entities."""
    with only_platforms(KIND_LINKVISUAL, platform):
        entry_id = await _setup(hass, lv_data, sim)
    await snapshot_platform(hass, entity_registry, snapshot, entry_id)


async def test_devices(
    hass: HomeAssistant,
    snapshot: SnapshotAssertion,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
) -> None:
    """One device per camera subentry."""
    snapshot_devices(hass, snapshot, await _setup(hass, lv_data, sim))
