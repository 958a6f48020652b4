"""Set-up, polling, recording follow-up and entities of the LinkVisual backend."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest

from custom_components.camera_bridge.backends.linkvisual.coordinator import (
    LinkVisualCoordinator,
)
from simulator.common import Faults
from simulator.linkvisual import LinkVisualSimulator
from tests.conftest import advance_time, find_device
from tests.flows import outage_logged_once, reauth_at_setup, retried_until_up

from .conftest import GARDEN_IOT_ID, PORCH_CAMERA, Account, camera, setup_account

BUTTON = "button.garden_record_now"
SENSOR = "sensor.garden_last_recording"
EVENT = "event.garden_recording"
CAMERA = "camera.garden_live"


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    await advance_time(hass, freezer, seconds)


async def _press(hass: HomeAssistant, entity_id: str = BUTTON) -> None:
    await hass.services.async_call(
        "button", "press", {"entity_id": entity_id}, blocking=True
    )


def _event(hass: HomeAssistant, entity_id: str = EVENT) -> dict[str, Any]:
    state = hass.states.get(entity_id)
    assert state is not None
    return dict(state.attributes)


async def _started(hass: HomeAssistant, account: Account, delay: float) -> str:
    """Record now, files ready ``delay`` s later: the started record's id."""
    await account.record(delay)
    record_id: str = _event(hass)["record_id"]
    return record_id


def _found_once(sim: LinkVisualSimulator, **data: Any) -> None:
    """The next call finds the record's file as ``data`` (no VodUrl)."""
    sim.faults = Faults(
        status=200, status_body={"Success": True, "Data": data}, remaining=1
    )


