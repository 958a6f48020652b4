"""Config, reauth, reconfigure and options flows for an OSC camera."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.camera_bridge.api import osc as osc_api
from simulator.common import Faults, RunningServer
from simulator.osc import OscSimulator
from tests.conftest import StartServer, setup_entry
from tests.flows import (
    bug_shows_unknown,
    configure,
    healed,
    refused_then_created,
    start_user_form,
)

USER = "THETAYL10100001"
PASSWORD = "10100001"


async def _start_osc_form(hass: HomeAssistant) -> dict[str, Any]:
    result = await start_user_form(hass, "osc")
    assert result["errors"] == {}
    return result


def _form(server: RunningServer, **extra: Any) -> dict[str, Any]:
    return {CONF_HOST: server.host, CONF_PORT: server.port, **extra}


async def test_user_flow_creates_entry(
    hass: HomeAssistant, osc_server: RunningServer, osc_data: dict[str, Any]
) -> None:
    """Host and port of a camera in direct mode: an entry named after the model."""
    result = await _start_osc_form(hass)
    result = await configure(
        hass,
        result,
        {CONF_HOST: f" http://{osc_server.host}/ ", CONF_PORT: osc_server.port},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "RICOH THETA Z1"
    assert result["data"] == osc_data
    assert result["result"].unique_id == "10100001"


async def test_user_flow_with_digest_credentials(
    hass: HomeAssistant, osc_server: RunningServer, digest_sim: OscSimulator
) -> None:
    """Client mode: the camera asks for Digest credentials."""
    result = await _start_osc_form(hass)
    result = await configure(
        hass, result, _form(osc_server, username=USER, password=PASSWORD)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_USERNAME] == USER
    assert result["data"][CONF_PASSWORD] == PASSWORD


async def test_camera_id_when_no_serial(
    hass: HomeAssistant, osc_server: RunningServer, osc_sim: OscSimulator
) -> None:
    """A camera without serial number is identified by its cameraId."""
    osc_sim.serial_number = None
    osc_sim.camera_id = "cam-7"
    osc_sim.model = ""
    osc_sim.manufacturer = ""
    result = await _start_osc_form(hass)
    result = await configure(hass, result, _form(osc_server))
    assert result["result"].unique_id == "cam-7"
    assert result["title"] == "OSC camera"


def _drop(sim: OscSimulator) -> None:
    sim.faults = Faults(drop=True)


def _auth(sim: OscSimulator) -> None:
    sim.auth = (USER, PASSWORD)


def _garbage(sim: OscSimulator) -> None:
    sim.faults = Faults(malformed=True)


def _no_identity(sim: OscSimulator) -> None:
    sim.serial_number = None


def _nothing(sim: OscSimulator) -> None:
    return None


@pytest.mark.parametrize(
    ("break_it", "user_input", "errors"),
    [
        (_nothing, {CONF_HOST: "http://camera/path"}, {CONF_HOST: "invalid_host"}),
        (_nothing, {CONF_HOST: "camera:8080"}, {CONF_HOST: "invalid_host"}),
        (_nothing, {CONF_HOST: "   "}, {CONF_HOST: "invalid_host"}),
        (_drop, {}, {"base": "cannot_connect"}),
        (_auth, {}, {"base": "invalid_auth"}),
        (
            _auth,
            {CONF_USERNAME: USER, CONF_PASSWORD: "wrong"},
            {"base": "invalid_auth"},
        ),
        (_garbage, {}, {"base": "invalid_response"}),
        (_no_identity, {}, {"base": "invalid_response"}),
    ],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant,
    osc_server: RunningServer,
    osc_sim: OscSimulator,
    break_it: Callable[[OscSimulator], None],
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Every error is shown on the form; fixing it creates the entry."""
    result = await _start_osc_form(hass)
    break_it(osc_sim)
    heal = healed(osc_sim, auth=None, serial_number="10100001")
    refused = {**_form(osc_server), **user_input}
    await refused_then_created(hass, result, refused, errors, heal, _form(osc_server))


