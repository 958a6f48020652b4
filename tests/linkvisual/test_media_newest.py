"""The newest recording's media id, for automations: no browsing needed.

The Last recording sensor and the recording_ready event carry a
``media_content_id`` that resolves (to a fresh QueryRecordUrl) right away,
as the README's notification example uses it.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from simulator.linkvisual import LinkVisualSimulator
from tests.conftest import MediaWs, advance_time

from .conftest import camera, setup_account

BUTTON = "button.garden_record_now"
SENSOR = "sensor.garden_last_recording"
EVENT = "event.garden_recording"


async def test_newest_recording_resolves_without_browsing(
    hass: HomeAssistant,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
    freezer: FrozenDateTimeFactory,
    media_ws: MediaWs,
) -> None:
    """Record now → ready event and sensor name a media id that plays at once."""
    sim.record_delay = 20
    entry = await setup_account(hass, lv_data, [camera(duration=30)])
    await hass.services.async_call(
        "button", "press", {"entity_id": BUTTON}, blocking=True
    )
    for _ in range(3):
        await advance_time(hass, freezer, 16)
    event = hass.states.get(EVENT)
    assert event is not None
    assert event.attributes["event_type"] == "recording_ready"
    media_id = event.attributes["media_content_id"]
    assert media_id.startswith(f"media-source://camera_bridge/{entry.entry_id}/rec/")
    sensor = hass.states.get(SENSOR)
    assert sensor is not None
    assert sensor.attributes["media_content_id"] == media_id
    before = sim.count("QueryRecordUrl")
    answer = await media_ws("resolve_media", media_id)
    assert answer["success"], answer
    assert answer["result"]["mime_type"] == "application/vnd.apple.mpegurl"
    assert sim.count("QueryRecordUrl") == before + 1
    # another camera's id, or one no recording has, stays not found
    tampered = media_id[:-4] + ("0000" if not media_id.endswith("0000") else "1111")
    missing = await media_ws("resolve_media", tampered)
    assert not missing["success"]
    assert sim.count("QueryRecordUrl") == before + 1
