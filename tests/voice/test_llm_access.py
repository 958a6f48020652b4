"""Who may use which camera through the LLM tools, and every refusal as a sentence."""

from __future__ import annotations

from dataclasses import replace
import logging
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import area_registry as ar, device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.camera_bridge.backends import BACKENDS
from custom_components.camera_bridge.const import DOMAIN, KIND_OSC
from simulator.common import Faults, RunningServer
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, LinkVisualSimulator
from simulator.osc import OscSimulator
from simulator.vdg_sense import VdgSenseSimulator

from .conftest import (
    GARDEN_BUTTON,
    GARDEN_SENSOR,
    THETA_BUTTON,
    THETA_CAMERA,
    VDG_SENSOR,
    Expose,
)
from .test_llm_tools import call


def error_of(result: object) -> str:
    """The sentence of a refused call (and that it was refused)."""
    assert getattr(result, "error", False) is True, result
    data = getattr(result, "data", {})
    assert set(data) == {"error"}
    return str(data["error"])


async def test_unexposed_camera_is_not_found(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    lv_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    expose: Expose,
) -> None:
    """A camera that is not exposed is answered like one that does not exist."""
    expose(GARDEN_BUTTON)
    hidden = error_of(await call(hass, "latest_media", {"name": "THETA"}))
    absent = error_of(await call(hass, "latest_media", {"name": "Attic"}))
    assert hidden == "I can't find a camera called THETA"
    assert absent == hidden.replace("THETA", "Attic")
    # the take picture tool is not even offered: no camera that shoots is exposed
    with pytest.raises(HomeAssistantError, match="not found"):
        await call(hass, "take_picture", {"name": "THETA"})
    assert osc_sim.count("execute:camera.takePicture") == 0


async def test_no_name_means_the_one_able_camera(
    hass: HomeAssistant,
    lv_entry: MockConfigEntry,
    vdg_entry: MockConfigEntry,
    expose: Expose,
) -> None:
    """Unnamed, the one exposed camera that can is meant."""
    expose(GARDEN_BUTTON, VDG_SENSOR)
    result = await call(hass, "latest_media", {})
    assert error_of(result) == "Garden has no picture or recording yet"


async def test_user_permissions(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    lv_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    expose: Expose,
    hass_read_only_user: MockUser,
    hass_admin_user: MockUser,
) -> None:
    """A read-only user reads but does not shoot; a user without access finds nothing."""
    expose(THETA_BUTTON, THETA_CAMERA, GARDEN_BUTTON, GARDEN_SENSOR)
    read_only = hass_read_only_user.id
    # found (it just has nothing yet)
    assert error_of(
        await call(hass, "latest_media", {"name": "Garden"}, read_only)
    ) == ("Garden has no picture or recording yet")
    refused = error_of(await call(hass, "take_picture", {"name": "THETA"}, read_only))
    assert refused == "I can't find a camera called THETA"
    assert osc_sim.count("execute:camera.takePicture") == 0

    garden_only = MockUser(name="Garden only").add_to_hass(hass)
    garden_only.mock_policy({"entities": {"entity_ids": {GARDEN_SENSOR: True}}})
    assert error_of(
        await call(hass, "latest_media", {"name": "Garden"}, garden_only.id)
    ) == ("Garden has no picture or recording yet")
    assert error_of(
        await call(hass, "latest_media", {"name": "THETA"}, garden_only.id)
    ) == ("I can't find a camera called THETA")
    assert error_of(
        await call(hass, "latest_media", {"name": "THETA"}, "no-such-user")
    ) == ("I can't find a camera called THETA")

    taken = await call(hass, "take_picture", {"name": "THETA"}, hass_admin_user.id)
    assert not taken.error, taken
    assert osc_sim.count("execute:camera.takePicture") == 1


async def test_camera_errors_are_sentences(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    lv_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    lv_sim: LinkVisualSimulator,
    lv_server: RunningServer,
    expose: Expose,
) -> None:
    """Busy, out of range, not supported, unreachable: short, translated, no secret."""
    expose(THETA_BUTTON, GARDEN_BUTTON)
    osc_sim.busy = True
    busy = error_of(await call(hass, "take_picture", {"name": "THETA"}))
    assert busy.startswith("The camera refused the command: it is busy")
    osc_sim.busy = False

    out_of_range = error_of(
        await call(hass, "record", {"name": "Garden", "duration": 5})
    )
    assert out_of_range == "A recording lasts from 10 to 7200 seconds"
    unclear = error_of(
        await call(hass, "record", {"name": "Garden", "duration": "a while"})
    )
    assert unclear == 'I did not understand the duration "a while"'
    incomplete = error_of(await call(hass, "record", {"name": "Garden"}))
    assert incomplete.startswith("The request is incomplete:")
    assert error_of(await call(hass, "record", {"name": "THETA", "duration": 60})) == (
        "THETA cannot record on demand"
    )

    lv_sim.faults = Faults(status=503)
    unreachable = error_of(
        await call(hass, "record", {"name": "Garden", "duration": 60})
    )
    assert unreachable.startswith("LinkVisual answered with error 503")
    lv_sim.faults = Faults()
    await lv_server.stop()  # nothing listens any more
    gone = error_of(await call(hass, "record", {"name": "Garden", "duration": 60}))
    assert gone.startswith("Could not reach the backend")
    for said in (unreachable, gone):
        for secret in (DEFAULT_KEY_SECRET, DEFAULT_KEY_ID, "Signature"):
            assert secret not in said
        assert "Traceback" not in said


