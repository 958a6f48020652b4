"""Diagnostics of an OSC entry keep credentials and serial numbers out."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulator.osc import OscSimulator
from tests.conftest import setup_entry


async def test_diagnostics_redacts_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    osc_data: dict[str, Any],
    osc_sim: OscSimulator,
) -> None:
    """Password, user name and serial number are redacted; state is there."""
    osc_sim.auth = ("THETAYL10100001", "s3cr3t-pw")
    osc_sim.shoot_on_camera()
    entry = await setup_entry(
        hass,
        {**osc_data, "username": "THETAYL10100001", "password": "s3cr3t-pw"},
        unique_id="10100001",
        title="THETA",
    )
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = repr(diag)
    assert "s3cr3t-pw" not in text
    assert "THETAYL10100001" not in text
    assert "10100001" not in text
    backend = diag["backend"]
    assert backend["info"]["model"] == "RICOH THETA Z1"
    assert backend["info"]["serial_number"] == "**REDACTED**"
    assert backend["api_level"] == 2
    assert backend["capture_modes"] == ["image", "video"]
    assert backend["state"]["_captureStatus"] == "idle"
    assert backend["latest_url"].endswith(".JPG")
    assert backend["shooting"] is False
