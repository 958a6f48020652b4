"""Entities of an OSC camera: buttons, latest picture, sensors and shot events."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.camera import Camera
from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, Platform, UnitOfInformation
from homeassistant.core import callback
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from ...api import CameraBridgeError
from ...entity import CameraBridgeEntity
from ...helpers import handle_api_errors, translate_error
from .const import (
    ATTR_FILE_URL,
    CAPTURE_STATES,
    EVENT_CAPTURE_FAILED,
    EVENT_PICTURE_TAKEN,
)
from .coordinator import OscCoordinator
from .data import OscData
from .preview import async_serve_mjpeg


def capture_state(raw: str | None) -> str | None:
    """A THETA ``_captureStatus`` as one of CAPTURE_STATES."""
    if raw is None:
        return None
    key = raw.strip().lower().replace("-", "_").replace("timeshift", "time_shift")
    return key if key in CAPTURE_STATES else "other"


@dataclass(frozen=True, kw_only=True)
class OscSensorDescription(SensorEntityDescription):
    """A camera sensor computed from the last poll."""

    value_fn: Callable[[OscCoordinator, OscData], StateType]
    exists_fn: Callable[[OscCoordinator], bool] = lambda coordinator: True
    attributes_fn: Callable[[OscCoordinator, OscData], dict[str, Any] | None] = (
        lambda coordinator, data: None
    )


def _battery(coordinator: OscCoordinator, data: OscData) -> StateType:
    level = data.state.battery_level
    return None if level is None else round(level * 100)


def _capture(coordinator: OscCoordinator, data: OscData) -> StateType:
    if coordinator.shooting:
        return "shooting"
    return capture_state(data.state.capture_status)


def _capture_attributes(
    coordinator: OscCoordinator, data: OscData
) -> dict[str, Any] | None:
    attributes: dict[str, Any] = {"raw_status": data.state.capture_status}
    if coordinator.shot_progress is not None:
        attributes["progress"] = round(coordinator.shot_progress * 100)
    return attributes


def _has_storage(coordinator: OscCoordinator) -> bool:
    data = coordinator.data
    return coordinator.reports_storage or (
        data is not None
        and (data.remaining_pictures is not None or data.remaining_space is not None)
    )


SENSORS: tuple[OscSensorDescription, ...] = (
    OscSensorDescription(
        key="battery_level",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_battery,
    ),
    OscSensorDescription(
        key="capture_status",
        translation_key="capture_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(CAPTURE_STATES),
        value_fn=_capture,
        exists_fn=lambda coordinator: (
            coordinator.data is not None
            and coordinator.data.state.capture_status is not None
        ),
        attributes_fn=_capture_attributes,
    ),
    OscSensorDescription(
        key="remaining_pictures",
        translation_key="remaining_pictures",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda coordinator, data: data.remaining_pictures,
        exists_fn=_has_storage,
    ),
    OscSensorDescription(
        key="remaining_space",
        translation_key="remaining_space",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        # changes with every picture; most users never look at it
        entity_registry_enabled_default=False,
        value_fn=lambda coordinator, data: data.remaining_space,
        exists_fn=_has_storage,
    ),
)


@dataclass(frozen=True, kw_only=True)
class OscButtonDescription(ButtonEntityDescription):
    """A button that sends a command to the camera."""

    press_fn: Callable[[OscCoordinator], Coroutine[Any, Any, Any]]
    exists_fn: Callable[[OscCoordinator], bool] = lambda coordinator: True


BUTTONS: tuple[OscButtonDescription, ...] = (
    OscButtonDescription(
        key="take_picture",
        translation_key="take_picture",
        press_fn=lambda coordinator: coordinator.async_press_take_picture(),
    ),
    OscButtonDescription(
        key="start_recording",
        translation_key="start_recording",
        press_fn=lambda coordinator: coordinator.async_start_recording(),
        exists_fn=lambda coordinator: coordinator.supports_video,
    ),
    OscButtonDescription(
        key="stop_recording",
        translation_key="stop_recording",
        press_fn=lambda coordinator: coordinator.async_stop_recording(),
        exists_fn=lambda coordinator: coordinator.supports_video,
    ),
)

LATEST_PICTURE = EntityDescription(
    key="latest_picture", translation_key="latest_picture"
)
LIVE_PREVIEW = EntityDescription(key="live_preview", translation_key="live_preview")
SHOTS = EventEntityDescription(key="shots", translation_key="shots")


class OscEntity(CameraBridgeEntity[OscCoordinator]):
    """An entity of the camera's device."""

    def __init__(
        self, coordinator: OscCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the camera's device."""
        super().__init__(
            coordinator,
            description,
            device_info=coordinator.device_info,
            unique_id=f"{coordinator.unique_id}_{description.key}",
        )


class OscSensor(OscEntity, SensorEntity):
    """A sensor of the camera."""

    entity_description: OscSensorDescription

    @property
    def native_value(self) -> StateType:
        """Value from the last poll."""
        return self.entity_description.value_fn(self.coordinator, self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Extra details, where the description has some."""
        return self.entity_description.attributes_fn(
            self.coordinator, self.coordinator.data
        )


class OscButton(OscEntity, ButtonEntity):
    """A button of the camera."""

    entity_description: OscButtonDescription

    @handle_api_errors
    async def async_press(self) -> None:
        """Send the button's command."""
        await self.entity_description.press_fn(self.coordinator)


class OscLatestPictureCamera(OscEntity, Camera):
    """The newest picture on the camera, downloaded once per new file."""

    def __init__(self, coordinator: OscCoordinator) -> None:
        """A still-picture camera; Home Assistant scales it on request."""
        super().__init__(coordinator, LATEST_PICTURE)
        Camera.__init__(self)
        self.content_type = "image/jpeg"

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Where the picture is on the camera."""
        url = self.coordinator.data.latest_url
        if url is None:
            return None
        return {ATTR_FILE_URL: url, "file_name": url.rsplit("/", 1)[-1]}

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """The newest picture (None before the first one)."""
        try:
            return await self.coordinator.async_latest_image(width, height)
        except CameraBridgeError as err:
            raise translate_error(err) from err


class OscLivePreviewCamera(OscEntity, Camera):
    """The camera's live preview (MJPEG), one upstream for every viewer."""

    def __init__(self, coordinator: OscCoordinator) -> None:
        """A camera streaming the preview; its still is the newest frame."""
        super().__init__(coordinator, LIVE_PREVIEW)
        Camera.__init__(self)
        self.content_type = "image/jpeg"

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """The newest preview frame (the preview runs briefly for it)."""
        return await self.coordinator.preview.async_snapshot()

    async def handle_async_mjpeg_stream(
        self, request: web.Request
    ) -> web.StreamResponse | None:
        """Send the camera's preview to one viewer."""
        return await async_serve_mjpeg(self.coordinator.preview, request)


class OscShotEvent(OscEntity, EventEntity):
    """Fires picture_taken and capture_failed."""

    def __init__(
        self, coordinator: OscCoordinator, description: EntityDescription
    ) -> None:
        """One event entity per camera."""
        super().__init__(coordinator, description)
        self._attr_event_types = [EVENT_PICTURE_TAKEN, EVENT_CAPTURE_FAILED]

    async def async_added_to_hass(self) -> None:
        """Listen to the coordinator's shot events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_subscribe_events(self._on_event))

    @callback
    def _on_event(self, event_type: str, attributes: dict[str, Any]) -> None:
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()


@callback
def async_setup_platform(
    coordinator: OscCoordinator,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's entities of one platform (SPEC.platforms lists them)."""
    builders: dict[Platform, Callable[[], list[Entity]]] = {
        Platform.SENSOR: lambda: [
            OscSensor(coordinator, desc)
            for desc in SENSORS
            if desc.exists_fn(coordinator)
        ],
        Platform.BUTTON: lambda: [
            OscButton(coordinator, desc)
            for desc in BUTTONS
            if desc.exists_fn(coordinator)
        ],
        Platform.CAMERA: lambda: [
            OscLatestPictureCamera(coordinator),
            *(
                [OscLivePreviewCamera(coordinator)]
                if coordinator.preview.support is not None
                else []
            ),
        ],
        Platform.EVENT: lambda: [OscShotEvent(coordinator, SHOTS)],
    }
    async_add_entities(builders[platform]())
