"""What one Media browser folder of an OSC camera with 10,000 files costs.

Run: ``scripts/bench osc_media`` or ``python -m benchmarks.osc_media [--rounds 5]``.

The simulated camera (in a child process, so its own work does not count)
holds 10,000 files and makes thumbnails as big as a THETA's (640 x 320). A
folder is what the OSC media provider asks: one ``camera.listFiles`` of 50
files with ``maxThumbSize`` 640, then the thumbnails decoded in a worker
thread (the provider hands them to Home Assistant's executor). Measured per
page (the first, one in the middle, the last): the camera's requests, the
answer's size, the time of the call and the longest stretch the event loop
was blocked (``LoopWatch``, as in ``benchmarks.loop``). Target: one request
per folder whatever the page, the loop blocked <= 2 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import aiohttp

from custom_components.camera_bridge.api.osc import OscClient, OscFileList
from custom_components.camera_bridge.backends.osc.media import (
    PAGE_SIZE,
    THUMB_SIZE,
    _thumbnails,
)
from simulator.common import SimulatorBase
from simulator.osc import OscSimulator

from ._blocking import FakesProcess, LoopWatch, serve_fakes

FILES = 10_000
TARGET_MS = 2.0
HOST = "127.0.0.1"


def build_fakes() -> dict[str, SimulatorBase]:
    """A camera with 10,000 files and THETA-sized thumbnails."""
    return {"osc": OscSimulator(archive_files=FILES, thumb_limit=THUMB_SIZE)}


async def _folder(client: OscClient, start: int) -> OscFileList:
    listing = await client.list_files("all", PAGE_SIZE, start, thumb_size=THUMB_SIZE)
    await asyncio.to_thread(_thumbnails, listing.entries)
    return listing


async def measure(port: int, rounds: int) -> None:
    """Every page: a warm-up round (the fake makes its thumbnails), then rounds."""
    sent: list[str] = []

    async def on_request(*args: object) -> None:
        sent.append(str(getattr(args[-1], "url", "")))

    tracing = aiohttp.TraceConfig()
    tracing.on_request_start.append(on_request)
    async with aiohttp.ClientSession(trace_configs=[tracing]) as session:
        client = OscClient(session, HOST, port)
        await client.info()
        print(
            f"{'page':<20} {'requests':>8} {'answer KB':>10} {'call ms':>8}"
            f" {'blocked ms':>11} {'worst':>6}  target {TARGET_MS:g} ms"
        )
        for start in (0, FILES // 2, FILES - PAGE_SIZE):
            await _folder(client, start)
            blocked, elapsed = [], []
            sent.clear()
            for _ in range(rounds):
                async with LoopWatch() as watch:
                    began = time.perf_counter()
                    listing = await _folder(client, start)
                    elapsed.append((time.perf_counter() - began) * 1000)
                blocked.append(watch.blocked * 1000)
            size = len(
                json.dumps(
                    [
                        {"thumbnail": f.thumbnail, "fileUrl": f.url}
                        for f in listing.entries
                    ]
                )
            )
            verdict = "OK" if statistics.median(blocked) <= TARGET_MS else "TOO LONG"
            print(
                f"{f'files {start + 1}-{start + len(listing.entries)}':<20}"
                f" {len(sent) / rounds:>8g}"
                f" {size / 1024:>10.0f} {statistics.median(elapsed):>8.1f}"
                f" {statistics.median(blocked):>11.2f} {max(blocked):>6.2f}  {verdict}"
            )


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_fakes(build_fakes)
        return
    with FakesProcess(__spec__.name if __spec__ else "benchmarks.osc_media") as fakes:
        asyncio.run(measure(fakes.ports["osc"], args.rounds))


if __name__ == "__main__":
    main()
