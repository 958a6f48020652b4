"""Soak: Home Assistant with all four backends under faults, viewers and actions.

Run: ``scripts/bench soak`` (10 minutes) or ``scripts/bench soak --minutes 1``;
``--faults drop,500,slow,malformed,204,restart`` picks the faults.

A real Home Assistant core (the test harness's, in this process) runs one
entry per backend against the simulators (in a child process, so that what
is measured is Home Assistant's alone): WCS with two streams, a THETA Z1,
VDG Sense and a LinkVisual account with two cameras, every entry polling
every second. Meanwhile:

- each simulator gets the faults in turn, ``--fault-seconds`` each with a
  gap of ``--gap`` seconds after it (after a slow answer also the time the
  client waits for it): dropped connections, 500s, answers slower than the
  clients' 10 s timeout, malformed answers, 204s, and server restarts (the
  server stopped, then started again on the same port);
- two viewers join and leave the THETA's live preview through Home
  Assistant's MJPEG proxy, one per LinkVisual camera asks its live stream
  source and plays the playlist's first segment, every few seconds;
- the Media browser is browsed down a random way in the OSC, VDG Sense and
  LinkVisual folders, an item resolved and its first 64 KB fetched;
- every button is pressed in turn, with ``take_picture``, ``trigger_record``,
  ``export_video`` + ``get_export_status`` and camera images between.

After the warm-up (10 % of the run, at least 30 s) the load pauses: once the
viewers left and the preview stopped, the process is measured at rest
(memory, descriptors, sockets, tasks: the baseline); the load then runs to
the end and the same is measured again. Targets: memory growth <= 5 MB,
descriptors, sockets and tasks back to the baseline, every fault recovered
within two polls after it ended, no traceback. Exit status 1 when a target
fails (3 when the event loop froze: the watchdog ends the process).
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
import logging
import os
import time
import tracemalloc

from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant

from ._hass import running_hass
from ._soak_fakes import FAULT_KINDS, FakesProcess
from ._soak_harness import HOST, POLL, Harness, set_up, settle
from ._soak_load import Load
from ._soak_probe import (
    AvailabilityRecorder,
    LogRecorder,
    LoopWatchdog,
    PollRecorder,
    Sample,
    sample,
    tcp_peers,
)
from ._soak_report import (
    Recovery,
    minutes,
    print_entities,
    print_growth,
    print_logs,
    print_outcomes,
    print_recoveries,
    print_sample,
    recoveries,
    verdict,
)


@dataclass
class Plan:
    """What the command line asked for."""

    total: float
    warmup: float
    kinds: list[str]
    fault_seconds: float
    gap: float
    report_every: float


def plan_of(args: argparse.Namespace) -> Plan:
    """The run's plan; unknown faults end the program."""
    total = args.minutes * 60
    warmup = args.warmup if args.warmup is not None else max(0.1 * total, 30.0)
    kinds = [k for k in args.faults.split(",") if k]
    unknown = set(kinds) - set(FAULT_KINDS)
    if unknown or not kinds:
        raise SystemExit(f"unknown faults {sorted(unknown)}; known: {FAULT_KINDS}")
    return Plan(
        total,
        min(warmup, total / 2),
        kinds,
        args.fault_seconds,
        args.gap,
        args.report_every,
    )


async def soak(plan: Plan) -> bool:
    """Run the soak; True when every target passed."""
    logs = LogRecorder()
    # the records go to the recorder, none to the terminal
    logging.getLogger().addHandler(logs)
    logging.getLogger().setLevel(logging.WARNING)
    fakes = FakesProcess()
    await fakes.start()
    try:
        async with running_hass() as hass:
            hass.loop.set_exception_handler(logs.loop_exception)
            harness = await set_up(hass, fakes.ports)
            server = TestServer(hass.http.app, host=HOST)
            await server.start_server()
            harness.targets.base_url = str(server.make_url("")).rstrip("/")
            try:
                return await _run(hass, plan, fakes, logs, harness)
            finally:
                await server.close()
    finally:
        await fakes.stop()


