"""QueryLiveStreaming calls for 20 viewers of one LinkVisual camera.

Run: ``scripts/bench linkvisual_live`` or
``python -m benchmarks.linkvisual_live [--viewers 20] [--seconds 32]``.

A real Home Assistant (the test harness's instance, in this process) runs the
integration against the simulated LinkVisual account over HTTP on 127.0.0.1;
each call takes ``--latency`` seconds on the service's side.

1. Burst: the viewers ask the camera's ``stream_source()`` at the same moment.
2. Steady: each viewer asks again and again at random 0.2-1 s intervals for
   ``--seconds`` s, with URLs valid 12 s and renewed 2 s before their end
   (a 10 s window instead of the 570 s of the defaults, so that several
   windows pass quickly).

Target: 1 ``QueryLiveStreaming`` per validity window, whatever the number of
viewers.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
import logging
import math
import random
import statistics
import time
from unittest.mock import patch

from aiohttp.resolver import ThreadedResolver
from homeassistant import loader
from homeassistant.components.camera import async_get_stream_source
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.camera_bridge.const import CONF_KIND, DOMAIN, KIND_LINKVISUAL
from simulator.common import serve
from simulator.linkvisual import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, LinkVisualSimulator

CAMERA = "camera.garden_live"
GARDEN = "SimCam0001xyzIotIdA000100"
STEADY_VALIDITY = 12
STEADY_RENEW = 2


async def _viewer(
    hass: HomeAssistant, until: float, rng: random.Random, waits: list[float]
) -> None:
    while time.monotonic() < until:
        started = time.perf_counter()
        assert await async_get_stream_source(hass, CAMERA)
        waits.append(time.perf_counter() - started)
        await asyncio.sleep(rng.uniform(0.2, 1.0))


async def measure(viewers: int, seconds: float, latency: float) -> None:
    """Print the calls of the burst and of the steady phase."""
    sim = LinkVisualSimulator()
    server = await serve(sim)
    dns = ThreadedResolver()
    dns.real_close = dns.close  # type: ignore[attr-defined]
    resolver = patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver", return_value=dns
    )
    try:
        with resolver:
            async with async_test_home_assistant() as hass:
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                entry = MockConfigEntry(
                    domain=DOMAIN,
                    title="LinkVisual",
                    unique_id=DEFAULT_KEY_ID,
                    data={
                        CONF_KIND: KIND_LINKVISUAL,
                        "access_key_id": DEFAULT_KEY_ID,
                        "access_key_secret": DEFAULT_KEY_SECRET,
                        "region": "cn-shanghai",
                        "endpoint": server.url,
                        "iot_instance_id": "",
                    },
                    subentries_data=[
                        {
                            "data": {"iot_id": GARDEN, "duration": 60},
                            "subentry_type": "camera",
                            "title": "Garden",
                            "unique_id": GARDEN,
                            "subentry_id": "garden",
                        }
                    ],
                )
                entry.add_to_hass(hass)
                assert await hass.config_entries.async_setup(entry.entry_id)
                await hass.async_block_till_done()
                sim.faults.latency = latency

                started = time.perf_counter()
                urls = await asyncio.gather(
                    *(async_get_stream_source(hass, CAMERA) for _ in range(viewers))
                )
                burst_ms = (time.perf_counter() - started) * 1000
                print(
                    f"burst: {viewers} viewers at once -> "
                    f"{sim.count('QueryLiveStreaming')} QueryLiveStreaming, "
                    f"{len(set(urls))} distinct URL, all served in {burst_ms:.0f} ms"
                )

                live = entry.runtime_data.live
                live.valid_for = STEADY_VALIDITY
                live.renew_before = timedelta(seconds=STEADY_RENEW)
                live.forget("garden")
                before = sim.count("QueryLiveStreaming")
                waits: list[float] = []
                until = time.monotonic() + seconds
                rng = random.Random(11)
                await asyncio.gather(
                    *(_viewer(hass, until, rng, waits) for _ in range(viewers))
                )
                calls = sim.count("QueryLiveStreaming") - before
                window = STEADY_VALIDITY - STEADY_RENEW
                windows = math.ceil(seconds / window)
                print(
                    f"steady: {viewers} viewers, {len(waits)} stream_source() calls"
                    f" in {seconds:g} s, URL window {window} s ({windows} windows)"
                    f" -> {calls} QueryLiveStreaming"
                    f" ({calls / windows:.2f} per window); wait per call median"
                    f" {statistics.median(waits) * 1000:.2f} ms,"
                    f" max {max(waits) * 1000:.0f} ms"
                )
                verdict = "OK" if calls <= windows and before == 1 else "TOO MANY"
                print(f"target: 1 per validity window: {verdict}")
                await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()
                await hass.async_stop(force=True)
    finally:
        await server.stop()


def main() -> None:
    """Run both phases and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=32.0)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(measure(args.viewers, args.seconds, args.latency))


if __name__ == "__main__":
    main()
