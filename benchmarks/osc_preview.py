"""What the OSC live preview costs when 1, 10 and 50 viewers watch one camera.

Run: ``scripts/bench osc_preview`` or ``python -m benchmarks.osc_preview
[--seconds 5] [--viewers 1 10 50]``.

A real Home Assistant core runs the integration in this process; the
simulated camera (a THETA Z1's default preview, 1024 x 512 at 30 frames a
second, 31 to 58 KB a frame) and the viewers run in child processes, so that
neither their work nor their parsing counts. Each viewer reads
``/api/camera_proxy_stream/<live preview>`` through Home Assistant's HTTP
server. Measured while N viewers watch: the preview requests the camera got
(the hub's count; the target is 1 whatever N), the frames each viewer got,
and this process's CPU time per upstream frame, in total and per viewer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from homeassistant.components.camera.helper import get_camera_from_entity_id
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.camera_bridge.api.osc import MjpegReader, preview_boundary
from custom_components.camera_bridge.const import CONF_KIND, DOMAIN, KIND_OSC
from simulator.common import SimulatorBase
from simulator.osc import OscSimulator
from simulator.osc.preview import preview_frames

from ._blocking import FakesProcess, serve_fakes
from ._hass import add_entry, running_hass

HOST = "127.0.0.1"
MODULE = __spec__.name if __spec__ else "benchmarks.osc_preview"


def build_fakes() -> dict[str, SimulatorBase]:
    """A THETA Z1 with its default preview size."""
    return {"osc": OscSimulator()}


# ------------------------------------------------------------- viewers (child)


async def _view(url: str, seconds: float, start: float) -> int:
    """Frames one viewer got in the measured window (after ``start``)."""
    timeout = aiohttp.ClientTimeout(total=None, sock_read=10)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(url) as response,
    ):
        response.raise_for_status()
        reader = MjpegReader(
            response.content.readany,
            preview_boundary(response.headers["Content-Type"]),
        )
        frames = 0
        loop = asyncio.get_running_loop()
        async for _ in reader:
            now = loop.time()
            if now >= start + seconds:
                break
            if now >= start:
                frames += 1
    return frames


def run_viewers(url: str, count: int, warmup: float, seconds: float) -> None:
    """Child side: ``count`` viewers; print the frames each got, as JSON."""

    async def main() -> list[int]:
        loop = asyncio.get_running_loop()
        start = loop.time() + warmup
        viewers = asyncio.gather(*(_view(url, seconds, start) for _ in range(count)))
        # tell the parent when the measured window opens
        loop.call_at(start, lambda: print("start", flush=True))
        return list(await viewers)

    print(json.dumps(asyncio.run(main())), flush=True)


# ------------------------------------------------------ Home Assistant (here)


async def _measure(
    hass: HomeAssistant, url: str, count: int, warmup: float, seconds: float
) -> dict[str, Any]:
    """Run ``count`` viewers; this process's CPU during their window."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        MODULE,
        "--view",
        url,
        "--count",
        str(count),
        "--warmup",
        str(warmup),
        "--seconds",
        str(seconds),
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    await process.stdout.readline()  # the viewers' window opened
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds - 0.5)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    out, _ = await process.communicate()
    frames = json.loads(out)
    return {"frames": frames, "cpu": cpu, "wall": wall}


async def measure(counts: list[int], warmup: float, seconds: float) -> None:
    """Print one row per number of viewers."""
    with FakesProcess(MODULE) as fakes:
        async with running_hass() as hass:
            entry = await add_entry(
                hass,
                {CONF_KIND: KIND_OSC, "host": HOST, "port": fakes.ports["osc"]},
            )
            coordinator = entry.runtime_data
            registry = er.async_get(hass)
            entity_id = registry.async_get_entity_id(
                "camera", DOMAIN, f"{coordinator.unique_id}_live_preview"
            )
            assert entity_id is not None
            camera = get_camera_from_entity_id(hass, entity_id)
            server = TestServer(hass.http.app, host=HOST)
            await server.start_server()
            url = str(
                server.make_url(
                    f"/api/camera_proxy_stream/{entity_id}"
                    f"?token={camera.access_tokens[-1]}"
                )
            )
            hub = coordinator.preview
            width, height, rate = OscSimulator().preview_size
            frames = preview_frames(width, height)
            size = sum(map(len, frames)) / len(frames) / 1024
            print(
                f"preview {width}x{height} at {rate} frames/s, "
                f"{size:.0f} KB a frame on average"
            )
            print(
                "| viewers | preview requests | frames/s per viewer "
                "| CPU per frame | CPU per frame per viewer |"
            )
            print("|---|---|---|---|---|")
            try:
                for count in counts:
                    before = hub.upstream_requests
                    result = await _measure(hass, url, count, warmup, seconds)
                    requests = hub.upstream_requests - before
                    # wait until the upstream ended (the linger time)
                    for _ in range(100):
                        if not hub.streaming:
                            break
                        await asyncio.sleep(0.2)
                    rate = statistics.median(result["frames"]) / seconds
                    upstream_frames = max(result["frames"]) * (result["wall"] / seconds)
                    per_frame = result["cpu"] / max(upstream_frames, 1) * 1000
                    print(
                        f"| {count} | {requests} | {rate:.1f} "
                        f"(min {min(result['frames']) / seconds:.1f}) "
                        f"| {per_frame:.2f} ms | {per_frame / count * 1000:.0f} µs |",
                        flush=True,
                    )
            finally:
                await server.close()


def main() -> None:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--viewers", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--view", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_fakes(build_fakes)
    elif args.view:
        run_viewers(args.view, args.count, args.warmup, args.seconds)
    else:
        asyncio.run(measure(args.viewers, args.warmup, args.seconds))


if __name__ == "__main__":
    main()
