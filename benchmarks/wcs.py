"""Cost of the WCS client's calls: time per call, CPU per call, loop blocked.

Run: ``scripts/bench wcs`` or ``python -m benchmarks.wcs [--scale 1]``.

The client talks to simulated servers over real sockets (served by a child
process, so that only the client's work is this process's CPU):

* a snapshot as the simulator makes it by default (320x180 PNG, ~1 KB);
* a snapshot of a 1920x1080 random-pixel PNG (6.2 MB, 8.3 MB of base64 JSON);
* ``find_all`` with 3 streams and with 2,000 streams.

"call ms" is the median wall time of a call, "CPU ms" this process's CPU
time per call (both threads), "blocked" the worst stretch the event loop was
held up (see ``LoopWatch``; with many streams that is a garbage collection
the allocations trigger). Compare with the same table of an earlier
checkout: nothing should get slower.

Then through a real Home Assistant core (``_hass.running_hass``):

* camera image: ``camera.async_get_image`` of a stream's camera (snapshot
  cache off) against a bare POST ``/rest-api/stream/snapshot`` + JSON +
  base64 decode to the same fake, calls interleaved; the ratio of the
  medians should stay <= 1.05;
* requests per poll: what one coordinator refresh asks a server holding 10,
  100 and 500 streams (fake served in this process to count them): 1.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
from collections.abc import Awaitable, Callable
import json
import statistics
import time

import aiohttp
from homeassistant.components.camera import async_get_image
from homeassistant.helpers import entity_registry as er

from custom_components.camera_bridge.api.wcs import WcsClient
from custom_components.camera_bridge.const import CONF_KIND, DOMAIN, KIND_WCS
from simulator.common import SimulatorBase, serve
from simulator.wcs import WcsSimulator, make_png

from ._blocking import FakesProcess, LoopWatch, serve_fakes
from ._hass import add_entry, running_hass

FRAME = (1920, 1080)
MANY_STREAMS = 2000
HD_FRAME = (1280, 720)
# (label, fake, calls) of the camera image comparison
# (answers from 32 KB on are decoded in a worker thread: see api/_offload.py)
CAMERA_CASES = (
    ("snapshot 80x45 PNG, 7 KB", "tiny_fixed", 400),
    ("snapshot 320x180 PNG, 96 KB", "small_fixed", 400),
    ("snapshot 1280x720 random pixels", "hd_detailed", 40),
    ("snapshot 1920x1080 random pixels", "detailed", 20),
)
POLL_SIZES = (10, 100, 500)


def build_fakes() -> dict[str, SimulatorBase]:
    """Servers: default snapshots, detailed snapshots, 3 and 2,000 streams."""
    small = WcsSimulator()
    for name in ("front-door", "garden", "garage"):
        small.publish(name)
    detailed = WcsSimulator(detailed_snapshot=FRAME)
    detailed.publish("garden")
    detailed.detailed_answer(FRAME)
    many = WcsSimulator()
    for index in range(MANY_STREAMS):
        many.publish(f"cam-{index:05d}", width=1920, height=1080)
    # the default picture (and a tiny one), made once rather than per request
    small_fixed = WcsSimulator(snapshot_garbage=make_png("garden"))
    small_fixed.publish("garden")
    tiny_fixed = WcsSimulator(snapshot_garbage=make_png("garden", 80, 45))
    tiny_fixed.publish("garden")
    hd_detailed = WcsSimulator(detailed_snapshot=HD_FRAME)
    hd_detailed.publish("garden")
    hd_detailed.detailed_answer(HD_FRAME)
    return {
        "small": small,
        "detailed": detailed,
        "many": many,
        "hd_detailed": hd_detailed,
        "small_fixed": small_fixed,
        "tiny_fixed": tiny_fixed,
    }


async def _measure(
    call: Callable[[], Awaitable[object]], calls: int
) -> tuple[float, float, float]:
    """Median wall ms per call, CPU ms per call, worst blocked ms.

    Time and CPU come from calls made alone; the blocked stretch from the
    same number of calls made while ``LoopWatch`` ticks (its ticks cost CPU
    and wake the loop, which would count against the calls).
    """
    await call()  # warm up
    walls = []
    cpu = time.process_time()
    for _ in range(calls):
        start = time.perf_counter()
        await call()
        walls.append((time.perf_counter() - start) * 1000)
    cpu_ms = (time.process_time() - cpu) * 1000 / calls
    async with LoopWatch() as watch:
        for _ in range(calls):
            await call()
    return statistics.median(walls), cpu_ms, watch.blocked * 1000


async def measure(ports: dict[str, int], scale: float) -> None:
    """Print one line per case."""

    def url(name: str) -> str:
        return f"http://127.0.0.1:{ports[name]}"

    print(f"{'case':<36} {'calls':>6} {'call ms':>8} {'CPU ms':>7} {'blocked ms':>11}")
    async with aiohttp.ClientSession() as session:
        small = WcsClient(session, url("small"))
        detailed = WcsClient(session, url("detailed"))
        many = WcsClient(session, url("many"))
        cases: list[tuple[str, Callable[[], Awaitable[object]], int]] = [
            ("snapshot 320x180 (default)", lambda: small.snapshot("garden"), 300),
            (
                "snapshot 1920x1080 random pixels",
                lambda: detailed.snapshot("garden"),
                15,
            ),
            ("find_all, 3 streams", small.find_all, 300),
            (f"find_all, {MANY_STREAMS:,} streams", many.find_all, 20),
        ]
        for label, call, calls in cases:
            count = max(1, round(calls * scale))
            wall, cpu, blocked = await _measure(call, count)
            print(f"{label:<36} {count:>6} {wall:>8.2f} {cpu:>7.2f} {blocked:>11.2f}")


async def _paired(
    first: Callable[[], Awaitable[object]],
    second: Callable[[], Awaitable[object]],
    calls: int,
) -> tuple[float, float]:
    """Median wall ms of each call, made in turns (which goes first alternates)."""
    await first()  # warm up
    await second()
    walls: tuple[list[float], list[float]] = ([], [])
    for index in range(calls):
        order = ((0, first), (1, second))
        for slot, call in order if index % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            await call()
            walls[slot].append((time.perf_counter() - start) * 1000)
    return statistics.median(walls[0]), statistics.median(walls[1])


async def measure_camera(ports: dict[str, int], scale: float) -> None:
    """Camera image through Home Assistant's camera API against a bare POST."""
    print()
    print(
        f"{'camera image vs bare POST':<36} {'calls':>6} {'HA ms':>8} "
        f"{'POST ms':>8} {'ratio':>6}"
    )
    async with running_hass() as hass, aiohttp.ClientSession() as session:
        for label, fake, calls in CAMERA_CASES:
            url = f"http://127.0.0.1:{ports[fake]}"
            entry = await add_entry(
                hass,
                {CONF_KIND: KIND_WCS, "url": url, "verify_ssl": True},
                {"snapshot_cache": 0, "snapshot_timeout": 60},
            )
            entity_id = er.async_get(hass).async_get_entity_id(
                "camera", DOMAIN, f"{entry.entry_id}_stream_garden"
            )
            assert entity_id is not None

            async def through_ha(entity_id: str = entity_id) -> None:
                await async_get_image(hass, entity_id, timeout=60)

            async def bare_post(url: str = url) -> None:
                async with session.post(
                    f"{url}/rest-api/stream/snapshot", json={"streamName": "garden"}
                ) as resp:
                    body = await resp.read()
                base64.b64decode(json.loads(body)["data"])

            count = max(3, round(calls * scale))
            ha_ms, post_ms = await _paired(through_ha, bare_post, count)
            print(
                f"{label:<36} {count:>6} {ha_ms:>8.2f} {post_ms:>8.2f} "
                f"{ha_ms / post_ms:>6.3f}"
            )
            await hass.config_entries.async_unload(entry.entry_id)


