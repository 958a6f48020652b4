"""The take_picture and set_options actions."""

from __future__ import annotations

from typing import Any

from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.camera_bridge.backends.osc.services import validate_options
from custom_components.camera_bridge.const import DOMAIN
from simulator.osc import OscSimulator
from tests.conftest import StartServer, find_device, setup_entry
from tests.osc.conftest import refusal

# What RICOH's emulator answers for validation errors, word for word
RICOH_NAME = "Any input parameter or option name is unrecognized or supported."
RICOH_VALUE = "Any input parameter or option is recognized, but its value is invalid."


async def _take(hass: HomeAssistant, target: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, "take_picture", target, blocking=True, return_response=True
    )


async def test_take_picture_answers_file_url(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """The action waits for the shot and answers the file URL."""
    response = await _take(hass, {ATTR_ENTITY_ID: "button.theta_take_picture"})
    assert set(response) == {"file_url"}
    assert response["file_url"].endswith(".JPG")
    assert osc_sim.count("execute:camera.takePicture") == 1
    state = hass.states.get("event.theta_shots")
    assert state.attributes["event_type"] == "picture_taken"
    assert state.attributes["file_url"] == response["file_url"]
    # without asking for the response, it still shoots
    await hass.services.async_call(
        DOMAIN,
        "take_picture",
        {ATTR_ENTITY_ID: "camera.theta_latest_picture"},
        blocking=True,
    )
    assert osc_sim.count("execute:camera.takePicture") == 2


async def test_take_picture_on_two_cameras(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_data: dict[str, Any],
    start_server: StartServer,
) -> None:
    """Several targets shoot together; every URL is answered."""
    other_sim = OscSimulator(shot_polls=2, serial_number="20200002")
    other = await start_server(other_sim)
    second = await setup_entry(
        hass, {**osc_data, "port": other.port}, title="THETA 2", unique_id="20200002"
    )
    first_device = find_device(hass, osc_entry.entry_id, "10100001")
    second_device = find_device(hass, second.entry_id, "20200002")
    assert first_device and second_device
    response = await _take(hass, {ATTR_DEVICE_ID: [first_device.id, second_device.id]})
    pictures = response["pictures"]
    assert [p[ATTR_DEVICE_ID] for p in pictures] == [first_device.id, second_device.id]
    assert response["file_url"] == pictures[0]["file_url"]
    assert other_sim.count("execute:camera.takePicture") == 1


async def test_take_picture_errors(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """Camera refusals and shots in progress are clear errors."""
    target = {ATTR_ENTITY_ID: "button.theta_take_picture"}
    osc_sim.busy = True
    with pytest.raises(HomeAssistantError) as err:
        await _take(hass, target)
    assert err.value.translation_key == "camera_busy"
    osc_sim.busy = False
    osc_sim.shot_polls = 15
    await hass.services.async_call("button", "press", target, blocking=True)
    with pytest.raises(HomeAssistantError) as err:
        await _take(hass, target)
    assert err.value.translation_key == "already_taking_picture"
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_take_picture_needs_a_camera(
    hass: HomeAssistant, osc_entry: MockConfigEntry
) -> None:
    """No target, or a target that is no OSC camera, is refused."""
    with pytest.raises(ServiceValidationError) as err:
        await _take(hass, {})
    assert err.value.translation_key == "no_target"
    with pytest.raises(ServiceValidationError) as err:
        await _take(hass, {ATTR_ENTITY_ID: "sensor.nothing_here"})
    assert err.value.translation_key == "invalid_target"


async def test_set_options(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """Options reach the camera with their types."""
    await hass.services.async_call(
        DOMAIN,
        "set_options",
        {
            ATTR_ENTITY_ID: "camera.theta_latest_picture",
            "options": {
                "iso": 200.0,
                "exposureCompensation": -1,
                "whiteBalance": "shade",
            },
        },
        blocking=True,
    )
    assert osc_sim.options["iso"] == 200
    assert osc_sim.options["exposureCompensation"] == -1.0
    assert osc_sim.options["whiteBalance"] == "shade"


@pytest.mark.parametrize(
    ("options", "detailed", "key", "message"),
    [
        (
            {"iso": 123},
            False,
            "invalid_option",
            f"The camera refused option iso: {RICOH_VALUE}",
        ),
        (
            {"warpFactor": 9},
            False,
            "invalid_option",
            f"The camera refused option warpFactor: {RICOH_NAME}",
        ),
        (
            {"iso": 100, "exposureCompensation": 5},
            False,
            "invalid_request",
            f"The camera refused the options or parameters of the command: {RICOH_VALUE}",
        ),
        (
            {"iso": 100, "exposureCompensation": 5},
            True,
            "invalid_option",
            (
                "The camera refused option exposureCompensation: "
                "Parameter options.exposureCompensation is out of range"
            ),
        ),
    ],
)
async def test_set_options_refused_by_camera(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    options: dict[str, Any],
    detailed: bool,
    key: str,
    message: str,
) -> None:
    """The user reads an option name only when it is known, else the camera's words."""
    osc_sim.detailed_errors = detailed
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_options",
            {ATTR_ENTITY_ID: "camera.theta_latest_picture", "options": options},
            blocking=True,
        )
    assert err.value.translation_key == key
    assert str(err.value) == message


async def test_set_options_long_camera_message(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """A 64 KB message of the camera reaches the user cut to a few hundred characters."""
    osc_sim.faults = refusal("camera.setOptions", "invalidParameterValue", "z" * 65536)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_options",
            {ATTR_ENTITY_ID: "camera.theta_latest_picture", "options": {"iso": 100}},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_option"
    assert "zzz…" in str(err.value)
    assert len(str(err.value)) < 400


async def test_set_options_other_errors(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """Other camera errors are HomeAssistantError."""
    osc_sim.recording_since = 1.0
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_options",
            {
                ATTR_ENTITY_ID: "camera.theta_latest_picture",
                "options": {"captureMode": "image"},
            },
            blocking=True,
        )
    assert err.value.translation_key == "camera_busy"


@pytest.mark.parametrize(
    "options",
    [
        {},
        [],
        {"iso": "high"},
        {"iso": True},
        {"iso": 1.5},
        {"exposureCompensation": "-1"},
        {"captureMode": 1},
        {"fileFormat": "jpeg"},
        {"clientVersion": 2},
        {"_unknown": None},
        {"": 1},
    ],
)
async def test_set_options_schema(
    hass: HomeAssistant, osc_entry: MockConfigEntry, options: Any
) -> None:
    """Values of the wrong type never reach the camera."""
    with pytest.raises(vol.Invalid):
        validate_options(options)
    with pytest.raises((vol.Invalid, ServiceValidationError)):
        await hass.services.async_call(
            DOMAIN,
            "set_options",
            {ATTR_ENTITY_ID: "camera.theta_latest_picture", "options": options},
            blocking=True,
        )


def test_validate_options_passes_unknown_json() -> None:
    """Options the integration does not know go to the camera as given."""
    assert validate_options({"_hdr": ["a"], "fileFormat": {"type": "jpeg"}}) == {
        "_hdr": ["a"],
        "fileFormat": {"type": "jpeg"},
    }
