"""Body-less and interim answers from an OSC camera end (issue 17).

For the client's commands and file downloads, and for the media view that
relays a camera's files to players.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.camera_bridge.api.osc import OscClient
from custom_components.camera_bridge.const import DOMAIN
from simulator.common import Faults
from simulator.osc import OscSimulator
from tests.conftest import MediaWs
from tests.empty_answers import BODYLESS, INTERIM, assert_ends
from tests.loop_lag import loop_lag


@pytest.mark.parametrize("faults", BODYLESS + INTERIM)
async def test_state_picture_and_file(
    client: OscClient, osc_sim: OscSimulator, faults: dict[str, Any]
) -> None:
    state = await assert_ends(osc_sim, client.state, faults)
    assert state.fingerprint
    file_url = await assert_ends(osc_sim, client.take_picture, faults)
    content = osc_sim.latest.content
    assert (
        await assert_ends(osc_sim, lambda: client.download(file_url), faults) == content
    )

    async def read_file() -> bytes:
        async with await client.open_file(file_url) as response:
            return b"".join([chunk async for chunk in response.chunks()])

    assert await assert_ends(osc_sim, read_file, faults) == content


@pytest.mark.parametrize("faults", BODYLESS)
async def test_media_view(
    hass: HomeAssistant,
    media_ws: MediaWs,
    hass_client: ClientSessionGenerator,
    osc_sim: OscSimulator,
    osc_entry: MockConfigEntry,
    faults: dict[str, Any],
) -> None:
    """A camera answering a file with no body: the player gets 502, at once."""
    osc_sim.set_archive(2)
    answer = await media_ws(
        "browse_media", f"media-source://{DOMAIN}/{osc_entry.entry_id}"
    )
    item = answer["result"]["children"][0]["media_content_id"]
    url = (await media_ws("resolve_media", item))["result"]["url"]
    player = await hass_client()
    osc_sim.faults = Faults(paths=("/files/",), **faults)
    async with loop_lag(limit=0.1):
        for _ in range(3):
            assert (await player.get(url)).status == 502
        osc_sim.faults.reset()
        response = await player.get(url)
    assert response.status == 200
    assert await response.read() == osc_sim.archive.file(0).content
