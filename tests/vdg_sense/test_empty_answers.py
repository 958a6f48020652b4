"""Body-less and interim answers from a VDG Sense server end (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.camera_bridge.api.vdg_sense import VdgSenseClient
from simulator.vdg_sense import VdgSenseSimulator
from tests.empty_answers import BODYLESS, INTERIM, assert_ends


@pytest.mark.parametrize("faults", BODYLESS + INTERIM)
async def test_export_list_and_devices(
    client: VdgSenseClient, sim: VdgSenseSimulator, faults: dict[str, Any]
) -> None:
    status = await assert_ends(sim, client.export_status, faults)
    assert status.exports == ()
    devices = await assert_ends(sim, client.device_list, faults)
    assert devices
