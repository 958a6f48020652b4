"""Discovery of RICOH THETA cameras announced over DNS-SD, against the simulator."""

from __future__ import annotations

from ipaddress import ip_address
from typing import Any

from homeassistant.config_entries import SOURCE_ZEROCONF, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.loader import async_get_integration
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.camera_bridge.const import DOMAIN
from simulator.common import Faults, RunningServer
from simulator.osc import OscSimulator
from tests.conftest import StartServer, setup_entry
from tests.flows import configure

INSTANCE = "THETAYL10100001"
USER = INSTANCE
PASSWORD = "10100001"


def _announced(
    server: RunningServer, instance: str = INSTANCE, port: int | None = None
) -> ZeroconfServiceInfo:
    """What Home Assistant's zeroconf hands over for a THETA in client mode."""
    address = ip_address(server.host)
    return ZeroconfServiceInfo(
        ip_address=address,
        ip_addresses=[address],
        port=server.port if port is None else port,
        hostname=f"{instance}.local.",
        type="_osc._tcp.local.",
        name=f"{instance}._osc._tcp.local.",
        properties={},
    )


async def _discover(hass: HomeAssistant, info: ZeroconfServiceInfo) -> Any:
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=info
    )


def _flow_context(hass: HomeAssistant, flow_id: str) -> dict[str, Any]:
    (flow,) = [
        f for f in hass.config_entries.flow.async_progress() if f["flow_id"] == flow_id
    ]
    return dict(flow["context"])


async def test_manifest_matches_theta_names(hass: HomeAssistant) -> None:
    """Only _osc._tcp services named theta* start a flow."""
    integration = await async_get_integration(hass, DOMAIN)
    assert integration.zeroconf == [{"type": "_osc._tcp.local.", "name": "theta*"}]


