"""Live URLs and still pictures of LinkVisual cameras, shared by every viewer.

``LiveStreams``: a camera's ``QueryLiveStreaming`` URL is asked for when a
viewer needs it and handed to every later viewer until ``RENEW_BEFORE``
before it expires: one request per validity window, however many viewers
(concurrent requests wait for the one in flight). A refused request is made
once more, then the error goes to the caller.

``Stills``: ``TriggerCapturePicture``, then ``QueryDevicePictureFile`` until
the picture is uploaded, then the picture itself; kept ``STILL_MAX_AGE`` for
the next dashboards. A camera that answers that it cannot capture is
remembered (until the entry reloads) and gets no still.

The URLs carry access tokens: nothing here logs them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import logging
from typing import Final

from homeassistant.util import dt as dt_util

from ...api import CameraBridgeError, CannotConnect
from ...api._http import SingleFlight
from ...api.linkvisual import (
    LinkVisualAuthenticationFailed,
    LinkVisualClient,
    LinkVisualError,
    LinkVisualThrottled,
    LinkVisualValidationError,
    LiveStream,
    capture_unsupported,
)
from .settings import CameraConfig

_LOGGER = logging.getLogger(__name__)

# Validity asked for a live URL, and how long before its end a new one is asked
LIVE_URL_VALIDITY: Final = 600
RENEW_BEFORE: Final = timedelta(seconds=30)
# A captured still serves the dashboards this long
STILL_MAX_AGE: Final = timedelta(seconds=30)
# How often, and how many times, an uploaded capture is looked for
CAPTURE_POLL_INTERVAL: Final = 1.0
CAPTURE_POLLS: Final = 10

# Errors not worth a second request: the answer would be the same
_FINAL_ERRORS = (
    LinkVisualAuthenticationFailed,
    LinkVisualThrottled,
    LinkVisualValidationError,
)


class LiveStreams:
    """The live URL of each camera, requested once per validity window."""

    def __init__(
        self,
        client: LinkVisualClient,
        scheme: str,
        *,
        valid_for: int = LIVE_URL_VALIDITY,
        renew_before: timedelta = RENEW_BEFORE,
    ) -> None:
        """Remember the account's client and the scheme asked for."""
        self._client = client
        self.scheme = scheme
        self.valid_for = valid_for
        self.renew_before = renew_before
        self._streams: dict[str, LiveStream] = {}
        self._flight: SingleFlight[str, LiveStream] = SingleFlight()

    def renew_at(self, stream: LiveStream) -> datetime:
        """When a new URL replaces ``stream``."""
        return stream.expires_at - self.renew_before

    def current(self, subentry_id: str) -> LiveStream | None:
        """The camera's URL if it is still good to hand out."""
        stream = self._streams.get(subentry_id)
        if stream is None or dt_util.utcnow() >= self.renew_at(stream):
            return None
        return stream

    async def async_get(self, config: CameraConfig) -> LiveStream:
        """A live URL of the camera: the current one, or a new one."""
        if (stream := self.current(config.subentry_id)) is not None:
            return stream
        return await self._flight.run(
            config.subentry_id, lambda: self._async_request(config)
        )

    async def _async_request(self, config: CameraConfig) -> LiveStream:
        try:
            stream = await self._async_ask(config)
        except _FINAL_ERRORS:
            raise
        except CameraBridgeError as err:
            _LOGGER.debug("%s: no live stream (%s); asking once more", config.name, err)
            stream = await self._async_ask(config)
        self._streams[config.subentry_id] = stream
        return stream

    async def _async_ask(self, config: CameraConfig) -> LiveStream:
        return await self._client.query_live_streaming(
            config.device, self.scheme, config.stream_type, self.valid_for
        )

    def forget(self, subentry_id: str) -> None:
        """Drop a camera's URL (the next viewer gets a new one)."""
        self._streams.pop(subentry_id, None)

    def diagnostics(self) -> dict[str, str | None]:
        """Until when each camera's URL is valid (never the URL)."""
        return {
            sub_id: stream.expires_at.isoformat()
            for sub_id, stream in self._streams.items()
        }


class Stills:
    """Pictures of the cameras that can capture, shared for a short while."""

    def __init__(
        self, client: LinkVisualClient, max_age: timedelta = STILL_MAX_AGE
    ) -> None:
        """Nothing is known before the first capture."""
        self._client = client
        self.max_age = max_age
        self.unsupported: set[str] = set()
        self._pictures: dict[str, tuple[datetime, bytes]] = {}
        self._flight: SingleFlight[str, bytes | None] = SingleFlight()

    async def async_get(self, config: CameraConfig) -> bytes | None:
        """A recent picture of the camera; None when it cannot capture."""
        key = config.subentry_id
        if key in self.unsupported:
            return None
        kept = self._pictures.get(key)
        if kept is not None and dt_util.utcnow() - kept[0] < self.max_age:
            return kept[1]
        return await self._flight.run(key, lambda: self._async_capture(config))

    async def _async_capture(self, config: CameraConfig) -> bytes | None:
        client = self._client
        try:
            capture_id = await client.trigger_capture_picture(config.device)
        except LinkVisualError as err:
            if not capture_unsupported(err):
                raise
            _LOGGER.info(
                "%s cannot capture pictures (%s): no still image", config.name, err
            )
            self.unsupported.add(config.subentry_id)
            return None
        for attempt in range(CAPTURE_POLLS):
            if attempt:
                await asyncio.sleep(CAPTURE_POLL_INTERVAL)
            url = await client.query_picture_url(config.device, capture_id)
            if url is not None:
                picture = await client.download_picture(url)
                self._pictures[config.subentry_id] = (dt_util.utcnow(), picture)
                return picture
        raise CannotConnect(
            f"the picture was not uploaded within "
            f"{CAPTURE_POLLS * CAPTURE_POLL_INTERVAL:g} s"
        )
