"""Account flow (user, reauth, reconfigure, options) and camera subentry flow of LinkVisual."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.api import linkvisual as lv_api
from custom_components.camera_bridge.const import KIND_LINKVISUAL
from simulator.common import Faults, RunningServer
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, LinkVisualSimulator
from tests.flows import (
    bug_shows_unknown,
    configure,
    refused_then_created,
    start_user_form,
)

from .conftest import (
    ENTRY_UNIQUE_ID,
    GARDEN_IOT_ID,
    PORCH_CAMERA,
    Account,
    camera,
    setup_account,
)


def _form(server: RunningServer, **changes: Any) -> dict[str, Any]:
    return {
        "access_key_id": DEFAULT_KEY_ID,
        "access_key_secret": DEFAULT_KEY_SECRET,
        "region": "cn-shanghai",
        "endpoint": server.url,
    } | changes


async def test_user_flow_creates_entry(
    hass: HomeAssistant,
    server: RunningServer,
    sim: LinkVisualSimulator,
    lv_data: dict[str, Any],
) -> None:
    """A working key creates the account; values are trimmed and normalised."""
    result = await start_user_form(hass, KIND_LINKVISUAL)
    result = await configure(
        hass,
        result,
        _form(
            server,
            access_key_id=f" {DEFAULT_KEY_ID} ",
            region=" CN-Shanghai ",
            endpoint=f"{server.url}/",
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"LinkVisual cn-shanghai (…{DEFAULT_KEY_ID[-4:]})"
    assert result["data"] == lv_data
    assert result["result"].unique_id == DEFAULT_KEY_ID
    assert sim.calls[-1]["Action"] == "QueryTimeTemplate"
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED


async def test_user_flow_with_instance(
    hass: HomeAssistant, server: RunningServer, sim: LinkVisualSimulator
) -> None:
    """The instance id is part of the check, the unique id and the title."""
    sim.iot_instance_id = "iot-cn-sim01"
    result = await start_user_form(hass, KIND_LINKVISUAL)
    result = await configure(hass, result, _form(server))
    assert result["errors"] == {"base": "service_error"}
    result = await configure(
        hass, result, _form(server, iot_instance_id="iot-cn-sim01")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"{DEFAULT_KEY_ID}:iot-cn-sim01"
    assert result["title"].startswith("LinkVisual iot-cn-sim01 (")


@pytest.mark.parametrize(
    ("setup", "changes", "errors"),
    [
        (None, {"access_key_id": "  "}, {"access_key_id": "required"}),
        (None, {"access_key_secret": " "}, {"access_key_secret": "required"}),
        (None, {"region": "cn shanghai"}, {"region": "invalid_region"}),
        (None, {"endpoint": "ftp://x"}, {"endpoint": "invalid_endpoint"}),
        (None, {"endpoint": "https://x/path"}, {"endpoint": "invalid_endpoint"}),
        (None, {"access_key_secret": "wrong"}, {"base": "invalid_auth"}),
        (None, {"access_key_id": "LTAIunknown"}, {"base": "invalid_auth"}),
        (None, {"endpoint": "http://127.0.0.1:9"}, {"base": "cannot_connect"}),
        ("throttle", {}, {"base": "throttled"}),
        ("skew", {}, {"base": "clock_skew"}),
        ("malformed", {}, {"base": "invalid_response"}),
        ("forbidden", {}, {"base": "invalid_auth"}),
    ],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant,
    server: RunningServer,
    sim: LinkVisualSimulator,
    *,
    setup: str | None,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Every error shows on the form; fixing it creates the entry."""
    result = await start_user_form(hass, KIND_LINKVISUAL)
    match setup:
        case "throttle":
            sim.throttle = 1
        case "skew":
            sim.time_offset = 3600
        case "malformed":
            sim.faults = Faults(malformed=True)
        case "forbidden":
            sim.forbidden_actions.add("QueryTimeTemplate")

    def heal() -> None:
        sim.time_offset = 0
        sim.faults.reset()
        sim.forbidden_actions.clear()

    refused = _form(server, **changes)
    await refused_then_created(hass, result, refused, errors, heal, _form(server))


