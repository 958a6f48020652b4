"""Entities of the VDG Sense backend: a sensor per export, a count, an event entity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, Platform
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from ...api.vdg_sense import Export
from ...const import DOMAIN
from ...entity import CameraBridgeEntity
from .const import EVENT_TYPES
from .coordinator import VdgCoordinator
from .tracking import ExportEvent, VdgData


@dataclass(frozen=True, kw_only=True)
class VdgSensorDescription(SensorEntityDescription):
    """A server sensor computed from the last poll."""

    value_fn: Callable[[VdgData], StateType]


ACTIVE_EXPORTS = VdgSensorDescription(
    key="active_exports",
    translation_key="active_exports",
    state_class=SensorStateClass.MEASUREMENT,
    value_fn=lambda data: data.status.active_count,
)

EXPORT_PROGRESS = SensorEntityDescription(
    key="export",
    translation_key="export",
    native_unit_of_measurement=PERCENTAGE,
    state_class=SensorStateClass.MEASUREMENT,
    suggested_display_precision=0,
)

EXPORT_EVENTS = EventEntityDescription(
    key="exports",
    translation_key="exports",
    event_types=list(EVENT_TYPES),
)


class VdgActiveExportsSensor(CameraBridgeEntity[VdgCoordinator], SensorEntity):
    """How many exports the server is still working on."""

    entity_description: VdgSensorDescription

    def __init__(
        self, coordinator: VdgCoordinator, description: VdgSensorDescription
    ) -> None:
        """Attach the sensor to the server's device."""
        super().__init__(
            coordinator,
            description,
            device_info=coordinator.server_device,
            unique_id=f"{coordinator.config_entry.entry_id}_{description.key}",
        )

    @property
    def native_value(self) -> StateType:
        """Value computed from the last poll."""
        return self.entity_description.value_fn(self.coordinator.data)


class VdgExportSensor(CameraBridgeEntity[VdgCoordinator], SensorEntity):
    """Progress of one export in %, with its status, path and devices.

    Only exports whose data changed write a new state on a poll: a server
    can list thousands of exports.
    """

    # per-device details change on every poll while exporting: keep them out
    # of the recorder
    _unrecorded_attributes = frozenset({"devices"})

    def __init__(self, coordinator: VdgCoordinator, export: Export) -> None:
        """One sensor per export, on the server's device."""
        super().__init__(
            coordinator,
            EXPORT_PROGRESS,
            device_info=coordinator.server_device,
            unique_id=coordinator.export_unique_id(export),
        )
        self.export_id = export.export_id
        self._attr_translation_placeholders = {"export_id": export.export_id}
        self._export = export
        self._identity = export.identity
        self._was_available = True

    @property
    def available(self) -> bool:
        """Unavailable while the server lists the export in unreadable XML."""
        return (
            super().available
            and self.export_id not in self.coordinator.unreadable_exports
        )

    @property
    def native_value(self) -> float:
        """Overall progress in %."""
        return round(self._export.progress, 1)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Status, path, bandwidth and the progress of every device."""
        data = self.coordinator.export_as_dict(self._export)
        del data["progress"]
        return data

    async def async_added_to_hass(self) -> None:
        """Go away at once if the export left (or retired) before it was added."""
        await super().async_added_to_hass()
        export = self.coordinator.exports.get(self.export_id)
        if (
            export is None
            or self.export_id not in self.coordinator.watch
            or (export is not self._export and export.identity != self._identity)
        ):
            # once the platform has finished adding it
            self.hass.async_create_task(
                self._async_remove_from_registry(), eager_start=False
            )

    async def _async_remove_from_registry(self) -> None:
        ent_reg = er.async_get(self.hass)
        if entity_id := ent_reg.async_get_entity_id(
            "sensor", DOMAIN, self.unique_id or ""
        ):
            ent_reg.async_remove(entity_id)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write a state only when this export or the availability changed."""
        coordinator = self.coordinator
        available = coordinator.last_update_success and (
            not coordinator.unreadable_exports
            or self.export_id not in coordinator.unreadable_exports
        )
        changed = available != self._was_available
        self._was_available = available
        export = coordinator.exports.get(self.export_id)
        if (
            export is not None
            and export is not self._export
            and export.identity == self._identity
        ):
            self._export = export
            changed = True
        if changed:
            self.async_write_ha_state()


class VdgExportEvent(CameraBridgeEntity[VdgCoordinator], EventEntity):
    """Fires export_completed, export_failed and export_removed."""

    def __init__(
        self, coordinator: VdgCoordinator, description: EventEntityDescription
    ) -> None:
        """One event entity on the server's device."""
        super().__init__(
            coordinator,
            description,
            device_info=coordinator.server_device,
            unique_id=f"{coordinator.config_entry.entry_id}_{description.key}",
        )

    async def async_added_to_hass(self) -> None:
        """Listen to the coordinator's export events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_event_listener(self._async_handle_event)
        )

    @callback
    def _async_handle_event(self, event: ExportEvent) -> None:
        self._trigger_event(event.event_type, event.attributes())
        self.async_write_ha_state()


@callback
def async_setup_platform(
    coordinator: VdgCoordinator,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Server entities now; export sensors now and whenever one is watched.

    Exports that are running, or finished a short while ago, have a sensor
    (``watch.ExportWatch``).
    """
    if platform is Platform.EVENT:
        async_add_entities([VdgExportEvent(coordinator, EXPORT_EVENTS)])
        return
    if platform is not Platform.SENSOR:  # pragma: no cover - SPEC lists two
        return
    watch = coordinator.watch
    sensors = [
        VdgExportSensor(coordinator, export)
        for export_id, export in coordinator.exports.items()
        if export_id in watch
    ]
    data = coordinator.data
    applied = data.poll if data is not None else 0
    # sensors of exports that left while Home Assistant was not looking
    entry_id = coordinator.config_entry.entry_id
    ent_reg = er.async_get(coordinator.hass)
    keep = {sensor.unique_id for sensor in sensors}
    prefix = f"{entry_id}_export_"
    for entity in er.async_entries_for_config_entry(ent_reg, entry_id):
        if entity.unique_id.startswith(prefix) and entity.unique_id not in keep:
            ent_reg.async_remove(entity.entity_id)
    async_add_entities([VdgActiveExportsSensor(coordinator, ACTIVE_EXPORTS), *sensors])

    @callback
    def _async_add_new_exports() -> None:
        nonlocal applied
        data = coordinator.data
        if data is None or data.poll == applied:
            return
        applied = data.poll
        if added := data.sensors.added:
            async_add_entities(
                [VdgExportSensor(coordinator, export) for export in added]
            )

    coordinator.config_entry.async_on_unload(
        coordinator.async_add_listener(_async_add_new_exports)
    )