async def test_setup_creates_camera_devices(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """Each camera subentry is a device with a camera, a button, a sensor and an event entity."""
    entry = await setup_account(hass, lv_data, [camera(), PORCH_CAMERA])
    device = find_device(hass, entry.entry_id, f"{entry.entry_id}:garden")
    assert device is not None
    assert device.name == "Garden"
    assert device.manufacturer == "Alibaba Cloud"
    ent_reg = er.async_get(hass)
    entities = er.async_entries_for_device(ent_reg, device.id)
    assert {e.entity_id for e in entities} == {CAMERA, BUTTON, SENSOR, EVENT}
    assert {e.config_subentry_id for e in entities} == {"garden"}
    assert ent_reg.async_get(BUTTON).unique_id == f"{entry.entry_id}_garden_record_now"
    assert hass.states.get("button.porch_record_now") is not None
    # no recordings yet: unknown, not unavailable
    assert hass.states.get(SENSOR).state == STATE_UNKNOWN
    assert hass.states.get(EVENT).state == STATE_UNKNOWN
    # one QueryRecord per camera at start-up, nothing else
    assert sim.count("QueryRecord") == 2
    assert [c["Action"] for c in sim.calls] == ["QueryRecord", "QueryRecord"]


async def test_latest_recording_found_idle(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
) -> None:
    """Idle, the camera's newest file is found with one QueryRecord per scan interval."""
    now = dt_util.utcnow().timestamp()
    sim.add_recording(GARDEN_IOT_ID, now - 3000, now - 2700)
    await account.setup()
    state = hass.states.get(SENSOR)
    assert dt_util.parse_datetime(state.state) == dt_util.utc_from_timestamp(
        int(now - 2700)
    )
    assert state.attributes["file_name"] == sim.files[0].file_name
    assert state.attributes["record_id"] is None
    newer = sim.add_recording(GARDEN_IOT_ID, now - 600, now - 300)
    await account.tick(120)
    assert sim.count("QueryRecord") == 1  # not due yet
    await account.tick(181)
    assert sim.count("QueryRecord") == 2
    assert hass.states.get(SENSOR).attributes["file_name"] == newer.file_name
    # the window starts at the last known file
    assert int(sim.calls[-1]["BeginTime"]) == int(now - 3000)


async def test_record_now_until_ready(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
) -> None:
    """Record now → started event → pending polls → ready event with file and URL."""
    entry = await account.record(40, [camera(duration=30, pre_record=5)])
    started = _event(hass)
    assert started["event_type"] == "recording_started"
    record_id = started["record_id"]
    assert record_id in sim.records
    assert started["duration"] == 30 and started["pre_record"] == 5
    assert sim.calls[-1]["RecordDuration"] == "30"
    coordinator: LinkVisualCoordinator = entry.runtime_data
    assert coordinator.update_interval == timedelta(seconds=15)
    assert coordinator.data.cameras["garden"].pending == (record_id,)
    await account.tick(16)
    assert sim.count("QueryRecordByRecordId") == 1
    assert _event(hass)["event_type"] == "recording_started"
    await account.tick(16)
    await account.tick(16)
    ready = _event(hass)
    assert ready["event_type"] == "recording_ready"
    assert ready["record_id"] == record_id
    assert ready["file_name"] == sim.records[record_id].files[0].file_name
    assert "/vod/" in ready["url"]
    assert ready["late"] is False
    sensor = hass.states.get(SENSOR)
    assert sensor.attributes["record_id"] == record_id
    assert sensor.attributes["vod_url"] == ready["url"]
    end = dt_util.parse_datetime(ready["end"])
    assert end is not None
    assert dt_util.parse_datetime(sensor.state) == end.replace(microsecond=0)
    # back to the idle pace, no more record polls
    assert coordinator.update_interval == timedelta(seconds=300)
    polls = sim.count("QueryRecordByRecordId")
    await account.tick(16)
    assert sim.count("QueryRecordByRecordId") == polls


async def test_ready_without_vod_url_asks_for_one(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
) -> None:
    """A ready file without VodUrl gets a playback URL from QueryRecordUrl."""
    record_id = await _started(hass, account, 1)
    file_name = sim.records[record_id].files[0].file_name
    _found_once(sim, FileName=file_name, EndTime=1)
    await account.tick(16)
    ready = _event(hass)
    assert ready["event_type"] == "recording_ready"
    assert sim.calls[-1]["Action"] == "QueryRecordUrl"
    assert sim.calls[-1]["UrlValidDuration"] == "3600"
    assert "/vod/" in ready["url"]


@pytest.mark.parametrize("refusal", ["unknown_file", "forbidden"])
async def test_ready_when_playback_url_fails(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
    refusal: str,
) -> None:
    """No playback URL is not a failure: the ready event has url None."""
    record_id = await _started(hass, account, 1)
    file_name = "unknown-file"
    if refusal == "forbidden":
        sim.forbidden_actions.add("QueryRecordUrl")
        file_name = sim.records[record_id].files[0].file_name
    _found_once(sim, FileName=file_name)
    await account.tick(16)
    ready = _event(hass)
    assert ready["event_type"] == "recording_ready"
    assert ready["record_id"] == record_id
    assert ready["url"] is None


async def test_timeout_then_late_file(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Past duration + margin: recording_failed (timeout); a late file is still reported."""
    entry = await account.record(
        2000,
        [camera(duration=10)],
        options={"scan_interval": 300, "pending_interval": 60, "ready_margin": 60},
    )
    record_id = _event(hass)["record_id"]
    for _ in range(2):
        await account.tick(61)
    failed = _event(hass)
    assert failed["event_type"] == "recording_failed"
    assert failed["reason"] == "timeout"
    assert failed["record_id"] == record_id
    assert "still looking for it" in caplog.text
    coordinator: LinkVisualCoordinator = entry.runtime_data
    assert coordinator.update_interval == timedelta(seconds=300)
    assert coordinator.data.cameras["garden"].pending == (record_id,)
    # late records are only looked at with the idle poll
    polls = sim.count("QueryRecordByRecordId")
    await account.tick(301)
    assert sim.count("QueryRecordByRecordId") == polls + 1
    for _ in range(6):
        await account.tick(301)
    ready = _event(hass)
    assert ready["event_type"] == "recording_ready"
    assert ready["late"] is True
    assert coordinator.data.cameras["garden"].pending == ()


async def test_gives_up_after_a_day(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A record that never shows up is forgotten a day after its deadline."""
    entry = await account.record(10**9, [camera(duration=10)])
    await account.tick(700)
    await account.tick(24 * 3600)
    assert "giving up on record" in caplog.text
    assert entry.runtime_data.data.cameras["garden"].pending == ()


async def test_unknown_record_fails(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
) -> None:
    """A record the service no longer knows ends with recording_failed (error)."""
    entry = await account.record(100)
    sim.records.clear()
    await account.tick(16)
    failed = _event(hass)
    assert failed["event_type"] == "recording_failed"
    assert failed["reason"] == "error"
    assert failed["code"] == "iot.vision.RecordNotFound"
    assert entry.runtime_data.data.cameras["garden"].pending == ()


async def test_press_failure(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """A refused trigger raises a translated error and fires recording_failed."""
    await setup_account(hass, lv_data)
    sim.cameras[GARDEN_IOT_ID].online = False
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass)
    assert err.value.translation_key == "linkvisual_error"
    assert err.value.translation_placeholders["code"] == "iot.device.DeviceOffline"
    assert err.value.translation_placeholders["request_id"] != "-"
    failed = _event(hass)
    assert failed["event_type"] == "recording_failed"
    assert failed["reason"] == "trigger_failed"
    assert failed["record_id"] is None
    assert failed["message"] == "The device is offline."
    sim.cameras[GARDEN_IOT_ID].online = True
    sim.throttle = 1
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass)
    assert err.value.translation_key == "linkvisual_throttled"


async def test_throttled_poll_keeps_pending(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
) -> None:
    """A throttled poll fails the update but the pending record is kept and found later."""
    entry = await account.record(1)
    sim.throttle = 1
    await account.tick(16)
    assert not entry.runtime_data.last_update_success
    assert hass.states.get(BUTTON).state == STATE_UNAVAILABLE
    # events stay available: failures are reported through them
    assert hass.states.get(EVENT).state != STATE_UNAVAILABLE
    await account.tick(16)
    assert _event(hass)["event_type"] == "recording_ready"
    assert hass.states.get(BUTTON).state != STATE_UNAVAILABLE


async def test_not_ready_while_down_then_recovers(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
) -> None:
    """An unreachable service keeps the entry in setup retry until it answers."""
    faults = Faults(status=503, status_body="maintenance")
    await retried_until_up(hass, account.freezer, sim, faults, account.setup)


async def test_auth_failure_starts_reauth(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """A refused key puts the entry in reauth."""
    wrong = {**lv_data, "access_key_secret": "wrong"}
    await reauth_at_setup(hass, partial(setup_account, hass, wrong))


async def test_unavailable_and_back(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The account going away makes the cameras unavailable, logged once."""
    await account.setup()
    poll = partial(account.tick, 301)
    await outage_logged_once(hass, sim, caplog, poll, [SENSOR])
    assert hass.states.get(SENSOR).state == STATE_UNKNOWN


async def test_one_camera_failing_does_not_fail_the_account(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A camera removed from the account is unavailable alone, and comes back."""
    gone = camera("Gone", "gone", iot_id="NotInTheAccount")
    entry = await account.setup([camera(), gone])
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.gone_last_recording").state == STATE_UNAVAILABLE
    assert hass.states.get(SENSOR).state == STATE_UNKNOWN
    assert caplog.text.count("Gone is not available") == 1
    await account.tick(301)
    assert caplog.text.count("Gone is not available") == 1
    sim.cameras["NotInTheAccount"] = type(sim.cameras[GARDEN_IOT_ID])(
        "NotInTheAccount", "pk", "gone"
    )
    await account.tick(301)
    assert hass.states.get("sensor.gone_last_recording").state == STATE_UNKNOWN
    assert "Gone is available again" in caplog.text


async def test_pending_records_survive_a_reload(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
) -> None:
    """Pending records and the last recording are stored and restored."""
    entry = await account.record(40)
    record_id = _event(hass)["record_id"]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    coordinator: LinkVisualCoordinator = entry.runtime_data
    assert coordinator.data.cameras["garden"].pending == (record_id,)
    assert coordinator.update_interval == timedelta(seconds=15)
    for _ in range(3):
        await account.tick(16)
    assert _event(hass)["event_type"] == "recording_ready"
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(SENSOR).attributes["record_id"] == record_id


async def test_broken_store_is_ignored(
    hass: HomeAssistant,
    lv_data: dict[str, Any],
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unreadable stored state is skipped with a warning."""
    entry_id = "01JLINKVISUALENTRY0000000"
    hass_storage[f"camera_bridge.linkvisual.{entry_id}"] = {
        "version": 1,
        "key": f"camera_bridge.linkvisual.{entry_id}",
        "data": {
            "cameras": {
                "garden": {
                    "pending": [
                        {
                            "record_id": "x",
                            "started": "never",
                            "deadline": "never",
                            "duration": 1,
                        }
                    ]
                },
                "unknown": {"pending": []},
                "porch": "not a mapping",
            }
        },
    }
    entry = await setup_account(
        hass, lv_data, [camera(), PORCH_CAMERA], entry_id=entry_id
    )
    assert entry.runtime_data.data.cameras["garden"].pending == ()
    assert "Ignoring unreadable stored state of Garden" in caplog.text


async def test_subentry_without_device_is_skipped(
    hass: HomeAssistant, lv_data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A camera subentry without any device id gets no entities."""
    broken = camera("Broken", "broken", iot_id="")
    other = {**camera("Other", "other"), "subentry_type": "something_else"}
    entry = await setup_account(hass, lv_data, [camera(), broken, other])
    assert "Broken has no usable device" in caplog.text
    assert set(entry.runtime_data.trackers) == {"garden"}


async def test_cameras_added_and_removed_in_the_ui(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """Adding or removing a camera subentry reloads the account to follow."""
    entry = await setup_account(hass, lv_data)
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=PORCH_CAMERA["data"],
            subentry_type="camera",
            title="Porch",
            unique_id="a1SimProduct/porch",
        ),
    )
    await hass.async_block_till_done()
    assert hass.states.get("button.porch_record_now") is not None
    porch = next(s for s in entry.subentries.values() if s.title == "Porch")
    assert hass.config_entries.async_remove_subentry(entry, porch.subentry_id)
    await hass.async_block_till_done()
    assert hass.states.get("button.porch_record_now") is None
    assert set(entry.runtime_data.trackers) == {"garden"}
    # unrelated updates (options of nothing, state changes) do not reload
    coordinator = entry.runtime_data
    hass.config_entries.async_update_entry(entry, title="Renamed")
    await hass.async_block_till_done()
    assert entry.runtime_data is coordinator


async def test_unload(hass: HomeAssistant, lv_data: dict[str, Any]) -> None:
    """Unloading leaves the entities unavailable."""
    entry = await setup_account(hass, lv_data)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(SENSOR).state == STATE_UNAVAILABLE


async def test_devices_cannot_be_removed_by_hand(
    hass: HomeAssistant, lv_data: dict[str, Any]
) -> None:
    """Cameras go by removing their subentry, not their device."""
    entry = await setup_account(hass, lv_data)
    device = find_device(hass, entry.entry_id, f"{entry.entry_id}:garden")
    assert device is not None
    assert entry.runtime_data.async_can_remove_device(device) is False
    assert dr.async_get(hass).async_get(device.id) is not None


async def test_deleting_the_account_removes_its_stored_state(
    hass: HomeAssistant,
    account: Account,
    hass_storage: dict[str, Any],
) -> None:
    """No file is left behind in .storage when the account goes."""
    entry = await account.setup()
    await _press(hass)
    await account.tick(16)
    key = f"camera_bridge.linkvisual.{entry.entry_id}"
    await account.tick(30)
    assert key in hass_storage
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


async def test_recording_dated_in_the_future_does_not_stop_polling(
    hass: HomeAssistant,
    account: Account,
    sim: LinkVisualSimulator,
) -> None:
    """A newest file dated ahead of Home Assistant's clock keeps the account polled.

    A broken time (year 5138) or a service clock running ahead made the
    next window start after its end: every later poll failed.
    """
    future = 99_999_999_999
    sim.faults = Faults(
        status=200,
        status_body={
            "Success": True,
            "Data": {"List": [{"FileName": "ahead", "BeginTime": future}]},
        },
        remaining=1,
    )
    await account.setup()
    assert hass.states.get(SENSOR).attributes["file_name"] == "ahead"
    for _ in range(2):
        await account.tick(301)
        assert hass.states.get(SENSOR).state != STATE_UNAVAILABLE
    assert sim.count("QueryRecord") == 2
