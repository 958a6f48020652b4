"""Event platform of Camera Bridge: the entry's backend provides the entities."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .backends import async_setup_platform
from .coordinator import CameraBridgeConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CameraBridgeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add this platform's entities of the entry's backend."""
    async_setup_platform(entry, Platform.EVENT, async_add_entities)
