"""Body-less and interim answers from LinkVisual end (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.camera_bridge.api.linkvisual import LinkVisualClient
from simulator.linkvisual import LinkVisualSimulator
from tests.empty_answers import BODYLESS, INTERIM, assert_ends

from .conftest import GARDEN


@pytest.mark.parametrize("faults", BODYLESS + INTERIM)
async def test_record_and_picture_download(
    client: LinkVisualClient, sim: LinkVisualSimulator, faults: dict[str, Any]
) -> None:
    record_id = await assert_ends(
        sim, lambda: client.trigger_record(GARDEN, 10), faults
    )
    assert record_id
    capture_id = await client.trigger_capture_picture(GARDEN)
    sim.captures[capture_id].ready_at = 0
    url = await client.query_picture_url(GARDEN, capture_id)
    assert url is not None
    picture = await assert_ends(sim, lambda: client.download_picture(url), faults)
    assert picture.startswith(b"\xff\xd8")
