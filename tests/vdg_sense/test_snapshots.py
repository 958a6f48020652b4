"""Snapshots of what users see of a VDG Sense entry: entities and device."""

from __future__ import annotations

from functools import partial
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.camera_bridge.backends.vdg_sense import SPEC
from custom_components.camera_bridge.const import KIND_VDG_SENSE
from simulator.vdg_sense import VdgSenseSimulator
from tests.conftest import setup_entry
from tests.snapshots import EntrySetup, snapshot_tests

ENTRY_ID = "01SNAPSHOTVDGENTRY0000000"


@pytest.fixture
def snapshot_entry(
    hass: HomeAssistant, vdg_data: dict[str, Any], sim: VdgSenseSimulator
) -> EntrySetup:
    """The server's entry: one server device, its export entities."""
    # one export in each state the server reports (the simulator's clock
    # stands still: the fixture's clock is 0, ages are simulated seconds)
    sim.add_export("\\\\nas\\exports\\completed", age=100)
    sim.add_export("\\\\nas\\exports\\pending", age=5)
    sim.add_export("\\\\nas\\exports\\syncing", bandwidth=2048)
    sim.add_export("\\\\nas\\exports\\removed", age=100)
    sim.remove(4)
    title = "VDG Sense 127.0.0.1"
    return partial(setup_entry, hass, vdg_data, title=title, entry_id=ENTRY_ID)


test_entities, test_devices = snapshot_tests(KIND_VDG_SENSE, SPEC.platforms)
