"""Snapshots of what users see of a LinkVisual account: entities and devices."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.backends.linkvisual import SPEC
from custom_components.camera_bridge.const import KIND_LINKVISUAL
from simulator.linkvisual import LinkVisualSimulator
from tests.snapshots import EntrySetup, snapshot_tests

from .conftest import GARDEN_IOT_ID, PORCH_CAMERA, camera, setup_account

ENTRY_ID = "01SNAPSHOTLINKVISUAL00000"


@pytest.fixture
def snapshot_entry(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> EntrySetup:
    """The account's entry: one device per camera subentry."""

    async def setup() -> MockConfigEntry:
        # the garden camera has one finished recording, the porch camera none;
        # the simulator names files with a random uuid: give it a fixed name
        now = dt_util.utcnow().timestamp()
        recording = sim.add_recording(GARDEN_IOT_ID, now - 900, now - 600)
        recording.file_name = f"{int(now - 900)}_{GARDEN_IOT_ID}_0/snapshot-recording"
        cameras = [camera(), PORCH_CAMERA]
        return await setup_account(hass, lv_data, cameras, entry_id=ENTRY_ID)

    return setup


test_entities, test_devices = snapshot_tests(KIND_LINKVISUAL, SPEC.platforms)
