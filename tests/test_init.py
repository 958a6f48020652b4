"""Set-up behaviour shared by every backend."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from custom_components.camera_bridge.const import CONF_KIND
from tests.conftest import setup_entry


async def test_entry_of_unknown_kind_fails_clearly(hass: HomeAssistant) -> None:
    entry = await setup_entry(
        hass, {CONF_KIND: "teleporter"}, expect=ConfigEntryState.SETUP_ERROR
    )
    assert entry.reason is not None
    assert "teleporter" in entry.reason
