"""Entities of a LinkVisual camera: live view, Record now, Last recording, recording events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
import logging
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.camera import (  # type: ignore[attr-defined]
    Camera,
    # defined here in 2026.3; newer releases define it in camera.const and
    # import it here without re-exporting it (hence the ignore)
    CameraEntityFeature,
)
from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.components.media_player.const import ATTR_MEDIA_CONTENT_ID
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time

from ...api import CameraBridgeError
from ...api.linkvisual import (
    LinkVisualError,
    LinkVisualThrottled,
    LinkVisualValidationError,
)
from ...const import DOMAIN
from ...entity import CameraBridgeEntity
from ...helpers import handle_api_errors, register_error_translation, translate_error
from .const import EVENT_FAILED, EVENT_READY, EVENT_STARTED
from .coordinator import CameraSnapshot, LinkVisualCoordinator
from .media import recording_media_id
from .settings import CameraConfig
from .store import recording_as_dict

_LOGGER = logging.getLogger(__name__)

# Set while Home Assistant picks a WebRTC provider for a camera (see
# LinkVisualLiveCamera.async_refresh_providers)
_CHOOSING_PROVIDER: ContextVar[bool] = ContextVar(
    "linkvisual_choosing_provider", default=False
)

register_error_translation(
    LinkVisualError,
    "linkvisual_error",
    lambda err: {
        "code": str(getattr(err, "code", "")),
        "message": str(getattr(err, "message", "")),
        "request_id": str(getattr(err, "request_id", None) or "-"),
    },
)
register_error_translation(
    LinkVisualThrottled,
    "linkvisual_throttled",
    lambda err: {"code": str(getattr(err, "code", ""))},
)
register_error_translation(
    LinkVisualValidationError,
    "invalid_recording_request",
    lambda err: {"message": str(err)},
)


@dataclass(frozen=True, kw_only=True)
class LinkVisualButtonDescription(ButtonEntityDescription):
    """A camera button and what pressing it does."""

    press_fn: Callable[[LinkVisualCoordinator, str], Awaitable[Any]]


@dataclass(frozen=True, kw_only=True)
class LinkVisualSensorDescription(SensorEntityDescription):
    """A camera sensor read from the camera's snapshot."""

    value_fn: Callable[[CameraSnapshot], datetime | None]
    attributes_fn: Callable[[CameraSnapshot], dict[str, Any] | None]


BUTTONS: tuple[LinkVisualButtonDescription, ...] = (
    LinkVisualButtonDescription(
        key="record_now",
        translation_key="record_now",
        press_fn=lambda coordinator, sub_id: coordinator.async_trigger_record(sub_id),
    ),
)

SENSORS: tuple[LinkVisualSensorDescription, ...] = (
    LinkVisualSensorDescription(
        key="last_recording",
        translation_key="last_recording",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda cam: (cam.last.end or cam.last.begin) if cam.last else None,
        attributes_fn=lambda cam: recording_as_dict(cam.last) if cam.last else None,
    ),
)

# the camera's live view (and its still, when the camera can capture)
LIVE = EntityDescription(key="live", translation_key="live")

EVENTS: tuple[EventEntityDescription, ...] = (
    EventEntityDescription(
        key="recording",
        translation_key="recording",
        event_types=[EVENT_STARTED, EVENT_READY, EVENT_FAILED],
    ),
)


class LinkVisualCameraEntity(CameraBridgeEntity[LinkVisualCoordinator]):
    """An entity of one camera (one subentry of the account)."""

    def __init__(
        self,
        coordinator: LinkVisualCoordinator,
        config: CameraConfig,
        description: EntityDescription,
    ) -> None:
        """Attach the entity to the camera's device."""
        super().__init__(
            coordinator,
            description,
            device_info=coordinator.camera_device(config),
            unique_id=(
                f"{coordinator.config_entry.entry_id}_{config.subentry_id}_{description.key}"
            ),
        )
        self.subentry_id = config.subentry_id

    @property
    def _camera(self) -> CameraSnapshot | None:
        return self.coordinator.data.cameras.get(self.subentry_id)

    @property
    def available(self) -> bool:
        """Unavailable while the account or this camera fails."""
        camera = self._camera
        return super().available and camera is not None and camera.error is None


class LinkVisualButton(LinkVisualCameraEntity, ButtonEntity):
    """Record now, with the camera's default duration and pre-record."""

    entity_description: LinkVisualButtonDescription

    @handle_api_errors
    async def async_press(self) -> None:
        """Trigger the record."""
        await self.entity_description.press_fn(self.coordinator, self.subentry_id)


