"""Config, reauth, reconfigure and options flows for a Web Call Server."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.camera_bridge.const import CONF_KIND, KIND_WCS
from simulator.wcs import WcsSimulator
from tests import flows
from tests.conftest import setup_entry


async def test_user_flow_creates_entry(hass: HomeAssistant, wcs_server) -> None:
    result = await flows.start_user_form(hass, "wcs")
    result = await flows.configure(
        hass, result, {"url": f"{wcs_server.url}/rest-api/", "verify_ssl": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Web Call Server 127.0.0.1"
    assert result["data"] == {
        CONF_KIND: KIND_WCS,
        "url": wcs_server.url,
        "verify_ssl": True,
    }
    assert result["result"].unique_id == wcs_server.url


@pytest.mark.parametrize(
    ("setup", "user_input", "error"),
    [
        (lambda sim: None, {"url": "not a url"}, {"url": "invalid_url"}),
        *flows.SERVER_FAULTS,
    ],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant, wcs_server, wcs_sim: WcsSimulator, setup, user_input, error
) -> None:
    result = await flows.start_user_form(hass, "wcs")
    setup(wcs_sim)
    heal = flows.healed(wcs_sim, auth=None)
    form = {"url": wcs_server.url, "verify_ssl": True}
    await flows.refused_then_created(
        hass, result, {**form, **user_input}, error, heal, form
    )


async def test_user_flow_unexpected_error(
    hass: HomeAssistant, wcs_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from custom_components.camera_bridge.api import wcs as wcs_api

    result = await flows.start_user_form(hass, "wcs")
    form = {"url": wcs_server.url, "verify_ssl": True}
    await flows.bug_shows_unknown(
        hass, result, form, monkeypatch, (wcs_api.WcsClient, "check")
    )


async def test_same_server_cannot_be_added_twice(
    hass: HomeAssistant, wcs_server, wcs_data
) -> None:
    await setup_entry(hass, wcs_data, unique_id=wcs_server.url)
    result = await flows.start_user_form(hass, "wcs")
    result = await flows.configure(
        hass,
        result,
        {
            "url": wcs_server.url.upper().replace("HTTP", "http") + "/",
            "verify_ssl": True,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(hass: HomeAssistant, wcs_server, wcs_sim, wcs_data) -> None:
    entry = await setup_entry(hass, wcs_data, unique_id=wcs_server.url)
    await flows.reauth_to_new_password(hass, entry, wcs_sim)
    assert entry.data["url"] == wcs_server.url


async def test_reconfigure_moves_to_new_address(
    hass: HomeAssistant, wcs_server, wcs_data, start_server
) -> None:
    entry = await setup_entry(hass, wcs_data, unique_id=wcs_server.url)
    moved_sim = WcsSimulator()
    moved_sim.publish("front-door")
    moved = await start_server(moved_sim)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await flows.configure(
        hass, result, {"url": "http://127.0.0.1:9", "verify_ssl": True}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await flows.configure(
        hass, result, {"url": moved.url, "verify_ssl": False}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == moved.url
    assert entry.data["url"] == moved.url
    assert entry.data["verify_ssl"] is False
    await hass.async_block_till_done()
    # entities survive: the same entity id, now from the new server
    assert hass.states.get("camera.front_door").state == "idle"


async def test_reconfigure_same_address(
    hass: HomeAssistant, wcs_server, wcs_data
) -> None:
    entry = await setup_entry(hass, wcs_data, unique_id=wcs_server.url)
    result = await entry.start_reconfigure_flow(hass)
    result = await flows.configure(
        hass, result, {"url": wcs_server.url, "verify_ssl": True, "username": "x"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["username"] == "x"


async def test_reconfigure_onto_another_entry_aborts(
    hass: HomeAssistant, wcs_server, wcs_data, start_server
) -> None:
    entry = await setup_entry(hass, wcs_data, unique_id=wcs_server.url)
    other = await start_server(WcsSimulator())
    await setup_entry(
        hass, {**wcs_data, "url": other.url}, unique_id=other.url, title="Other"
    )
    result = await entry.start_reconfigure_flow(hass)
    result = await flows.configure(hass, result, {"url": other.url, "verify_ssl": True})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data["url"] == wcs_server.url


async def test_options_flow(hass: HomeAssistant, wcs_data, wcs_sim) -> None:
    wcs_sim.publish("cam-1")
    entry = await setup_entry(hass, wcs_data)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval": 10,
            "stream_filter": "/[unclosed/",
            "snapshot_cache": 0,
            "snapshot_timeout": 5,
        },
    )
    assert result["errors"] == {"stream_filter": "invalid_filter"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval": 10,
            "stream_filter": "cam-*",
            "snapshot_cache": 0,
            "snapshot_timeout": 5,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # the entry reloaded with the new options
    coordinator = entry.runtime_data
    assert coordinator.update_interval.total_seconds() == 10
    assert coordinator.client.snapshot_timeout == 5
    assert set(coordinator.data.streams) == {"cam-1"}
