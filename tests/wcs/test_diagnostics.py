"""Diagnostics of a WCS entry keep credentials out."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from tests.conftest import setup_entry


async def test_diagnostics_redacts_credentials(
    hass: HomeAssistant, hass_client, wcs_data, wcs_sim
) -> None:
    wcs_sim.auth = ("admin", "t0p-secret")
    entry = await setup_entry(
        hass, {**wcs_data, "username": "admin", "password": "t0p-secret"}
    )
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = repr(diag)
    assert "t0p-secret" not in text
    assert "admin" not in text
    assert diag["entry"]["data"]["password"] == "**REDACTED**"
    assert {s["name"] for s in diag["backend"]["streams"]} == {"front-door", "garden"}
    assert diag["coordinator"]["last_update_success"] is True
