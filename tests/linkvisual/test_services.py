"""Actions trigger_record and get_recording_url, and diagnostics, of LinkVisual."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.camera_bridge.const import DOMAIN
from simulator.common import Faults
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, LinkVisualSimulator
from tests.conftest import find_device

from .conftest import GARDEN_IOT_ID, PORCH_CAMERA, camera, setup_account


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


def _device_id(hass: HomeAssistant, entry_id: str, sub_id: str) -> str:
    device = find_device(hass, entry_id, f"{entry_id}:{sub_id}")
    assert device is not None
    return device.id


async def test_trigger_record_returns_record_id(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """The action records with the camera's defaults or the given values."""
    entry = await setup_account(hass, lv_data, [camera(duration=45, pre_record=2)])
    device_id = _device_id(hass, entry.entry_id, "garden")
    response = await _call(hass, "trigger_record", {"device_id": device_id})
    record_id = response["record_id"]
    assert record_id in sim.records
    assert response["records"] == [{"device_id": device_id, "record_id": record_id}]
    params = sim.calls[-1]
    assert (
        params["RecordDuration"],
        params["PreRecordDuration"],
        params["StreamType"],
    ) == (
        "45",
        "2",
        "0",
    )
    state = hass.states.get("event.garden_recording")
    assert state.attributes["event_type"] == "recording_started"
    assert state.attributes["record_id"] == record_id
    await _call(
        hass,
        "trigger_record",
        {
            "entity_id": "button.garden_record_now",
            "duration": "600",
            "pre_record": 9,
            "stream_type": "1",
        },
    )
    params = sim.calls[-1]
    assert (
        params["RecordDuration"],
        params["PreRecordDuration"],
        params["StreamType"],
    ) == (
        "600",
        "9",
        "1",
    )


async def test_trigger_record_several_cameras_without_response(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """Several cameras record at once; the response lists each record."""
    entry = await setup_account(hass, lv_data, [camera(), PORCH_CAMERA])
    ids = [_device_id(hass, entry.entry_id, s) for s in ("garden", "porch")]
    response = await _call(hass, "trigger_record", {"device_id": ids})
    assert [r["device_id"] for r in response["records"]] == ids
    assert response["record_id"] == response["records"][0]["record_id"]
    assert (
        await hass.services.async_call(
            DOMAIN, "trigger_record", {"device_id": ids[1]}, blocking=True
        )
        is None
    )
    assert sim.count("TriggerRecord") == 3


async def test_trigger_record_errors(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """Invalid values, bad targets and refused records raise translated errors."""
    entry = await setup_account(hass, lv_data)
    device_id = _device_id(hass, entry.entry_id, "garden")
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass,
            "trigger_record",
            {"device_id": device_id, "duration": 10, "pre_record": 10},
        )
    assert err.value.translation_key == "invalid_recording_request"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "trigger_record", {})
    assert err.value.translation_key == "no_target"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "trigger_record", {"device_id": "nope"})
    assert err.value.translation_key == "invalid_target"
    sim.cameras[GARDEN_IOT_ID].online = False
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "trigger_record", {"device_id": device_id})
    assert err.value.translation_key == "linkvisual_error"
    assert sim.count("TriggerRecord") == 1


async def test_account_device_is_not_a_camera(
    hass: HomeAssistant, lv_data: dict[str, Any]
) -> None:
    """A device of the entry that is not a camera is refused."""
    entry = await setup_account(hass, lv_data)
    from homeassistant.helpers import device_registry as dr

    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "something-else")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "trigger_record", {"device_id": other.id})
    assert err.value.translation_key == "invalid_target"


