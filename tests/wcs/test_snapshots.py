"""Snapshots of what users see of a Web Call Server entry: entities and devices."""

from __future__ import annotations

from functools import partial
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.camera_bridge.backends.wcs import SPEC
from custom_components.camera_bridge.const import KIND_WCS
from tests.conftest import setup_entry
from tests.snapshots import EntrySetup, snapshot_tests

ENTRY_ID = "01SNAPSHOTWCSENTRY0000000"


@pytest.fixture
def snapshot_entry(hass: HomeAssistant, wcs_data: dict[str, Any]) -> EntrySetup:
    """The server's entry: the server device and one device per stream."""
    title = "Web Call Server 127.0.0.1"
    return partial(setup_entry, hass, wcs_data, title=title, entry_id=ENTRY_ID)


test_entities, test_devices = snapshot_tests(KIND_WCS, SPEC.platforms)
