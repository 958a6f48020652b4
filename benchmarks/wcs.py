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
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
import statistics
import time

import aiohttp

from custom_components.camera_bridge.api.wcs import WcsClient
from simulator.common import SimulatorBase
from simulator.wcs import WcsSimulator

from ._blocking import FakesProcess, LoopWatch, serve_fakes

FRAME = (1920, 1080)
MANY_STREAMS = 2000


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
    return {"small": small, "detailed": detailed, "many": many}


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


def main() -> None:
    """Start the fakes, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="more or fewer calls")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_fakes(build_fakes)
        return
    with FakesProcess(__spec__.name if __spec__ else "benchmarks.wcs") as fakes:
        asyncio.run(measure(fakes.ports, args.scale))


if __name__ == "__main__":
    main()
