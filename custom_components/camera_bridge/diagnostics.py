"""Diagnostics of a Camera Bridge entry, secrets redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .coordinator import CameraBridgeConfigEntry

TO_REDACT = {
    CONF_PASSWORD,
    CONF_USERNAME,
    "access_key_id",
    "access_key_secret",
    "serial_number",
    "serialNumber",
    "unique_id",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: CameraBridgeConfigEntry
) -> dict[str, Any]:
    """Entry settings and what the backend last answered."""
    coordinator = entry.runtime_data
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
                "subentries": [
                    {"title": sub.title, "data": dict(sub.data)}
                    for sub in entry.subentries.values()
                ],
            },
            "coordinator": {
                "last_update_success": coordinator.last_update_success,
                "update_interval": str(coordinator.update_interval),
            },
            "backend": coordinator.diagnostics(),
        },
        TO_REDACT,
    )