async def test_get_recording_url_by_record_id(
    hass: HomeAssistant,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """By record id: not ready yet, then a URL with its expiry."""
    sim.record_delay = 30
    entry = await setup_account(hass, lv_data)
    device_id = _device_id(hass, entry.entry_id, "garden")
    record_id = (await _call(hass, "trigger_record", {"device_id": device_id}))[
        "record_id"
    ]
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass, "get_recording_url", {"device_id": device_id, "record_id": record_id}
        )
    assert err.value.translation_key == "recording_not_ready"
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    before = dt_util.utcnow()
    response = await _call(
        hass,
        "get_recording_url",
        {"device_id": device_id, "record_id": record_id, "valid_for": 120},
    )
    assert "/vod/" in response["url"]
    assert dt_util.parse_datetime(response["expires"]) == before + timedelta(
        seconds=120
    )
    assert response["file_name"] == sim.records[record_id].files[0].file_name
    assert sim.calls[-1]["UrlValidDuration"] == "120"
    assert sim.calls[-1]["IotId"] == GARDEN_IOT_ID


async def test_get_recording_url_by_file_name(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """By file name, with the default validity."""
    now = dt_util.utcnow().timestamp()
    sim_file = sim.add_recording(GARDEN_IOT_ID, now - 600, now - 300)
    entry = await setup_account(hass, lv_data)
    response = await _call(
        hass,
        "get_recording_url",
        {"entity_id": "sensor.garden_last_recording", "file_name": sim_file.file_name},
    )
    assert response["file_name"] == sim_file.file_name
    assert sim.calls[-1]["UrlValidDuration"] == "600"
    assert entry.runtime_data.trackers["garden"].last.file_name == sim_file.file_name


async def test_get_recording_url_errors(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """One camera and one recording are required; service errors are translated."""
    entry = await setup_account(hass, lv_data, [camera(), PORCH_CAMERA])
    garden = _device_id(hass, entry.entry_id, "garden")
    porch = _device_id(hass, entry.entry_id, "porch")
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass, "get_recording_url", {"device_id": [garden, porch], "file_name": "f"}
        )
    assert err.value.translation_key == "single_camera_required"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "get_recording_url", {"device_id": garden})
    assert err.value.translation_key == "recording_required"
    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass, "get_recording_url", {"device_id": garden, "file_name": "missing"}
        )
    assert err.value.translation_key == "linkvisual_error"
    assert err.value.translation_placeholders["code"] == "iot.vision.FileNotFound"
    sim.faults = Faults(drop=True)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "get_recording_url", {"device_id": garden, "record_id": "r"})
    assert err.value.translation_key == "cannot_connect"


@pytest.mark.parametrize(
    ("field", "value", "parameter"),
    [
        ("file_name", "garden\udc80.mp4", "FileName"),
        ("record_id", "\ud800record", "RecordId"),
    ],
)
async def test_get_recording_url_refuses_text_that_is_not_unicode(
    hass: HomeAssistant,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
    field: str,
    value: str,
    parameter: str,
) -> None:
    """A lone surrogate (a script can pass one) is a clear error, nothing is sent."""
    entry = await setup_account(hass, lv_data)
    garden = _device_id(hass, entry.entry_id, "garden")
    sent = len(sim.calls)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "get_recording_url", {"device_id": garden, field: value})
    assert err.value.translation_key == "invalid_recording_request"
    message = err.value.translation_placeholders["message"]
    assert message == (
        f"{parameter} holds a lone surrogate, which is not text and cannot be sent"
    )
    assert str(err.value) == f"Invalid recording request: {message}"
    assert len(sim.calls) == sent


async def test_diagnostics_redacts_the_key(
    hass: HomeAssistant,
    hass_client: Any,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
) -> None:
    """Diagnostics show cameras and pending records, never the AccessKey."""
    entry = await setup_account(hass, lv_data)
    await _call(hass, "trigger_record", {"entity_id": "button.garden_record_now"})
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = repr(diag)
    assert DEFAULT_KEY_SECRET not in text
    assert DEFAULT_KEY_ID not in text
    assert "/vod/" not in text
    assert diag["entry"]["data"]["access_key_secret"] == "**REDACTED**"
    garden = diag["backend"]["cameras"]["Garden"]
    assert garden["device"] == GARDEN_IOT_ID
    assert len(garden["pending"]) == 1
    assert diag["backend"]["endpoint"] == lv_data["endpoint"]