async def measure_polls(scale: float) -> None:
    """Requests one coordinator refresh sends, by number of streams."""
    print()
    print(f"{'streams':>8} {'polls':>6} {'find_all/poll':>14} {'requests/poll':>14}")
    polls = max(3, round(10 * scale))
    async with running_hass() as hass:
        for size in POLL_SIZES:
            sim = WcsSimulator()
            for index in range(size):
                sim.publish(f"cam-{index:04d}")
            server = await serve(sim)
            try:
                entry = await add_entry(
                    hass, {CONF_KIND: KIND_WCS, "url": server.url, "verify_ssl": True}
                )
                sim.requests.clear()
                for _ in range(polls):
                    await entry.runtime_data.async_refresh()
                await hass.async_block_till_done()
                find_all = sim.count("/rest-api/stream/find_all") / polls
                total = sum(sim.requests.values()) / polls
                print(f"{size:>8} {polls:>6} {find_all:>14.2f} {total:>14.2f}")
                await hass.config_entries.async_unload(entry.entry_id)
            finally:
                await server.stop()


async def _measure_all(ports: dict[str, int], scale: float, parts: set[str]) -> None:
    if "client" in parts:
        await measure(ports, scale)
    if "camera" in parts:
        await measure_camera(ports, scale)
    if "polls" in parts:
        await measure_polls(scale)


def main() -> None:
    """Start the fakes, measure, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="more or fewer calls")
    parser.add_argument(
        "--only",
        choices=("client", "camera", "polls"),
        action="append",
        help="one part of the benchmark (repeat for more)",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_fakes(build_fakes)
        return
    parts = set(args.only or ("client", "camera", "polls"))
    with FakesProcess(__spec__.name if __spec__ else "benchmarks.wcs") as fakes:
        asyncio.run(_measure_all(fakes.ports, args.scale, parts))


if __name__ == "__main__":
    main()