async def test_user_flow_unexpected_error(
    hass: HomeAssistant, server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug shows 'unknown' and the flow can still finish."""
    result = await start_user_form(hass, KIND_LINKVISUAL)
    check = (lv_api.LinkVisualClient, "check_credentials")
    await bug_shows_unknown(hass, result, _form(server), monkeypatch, check)


async def test_same_account_cannot_be_added_twice(
    hass: HomeAssistant, server: RunningServer, lv_data: dict[str, Any]
) -> None:
    """The AccessKeyId (+ instance) identifies the account."""
    await setup_account(hass, lv_data)
    result = await start_user_form(hass, KIND_LINKVISUAL)
    result = await configure(hass, result, _form(server, region="cn-beijing"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """A rotated secret is entered again; the cameras stay."""
    entry = await setup_account(hass, lv_data)
    sim.keys[DEFAULT_KEY_ID] = "rotated-secret"
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await configure(hass, result, {"access_key_secret": "wrong"})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await configure(hass, result, {"access_key_secret": "rotated-secret"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["access_key_secret"] == "rotated-secret"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert len(entry.subentries) == 1


async def _with_second_key(
    account: Account, key_id: str, secret: str
) -> MockConfigEntry:
    """The account's entry, set up; the service accepts a second AccessKey too."""
    entry = await account.setup()
    account.sim.keys[key_id] = secret
    return entry


async def test_reconfigure_rotates_the_key(
    hass: HomeAssistant, server: RunningServer, account: Account
) -> None:
    """Reconfigure may switch to a new AccessKey; entities and cameras are kept."""
    entry = await _with_second_key(account, "LTAInewkey", "new-secret")
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await configure(hass, result, _form(server, access_key_id="LTAInewkey"))
    assert result["errors"] == {"base": "invalid_auth"}
    key = _form(server, access_key_id="LTAInewkey", access_key_secret="new-secret")
    result = await configure(hass, result, key)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == "LTAInewkey"
    assert entry.data["access_key_id"] == "LTAInewkey"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("button.garden_record_now") is not None
    assert account.sim.calls[-1]["AccessKeyId"] == "LTAInewkey"


async def test_reconfigure_onto_another_account_aborts(
    hass: HomeAssistant, server: RunningServer, account: Account
) -> None:
    """Another entry's key cannot be taken over."""
    entry = await _with_second_key(account, "LTAIother", "other-secret")
    other = {
        **account.data,
        "access_key_id": "LTAIother",
        "access_key_secret": "other-secret",
    }
    from tests.conftest import setup_entry

    await setup_entry(hass, other, unique_id="LTAIother", title="Other")
    result = await entry.start_reconfigure_flow(hass)
    key = _form(server, access_key_id="LTAIother", access_key_secret="other-secret")
    result = await configure(hass, result, key)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.unique_id == ENTRY_UNIQUE_ID


async def test_options_flow(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """Options set the idle and pending intervals and the upload margin."""
    entry = await setup_account(hass, lv_data)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"scan_interval": 900, "pending_interval": 5, "ready_margin": 120},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    coordinator = entry.runtime_data
    assert coordinator.scan_interval.total_seconds() == 900
    assert coordinator.update_interval.total_seconds() == 900
    assert coordinator.pending_interval.total_seconds() == 5
    assert coordinator.ready_margin.total_seconds() == 120


# -- camera subentries -------------------------------------------------------


async def _start_camera(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry_id, "camera"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result


def _camera_form(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Porch",
        "product_key": "a1SimProduct",
        "device_name": "porch",
        "duration": 120,
        "pre_record": 5,
        "stream_type": "1",
    } | changes


async def test_add_camera(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """A camera is checked with one QueryRecord and becomes a device with entities."""
    entry = await setup_account(hass, lv_data, [])
    result = await _start_camera(hass, entry.entry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _camera_form(name=" Porch ", iot_id="  ")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Porch"
    assert result["data"] == {
        "iot_id": "",
        "product_key": "a1SimProduct",
        "device_name": "porch",
        "duration": 120,
        "pre_record": 5,
        "stream_type": 1,
    }
    assert result["unique_id"] == "a1SimProduct/porch"
    assert sim.calls[0]["Action"] == "QueryRecord"
    assert sim.calls[0]["PageSize"] == "1"
    await hass.async_block_till_done()
    # the account reloaded with the new camera
    assert hass.states.get("button.porch_record_now") is not None
    tracker = next(iter(entry.runtime_data.trackers.values()))
    assert tracker.config.duration == 120 and tracker.config.stream_type == 1


@pytest.mark.parametrize(
    ("setup", "changes", "errors"),
    [
        (None, {"name": " "}, {"name": "required"}),
        (None, {"product_key": "", "device_name": ""}, {"base": "device_required"}),
        (None, {"device_name": ""}, {"base": "device_required"}),
        (
            None,
            {"duration": 10, "pre_record": 10},
            {"pre_record": "invalid_pre_record"},
        ),
        (None, {"device_name": "nobody"}, {"base": "device_rejected"}),
        ("drop", {}, {"base": "cannot_connect"}),
        ("malformed", {}, {"base": "invalid_response"}),
        ("secret", {}, {"base": "invalid_auth"}),
    ],
)
async def test_add_camera_errors_then_recovers(
    hass: HomeAssistant,
    lv_data: dict[str, Any],
    sim: LinkVisualSimulator,
    *,
    setup: str | None,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Every camera error shows on the form; fixing it adds the camera."""
    entry = await setup_account(hass, lv_data, [])
    result = await _start_camera(hass, entry.entry_id)
    match setup:
        case "drop":
            sim.faults = Faults(drop=True)
        case "malformed":
            sim.faults = Faults(malformed=True)
        case "secret":
            sim.keys[DEFAULT_KEY_ID] = "changed"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _camera_form(**changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    if errors == {"base": "device_rejected"}:
        assert result["description_placeholders"] == {
            "error": "The device does not exist."
        }
    sim.faults.reset()
    sim.keys[DEFAULT_KEY_ID] = DEFAULT_KEY_SECRET
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _camera_form()
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_add_camera_while_account_not_loaded(
    hass: HomeAssistant, lv_data: dict[str, Any], sim: LinkVisualSimulator
) -> None:
    """The check builds its own client when the account is not loaded."""
    sim.faults = Faults(status=503, status_body="down", remaining=1)
    entry = await setup_account(hass, lv_data, expect=ConfigEntryState.SETUP_RETRY)
    result = await _start_camera(hass, entry.entry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _camera_form()
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_same_camera_twice_aborts(
    hass: HomeAssistant, lv_data: dict[str, Any]
) -> None:
    """A device already in the account cannot be added again."""
    entry = await setup_account(hass, lv_data, [camera(), PORCH_CAMERA])
    result = await _start_camera(hass, entry.entry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _camera_form(name="Porch again")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def _start_edit(
    hass: HomeAssistant, entry_id: str, subentry_id: str
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry_id, "camera"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    return result


async def test_edit_camera(hass: HomeAssistant, lv_data: dict[str, Any]) -> None:
    """Editing a camera keeps its entities and applies the new defaults."""
    entry = await setup_account(hass, lv_data)
    result = await _start_edit(hass, entry.entry_id, "garden")
    schema_defaults = {
        str(key): key.description.get("suggested_value")
        for key in result["data_schema"].schema
        if key.description
    }
    assert schema_defaults["name"] == "Garden"
    assert schema_defaults["iot_id"] == GARDEN_IOT_ID
    assert schema_defaults["stream_type"] == "0"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Back garden",
            "iot_id": GARDEN_IOT_ID,
            "duration": 300,
            "pre_record": 3,
            "stream_type": "0",
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    subentry = entry.subentries["garden"]
    assert subentry.title == "Back garden"
    assert subentry.data["duration"] == 300
    tracker = entry.runtime_data.trackers["garden"]
    assert tracker.config.duration == 300 and tracker.config.pre_record == 3
    # same entity ids: the unique ids follow the subentry
    assert hass.states.get("button.garden_record_now") is not None


async def test_edit_camera_errors_and_duplicates(
    hass: HomeAssistant, lv_data: dict[str, Any]
) -> None:
    """An edit is checked like an add and may not collide with another camera."""
    entry = await setup_account(hass, lv_data, [camera(), PORCH_CAMERA])
    result = await _start_edit(hass, entry.entry_id, "garden")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Garden",
            "iot_id": "missing",
            "duration": 60,
            "pre_record": 0,
            "stream_type": "0",
        },
    )
    assert result["errors"] == {"base": "device_rejected"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _camera_form(name="Garden")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
