"""Buttons, events, the latest-picture camera and sensors of an OSC camera."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

from homeassistant.components.camera import async_get_image
from homeassistant.const import ATTR_ENTITY_ID, EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.api.osc import OscState, OscStorage
from custom_components.camera_bridge.backends.osc.coordinator import (
    OscCoordinator,
    OscData,
)
from custom_components.camera_bridge.backends.osc.entities import capture_state
from simulator.common import Faults
from simulator.osc import OscSimulator
from tests.conftest import setup_entry

from .conftest import coordinator_of

TAKE = "button.theta_take_picture"
EVENTS = "event.theta_shots"
CAMERA = "camera.theta_latest_picture"
STATUS = "sensor.theta_capture_status"


async def _press(hass: HomeAssistant, entity_id: str = TAKE) -> None:
    await hass.services.async_call(
        "button", "press", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


def _record(hass: HomeAssistant, entity_id: str) -> list[dict[str, Any]]:
    """Attributes of every new state of ``entity_id``."""
    seen: list[dict[str, Any]] = []

    @callback
    def listener(event: Event[Any]) -> None:
        if event.data["entity_id"] == entity_id and event.data["new_state"]:
            new = event.data["new_state"]
            seen.append({"state": new.state, **new.attributes})

    hass.bus.async_listen(EVENT_STATE_CHANGED, listener)
    return seen


async def _start_slow_shot(
    hass: HomeAssistant, osc_sim: OscSimulator, entry: MockConfigEntry
) -> tuple[list[dict[str, Any]], OscCoordinator]:
    """Press take picture on a camera whose shot lasts 15 polls.

    Answers the shot events recorded from before the press, and the coordinator.
    """
    osc_sim.shot_polls = 15
    events = _record(hass, EVENTS)
    coordinator = coordinator_of(entry)
    await _press(hass)
    return events, coordinator


async def test_take_picture_button(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """A press shoots; picture_taken carries the URL; the camera shows it."""
    osc_sim.shot_polls = 4
    events = _record(hass, EVENTS)
    statuses = _record(hass, STATUS)
    await _press(hass)
    # the press returns once the camera accepted the shot
    assert coordinator_of(osc_entry).shooting
    assert osc_sim.count("execute:camera.takePicture") == 1
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [e["event_type"] for e in events] == ["picture_taken"]
    url = events[0]["file_url"]
    assert url.endswith(".JPG")
    assert events[0]["source"] == "home_assistant"
    # progress was reported while the camera worked
    progress = [s["progress"] for s in statuses if "progress" in s]
    assert progress[0] == 0
    assert max(progress) > 0
    assert {s["state"] for s in statuses if "progress" in s} == {"shooting"}
    # the refresh after the shot brought the new picture to the camera entity
    assert hass.states.get(CAMERA).attributes["file_url"] == url
    assert hass.states.get(STATUS).state == "idle"
    image = await async_get_image(hass, CAMERA)
    assert image.content_type == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"


async def test_second_press_refused(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """Pressing during a shot: 'already taking a picture', no second command."""
    osc_sim.shot_polls = 15
    await _press(hass)
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass)
    assert err.value.translation_key == "already_taking_picture"
    assert "already taking a picture" in str(err.value)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert osc_sim.count("execute:camera.takePicture") == 1


async def test_cancelled_shot_fires_capture_failed(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A shot cancelled on the camera fires capture_failed and logs why."""
    events = _record(hass, EVENTS)
    osc_sim.cancel_next_shot = True
    await _press(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [e["event_type"] for e in events] == ["capture_failed"]
    assert events[0]["reason"] == "cancelled"
    assert "canceledShooting" in events[0]["message"]
    assert "taking a picture failed" in caplog.text
    # the next shot works
    await _press(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert events[-1]["event_type"] == "picture_taken"


async def test_refused_shot_raises_and_fires(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """A camera in video mode refuses at once: the press says so, and an event fires."""
    events = _record(hass, EVENTS)
    osc_sim.options["captureMode"] = "video"
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass)
    assert err.value.translation_key == "camera_busy"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(e["event_type"], e["reason"]) for e in events] == [
        ("capture_failed", "busy")
    ]


async def test_lost_shot_is_still_announced(
    hass: HomeAssistant, osc_data: dict[str, Any], osc_sim: OscSimulator
) -> None:
    """A shot Home Assistant gave up on is announced when it shows up later."""
    osc_sim.shot_polls = None
    osc_sim.shot_seconds = 0.4
    entry = await setup_entry(
        hass, osc_data, options={"shot_timeout": 0.1}, title="THETA"
    )
    events = _record(hass, EVENTS)
    await _press(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(e["event_type"], e["reason"]) for e in events] == [
        ("capture_failed", "timeout")
    ]
    await asyncio.sleep(0.4)
    await coordinator_of(entry).async_refresh()
    assert events[-1]["event_type"] == "picture_taken"
    assert events[-1]["source"] == "home_assistant"
    assert events[-1]["file_url"].endswith(".JPG")


async def test_picture_taken_on_the_camera(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """A picture shot with the camera's own button shows up and is announced."""
    events = _record(hass, EVENTS)
    coordinator = coordinator_of(osc_entry)
    file = osc_sim.shoot_on_camera()
    await coordinator.async_refresh()
    assert [(e["event_type"], e["source"]) for e in events] == [
        ("picture_taken", "camera")
    ]
    assert events[0]["file_url"].endswith(file.name)
    assert hass.states.get(CAMERA).attributes["file_name"] == file.name
    # announced once, however often it is seen
    osc_sim.set_battery(0.5)
    await coordinator.async_refresh()
    assert len(events) == 1


async def test_own_picture_not_announced_twice(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """Polls during and after our own shot do not announce it again."""
    events, coordinator = await _start_slow_shot(hass, osc_sim, osc_entry)
    await coordinator.async_refresh()  # while shooting
    await hass.async_block_till_done(wait_background_tasks=True)
    await coordinator.async_refresh()
    assert [e["event_type"] for e in events] == ["picture_taken"]


async def test_latest_picture_downloaded_once(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """The camera entity downloads each new file once and scales on request."""
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, CAMERA)  # no picture yet
    osc_sim.shoot_on_camera()
    await coordinator_of(osc_entry).async_refresh()
    files = osc_sim.requests.copy()
    images = await asyncio.gather(*(async_get_image(hass, CAMERA) for _ in range(4)))
    assert len({i.content for i in images}) == 1
    downloads = [k for k in osc_sim.requests if k.startswith("/files/")]
    assert sum(osc_sim.requests[k] - files[k] for k in downloads) == 1
    small = await async_get_image(hass, CAMERA, width=128, height=64)
    again = await async_get_image(hass, CAMERA, width=128, height=64)
    assert small.content == again.content
    with Image.open(io.BytesIO(small.content)) as picture:
        assert picture.size == (128, 64)
    assert sum(osc_sim.requests[k] - files[k] for k in downloads) == 1
    # other sizes are cached too, a few at a time
    for width in (224, 192, 160, 96, 64):
        await async_get_image(hass, CAMERA, width=width, height=width // 2)
    # a new picture is downloaded again
    osc_sim.shoot_on_camera()
    await coordinator_of(osc_entry).async_refresh()
    newer = await async_get_image(hass, CAMERA)
    assert newer.content != images[0].content


async def test_latest_picture_download_error(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """A download that fails is a translated error."""
    osc_sim.shoot_on_camera()
    await coordinator_of(osc_entry).async_refresh()
    osc_sim.files.clear()
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, CAMERA)


async def test_level1_camera(
    hass: HomeAssistant, osc_data: dict[str, Any], osc_sim: OscSimulator
) -> None:
    """A THETA S on API level 1: pictures through sessions and getImage."""
    osc_sim.api_levels = (1,)
    osc_sim.client_version = 1
    entry = await setup_entry(hass, osc_data, title="THETA")
    events = _record(hass, EVENTS)
    await _press(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert events[0]["file_url"].startswith("100RICOH/")
    assert hass.states.get(CAMERA).attributes["file_url"] == events[0]["file_url"]
    image = await async_get_image(hass, CAMERA)
    assert image.content[:2] == b"\xff\xd8"
    assert osc_sim.count("execute:camera.getImage") == 1
    assert coordinator_of(entry).client.api_level == 1


async def test_recording_buttons(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """Start and stop recording; the status follows."""
    await _press(hass, "button.theta_start_recording")
    assert osc_sim.recording
    assert hass.states.get(STATUS).state == "shooting"
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, "button.theta_start_recording")
    assert err.value.translation_key == "camera_busy"
    await _press(hass, "button.theta_stop_recording")
    assert not osc_sim.recording
    assert osc_sim.options["captureMode"] == "image"
    assert hass.states.get(STATUS).state == "idle"


async def test_sensors(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """Battery, capture status and storage sensors."""
    battery = hass.states.get("sensor.theta_battery")
    assert battery.state == "87"
    assert battery.attributes["device_class"] == "battery"
    assert battery.attributes["unit_of_measurement"] == "%"
    status = hass.states.get(STATUS)
    assert status.state == "idle"
    assert status.attributes["raw_status"] == "idle"
    assert "idle" in status.attributes["options"]
    remaining = hass.states.get("sensor.theta_remaining_pictures")
    assert int(remaining.state) > 0
    # remaining space: disabled by default
    space = er.async_get(hass).async_get("sensor.theta_remaining_space")
    assert (
        space is not None and space.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    )
    osc_sim.battery_level = 0.3
    osc_sim.capture_status = "bracket-shooting"
    osc_sim.touch()
    await coordinator_of(osc_entry).async_refresh()
    assert hass.states.get("sensor.theta_battery").state == "30"
    assert hass.states.get(STATUS).state == "bracket_shooting"


async def test_remaining_space_enabled(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """Enabled, the remaining space is shown in gigabytes."""
    registry = er.async_get(hass)
    registry.async_update_entity("sensor.theta_remaining_space", disabled_by=None)
    await hass.config_entries.async_reload(osc_entry.entry_id)
    await hass.async_block_till_done()
    space = hass.states.get("sensor.theta_remaining_space")
    assert space is not None
    assert space.attributes["unit_of_measurement"] == "GB"
    assert float(space.state) > 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("idle", "idle"),
        ("timeShift-shooting", "time_shift_shooting"),
        ("self-timer-countdown", "self_timer_countdown"),
        ("something_new", "other"),
        (None, None),
    ],
)
def test_capture_state(raw: str | None, expected: str | None) -> None:
    """Camera capture statuses map to translation keys."""
    assert capture_state(raw) == expected


async def test_event_entity_unsubscribes(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After unloading, shot events go nowhere (and nothing breaks)."""
    coordinator = coordinator_of(osc_entry)
    assert await hass.config_entries.async_unload(osc_entry.entry_id)
    await hass.async_block_till_done()
    assert coordinator._event_listeners == []
    caplog.set_level(logging.WARNING)
    assert "Error" not in caplog.text


async def test_download_faults_do_not_break_polls(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """A failing download leaves the entry loaded."""
    osc_sim.shoot_on_camera()
    await coordinator_of(osc_entry).async_refresh()
    osc_sim.faults = Faults(drop=True, paths=("/files/",))
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, CAMERA)
    osc_sim.faults.reset()
    assert (await async_get_image(hass, CAMERA)).content[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    ("break_it", "reason"),
    [
        (
            lambda sim: setattr(
                sim, "faults", Faults(drop=True, paths=("/osc/commands/status",))
            ),
            "cannot_connect",
        ),
        (lambda sim: setattr(sim, "fail_next_shot", "corruptedFile"), "corruptedFile"),
    ],
)
async def test_capture_failed_reasons(
    hass: HomeAssistant,
    osc_entry: MockConfigEntry,
    osc_sim: OscSimulator,
    break_it: Any,
    reason: str,
) -> None:
    """capture_failed says why, in a word automations can test."""
    events = _record(hass, EVENTS)
    break_it(osc_sim)
    await _press(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(e["event_type"], e["reason"]) for e in events] == [
        ("capture_failed", reason)
    ]


async def test_camera_shot_during_ours(
    hass: HomeAssistant, osc_entry: MockConfigEntry, osc_sim: OscSimulator
) -> None:
    """A new file seen while our shot runs waits for our shot to announce."""
    events, coordinator = await _start_slow_shot(hass, osc_sim, osc_entry)
    osc_sim.files.clear()
    osc_sim.capture_status = "idle"
    osc_sim.shoot_on_camera()
    osc_sim.capture_status = "shooting"
    await coordinator.async_refresh()
    assert events == []
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(e["event_type"], e["source"]) for e in events] == [
        ("picture_taken", "home_assistant")
    ]


def test_remaining_from_state() -> None:
    """Cameras reporting storage in their state win over the options."""
    data = OscData(
        state=OscState.from_dict(
            {"fingerprint": "f", "state": {"remainingPictures": 5, "remainingSpace": 9}}
        ),
        latest_url=None,
        storage=OscStorage(remaining_pictures=1, remaining_space=2, total_space=3),
    )
    assert data.remaining_pictures == 5
    assert data.remaining_space == 9