async def test_discovered_camera_without_auth(
    hass: HomeAssistant, osc_server: RunningServer, osc_data: dict[str, Any]
) -> None:
    """An open camera shows its model and serial; confirming creates the entry."""
    result = await _discover(hass, _announced(osc_server))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "zeroconf_confirm"
    assert result["data_schema"].schema == {}
    assert result["description_placeholders"] == {
        "model": "RICOH THETA Z1",
        "serial": "10100001",
        "host": osc_server.host,
    }
    context = _flow_context(hass, result["flow_id"])
    assert context["title_placeholders"] == result["description_placeholders"]
    assert context["unique_id"] == "10100001"

    result = await configure(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "RICOH THETA Z1"
    assert result["data"] == osc_data
    assert result["result"].unique_id == "10100001"
    assert result["result"].state is ConfigEntryState.LOADED


async def test_discovered_camera_asks_for_credentials(
    hass: HomeAssistant, osc_server: RunningServer, digest_sim: OscSimulator
) -> None:
    """/osc/info open, /osc/state behind Digest: only the credentials are asked."""
    digest_sim.open_info = True
    result = await _discover(hass, _announced(osc_server))
    assert result["step_id"] == "zeroconf_confirm"
    assert set(result["data_schema"].schema) == {CONF_USERNAME, CONF_PASSWORD}
    assert result["description_placeholders"]["model"] == "RICOH THETA Z1"
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested == {CONF_USERNAME: USER}

    result = await configure(
        hass, result, {CONF_USERNAME: USER, CONF_PASSWORD: "wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await configure(
        hass, result, {CONF_USERNAME: USER, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_USERNAME] == USER
    assert result["data"][CONF_PASSWORD] == PASSWORD
    assert result["result"].unique_id == "10100001"


async def test_discovered_camera_fully_protected(
    hass: HomeAssistant, osc_server: RunningServer, digest_sim: OscSimulator
) -> None:
    """/osc/info behind Digest too: the serial of the announced name stands in."""
    result = await _discover(hass, _announced(osc_server))
    assert result["step_id"] == "zeroconf_confirm"
    assert result["description_placeholders"] == {
        "model": "RICOH THETA",
        "serial": "10100001",
        "host": osc_server.host,
    }
    assert _flow_context(hass, result["flow_id"])["unique_id"] == "10100001"
    assert set(result["data_schema"].schema) == {CONF_USERNAME, CONF_PASSWORD}

    # the camera drops off the network before the user confirms: say so, retry
    digest_sim.faults = Faults(drop=True)
    result = await configure(
        hass, result, {CONF_USERNAME: USER, CONF_PASSWORD: PASSWORD}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    digest_sim.faults.reset()
    result = await configure(
        hass, result, {CONF_USERNAME: USER, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "RICOH THETA Z1"
    assert result["result"].unique_id == "10100001"


async def test_name_and_identity_disagree(
    hass: HomeAssistant,
    osc_server: RunningServer,
    digest_sim: OscSimulator,
    osc_data: dict[str, Any],
) -> None:
    """The camera's /osc/info decides: a camera set up already is not doubled."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={**osc_data, CONF_HOST: "192.0.2.7", CONF_PORT: 80},
        unique_id="10100001",
    )
    entry.add_to_hass(hass)
    result = await _discover(hass, _announced(osc_server, "THETAYL99999999"))
    assert _flow_context(hass, result["flow_id"])["unique_id"] == "99999999"
    result = await configure(
        hass, result, {CONF_USERNAME: USER, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == osc_server.host
    assert entry.data[CONF_PORT] == osc_server.port
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


@pytest.mark.parametrize("protected_info", [False, True])
async def test_configured_camera_at_new_address(
    hass: HomeAssistant,
    digest_sim: OscSimulator,
    osc_data: dict[str, Any],
    start_server: StartServer,
    protected_info: bool,
) -> None:
    """A known camera announced elsewhere gets its address updated, no new entry."""
    digest_sim.open_info = not protected_info
    entry = await setup_entry(
        hass,
        {**osc_data, CONF_USERNAME: USER, CONF_PASSWORD: PASSWORD},
        title="THETA",
        unique_id="10100001",
    )
    assert entry.state is ConfigEntryState.LOADED
    # the camera got a new address from the router (here: a new port)
    moved = await start_server(digest_sim)
    result = await _discover(hass, _announced(moved))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == moved.host
    assert entry.data[CONF_PORT] == moved.port
    assert entry.data[CONF_USERNAME] == USER
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert hass.config_entries.flow.async_progress() == []


async def test_same_camera_announced_twice(
    hass: HomeAssistant, osc_server: RunningServer
) -> None:
    """A second announcement while the first flow waits starts no second flow."""
    first = await _discover(hass, _announced(osc_server))
    assert first["type"] is FlowResultType.FORM
    second = await _discover(hass, _announced(osc_server))
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_in_progress"


async def test_open_sound_control_names_are_ignored(
    hass: HomeAssistant, osc_server: RunningServer, osc_sim: OscSimulator
) -> None:
    """A service whose name is not THETA's is dropped without asking it anything."""
    result = await _discover(hass, _announced(osc_server, "TouchOSC Bridge"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_osc_camera"
    assert osc_sim.count("/osc/info") == 0


def _not_found(sim: OscSimulator) -> None:
    sim.faults = Faults(status=404, status_body="Not Found")


def _html(sim: OscSimulator) -> None:
    sim.faults = Faults(status=200, status_body="<html>synth</html>")


def _no_identity(sim: OscSimulator) -> None:
    sim.serial_number = None


def _no_osc_endpoints(sim: OscSimulator) -> None:
    sim.faults = Faults(
        status=200, status_body={"serialNumber": "1", "api": ["/status"]}
    )


def _protected_without_serial(sim: OscSimulator) -> None:
    sim.auth = (USER, PASSWORD)


def _gone(sim: OscSimulator) -> None:
    sim.faults = Faults(drop=True)


def _state_fails(sim: OscSimulator) -> None:
    sim.faults = Faults(status=503, status_body="busy", paths=("/osc/state",))


@pytest.mark.parametrize(
    ("break_it", "instance", "reason"),
    [
        (_not_found, INSTANCE, "not_osc_camera"),
        (_html, INSTANCE, "not_osc_camera"),
        (_no_identity, INSTANCE, "not_osc_camera"),
        (_no_osc_endpoints, INSTANCE, "not_osc_camera"),
        # a Digest challenge proves nothing when the name carries no serial
        (_protected_without_serial, "Theta Synth", "not_osc_camera"),
        (_gone, INSTANCE, "cannot_connect"),
        (_state_fails, INSTANCE, "cannot_connect"),
    ],
)
async def test_not_an_osc_camera(
    hass: HomeAssistant,
    osc_server: RunningServer,
    osc_sim: OscSimulator,
    break_it: Any,
    instance: str,
    reason: str,
) -> None:
    """Whatever does not answer /osc/info like an OSC camera is aborted quietly."""
    break_it(osc_sim)
    result = await _discover(hass, _announced(osc_server, instance))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert hass.config_entries.async_entries(DOMAIN) == []
