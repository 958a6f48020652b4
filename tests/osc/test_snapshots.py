"""Snapshots of what users see of an OSC camera entry: entities and device."""

from __future__ import annotations

from functools import partial
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.camera_bridge.backends.osc import SPEC
from custom_components.camera_bridge.const import KIND_OSC
from simulator.osc import OscSimulator
from tests.conftest import setup_entry
from tests.snapshots import EntrySetup, snapshot_tests

ENTRY_ID = "01SNAPSHOTOSCENTRY0000000"


@pytest.fixture
def snapshot_entry(
    hass: HomeAssistant, osc_data: dict[str, Any], osc_sim: OscSimulator
) -> EntrySetup:
    """The camera's entry: one camera device."""
    unique_id = osc_sim.serial_number
    return partial(
        setup_entry,
        hass,
        osc_data,
        title="THETA",
        unique_id=unique_id,
        entry_id=ENTRY_ID,
    )


test_entities, test_devices = snapshot_tests(KIND_OSC, SPEC.platforms)