async def test_user_flow_unexpected_error(
    hass: HomeAssistant, osc_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug shows 'unknown' instead of crashing the flow."""
    result = await _start_osc_form(hass)
    await bug_shows_unknown(
        hass, result, _form(osc_server), monkeypatch, (osc_api.OscClient, "info")
    )


async def test_duplicate_aborts(
    hass: HomeAssistant, osc_server: RunningServer, osc_data: dict[str, Any]
) -> None:
    """The same camera (by serial number) cannot be added twice."""
    await setup_entry(hass, osc_data, unique_id="10100001")
    result = await _start_osc_form(hass)
    result = await configure(hass, result, _form(osc_server))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(
    hass: HomeAssistant,
    osc_server: RunningServer,
    digest_sim: OscSimulator,
    osc_data: dict[str, Any],
) -> None:
    """New credentials are checked against the same camera, then stored."""
    entry = await setup_entry(
        hass,
        {**osc_data, CONF_USERNAME: USER, CONF_PASSWORD: PASSWORD},
        unique_id="10100001",
    )
    digest_sim.auth = (USER, "new-password")
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await configure(
        hass, result, {CONF_USERNAME: USER, CONF_PASSWORD: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await configure(
        hass, result, {CONF_USERNAME: USER, CONF_PASSWORD: "new-password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == "new-password"
    await hass.async_block_till_done()


async def test_reauth_other_camera(
    hass: HomeAssistant,
    osc_server: RunningServer,
    osc_sim: OscSimulator,
    osc_data: dict[str, Any],
) -> None:
    """Credentials that reach another camera at that address are refused."""
    entry = await setup_entry(hass, osc_data, unique_id="10100001")
    osc_sim.serial_number = "99999999"
    result = await entry.start_reauth_flow(hass)
    result = await configure(hass, result, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"


async def test_reconfigure_new_address(
    hass: HomeAssistant,
    osc_server: RunningServer,
    osc_data: dict[str, Any],
    start_server: StartServer,
) -> None:
    """The camera got a new address: entities are kept."""
    entry = await setup_entry(hass, osc_data, unique_id="10100001", title="THETA")
    assert hass.states.get("button.theta_take_picture") is not None
    moved = await start_server(OscSimulator(shot_polls=2))
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await configure(hass, result, {CONF_HOST: "", CONF_PORT: moved.port})
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    result = await configure(
        hass, result, {CONF_HOST: moved.host, CONF_PORT: moved.port}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] == moved.port
    await hass.async_block_till_done()
    assert hass.states.get("button.theta_take_picture") is not None
    assert entry.runtime_data.client.base_url.endswith(f":{moved.port}")


async def test_reconfigure_wrong_device(
    hass: HomeAssistant,
    osc_server: RunningServer,
    osc_data: dict[str, Any],
    start_server: StartServer,
) -> None:
    """Pointing an entry at another camera is refused."""
    entry = await setup_entry(hass, osc_data, unique_id="10100001")
    other = await start_server(OscSimulator(serial_number="20200002"))
    result = await entry.start_reconfigure_flow(hass)
    result = await configure(
        hass, result, {CONF_HOST: other.host, CONF_PORT: other.port}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert entry.data[CONF_PORT] == osc_data[CONF_PORT]


async def test_options(
    hass: HomeAssistant, osc_server: RunningServer, osc_data: dict[str, Any]
) -> None:
    """Poll interval and shot timeout reach the coordinator and client."""
    entry = await setup_entry(hass, osc_data, unique_id="10100001")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"scan_interval": 30, "shot_timeout": 120}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options == {"scan_interval": 30, "shot_timeout": 120}
    coordinator = entry.runtime_data
    assert coordinator.update_interval.total_seconds() == 30
    assert coordinator.client._command_deadline == 120
