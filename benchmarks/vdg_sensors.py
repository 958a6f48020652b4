"""VDG Sense at a busy site: how many sensors, and what a poll costs.

Run: ``scripts/bench vdg_sensors`` or
``python -m benchmarks.vdg_sensors [--exports 10000] [--running 100]``.

A server lists every export until its plugin manager restarts. The simulator
lists ``--exports`` exports, ``--running`` of them syncing or pending, to a
real Home Assistant (the tests' core, ``benchmarks/_hass.py``): the entry is
set up over HTTP on 127.0.0.1 (the set-up figures include the simulator
writing its answer in this process); the polls after it get answers the
simulator wrote beforehand, so they count Camera Bridge's work only (parse
in a worker thread, diff, sensors, events). Reported: export sensors and the
process's memory after set-up, the CPU of a poll (process and event loop's
thread), the sensors once the running exports finished (within the
retention window) and after it.

Target: at most running + finished-within-the-window sensors (~100 + 100
here), whatever the number listed.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
import logging
import statistics
import time
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.camera_bridge.const import CONF_KIND, KIND_VDG_SENSE
from simulator.common import serve
from simulator.vdg_sense import VdgSenseSimulator

from ._hass import add_entry, running_hass


def rss_mib() -> float:
    """Resident memory of this process, MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0  # pragma: no cover - Linux has it


def export_sensors(hass: HomeAssistant) -> int:
    """Export sensors in the state machine."""
    return sum(
        "_export_" in entity_id for entity_id in hass.states.async_entity_ids("sensor")
    )


async def measure(exports: int, running: int, polls: int) -> dict[str, Any]:
    """Set up an entry on a busy server and poll it."""
    sim = VdgSenseSimulator(clock=lambda: 0.0)
    sim.seed_exports(exports, active_share=running / exports)
    server = await serve(sim)
    results: dict[str, Any] = {"listed": exports}
    async with running_hass() as hass:
        before = rss_mib()
        start = time.process_time()
        entry = await add_entry(
            hass,
            {
                CONF_KIND: KIND_VDG_SENSE,
                "host": server.host,
                "port": server.port,
                "ssl": False,
                "verify_ssl": True,
            },
        )
        results["set-up s"] = time.process_time() - start
        results["memory MiB"] = rss_mib() - before
        coordinator = entry.runtime_data
        results["running"] = coordinator.data.status.active_count
        results["sensors"] = export_sensors(hass)
        answers = []
        for _ in range(polls):
            sim.advance(1)  # running exports move on
            answers.append(sim.render_export_status())
        sim.advance(100_000)  # every running export finishes
        answers += [sim.render_export_status()] * 2
        pending = iter(answers)

        async def answer(*args: Any, **kwargs: Any) -> bytes:
            return next(pending)

        coordinator.client._command = answer  # noqa: SLF001 - the request is left out
        samples, on_loop = [], []
        for _ in range(polls):
            start, loop_start = time.process_time(), time.thread_time()
            await coordinator.async_refresh()
            await hass.async_block_till_done()
            samples.append(time.process_time() - start)
            on_loop.append(time.thread_time() - loop_start)
        results["poll ms"] = statistics.median(samples) * 1000
        results["on loop ms"] = statistics.median(on_loop) * 1000
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        results["finished: sensors"] = export_sensors(hass)
        later = dt_util.utcnow() + timedelta(hours=24, seconds=1)
        with patch.object(dt_util, "utcnow", return_value=later):
            await coordinator.async_refresh()
            await hass.async_block_till_done()
        results["after 24 h: sensors"] = export_sensors(hass)
    await server.stop()
    return results


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exports", type=int, default=10_000)
    parser.add_argument("--running", type=int, default=100)
    parser.add_argument("--polls", type=int, default=10)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    results = asyncio.run(measure(args.exports, args.running, args.polls))
    width = max(len(key) for key in results)
    for key, value in results.items():
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    bound = results["running"] * 2
    ok = results["sensors"] <= bound and results["after 24 h: sensors"] == 0
    print(f"target: at most {bound} export sensors, none after the window:", end=" ")
    print("PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
