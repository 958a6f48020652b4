"""Camera Bridge: OSC cameras, Flashphoner WCS, VDG Sense and LinkVisual in Home Assistant."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .backends import BACKENDS, backend_of
from .const import CONF_KIND, DOMAIN
from .coordinator import CameraBridgeConfigEntry
from .media_view import MediaProxyView
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and the media view once, whatever the entries.

    The view is up from the start, so a signed media link handed out before a
    restart works without anyone opening the Media browser first.
    """
    async_setup_services(hass)
    hass.http.register_view(MediaProxyView(hass))
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: CameraBridgeConfigEntry
) -> bool:
    """Connect to the backend of an entry and set up its entities."""
    spec = backend_of(entry)
    coordinator = await spec.async_create_coordinator(hass, entry)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, spec.platforms)
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: CameraBridgeConfigEntry
) -> bool:
    """Unload the entities of an entry."""
    return await hass.config_entries.async_unload_platforms(
        entry, backend_of(entry).platforms
    )


async def async_remove_entry(
    hass: HomeAssistant, entry: CameraBridgeConfigEntry
) -> None:
    """Delete what the entry's backend stored (e.g. pending recordings)."""
    spec = BACKENDS.get(entry.data.get(CONF_KIND, ""))
    if spec is not None and spec.async_remove_entry is not None:
        await spec.async_remove_entry(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: CameraBridgeConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a device the backend no longer has."""
    return entry.runtime_data.async_can_remove_device(device)
