"""What the soak does to Home Assistant: faults, viewers, browsing, actions.

Every loop runs until ``stop`` is set, then finishes its step (a fault is
cleared, a viewer leaves) and returns: the soak pauses the load to measure
the process at rest, then runs it again from where it was.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass, field
import functools
import math
import random
import time
import traceback
from typing import Any
from urllib.parse import urljoin

import aiohttp
from homeassistant.components import media_source
from homeassistant.components.camera import async_get_image, async_get_stream_source
from homeassistant.components.camera.helper import get_camera_from_entity_id
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from custom_components.camera_bridge.const import DOMAIN

from ._soak_fakes import CLIENT_TIMEOUT, SLOW_SECONDS, FakesProcess

# a step that takes longer than this is reported as hanging
STEP_DEADLINE = 60.0
MEDIA_READ = 64 * 1024


@dataclass
class Episode:
    """One fault on one simulator, from ``start`` to ``end`` (monotonic s)."""

    sim: str
    kind: str
    start: float
    end: float | None = None


@dataclass
class Targets:
    """Where the load goes: entity ids, device ids, Home Assistant's URL."""

    base_url: str
    preview: str
    live: list[str]
    cameras: list[str]
    buttons: list[str]
    osc_device: str
    lv_devices: list[str]
    vdg_device: str
    # simulator -> the media source id of its entry's folder
    media_folders: dict[str, str]
    # entity id -> the simulator behind it
    sim_of: dict[str, str]
    # the THETA's capture status sensor
    capture_status: str


@dataclass
class Outcomes:
    """How each kind of step ended, and the unexpected failures."""

    # (simulator, start, end) -> whether a fault of it overlapped
    faulty: Callable[[str, float, float], bool] = lambda *_: False
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    hung: list[str] = field(default_factory=list)

    def add(self, what: str, outcome: str) -> None:
        """Count one step of ``what``."""
        self.counts.setdefault(what, Counter())[outcome] += 1

    async def run(
        self, what: str, sim: str, step: Callable[[], Awaitable[str]]
    ) -> None:
        """Run one step; a refusal is an outcome, anything else is kept.

        An outcome is marked ``[fault]`` when a fault of ``sim`` (or its
        aftermath) overlapped the step.
        """
        start = time.monotonic()
        try:
            async with asyncio.timeout(STEP_DEADLINE):
                outcome = await step()
        except TimeoutError:
            self.hung.append(what)
            outcome = "HUNG"
        except HomeAssistantError as err:
            outcome = f"refused ({err.translation_key or type(err).__name__})"
        except aiohttp.ClientError as err:
            outcome = f"viewer: {type(err).__name__}"
        except Exception as err:  # noqa: BLE001 - the soak reports it
            text = "".join(traceback.format_exception(err))
            self.unexpected.append(f"{what}: {text}")
            outcome = f"UNEXPECTED {type(err).__name__}"
        if self.faulty(sim, start, time.monotonic()):
            outcome += " [fault]"
        self.add(what, outcome)


