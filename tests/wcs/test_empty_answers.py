"""Body-less and interim answers from a Web Call Server end (issue 17)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from custom_components.camera_bridge.api.wcs import WcsClient
from simulator.common import RunningServer
from simulator.wcs import WcsSimulator
from tests.empty_answers import BODYLESS, INTERIM, assert_ends


@pytest.mark.parametrize("faults", BODYLESS + INTERIM)
async def test_stream_list_and_snapshot(
    session: aiohttp.ClientSession,
    wcs_sim: WcsSimulator,
    wcs_server: RunningServer,
    faults: dict[str, Any],
) -> None:
    client = WcsClient(session, wcs_server.url, timeout=2, snapshot_timeout=2)
    streams = await assert_ends(wcs_sim, client.find_all, faults)
    assert {stream.name for stream in streams} == {"front-door", "garden"}
    picture = await assert_ends(wcs_sim, lambda: client.snapshot("garden"), faults)
    assert picture.startswith(b"\x89PNG")
