"""Base entity of Camera Bridge."""

from __future__ import annotations

from typing import Any

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import BridgeCoordinator


class CameraBridgeEntity[C: BridgeCoordinator[Any]](CoordinatorEntity[C]):
    """An entity fed by a Camera Bridge coordinator."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: C,
        description: EntityDescription,
        *,
        device_info: DeviceInfo,
        unique_id: str,
    ) -> None:
        """Bind the entity to its coordinator, device and description."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_device_info = device_info
        self._attr_unique_id = unique_id
