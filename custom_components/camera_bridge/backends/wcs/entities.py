"""Entities of the Web Call Server backend: a camera per stream, server sensors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.camera import (  # type: ignore[attr-defined]
    Camera,
    # defined here in 2026.3; newer releases define it in camera.const and
    # import it here without re-exporting it (hence the ignore)
    CameraEntityFeature,
)
from homeassistant.components.camera.webrtc import WebRTCSendMessage
from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from webrtc_models import RTCIceCandidateInit

from ...api import CameraBridgeError
from ...api.wcs import SnapshotFailed, Stream, StreamNotFound
from ...entity import CameraBridgeEntity
from ...helpers import register_error_translation, translate_error
from .coordinator import WcsCoordinator, WcsData
from .live import LiveView
from .webrtc import WcsWebRtc

register_error_translation(
    StreamNotFound, "stream_not_found", lambda err: {"message": str(err)}
)
register_error_translation(
    SnapshotFailed,
    "snapshot_failed",
    lambda err: {"message": getattr(err, "message", "") or str(err)},
)


@dataclass(frozen=True, kw_only=True)
class WcsSensorDescription(SensorEntityDescription):
    """A server sensor computed from the last poll."""

    value_fn: Callable[[WcsData], StateType]


SENSORS: tuple[WcsSensorDescription, ...] = (
    WcsSensorDescription(
        key="published_streams",
        translation_key="published_streams",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: sum(
            1 for s in data.streams.values() if s.published or s.status == "PUBLISHING"
        ),
    ),
)

# the stream camera is its device's main feature: it takes the device's name
STREAM_CAMERA = EntityDescription(key="stream", name=None)


class WcsServerSensor(CameraBridgeEntity[WcsCoordinator], SensorEntity):
    """A sensor of the server's device."""

    entity_description: WcsSensorDescription

    def __init__(
        self, coordinator: WcsCoordinator, description: WcsSensorDescription
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


@callback
def async_setup_platform(
    coordinator: WcsCoordinator,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Server sensors now; stream cameras now and whenever a stream appears."""
    if platform is Platform.SENSOR:
        async_add_entities(WcsServerSensor(coordinator, desc) for desc in SENSORS)
    elif platform is Platform.CAMERA:
        added: set[str] = set()
        entry = coordinator.config_entry
        live = LiveView.from_options(coordinator.client.base_url, entry.options)
        webrtc: WcsWebRtc | None = None
        if live.webrtc and live.signaling_url is not None:
            webrtc = WcsWebRtc(
                coordinator.hass, coordinator.client.session, live.signaling_url
            )
            entry.async_on_unload(webrtc.async_shutdown)

        def _camera(stream: Stream) -> WcsStreamCamera:
            if webrtc is not None:
                return WcsWebRtcCamera(
                    coordinator, stream, live, webrtc, on_remove=added.discard
                )
            return WcsStreamCamera(coordinator, stream, live, on_remove=added.discard)

        @callback
        def _async_add_new_streams() -> None:
            if not coordinator.last_update_success:
                return
            new = [s for s in coordinator.data.streams.values() if s.name not in added]
            added.update(s.name for s in new)
            if new:
                async_add_entities(_camera(s) for s in new)

        _async_add_new_streams()
        entry.async_on_unload(coordinator.async_add_listener(_async_add_new_streams))


class WcsStreamCamera(CameraBridgeEntity[WcsCoordinator], Camera):
    """A published stream: PNG snapshots, live view over RTSP or HLS."""

    _attr_brand = "Flashphoner"
    # named after its device, the stream
    _attr_name = None

    def __init__(
        self,
        coordinator: WcsCoordinator,
        stream: Stream,
        live: LiveView,
        *,
        on_remove: Callable[[str], None],
    ) -> None:
        """One camera on the stream's own device, named after the stream."""
        super().__init__(
            coordinator,
            STREAM_CAMERA,
            device_info=coordinator.stream_device(stream),
            unique_id=f"{coordinator.config_entry.entry_id}_stream_{stream.name}",
        )
        Camera.__init__(self)
        self.stream_name = stream.name
        self.content_type = "image/png"
        self._live = live
        self._attr_supported_features = self._features(stream)
        # a camera may be added again once this one (its device) is removed
        self.async_on_remove(lambda: on_remove(stream.name))

    @property
    def _stream(self) -> Stream | None:
        return self.coordinator.data.streams.get(self.stream_name)

    def _features(self, stream: Stream) -> CameraEntityFeature:
        """Live view for streams with video, unless turned off."""
        if self._live.enabled and stream.has_video:
            return CameraEntityFeature.STREAM
        return CameraEntityFeature(0)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Follow the stream: it may gain or lose its video."""
        if (stream := self._stream) is not None:
            self._attr_supported_features = self._features(stream)
        super()._handle_coordinator_update()

    async def stream_source(self) -> str | None:
        """The stream's RTSP or HLS URL on the server; None once it is gone."""
        stream = self._stream
        if stream is None or not stream.has_video:
            return None
        return self._live.source(stream.name)

    @property
    def available(self) -> bool:
        """Unavailable while the stream is not on the server."""
        return super().available and self._stream is not None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """What the server says about the stream."""
        if (stream := self._stream) is None:
            return None
        return {
            "status": stream.status,
            "width": stream.width,
            "height": stream.height,
            "video_codec": stream.video_codec,
            "audio_codec": stream.audio_codec,
            "media_provider": stream.media_provider,
        }

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """A PNG snapshot of the stream (shared by concurrent requests)."""
        try:
            return await self.coordinator.async_snapshot(self.stream_name)
        except CameraBridgeError as err:
            raise translate_error(err) from err


class WcsWebRtcCamera(WcsStreamCamera):
    """A stream the frontend plays natively over WebRTC, signaled by WCS.

    ``stream_source()`` still gives the RTSP or HLS URL, for Home
    Assistant's stream component (recordings, ``camera.play_stream``).
    """

    def __init__(
        self,
        coordinator: WcsCoordinator,
        stream: Stream,
        live: LiveView,
        webrtc: WcsWebRtc,
        *,
        on_remove: Callable[[str], None],
    ) -> None:
        """A stream camera whose viewers' sessions ``webrtc`` keeps."""
        super().__init__(coordinator, stream, live, on_remove=on_remove)
        self._webrtc = webrtc

    async def async_handle_async_webrtc_offer(
        self, offer_sdp: str, session_id: str, send_message: WebRTCSendMessage
    ) -> None:
        """Play the stream from WCS for this viewer; the answer is sent back."""
        await self._webrtc.async_offer(
            self.stream_name, offer_sdp, session_id, send_message
        )

    async def async_on_webrtc_candidate(
        self, session_id: str, candidate: RTCIceCandidateInit
    ) -> None:
        """A trickled candidate of the browser (WCS learns it from its checks)."""
        await self._webrtc.async_candidate(session_id, candidate)

    @callback
    def close_webrtc_session(self, session_id: str) -> None:
        """The viewer left: stop the stream and close its WebSocket."""
        self._webrtc.async_close_session(session_id)