async def test_area_and_ambiguity(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    lv_entry: MockConfigEntry,
    theta_and_garden: None,
) -> None:
    """An area names its cameras; two that could answer are named back."""
    area = ar.async_get(hass).async_create("Back yard")
    dev_reg = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(dev_reg, osc_entry.entry_id):
        dev_reg.async_update_device(device.id, area_id=area.id)
    for device in dr.async_entries_for_config_entry(dev_reg, lv_entry.entry_id):
        dev_reg.async_update_device(device.id, area_id=area.id)
    both = error_of(await call(hass, "latest_media", {"area": "back yard"}))
    assert both == "Several cameras match back yard: Garden, THETA. Which one?"
    # only one of them takes pictures
    assert not (await call(hass, "take_picture", {"area": "Back yard"})).error


async def test_export_refusals(
    hass: HomeAssistant,
    vdg_at_noon: MockConfigEntry,
    vdg_sim: VdgSenseSimulator,
) -> None:
    """End in the future, end before start, unclear time, unknown camera."""

    async def export(start: str, end: str, cameras: list[str] | None = None) -> str:
        args = {"cameras": cameras or ["Lobby"], "start": start, "end": end}
        return error_of(await call(hass, "export_video", args))

    assert (
        await export("11:50", "12:10") == "The export cannot end in the future (12:10)"
    )
    assert await export("2026-12-05 10:15", "2026-12-05 10:00") == (
        "The export must start before it ends"
    )
    assert await export("half past ten", "11:00") == (
        'I did not understand the time "half past ten"'
    )
    assert await export("10:00", "11:00", ["Kitchen"]) == (
        "I can't find a camera called Kitchen"
    )
    assert error_of(await call(hass, "export_status", {"camera": "Kitchen"})) == (
        "I can't find a camera called Kitchen"
    )
    assert vdg_sim.commands["exportvideo"] == 0


async def test_export_needs_a_folder(
    hass: HomeAssistant,
    vdg_entry: MockConfigEntry,
    vdg_sim: VdgSenseSimulator,
    expose: Expose,
) -> None:
    """Without the export folder option the export is refused, saying where to set it."""
    hass.config_entries.async_update_entry(vdg_entry, options={})
    await hass.async_block_till_done()
    expose(VDG_SENSOR)
    args = {"cameras": ["Lobby"], "start": "1 hour ago", "end": "30 minutes ago"}
    refused = error_of(await call(hass, "export_video", args))
    assert refused == (
        "Set the export folder for voice requests in the options of"
        " VDG Sense 127.0.0.1 first"
    )
    assert vdg_sim.commands["exportvideo"] == 0


async def test_a_bug_is_logged_not_spoken(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    expose: Expose,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected exception is logged with its traceback; the agent hears little."""
    expose(THETA_BUTTON)
    spec = BACKENDS[KIND_OSC]
    assert spec.voice is not None

    async def broken(*_: object) -> None:
        raise RuntimeError("secret detail")

    voice = replace(spec.voice, latest=broken)
    with (
        patch.dict(BACKENDS, {KIND_OSC: replace(spec, voice=voice)}),
        caplog.at_level(logging.ERROR),
    ):
        said = error_of(await call(hass, "latest_media", {"name": "THETA"}))
    assert said == "Unexpected error: RuntimeError"
    assert "secret detail" in caplog.text
    assert "Voice request failed" in caplog.text


async def test_not_loaded_entry_offers_nothing(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    theta_and_garden: None,
) -> None:
    """An unloaded entry's cameras are not found."""
    await hass.config_entries.async_unload(osc_entry.entry_id)
    assert error_of(await call(hass, "latest_media", {"name": "THETA"})) == (
        "I can't find a camera called THETA"
    )
    assert osc_entry in hass.config_entries.async_entries(DOMAIN)
