"""Base coordinator of every Camera Bridge backend, and the typed entry alias."""

from __future__ import annotations

from abc import abstractmethod
from datetime import timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import AuthenticationFailed, CameraBridgeError
from .const import DOMAIN

_LOGGER = logging.getLogger(__package__)

type CameraBridgeConfigEntry = ConfigEntry[BridgeCoordinator[Any]]


class BridgeCoordinator[T](DataUpdateCoordinator[T]):
    """Polls one backend with one request per poll and feeds its entities.

    Subclasses implement ``_async_fetch`` (library calls only: errors are
    translated here) and ``async_setup_platform``.
    """

    config_entry: CameraBridgeConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CameraBridgeConfigEntry,
        *,
        update_interval: timedelta | None,
    ) -> None:
        """Set up a coordinator bound to its config entry."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=update_interval,
        )

    async def _async_update_data(self) -> T:
        """Fetch through the library and translate its errors."""
        try:
            return await self._async_fetch()
        except AuthenticationFailed as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except CameraBridgeError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err

    @abstractmethod
    async def _async_fetch(self) -> T:
        """Ask the backend for fresh data (one request where possible)."""

    def async_setup_platform(
        self, platform: Platform, async_add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        """Add (now and later) this backend's entities of one platform."""
        raise NotImplementedError

    def diagnostics(self) -> dict[str, Any]:
        """Backend-specific diagnostics (secrets are redacted by the caller)."""
        return {}

    def async_can_remove_device(self, device: dr.DeviceEntry) -> bool:
        """Tell whether the user may delete ``device`` by hand."""
        return False