async def _run(
    hass: HomeAssistant,
    plan: Plan,
    fakes: FakesProcess,
    logs: LogRecorder,
    harness: Harness,
) -> bool:
    entries, sim_of = harness.entries, harness.sim_of
    polls = PollRecorder()
    for sim, entry in entries.items():
        polls.watch(sim, entry.runtime_data)
    availability = AvailabilityRecorder(sim_of)
    availability.start(hass)
    down_at_start = set(availability.down_now())
    print(
        f"soak {minutes(plan.total)} (warm-up {minutes(plan.warmup)}),"
        f" polls every {POLL} s, faults {', '.join(plan.kinds)}"
        f" ({plan.fault_seconds:g} s each, {plan.gap:g} s apart),"
        f" {len(sim_of)} entities, {os.cpu_count()} CPUs",
        flush=True,
    )
    if down_at_start:
        print(f"unavailable from the start: {', '.join(sorted(down_at_start))}")
    load = Load(
        hass,
        fakes,
        harness.targets,
        kinds=plan.kinds,
        fault_seconds=plan.fault_seconds,
        gap_seconds=plan.gap,
    )
    watchdog = LoopWatchdog()
    watchdog.start()
    figures = Figures(fakes, logs, load, polls, availability, sim_of)
    try:
        start = time.monotonic()
        loop = await _phase(load, plan.warmup, plan.report_every, watchdog, start)
        warm = await settle(hass, load, entries, availability, down_at_start)
        before = tracemalloc.take_snapshot() if tracemalloc.is_tracing() else None
        await figures.report(
            f"[{minutes(time.monotonic() - start)}] WARM-UP", warm, loop
        )
        loop = await _phase(
            load, plan.total - plan.warmup, plan.report_every, watchdog, start
        )
        end = await settle(hass, load, entries, availability, down_at_start)
        results = await figures.report(
            f"[{minutes(time.monotonic() - start)}] END", end, loop
        )
        if before is not None:
            print_growth(before, tracemalloc.take_snapshot())
    finally:
        await watchdog.stop()
    tracebacks = logs.our_tracebacks() + load.outcomes.unexpected
    tracebacks += [f"{what}: no end within 60 s" for what in load.outcomes.hung]
    return verdict(warm, end, results, tracebacks)


@dataclass
class Figures:
    """What the soak prints at warm-up and at the end."""

    fakes: FakesProcess
    logs: LogRecorder
    load: Load
    polls: PollRecorder
    availability: AvailabilityRecorder
    sim_of: dict[str, str]

    async def report(
        self, title: str, at_rest: Sample, loop: tuple[float, float]
    ) -> list[Recovery]:
        """Print every figure so far; the recovery of each fault."""
        print(f"\n{title}")
        print_sample("at rest", at_rest, os.getloadavg())
        peers = ", ".join(f"{n} {what}" for what, n in sorted(tcp_peers().items()))
        print(f"sockets by peer port (simulators {self.fakes.ports}): {peers}")
        print(
            f"event loop under the load of this phase: worst {loop[0] * 1000:.0f} ms"
            f" late, {loop[1] * 1000:.0f} ms of it this process busy"
        )
        stats = await self.fakes.call("stats")
        print(f"requests served by the simulators: {stats['requests']}")
        for text, count in stats["warnings"].items():
            print(f"  simulators' own record: {count} x {text}")
        polls = self.polls.polls
        for sim, sim_polls in sorted(polls.items()):
            failed = sum(not p.ok for p in sim_polls)
            print(f"{sim}: {len(sim_polls)} polls, {failed} failed")
        outages = self.availability.outages
        results, owner = recoveries(
            self.load.episodes, polls, outages, self.sim_of, time.monotonic()
        )
        print_recoveries(results)
        print_entities(outages, owner, polls, self.sim_of)
        print_outcomes(self.load.outcomes)
        print_logs(self.logs)
        return results


async def _phase(
    load: Load, seconds: float, every: float, watchdog: LoopWatchdog, start: float
) -> tuple[float, float]:
    """Run the load for ``seconds``, printing a line of figures every ``every`` s.

    Returns the event loop's worst lateness in the phase, and how much of it
    this process was busy (the collection at rest is left out).
    """
    watchdog.reset_phase()

    async def progress() -> None:
        while True:
            await asyncio.sleep(every)
            s = sample(load.hass)
            late, blocked = watchdog.reset()
            print(
                f"[{minutes(time.monotonic() - start)}] RSS {s.rss_mb:.1f} MB,"
                f" {s.fds} fds ({s.sockets} sockets), {s.tasks} tasks,"
                f" {len(load.episodes)} faults, viewers {load.viewers},"
                f" loop late {late * 1000:.0f} ms ({blocked * 1000:.0f} ms busy),"
                f" load {os.getloadavg()[0]:.2f}",
                flush=True,
            )

    reporter = asyncio.create_task(progress())
    try:
        await load.run(seconds)
    finally:
        reporter.cancel()
    return watchdog.reset_phase()


def main() -> None:
    """Parse the command line, run the soak, exit 1 when a target failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, help="seconds (default: 10 %%, >= 30)")
    parser.add_argument("--faults", default=",".join(FAULT_KINDS))
    parser.add_argument("--fault-seconds", type=float, default=3.0)
    parser.add_argument("--gap", type=float, default=7.0)
    parser.add_argument("--report-every", type=float, default=60.0)
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also print where Python memory grew after the warm-up (slower)",
    )
    args = parser.parse_args()
    plan = plan_of(args)
    if args.tracemalloc:
        tracemalloc.start()
    if not asyncio.run(soak(plan)):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
