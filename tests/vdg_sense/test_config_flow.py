"""Config, reauth, reconfigure and options flows for a VDG Sense server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.camera_bridge.const import CONF_KIND, KIND_VDG_SENSE
from simulator.common import RunningServer
from simulator.vdg_sense import VdgSenseSimulator
from tests import flows
from tests.conftest import StartServer, setup_entry


def _form(server: RunningServer, **extra: Any) -> dict[str, Any]:
    return {
        "host": server.host,
        "port": server.port,
        "ssl": False,
        "verify_ssl": True,
        **extra,
    }


async def test_user_flow_creates_entry(
    hass: HomeAssistant, vdg_server: RunningServer, sim: VdgSenseSimulator
) -> None:
    """The form checks /info and the export list, then creates the entry."""
    sim.auth = ("operator", "s3cret")
    result = await flows.start_user_form(hass, "vdg_sense")
    result = await flows.configure(
        hass,
        result,
        _form(vdg_server, host=" 127.0.0.1 ", username="operator", password="s3cret"),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "VDG Sense 127.0.0.1"
    assert result["data"] == {
        CONF_KIND: KIND_VDG_SENSE,
        "host": "127.0.0.1",
        "port": vdg_server.port,
        "ssl": False,
        "verify_ssl": True,
        "username": "operator",
        "password": "s3cret",
    }
    assert result["result"].unique_id == f"127.0.0.1:{vdg_server.port}"
    assert sim.count("/info") == 2  # the flow, then the entry's set-up
    await hass.async_block_till_done()


def _no_export_api(sim: VdgSenseSimulator) -> None:
    sim.fail(-1, "Not implemented", command="getExportVideoStatus", times=None)


@pytest.mark.parametrize(
    ("setup", "user_input", "error"),
    [
        (lambda sim: None, {"host": "http://nvr/x"}, {"host": "invalid_host"}),
        (lambda sim: None, {"username": "a:b"}, {"username": "invalid_username"}),
        *flows.SERVER_FAULTS,
        (_no_export_api, {}, {"base": "export_api_missing"}),
    ],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant,
    vdg_server: RunningServer,
    sim: VdgSenseSimulator,
    setup: Callable[[VdgSenseSimulator], None],
    user_input: dict[str, Any],
    error: dict[str, str],
) -> None:
    """Every error shows on the form; fixing it creates the entry."""
    result = await flows.start_user_form(hass, "vdg_sense")
    setup(sim)
    heal = flows.healed(sim, auth=None, failure=None)
    refused = _form(vdg_server, **user_input)
    await flows.refused_then_created(
        hass, result, refused, error, heal, _form(vdg_server)
    )
    await hass.async_block_till_done()


async def test_user_flow_unexpected_error(
    hass: HomeAssistant, vdg_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug shows as unknown, not as a crash; the flow can still finish."""
    from custom_components.camera_bridge.api import vdg_sense

    result = await flows.start_user_form(hass, "vdg_sense")
    info = (vdg_sense.VdgSenseClient, "info")
    await flows.bug_shows_unknown(hass, result, _form(vdg_server), monkeypatch, info)


async def test_legacy_server_can_be_added(
    hass: HomeAssistant, vdg_server: RunningServer, sim: VdgSenseSimulator
) -> None:
    """A server older than API 2.6.1 (no /info) is still accepted."""
    sim.legacy = True
    result = await flows.start_user_form(hass, "vdg_sense")
    result = await flows.configure(hass, result, _form(vdg_server))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_same_server_cannot_be_added_twice(
    hass: HomeAssistant, vdg_server: RunningServer, vdg_data: dict[str, Any]
) -> None:
    """The address identifies the server."""
    await setup_entry(hass, vdg_data, unique_id=f"127.0.0.1:{vdg_server.port}")
    result = await flows.start_user_form(hass, "vdg_sense")
    result = await flows.configure(hass, result, _form(vdg_server))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth(
    hass: HomeAssistant,
    vdg_server: RunningServer,
    sim: VdgSenseSimulator,
    vdg_data: dict[str, Any],
) -> None:
    """New credentials are checked against the same server."""
    entry = await setup_entry(hass, vdg_data, unique_id=f"127.0.0.1:{vdg_server.port}")
    await flows.reauth_to_new_password(hass, entry, sim)
    assert entry.data["host"] == "127.0.0.1"


async def test_reconfigure_moves_to_new_address(
    hass: HomeAssistant,
    vdg_server: RunningServer,
    sim: VdgSenseSimulator,
    vdg_data: dict[str, Any],
    start_server: StartServer,
) -> None:
    """Reconfigure follows the server to a new port; entities stay."""
    sim.add_export("kept", age=5)
    entry = await setup_entry(hass, vdg_data, unique_id=f"127.0.0.1:{vdg_server.port}")
    moved_sim = VdgSenseSimulator(clock=lambda: 0.0)
    moved_sim.add_export("kept", age=5)
    moved = await start_server(moved_sim)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await flows.configure(hass, result, {**_form(moved), "port": 9})
    assert result["errors"] == {"base": "cannot_connect"}
    result = await flows.configure(hass, result, {**_form(moved), "verify_ssl": False})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == f"127.0.0.1:{moved.port}"
    assert entry.data["port"] == moved.port
    assert entry.data["verify_ssl"] is False
    await hass.async_block_till_done()
    assert moved_sim.commands["getexportvideostatus"] == 2
    state = hass.states.get("sensor.test_export_1")
    assert state is not None
    assert state.state == "15.0"


async def test_reconfigure_onto_another_entry_aborts(
    hass: HomeAssistant,
    vdg_server: RunningServer,
    vdg_data: dict[str, Any],
    start_server: StartServer,
) -> None:
    """Two entries cannot point at one server."""
    entry = await setup_entry(hass, vdg_data, unique_id=f"127.0.0.1:{vdg_server.port}")
    other = await start_server(VdgSenseSimulator())
    await setup_entry(
        hass,
        {**vdg_data, "port": other.port},
        unique_id=f"127.0.0.1:{other.port}",
        title="Other",
    )
    result = await entry.start_reconfigure_flow(hass)
    result = await flows.configure(hass, result, _form(other))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_options(
    hass: HomeAssistant, vdg_server: RunningServer, vdg_data: dict[str, Any]
) -> None:
    """Both poll intervals and the finished exports' retention can be changed.

    The entry reloads with them.
    """
    entry = await setup_entry(hass, vdg_data)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    schema = result["data_schema"].schema
    # the export folder of voice requests is optional (voice tests use it)
    assert {str(key) for key in schema} == {
        "active_interval",
        "scan_interval",
        "finished_hours",
        "export_folder",
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"active_interval": 5, "scan_interval": 120, "finished_hours": 2},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options == {
        "active_interval": 5,
        "scan_interval": 120,
        "finished_hours": 2,
    }
    coordinator = entry.runtime_data
    assert coordinator.active_interval.total_seconds() == 5
    assert coordinator.update_interval.total_seconds() == 120
    assert coordinator.watch.retention.total_seconds() == 7200
