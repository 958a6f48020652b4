"""Coordinator of an OSC camera: one /osc/state per poll, pictures and events."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import timedelta
import logging
from typing import Any

from homeassistant.components.camera import Image
from homeassistant.components.camera.img_util import scale_jpeg_camera_image
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo

from ...api import CameraBridgeError, CannotConnect
from ...api._http import SingleFlight
from ...api.osc import (
    OscClient,
    OscCommandTimeout,
    OscInfo,
    OscShotInProgress,
    OscState,
    OscStorage,
    OscUnknownCommand,
    OscValidationError,
)
from ...const import CONF_SCAN_INTERVAL, DOMAIN
from ...coordinator import BridgeCoordinator, CameraBridgeConfigEntry
from .const import (
    ANNOUNCED_MEMORY,
    ATTR_FILE_URL,
    DEFAULT_SCAN_INTERVAL,
    EVENT_CAPTURE_FAILED,
    EVENT_PICTURE_TAKEN,
    SCALED_MEMORY,
    SOURCE_CAMERA,
    SOURCE_HOME_ASSISTANT,
)
from .data import OscData
from .errors import failure_reason
from .preview import PreviewHub

_LOGGER = logging.getLogger(__name__)

type EventListener = Callable[[str, dict[str, Any]], None]


class OscCoordinator(BridgeCoordinator[OscData]):
    """Polls one OSC camera and runs its shots."""

    def __init__(
        self, hass: HomeAssistant, entry: CameraBridgeConfigEntry, client: OscClient
    ) -> None:
        """Read the options; the camera is asked about itself on the first poll."""
        super().__init__(
            hass,
            entry,
            update_interval=timedelta(
                seconds=float(
                    entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
                )
            ),
        )
        # an unchanged fingerprint returns the same data: no entity update
        self.always_update = False
        self.client = client
        self.info: OscInfo | None = None
        self.capture_modes: tuple[str, ...] = ()
        self.reports_storage = False
        self._can_list = True
        self._latest_owed = False
        self._storage_owed = False
        self._latest_seen: str | None = None
        self._announced: deque[str] = deque(maxlen=ANNOUNCED_MEMORY)
        self._lost_shot = False
        self._shot_running = False
        self._shot_accepted: asyncio.Future[None] | None = None
        self.shot_progress: float | None = None
        self._event_listeners: list[EventListener] = []
        self._image: tuple[str, bytes] | None = None
        self._scaled: dict[tuple[int, int], bytes] = {}
        self._downloads: SingleFlight[str, bytes] = SingleFlight()
        self.preview = PreviewHub(hass, entry, client)
        entry.async_on_unload(self.preview.async_stop)

    # ------------------------------------------------------------- device

    @property
    def unique_id(self) -> str:
        """The camera's identity (serial number or cameraId)."""
        assert self.info is not None
        return self.info.unique_id

    @property
    def supports_video(self) -> bool:
        """Whether the camera can record video."""
        return "video" in self.capture_modes

    @property
    def device_info(self) -> DeviceInfo:
        """The camera as a device."""
        assert self.info is not None
        return DeviceInfo(
            identifiers={(DOMAIN, self.info.unique_id)},
            name=self.config_entry.title,
            manufacturer=self.info.manufacturer or None,
            model=self.info.model or None,
            sw_version=self.info.firmware_version,
            serial_number=self.info.serial_number,
        )

    # ---------------------------------------------------------------- poll

    async def _async_fetch(self) -> OscData:
        if self.info is None:
            await self._async_learn_camera()
        state = await self.client.state()
        previous = self.data
        changed = previous is None or state.fingerprint != previous.state.fingerprint
        if not changed and not (self._latest_owed or self._storage_owed):
            return previous
        latest = await self._async_latest(state, changed, previous)
        storage = await self._async_storage(changed, previous)
        data = OscData(state=state, latest_url=latest, storage=storage)
        self._async_check_new_picture(latest, first=previous is None)
        return data

    async def _async_learn_camera(self) -> None:
        """What the camera is and can do (asked once, on the first poll)."""
        info = await self.client.info()
        try:
            modes = await self.client.capture_modes()
        except OscUnknownCommand:
            modes = ()
        try:
            await self.client.get_storage()
        except OscValidationError, OscUnknownCommand:
            reports_storage = False
        else:
            reports_storage = True
        await self.preview.async_learn()
        self.info = info
        self.capture_modes = modes
        self.reports_storage = reports_storage
        self._storage_owed = reports_storage

    async def _async_latest(
        self, state: OscState, changed: bool, previous: OscData | None
    ) -> str | None:
        """Newest picture: from the state (THETA) or a listing when it changed."""
        if (
            state.latest_file_url is not None
            or {
                "_latestFileUrl",
                "_latestFileUri",
            }
            & state.raw.keys()
        ):
            self._latest_owed = False
            return state.latest_file_url
        known = previous.latest_url if previous else None
        if not self._can_list or not (changed or self._latest_owed):
            return known
        if self.client.busy:
            # never queue behind a shot; ask on a later poll
            self._latest_owed = True
            return known
        try:
            picture = await self.client.latest_picture()
        except OscUnknownCommand:
            self._can_list = False
            return known
        except CameraBridgeError as err:
            _LOGGER.debug("Listing the newest picture failed: %s", err)
            self._latest_owed = True
            return known
        self._latest_owed = False
        return picture.url if picture else None

    async def _async_storage(
        self, changed: bool, previous: OscData | None
    ) -> OscStorage | None:
        known = previous.storage if previous else None
        if not self.reports_storage or not (changed or self._storage_owed):
            return known
        if self.client.busy:
            self._storage_owed = True
            return known
        try:
            storage = await self.client.get_storage()
        except CameraBridgeError as err:
            _LOGGER.debug("Reading the remaining storage failed: %s", err)
            self._storage_owed = True
            return known
        self._storage_owed = False
        return storage

    @callback
    def _async_check_new_picture(self, latest: str | None, *, first: bool) -> None:
        """Announce pictures that appear without a shot of ours."""
        if first:
            self._latest_seen = latest
            return
        if latest is None or latest == self._latest_seen:
            return
        if self.shooting:
            # our own shot announces its picture when it ends
            return
        self._latest_seen = latest
        if latest in self._announced:
            return
        self._announced.append(latest)
        if self._lost_shot:
            self._lost_shot = False
            _LOGGER.info(
                "%s: the picture Home Assistant stopped waiting for has arrived: %s",
                self.config_entry.title,
                latest,
            )
            source = SOURCE_HOME_ASSISTANT
        else:
            source = SOURCE_CAMERA
        self._async_fire(EVENT_PICTURE_TAKEN, {ATTR_FILE_URL: latest, "source": source})

    # -------------------------------------------------------------- events

    @callback
    def async_subscribe_events(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call ``listener(event_type, attributes)`` for every shot event."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    @callback
    def _async_fire(self, event_type: str, attributes: dict[str, Any]) -> None:
        for listener in list(self._event_listeners):
            listener(event_type, attributes)

    # --------------------------------------------------------------- shots

    @property
    def shooting(self) -> bool:
        """Whether a shot started by Home Assistant is under way."""
        return self._shot_running or self.client.picture_in_progress

    @callback
    def _async_start_shot(self) -> asyncio.Task[str]:
        if self.shooting:
            raise OscShotInProgress
        self._shot_accepted = self.hass.loop.create_future()
        task = self.config_entry.async_create_background_task(
            self.hass, self._async_shoot(), f"{DOMAIN} take picture"
        )
        # failures are announced by an event and logged; nobody may await
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        self._shot_running = True
        return task

    async def async_press_take_picture(self) -> None:
        """Start a shot; return once the camera accepted it.

        The result arrives as a picture_taken or capture_failed event. An
        immediate refusal (camera busy, in video mode, ...) is raised.
        """
        task = self._async_start_shot()
        accepted = self._shot_accepted
        assert accepted is not None
        waiting: list[asyncio.Future[Any]] = [task, accepted]
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()

    async def async_take_picture(self) -> str:
        """Take a picture and return its file URL.

        If the caller stops waiting, the shot still runs to its end and is
        announced by an event.
        """
        return await asyncio.shield(self._async_start_shot())

    @callback
    def _async_on_progress(self, completion: float) -> None:
        if self._shot_accepted is not None and not self._shot_accepted.done():
            self._shot_accepted.set_result(None)
        self.shot_progress = completion
        self.async_update_listeners()

    async def _async_shoot(self) -> str:
        """Run one shot and announce how it ended."""
        title = self.config_entry.title
        try:
            with self.preview.paused():
                url = await self.client.take_picture(self._async_on_progress)
        except CameraBridgeError as err:
            if isinstance(err, (OscCommandTimeout, CannotConnect)):
                # the camera may still finish: the next polls will tell
                self._lost_shot = True
            _LOGGER.warning("%s: taking a picture failed: %s", title, err)
            self._async_fire(
                EVENT_CAPTURE_FAILED,
                {"reason": failure_reason(err), "message": str(err)},
            )
            raise
        finally:
            self._shot_running = False
            self.shot_progress = None
            if self._shot_accepted is not None and not self._shot_accepted.done():
                self._shot_accepted.set_result(None)
            self.async_update_listeners()
        self._announced.append(url)
        self._lost_shot = False
        _LOGGER.debug("%s: picture taken: %s", title, url)
        self._async_fire(
            EVENT_PICTURE_TAKEN, {ATTR_FILE_URL: url, "source": SOURCE_HOME_ASSISTANT}
        )
        # show the new picture now rather than at the next poll
        await self.async_refresh()
        return url

    async def async_start_recording(self) -> None:
        """Switch to video mode and start recording."""
        with self.preview.paused():
            await self.client.start_capture()
        await self.async_refresh()

    async def async_stop_recording(self) -> tuple[str, ...]:
        """Stop recording and go back to pictures."""
        with self.preview.paused():
            urls = await self.client.stop_capture()
        await self.async_refresh()
        return urls

    async def async_set_options(self, options: dict[str, Any]) -> None:
        """Set camera options."""
        await self.client.set_options(options)
        await self.async_refresh()

    # ------------------------------------------------------------ pictures

    async def async_latest_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """The newest picture, downloaded once per new file.

        A requested size is served from a scaled copy, made once per size.
        """
        url = self.data.latest_url if self.data else None
        if url is None:
            return None
        if self._image is None or self._image[0] != url:
            content = await self._downloads.run(url, lambda: self.client.download(url))
            if self._image is None or self._image[0] != url:
                self._image = (url, content)
                self._scaled.clear()
        content = self._image[1]
        if not width or not height:
            return content
        key = (width, height)
        if (scaled := self._scaled.get(key)) is None:
            scaled = await self.hass.async_add_executor_job(
                scale_jpeg_camera_image, Image("image/jpeg", content), width, height
            )
            if len(self._scaled) >= SCALED_MEMORY:
                self._scaled.pop(next(iter(self._scaled)))
            self._scaled[key] = scaled
        return scaled

    # ---------------------------------------------------------- diagnostics

    def diagnostics(self) -> dict[str, Any]:
        """What the camera said about itself and its state (no credentials)."""
        info = self.info
        state = self.data.state if self.data else None
        return {
            "base_url": self.client.base_url,
            "api_level": self.client.api_level,
            "info": {
                "manufacturer": info.manufacturer,
                "model": info.model,
                "firmware_version": info.firmware_version,
                "serial_number": info.serial_number,
                "api_levels": list(info.api_levels),
            }
            if info
            else None,
            "capture_modes": list(self.capture_modes),
            "reports_storage": self.reports_storage,
            "state": dict(state.raw) if state else None,
            "fingerprint": state.fingerprint if state else None,
            "latest_url": self.data.latest_url if self.data else None,
            "busy": self.client.busy,
            "shooting": self.shooting,
            "preview": self.preview.diagnostics(),
        }