class LinkVisualSensor(LinkVisualCameraEntity, SensorEntity):
    """When the camera's latest recording ended, with its file details."""

    entity_description: LinkVisualSensorDescription

    @property
    def native_value(self) -> datetime | None:
        """Time of the latest finished recording."""
        camera = self._camera
        return self.entity_description.value_fn(camera) if camera else None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Record id, file name, begin, end, playback URL and media id."""
        camera = self._camera
        attributes = self.entity_description.attributes_fn(camera) if camera else None
        if attributes is not None and camera is not None and camera.last is not None:
            attributes[ATTR_MEDIA_CONTENT_ID] = recording_media_id(
                self.coordinator.config_entry.entry_id,
                self.subentry_id,
                camera.last.file_name,
            )
        return attributes


class LinkVisualEvent(LinkVisualCameraEntity, EventEntity):
    """Recording started, ready (with file and URL) or failed."""

    entity_description: EventEntityDescription

    @property
    def available(self) -> bool:
        """Available while the camera is configured: failures are events too."""
        return self.subentry_id in self.coordinator.trackers

    async def async_added_to_hass(self) -> None:
        """Listen for the camera's recording events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_event_listener(
                self.subentry_id, self._async_event
            )
        )

    @callback
    def _async_event(self, event_type: str, attributes: dict[str, Any]) -> None:
        if event_type == EVENT_READY and (name := attributes.get("file_name")):
            attributes = {
                **attributes,
                ATTR_MEDIA_CONTENT_ID: recording_media_id(
                    self.coordinator.config_entry.entry_id, self.subentry_id, name
                ),
            }
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()


class LinkVisualLiveCamera(LinkVisualCameraEntity, Camera):
    """Live view through QueryLiveStreaming; a still through the capture API.

    The live URL carries an access token: it goes to Home Assistant's stream
    component and nowhere else (no log, no attribute, no diagnostics).
    """

    _attr_supported_features = CameraEntityFeature.STREAM
    _attr_brand = "Alibaba Cloud LinkVisual"

    def __init__(
        self,
        coordinator: LinkVisualCoordinator,
        config: CameraConfig,
        description: EntityDescription,
    ) -> None:
        """A camera entity on the camera's device."""
        super().__init__(coordinator, config, description)
        Camera.__init__(self)
        self.content_type = "image/jpeg"
        self._config = config
        self._cancel_renewal: CALLBACK_TYPE | None = None
        self.async_on_remove(self._async_stop_renewal)

    async def async_refresh_providers(self, *, write_state: bool = True) -> None:
        """Choose a WebRTC provider without asking LinkVisual for a URL.

        Home Assistant asks every camera's stream_source() for this when the
        camera is added and when a provider (go2rtc) comes: no viewer waits
        then, so no URL is requested (none refused at start-up either). With
        no URL no WebRTC provider is chosen: live view goes through the
        stream component (HLS to the browser).
        """
        token = _CHOOSING_PROVIDER.set(True)
        try:
            await super().async_refresh_providers(write_state=write_state)
        finally:
            _CHOOSING_PROVIDER.reset(token)

    async def stream_source(self) -> str | None:
        """The camera's live URL (one request per validity window for every viewer)."""
        if _CHOOSING_PROVIDER.get():
            return None
        try:
            stream = await self.coordinator.live.async_get(self._config)
        except CameraBridgeError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="live_unavailable",
                translation_placeholders={"name": self._config.name, "error": str(err)},
            ) from err
        self._async_schedule_renewal(self.coordinator.live.renew_at(stream))
        return stream.url

    @callback
    def _async_schedule_renewal(self, when: datetime) -> None:
        """Give a running stream a new URL before its own expires."""
        self._async_stop_renewal()
        self._cancel_renewal = async_track_point_in_utc_time(
            self.hass, self._async_renew, when
        )

    @callback
    def _async_stop_renewal(self) -> None:
        if self._cancel_renewal is not None:
            self._cancel_renewal()
            self._cancel_renewal = None

    async def _async_renew(self, _now: datetime) -> None:
        self._cancel_renewal = None
        stream = self.stream
        if stream is None or not stream.outputs():
            return  # nobody watches: the next viewer asks for a URL
        try:
            source = await self.stream_source()
        except HomeAssistantError as err:
            _LOGGER.warning("%s: the live stream was not renewed: %s", self.name, err)
            return
        if source is not None:
            stream.update_source(source)

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """A picture captured by the camera; None when it cannot capture."""
        try:
            return await self.coordinator.stills.async_get(self._config)
        except CameraBridgeError as err:
            raise translate_error(err) from err


_FACTORIES: dict[
    Platform, Callable[[LinkVisualCoordinator, CameraConfig], list[Entity]]
] = {
    Platform.BUTTON: lambda c, cfg: [LinkVisualButton(c, cfg, d) for d in BUTTONS],
    Platform.CAMERA: lambda c, cfg: [LinkVisualLiveCamera(c, cfg, LIVE)],
    Platform.SENSOR: lambda c, cfg: [LinkVisualSensor(c, cfg, d) for d in SENSORS],
    Platform.EVENT: lambda c, cfg: [LinkVisualEvent(c, cfg, d) for d in EVENTS],
}


def entities_for(
    platform: Platform, coordinator: LinkVisualCoordinator, config: CameraConfig
) -> list[Entity]:
    """The entities of one camera on ``platform`` (none on others)."""
    factory = _FACTORIES.get(platform)
    return factory(coordinator, config) if factory else []


@callback
def async_setup_platform(
    coordinator: LinkVisualCoordinator,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each camera's entities of ``platform``, bound to its subentry."""
    for sub_id, tracker in coordinator.trackers.items():
        async_add_entities(
            entities_for(platform, coordinator, tracker.config),
            config_subentry_id=sub_id,
        )
