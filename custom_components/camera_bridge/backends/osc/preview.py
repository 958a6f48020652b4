"""The live preview of an OSC camera, one upstream shared by every viewer.

A camera serves one preview at a time: the first viewer starts the upstream
request, later viewers join it, and it stops ``linger`` seconds after the
last viewer left, so that the camera may go to sleep. Frames reach viewers
through one event: a viewer that falls behind gets the newest frame when it
is ready again (frames in between are skipped), and the upstream never waits
for a viewer.

The camera ends the preview when it shoots or changes mode. Our own shots
pause the hub (``paused``): the preview is opened again once the shot is
over, for the viewers still watching. A shot never waits for the preview,
not even for one being opened (the client drops that opening). Opening has
a deadline (``open_timeout``) for the camera's answer and first frame.
Failures are retried ``retries`` times ``retry_delay`` apart (as RICOH's own
client does), a busy camera (shooting, recording) for up to
``busy_patience``; then the viewers' streams end. A preview the camera
ended by itself, not for a shot of ours, is opened again after a pause that
doubles from ``ended_pause`` up to ``ended_pause_max`` while previews keep
ending early, and starts again from nothing once one ran ``healthy``
seconds: a camera or firmware that ends its preview after every frame is
asked at most twice a second, then every ten seconds, rather than hammered.
Viewers keep the newest frame meanwhile. An error nobody foresaw
(a bug) is logged with its traceback and retried like a broken stream: the
preview task never dies of it, leaving viewers waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, replace
import logging
from typing import Any, Final

from aiohttp import web
from homeassistant.core import HomeAssistant

from ...api import AuthenticationFailed, CameraBridgeError, InvalidResponse
from ...api.osc import OscBusyError, OscClient, OscPreviewSupport, OscUnknownCommand
from ...api.osc.live import OscPreviewInterrupted
from ...api.osc.preview import PREVIEW_OPEN_TIMEOUT
from ...const import DOMAIN
from ...coordinator import CameraBridgeConfigEntry
from .const import CONF_PREVIEW_FORMAT, PREVIEW_FORMAT_CAMERA

_LOGGER = logging.getLogger(__name__)

MJPEG_BOUNDARY: Final = "camera-bridge-preview"


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviewTiming:
    """How long the hub waits, in seconds, and how often it tries again."""

    # the upstream stays this long after the last viewer left
    linger: float = 5.0
    # failed starts (or broken streams) in a row before the viewers are let go
    retries: int = 4
    retry_delay: float = 0.5
    # a camera that refuses the preview while it shoots or records
    busy_retry: float = 1.0
    busy_patience: float = 30.0
    # a preview that ran this long before it broke (or ended) starts a new
    # series of tries (and of pauses)
    healthy: float = 10.0
    # a preview the camera ended early is opened again after this pause,
    # doubled each time it ends early again, up to ended_pause_max
    ended_pause: float = 0.5
    ended_pause_max: float = 10.0
    # a viewer gives up when no first frame came within this time
    first_frame: float = 10.0
    # opening the upstream fails when its answer and first frame took longer
    open_timeout: float = PREVIEW_OPEN_TIMEOUT


DEFAULT_PREVIEW_TIMING: Final = PreviewTiming()


class PreviewViewer:
    """One viewer of the preview: the frames it has not seen yet."""

    def __init__(self, hub: PreviewHub, seen: int, generation: int) -> None:
        """Start after frame number ``seen``."""
        self._hub = hub
        self._seen = seen
        self._generation = generation

    async def next_frame(self) -> bytes | None:
        """The newest frame after the last one; None when the preview ended."""
        found = await self._hub.async_frame_after(self._seen, self._generation)
        if found is None:
            return None
        self._seen, frame = found
        return frame


class PreviewHub:
    """The live preview of one camera, shared by every viewer."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CameraBridgeConfigEntry,
        client: OscClient,
        timing: PreviewTiming | None = None,
    ) -> None:
        """Nothing runs before the first viewer."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self.timing = timing or DEFAULT_PREVIEW_TIMING
        self.support: OscPreviewSupport | None = None
        self._viewers = 0
        self._frame: bytes | None = None
        self._seq = 0
        self._new = asyncio.Event()
        self._streaming = False
        # between a preview the camera ended and the next one: the newest
        # frame is still shown to viewers
        self._resting = False
        # bumped when the preview gave up: the viewers of before stop
        self._generation = 0
        self._task: asyncio.Task[None] | None = None
        self._linger: asyncio.TimerHandle | None = None
        self._pauses = 0
        self._resumed = asyncio.Event()
        self._resumed.set()
        self._closed = False
        self.upstream_requests = 0

    # ---------------------------------------------------------------- setup

    async def async_learn(self) -> None:
        """Ask the camera about its preview; apply the size chosen in options."""
        chosen = self._entry.options.get(CONF_PREVIEW_FORMAT)
        try:
            support = await self._client.preview_support()
        except OscUnknownCommand:
            support = None
        if support is not None and chosen and chosen != PREVIEW_FORMAT_CAMERA:
            wanted = support.find(chosen)
            if wanted is not None and wanted != support.current:
                try:
                    await self._client.set_options(
                        {"previewFormat": wanted.as_option()}
                    )
                except CameraBridgeError as err:
                    _LOGGER.warning(
                        "%s: the camera refused the preview size %s: %s",
                        self._entry.title,
                        chosen,
                        err,
                    )
                else:
                    support = replace(support, current=wanted)
        self.support = support

    @property
    def streaming(self) -> bool:
        """Whether frames are coming in now."""
        return self._streaming

    # --------------------------------------------------------------- viewers

    @asynccontextmanager
    async def async_watch(self) -> AsyncIterator[PreviewViewer]:
        """Watch the preview (starting it when nobody did) until the exit."""
        self._viewers += 1
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        if self._task is None and not self._closed:
            self._task = self._entry.async_create_background_task(
                self._hass, self._async_run(), f"{DOMAIN} live preview"
            )
        # a running (or resting) preview shows its newest frame at once, an
        # old one never
        recent = self._streaming or self._resting
        seen = self._seq - 1 if recent and self._frame else self._seq
        try:
            yield PreviewViewer(self, seen, self._generation)
        finally:
            self._viewers -= 1
            if not self._viewers and self._task is not None and not self._closed:
                self._linger = self._hass.loop.call_later(
                    self.timing.linger, self._stop_unwatched
                )

    async def async_frame_after(
        self, seen: int, generation: int
    ) -> tuple[int, bytes] | None:
        """The newest frame and its number, once there is one after ``seen``."""
        while self._seq <= seen:
            if self._generation != generation or self._closed:
                return None
            await self._new.wait()
        assert self._frame is not None
        return self._seq, self._frame

    async def async_snapshot(self) -> bytes | None:
        """The newest frame, starting the preview for it when it is not running."""
        if (self._streaming or self._resting) and self._frame is not None:
            return self._frame
        async with self.async_watch() as viewer:
            try:
                async with asyncio.timeout(self.timing.first_frame):
                    return await viewer.next_frame()
            except TimeoutError:
                return None

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No preview is opened meanwhile (a shot or mode change of ours)."""
        self._pauses += 1
        self._resumed.clear()
        try:
            yield
        finally:
            self._pauses -= 1
            if not self._pauses:
                self._resumed.set()

    async def async_stop(self) -> None:
        """Stop the upstream and let every viewer go (the entry unloads)."""
        self._closed = True
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        self._end_viewers()
        if (task := self._task) is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    def diagnostics(self) -> dict[str, Any]:
        """What the preview does now."""
        support = self.support
        return {
            "supported": support is not None,
            "current_format": support.current.key
            if support and support.current
            else None,
            "formats": [f.key for f in support.formats] if support else [],
            "viewers": self._viewers,
            "streaming": self._streaming,
            "upstream_requests": self.upstream_requests,
        }

    # -------------------------------------------------------------- upstream

    def _publish(self, frame: bytes) -> None:
        self._frame = frame
        self._seq += 1
        self._streaming = True
        self._new.set()
        self._new.clear()

    def _end_viewers(self) -> None:
        self._generation += 1
        self._new.set()
        self._new.clear()

    def _stop_unwatched(self) -> None:
        self._linger = None
        if not self._viewers and self._task is not None:
            self._task.cancel()

    async def _async_run(self) -> None:
        """Keep the upstream open while anybody watches."""
        try:
            await self._async_stream()
        finally:
            self._streaming = self._resting = False
            self._task = None

    async def _async_stream(self) -> None:
        timing = self.timing
        title = self._entry.title
        loop = self._hass.loop
        failures = 0
        pause = 0.0  # before opening again after a preview that ended early
        busy_since: float | None = None
        while True:
            await self._resumed.wait()
            frames = 0
            opened: float | None = None
            try:
                async with self._client.live_preview(
                    open_timeout=timing.open_timeout
                ) as reader:
                    opened = loop.time()
                    busy_since = None
                    self.upstream_requests += 1
                    async for frame in reader:
                        frames += 1
                        self._publish(frame)
            except OscPreviewInterrupted:
                # a command of ours came first; opening again waits for it
                _LOGGER.debug("%s: live preview opening gave way to a command", title)
                continue
            except OscBusyError as err:
                busy_since = loop.time() if busy_since is None else busy_since
                if loop.time() - busy_since < timing.busy_patience:
                    await asyncio.sleep(timing.busy_retry)
                    continue
                return self._give_up(err)
            except (OscUnknownCommand, AuthenticationFailed) as err:
                return self._give_up(err)
            except CameraBridgeError as err:
                if isinstance(err, InvalidResponse):
                    _LOGGER.warning("%s: broken live preview: %s", title, err)
                else:
                    _LOGGER.debug("%s: live preview failed: %s", title, err)
                if opened is not None and loop.time() - opened >= timing.healthy:
                    failures = 0  # it worked for a while: a new series
                    pause = 0.0
                if not self._pauses:  # our own shot cut it
                    failures += 1
            except Exception:
                # a bug, not the camera: keep serving, as for a broken stream
                _LOGGER.exception("%s: unexpected error in the live preview", title)
                failures += 1
            else:
                _LOGGER.debug("%s: the camera ended the live preview", title)
                failures = 0 if frames or self._pauses else failures + 1
                if self._pauses or (
                    opened is not None and loop.time() - opened >= timing.healthy
                ):
                    pause = 0.0  # our shot ended it, or it ran for a while
                elif frames:
                    pause = min(
                        max(pause * 2, timing.ended_pause), timing.ended_pause_max
                    )
            finally:
                self._streaming = False
            if failures > timing.retries:
                return self._give_up(None)
            if failures:
                await asyncio.sleep(timing.retry_delay)
            elif pause and not self._pauses:
                await self._rest(pause)

    async def _rest(self, seconds: float) -> None:
        """Wait before opening again; viewers keep the newest frame."""
        self._resting = True
        try:
            await asyncio.sleep(seconds)
        finally:
            self._resting = False

    def _give_up(self, err: CameraBridgeError | None) -> None:
        _LOGGER.error(
            "%s: the live preview stopped%s",
            self._entry.title,
            f": {err}" if err else f" after {self.timing.retries + 1} failed tries",
        )
        self._end_viewers()


def _part(frame: bytes) -> bytes:
    head = (
        f"--{MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
        f"Content-Length: {len(frame)}\r\n\r\n"
    )
    return head.encode() + frame + b"\r\n"


async def async_serve_mjpeg(
    hub: PreviewHub, request: web.Request
) -> web.StreamResponse | None:
    """Send the preview to one viewer as MJPEG; None when it does not start."""
    async with hub.async_watch() as viewer:
        try:
            async with asyncio.timeout(hub.timing.first_frame):
                frame = await viewer.next_frame()
        except TimeoutError:
            frame = None
        if frame is None:
            return None
        response = web.StreamResponse(
            headers={
                "Content-Type": f"multipart/x-mixed-replace;boundary={MJPEG_BOUNDARY}",
                "Cache-Control": "no-store",
            }
        )
        # a viewer that goes away cancels this handler (or its write fails)
        await response.prepare(request)
        # browsers show a frame once the next one is in: the first goes twice
        await response.write(_part(frame) * 2)
        while (frame := await viewer.next_frame()) is not None:
            await response.write(_part(frame))
        return response
