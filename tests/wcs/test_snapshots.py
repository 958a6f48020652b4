"""Snapshots of what users see of a Web Call Server entry: entities and devices."""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.camera_bridge.backends.wcs import SPEC
from custom_components.camera_bridge.const import KIND_WCS
from tests.conftest import only_platforms, setup_entry, snapshot_devices

ENTRY_ID = "01SNAPSHOTWCSENTRY0000000"

pytestmark = [
    pytest.mark.freeze_time("2026-01-15 12:00:00+00:00"),
    pytest.mark.usefixtures("entity_registry_enabled_by_default"),
]


async def _setup(hass: HomeAssistant, data: dict[str, Any]) -> str:
    entry = await setup_entry(
        hass, data, title="Web Call Server 127.0.0.1", entry_id=ENTRY_ID
    )
    return entry.entry_id


@pytest.mark.parametrize("platform", SPEC.platforms)
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    wcs_data: dict[str, Any],
    platform: Platform,
) -> None:
    """Registry entries and states of the server's and the streams' entities."""
    with only_platforms(KIND_WCS, platform):
        entry_id = await _setup(hass, wcs_data)
    await snapshot_platform(hass, entity_registry, snapshot, entry_id)


async def test_devices(
    hass: HomeAssistant, snapshot: SnapshotAssertion, wcs_data: dict[str, Any]
) -> None:
    """The server device and one device per stream."""
    snapshot_devices(hass, snapshot, await _setup(hass, wcs_data))