class Load:
    """The soak's load on Home Assistant and the simulators."""

    def __init__(
        self,
        hass: HomeAssistant,
        fakes: FakesProcess,
        targets: Targets,
        *,
        kinds: list[str],
        fault_seconds: float,
        gap_seconds: float,
        seed: int = 17,
    ) -> None:
        """Nothing runs before ``run``."""
        self.hass = hass
        self.fakes = fakes
        self.targets = targets
        self.kinds = kinds
        self.fault_seconds = fault_seconds
        self.gap_seconds = gap_seconds
        self.rng = random.Random(seed)
        self.episodes: list[Episode] = []
        self.outcomes = Outcomes(self._fault_during)
        self.viewers = 0
        self._next_kind: dict[str, int] = {}
        self._stop = asyncio.Event()
        self._session: aiohttp.ClientSession | None = None

    # ------------------------------------------------------------------ run

    async def run(self, seconds: float) -> None:
        """Run every loop for ``seconds``, then let each finish its step."""
        self._stop.clear()
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=15)
        # a connection per request: a viewer that leaves closes its socket
        connector = aiohttp.TCPConnector(force_close=True)
        self._session = aiohttp.ClientSession(timeout=timeout, connector=connector)
        loops = [self._faults(sim, n) for n, sim in enumerate(self.fakes.ports)]
        loops += [self._preview_viewer(n) for n in range(2)]
        loops += [self._live_viewer(entity) for entity in self.targets.live]
        loops += [self._browser(), self._actions()]
        tasks = [asyncio.create_task(loop) for loop in loops]
        try:
            await self._pause(seconds)
        finally:
            self._stop.set()
            await asyncio.gather(*tasks)
            await self._session.close()

    async def _pause(self, seconds: float) -> bool:
        """Wait ``seconds``; False when the load stops meanwhile."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stop.wait()
        return not self._stop.is_set()

    # --------------------------------------------------------------- faults

    def _fault_during(self, sim: str, start: float, end: float) -> bool:
        """Whether a fault of ``sim`` overlapped ``start``..``end``.

        A fault's aftermath counts: a request sent during a slow answer
        waits up to the client's timeout after the fault ended, and the
        first poll after any other fault may still meet it (1 s).
        """
        for episode in reversed(self.episodes):
            if episode.sim != sim:
                continue
            after = CLIENT_TIMEOUT if episode.kind == "slow" else 1.0
            until = math.inf if episode.end is None else episode.end + after
            if episode.start <= end and start <= until:
                return True
            if until < start - 60:
                return False  # the older ones ended before the step
        return False

    async def _faults(self, sim: str, offset: int) -> None:
        """The fault kinds in turn on one simulator, each followed by a gap."""
        if not await self._pause(offset * self.gap_seconds / 4):
            return
        while not self._stop.is_set():
            index = self._next_kind.get(sim, 0)
            self._next_kind[sim] = index + 1
            kind = self.kinds[index % len(self.kinds)]
            episode = Episode(sim, kind, time.monotonic())
            self.episodes.append(episode)
            if kind == "restart":
                await self.fakes.call("stop", sim)
                await asyncio.sleep(self.fault_seconds)
                await self.fakes.call("start", sim)
            else:
                await self.fakes.call("fault", sim, kind=kind)
                await asyncio.sleep(self.fault_seconds)
                await self.fakes.call("clear", sim)
            episode.end = time.monotonic()
            # a slow answer in flight still waits for the client's timeout
            extra = SLOW_SECONDS if kind == "slow" else 0.0
            await self._pause(self.gap_seconds + extra)

    # -------------------------------------------------------------- viewers

    async def _preview_viewer(self, number: int) -> None:
        """Join the THETA preview through Home Assistant's MJPEG proxy, leave."""
        await self._pause(number * 2.0)
        while await self._pause(self.rng.uniform(1.0, 4.0)):
            await self.outcomes.run(
                "THETA preview viewer",
                "osc",
                lambda: self._watch_preview(self.rng.uniform(3, 8)),
            )

    async def _watch_preview(self, seconds: float) -> str:
        camera = get_camera_from_entity_id(self.hass, self.targets.preview)
        url = (
            f"{self.targets.base_url}/api/camera_proxy_stream/{self.targets.preview}"
            f"?token={camera.access_tokens[-1]}"
        )
        assert self._session is not None
        self.viewers += 1
        try:
            capture = self._capture_status()
            async with self._session.get(url) as response:
                if response.status != 200:
                    # a THETA refuses its preview while it shoots or records
                    capture = capture or self._capture_status()
                    return f"HTTP {response.status}" + (
                        f" [camera {capture}]" if capture else ""
                    )
                received = 0
                until = time.monotonic() + seconds
                while not self._stop.is_set() and time.monotonic() < until:
                    try:
                        async with asyncio.timeout(until - time.monotonic()):
                            chunk = await response.content.readany()
                    except TimeoutError:
                        break
                    if not chunk:
                        break
                    received += len(chunk)
                return "watched" if received else "no frames"
        finally:
            self.viewers -= 1

    def _capture_status(self) -> str:
        """The THETA's capture status when it is not idle, else ""."""
        state = self.hass.states.get(self.targets.capture_status)
        return "" if state is None or state.state == "idle" else state.state

    async def _live_viewer(self, entity_id: str) -> None:
        """Ask the LinkVisual camera's stream source, play a little, leave."""
        while await self._pause(self.rng.uniform(2.0, 5.0)):
            await self.outcomes.run(
                "LinkVisual live viewer", "lv", lambda: self._watch_live(entity_id)
            )

    async def _watch_live(self, entity_id: str) -> str:
        source = await async_get_stream_source(self.hass, entity_id)
        if not source:
            return "no source"
        handed_out = time.monotonic()
        assert self._session is not None
        self.viewers += 1
        try:
            async with self._session.get(source) as response:
                if response.status != 200:
                    why = (await response.text(errors="replace"))[:40]
                    # a slow answer (fault) may outlast the URL's validity
                    late = time.monotonic() - handed_out
                    return f"playlist HTTP {response.status} {why} after {late:.0f} s"
                playlist = await response.text()
            segments = [
                line for line in playlist.splitlines() if line and line[0] != "#"
            ]
            if not segments:
                return "playlist without segments"
            async with self._session.get(urljoin(source, segments[0])) as response:
                await response.read()
                return (
                    "played"
                    if response.status == 200
                    else f"segment HTTP {response.status}"
                )
        finally:
            self.viewers -= 1

    # ---------------------------------------------------------------- media

    async def _browser(self) -> None:
        """Browse a random way down each entry's media folder, resolve, fetch."""
        while await self._pause(self.rng.uniform(2.0, 5.0)):
            for sim, media_id in self.targets.media_folders.items():
                await self.outcomes.run(
                    f"Media browser {sim}",
                    sim,
                    functools.partial(self._browse_down, media_id),
                )

    async def _browse_down(self, media_id: str, depth: int = 0) -> str:
        """Down a random way; an empty folder sends the walk to a sibling."""
        node = await media_source.async_browse_media(self.hass, media_id)
        children = node.children or []
        if playable := [c for c in children if c.can_play]:
            return await self._resolve(self.rng.choice(playable).media_content_id)
        folders = [c for c in children if c.can_expand]
        self.rng.shuffle(folders)
        outcome = "listed, nothing playable" if children else "empty folder"
        if depth < 4:
            for folder in folders[:3]:
                outcome = await self._browse_down(folder.media_content_id, depth + 1)
                if outcome.startswith("resolved"):
                    break
        return outcome

    async def _resolve(self, media_id: str) -> str:
        play = await media_source.async_resolve_media(self.hass, media_id, None)
        url = play.url
        if url.startswith("/"):
            url = self.targets.base_url + url
        assert self._session is not None
        async with self._session.get(url) as response:
            await response.content.read(MEDIA_READ)  # a player that moves on
            return f"resolved, HTTP {response.status}"

    # -------------------------------------------------------------- actions

    def _steps(self) -> list[tuple[str, str, Callable[[], Awaitable[str]]]]:
        """(what, simulator, step) of every button, action and camera image."""
        targets = self.targets
        service = self._service
        steps: list[tuple[str, str, Callable[[], Awaitable[str]]]] = [
            (
                f"press {b}",
                targets.sim_of[b],
                functools.partial(service, "button", "press", entity_id=b),
            )
            for b in targets.buttons
        ]
        steps.append(
            (
                "take_picture",
                "osc",
                functools.partial(
                    service, DOMAIN, "take_picture", device_id=targets.osc_device
                ),
            )
        )
        steps += [
            (
                "trigger_record",
                "lv",
                functools.partial(
                    service, DOMAIN, "trigger_record", device_id=d, duration=10
                ),
            )
            for d in targets.lv_devices
        ]
        steps.append(("export_video + get_export_status", "vdg", self._export))
        steps += [
            (f"image {c}", targets.sim_of[c], functools.partial(self._image, c))
            for c in targets.cameras
        ]
        return steps

    async def _actions(self) -> None:
        """Button presses, actions and camera images in turn, a few s apart."""
        steps = self._steps()
        index = 0
        while await self._pause(self.rng.uniform(1.0, 3.0)):
            what, sim, step = steps[index % len(steps)]
            index += 1
            await self.outcomes.run(what, sim, step)

    async def _service(self, domain: str, service: str, **data: Any) -> str:
        await self.hass.services.async_call(
            domain,
            service,
            data,
            blocking=True,
            return_response=domain == DOMAIN,
        )
        return "ok"

    async def _export(self) -> str:
        answer = await self.hass.services.async_call(
            DOMAIN,
            "export_video",
            {
                "device_id": self.targets.vdg_device,
                "devices": ["Entrance"],
                "start": "2024-07-01 12:00:00",
                "end": "2024-07-01 12:05:00",
                "path": "D:\\exports\\soak",
            },
            blocking=True,
            return_response=True,
        )
        export_id = (answer or {}).get("export_id")
        await self.hass.services.async_call(
            DOMAIN,
            "get_export_status",
            {"device_id": self.targets.vdg_device, "export_id": str(export_id)},
            blocking=True,
            return_response=True,
        )
        return "ok"

    async def _image(self, entity_id: str) -> str:
        image = await async_get_image(self.hass, entity_id, timeout=15)
        return "ok" if image.content else "empty"
