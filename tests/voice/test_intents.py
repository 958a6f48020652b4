"""The shipped English sentences through Home Assistant's own Assist agent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
import shutil

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr, intent
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from simulator.linkvisual import LinkVisualSimulator
from simulator.osc import OscSimulator
from simulator.vdg_sense import VdgSenseSimulator
from tests.conftest import advance_time

from .conftest import GARDEN_BUTTON, THETA_BUTTON, Expose

SENTENCES = Path(__file__).parents[2] / "custom_sentences" / "en" / "camera_bridge.yaml"


@pytest.fixture
async def agent(hass: HomeAssistant, tmp_path: Path, assist_setup: None) -> None:
    """Assist with the sentences file copied where users put it."""
    folder = tmp_path / "custom_sentences" / "en"
    folder.mkdir(parents=True)
    shutil.copy(SENTENCES, folder)
    hass.config.config_dir = str(tmp_path)
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()


async def say(
    hass: HomeAssistant, text: str, user_id: str | None = None
) -> intent.IntentResponse:
    """Say a sentence to Home Assistant's own agent."""
    result = await conversation.async_converse(
        hass, text, None, Context(user_id=user_id), language="en"
    )
    return result.response


def speech(response: intent.IntentResponse) -> str:
    """What the agent says."""
    return str(response.speech["plain"]["speech"])


async def test_take_picture(
    hass: HomeAssistant,
    agent: None,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    expose: Expose,
) -> None:
    """Take a 360 picture: the shot is taken and its time said."""
    response = await say(hass, "take a 360 picture with the THETA")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert speech(response) == "I can't find a camera called THETA"
    assert osc_sim.count("execute:camera.takePicture") == 0

    expose(THETA_BUTTON)
    response = await say(hass, "take a three sixty picture with the theta")
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert speech(response).startswith("THETA took a picture at ")
    assert osc_sim.count("execute:camera.takePicture") == 1
    response = await say(hass, "when was the last picture of the THETA")
    assert speech(response).startswith("The last picture of THETA was taken at ")

    # by area: the one camera there that takes pictures
    area = ar.async_get(hass).async_create("Living room")
    dev_reg = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(dev_reg, osc_entry.entry_id):
        dev_reg.async_update_device(device.id, area_id=area.id)
    response = await say(hass, "take a photo in the living room")
    assert speech(response).startswith("THETA took a picture at ")
    assert osc_sim.count("execute:camera.takePicture") == 2


async def test_record_and_last_recording(
    hass: HomeAssistant,
    agent: None,
    lv_entry: MockConfigEntry,
    lv_sim: LinkVisualSimulator,
    expose: Expose,
    freezer: FrozenDateTimeFactory,
    hass_read_only_user: MockUser,
) -> None:
    """Record the garden for two minutes; then when its last recording was."""
    expose(GARDEN_BUTTON)
    refused = await say(
        hass, "record the garden for two minutes", hass_read_only_user.id
    )
    assert speech(refused) == "I can't find a camera called garden"
    assert lv_sim.count("TriggerRecord") == 0

    response = await say(hass, "record the garden for two minutes")
    assert speech(response) == "Garden is recording for 2 minutes"
    assert lv_sim.count("TriggerRecord") == 1
    tracker = lv_entry.runtime_data.trackers["garden"]
    assert [p.duration for p in tracker.pending.values()] == [120]
    response = await say(hass, "record the garden for 90 seconds")
    assert speech(response) == "Garden is recording for 90 seconds"

    pending = await say(hass, "when was the last recording of the garden")
    assert speech(pending) == "The recording of Garden is not uploaded yet"
    for _ in range(12):
        await advance_time(hass, freezer, 16)
    response = await say(hass, "when was the last recording of the garden")
    assert speech(response).startswith("The last recording of Garden started at ")


async def test_export_and_status(
    hass: HomeAssistant,
    agent: None,
    vdg_at_noon: MockConfigEntry,
    vdg_sim: VdgSenseSimulator,
) -> None:
    """Export the lobby camera from 10:00 to 10:15; how far is the export."""
    response = await say(hass, "how far is my export")
    assert speech(response) == "No export is running"

    response = await say(hass, "export the lobby camera from 10:00 to 10:15")
    assert speech(response) == "Exporting Lobby from 10:00 to 10:15, export 1"
    (export,) = vdg_sim.exports.values()
    assert export.devices[0].start == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)

    response = await say(hass, "how far is the export of the lobby")
    assert speech(response) == "The export of Lobby is syncing, 0 %."
    response = await say(
        hass, "export the lobby and the entrance from yesterday 22:00 to 23:00"
    )
    assert speech(response) == (
        "Exporting Lobby and Entrance from 2026-12-04 22:00 to 2026-12-04 23:00,"
        " export 2"
    )
    assert [d.end for d in vdg_sim.exports[2].devices] == [
        datetime(2026, 12, 4, 22, 0, tzinfo=UTC)
    ] * 2
    response = await say(hass, "export the lobby from 11:50 to 12:30")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert speech(response) == "The export cannot end in the future (12:30)"
