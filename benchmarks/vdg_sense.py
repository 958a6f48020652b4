"""CPU time of one VDG Sense poll: parse the export list, diff, update entities.

Run: ``scripts/bench vdg_sense`` or
``python -m benchmarks.vdg_sense [--sizes 250,500,1000,2000] [--active 0.1]``.

The request itself is excluded: the simulator renders the answers of
consecutive polls (10 s apart) beforehand and the client is handed them
instead of asking the network. The share of exports that change stays the
same over the polls: the ``--active`` share is running, and an export that
completed starts again at the next poll, so every running export changes on
every poll.

1. Parser only: each answer read by a fresh ``ExportStatusParser`` (cold:
   the first poll after a start) and by one that read the previous answer
   (warm: every other poll). Then the same from a server that writes values
   raw, as real ones do, where one path holds a bare "&" (the answer is
   read again, repaired), and then also one export is written only in part
   (it is skipped, the others are read entry by entry).
2. Whole poll in Home Assistant (pytest-homeassistant-custom-component's test
   instance, run through pytest on this very file): a config entry on the
   simulated server, then ``coordinator.async_refresh()`` per answer until
   every entity is written - parse, diff, sensors added/removed/updated,
   events, listeners. CPU of the whole process, and of the event loop's
   thread alone: the export list is parsed in a worker thread.

Target: <= 20 ms of CPU per poll for 1,000 exports, cold and warm (<= 10 ms
is the aim), none of the parsing on the event loop.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
import logging
import os
from pathlib import Path
import statistics
import sys
import time
from typing import Any

from custom_components.camera_bridge.api.vdg_sense import (
    ExportStatusParser,
    parse_export_status,
)
from simulator.vdg_sense import VdgSenseSimulator

TARGET_MS = 20.0
TARGET_SIZE = 1000
POLL_SECONDS = 10.0
# %/s: an export of a few cameras takes a couple of minutes
SPEED = 1.0
_ENV = "VDG_BENCH"


def seeded(count: int, active_share: float) -> VdgSenseSimulator:
    """A simulated server with ``count`` exports, ``active_share`` running."""
    sim = VdgSenseSimulator(clock=lambda: 0.0, speed=SPEED)
    sim.seed_exports(count, active_share=active_share)
    return sim


def poll_bodies(sim: VdgSenseSimulator, polls: int) -> list[bytes]:
    """Answers of ``polls`` consecutive polls, 10 s apart.

    The exports running at the start keep running: one seen completed starts
    again for the next poll, so as many exports change on every poll.
    """
    running = [
        export
        for export in sim.exports.values()
        if sim.export_state(export) in ("SYNCING", "PENDING")
    ]
    bodies = []
    for _ in range(polls):
        bodies.append(sim.render_export_status())
        done = [e for e in running if sim.export_state(e) == "COMPLETED"]
        sim.advance(POLL_SECONDS)
        for export in done:
            export.created = sim.now()
    return bodies


def changed_per_poll(bodies: list[bytes]) -> list[int]:
    """How many exports each answer changed compared with the one before."""
    parser = ExportStatusParser()
    before = {id(e) for e in parser.parse(bodies[0]).exports}
    counts = []
    for body in bodies[1:]:
        exports = parser.parse(body).exports
        counts.append(sum(1 for e in exports if id(e) not in before))
        before = {id(e) for e in exports}
    return counts


def cpu_ms(step: Callable[[bytes], object], bodies: list[bytes]) -> list[float]:
    """CPU milliseconds of ``step`` on each body, in order."""
    samples = []
    for body in bodies:
        start = time.process_time()
        step(body)
        samples.append((time.process_time() - start) * 1000)
    return samples


def report(
    title: str, columns: tuple[str, ...], results: dict[int, tuple[float, ...]]
) -> None:
    """One line per size: the figures, then the target's verdict.

    The first two columns are held to the target.
    """
    print(f"\n{title}")
    print(f"{'exports':>8}" + "".join(f" {name:>11}" for name in columns))
    for size, figures in results.items():
        print(f"{size:>8}" + "".join(f" {figure:>11.2f}" for figure in figures))
    if TARGET_SIZE in results:
        held = results[TARGET_SIZE][:2]
        verdict = "OK" if max(held) <= TARGET_MS else "TOO SLOW"
        shown = ", ".join(
            f"{name} {figure:.2f}" for name, figure in zip(columns, held, strict=False)
        )
        print(
            f"{TARGET_SIZE} exports: {shown} ms per poll (target {TARGET_MS:g} ms):"
            f" {verdict}"
        )


def raw(sim: VdgSenseSimulator) -> VdgSenseSimulator:
    """Values written raw, a bare "&" in the first export's path."""
    sim.raw_values = True
    next(iter(sim.exports.values())).path += " & co"
    return sim


def odd(sim: VdgSenseSimulator) -> VdgSenseSimulator:
    """Values written raw; a bare "&" in one path, the middle export cut short."""
    raw(sim)
    exports = list(sim.exports.values())
    sim.truncated.add(exports[len(exports) // 2].export_id)
    return sim


def bench_parser(
    sizes: list[int],
    polls: int,
    active: float,
    *,
    prepare: Callable[[VdgSenseSimulator], VdgSenseSimulator] = lambda sim: sim,
    title: str = "Parser only",
) -> None:
    """Parser alone: cold (a fresh parser) and warm (one that read the answer before)."""
    results = {}
    changed: list[int] = []
    for size in sizes:
        bodies = poll_bodies(prepare(seeded(size, active)), polls)
        parse_export_status(bodies[0])  # warm up imports and caches
        cold = cpu_ms(parse_export_status, bodies[1:])
        parser = ExportStatusParser()
        parser.parse(bodies[0])
        warm = cpu_ms(parser.parse, bodies[1:])
        results[size] = (
            statistics.median(cold),
            statistics.median(warm),
            statistics.median(warm) * 1000 / size,
            max(cold + warm),
        )
        if size == TARGET_SIZE:
            changed = changed_per_poll(bodies)
    share = f", {min(changed)}-{max(changed)} changing per poll" if changed else ""
    report(
        f"{title} ({active:.0%} of the exports running{share})",
        ("cold ms", "warm ms", "µs/export", "worst ms"),
        results,
    )


async def test_poll_in_home_assistant(
    hass: Any, enable_custom_integrations: None, socket_enabled: None
) -> None:
    """Whole polls in a Home Assistant test instance (run by ``main``)."""
    from homeassistant.config_entries import ConfigEntryState  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: PLC0415

    from custom_components.camera_bridge.const import CONF_KIND, DOMAIN, KIND_VDG_SENSE  # noqa: PLC0415
    from simulator.common import serve  # noqa: PLC0415

    # the test instance logs every entity at INFO and slow set-ups at WARNING
    logging.disable(logging.WARNING)
    sizes_text, polls_text, active_text = os.environ[_ENV].split(";")
    sizes = [int(s) for s in sizes_text.split(",")]
    polls, active = int(polls_text), float(active_text)
    results = {}
    for size in sizes:
        sim = seeded(size, active)
        server = await serve(sim)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"VDG Sense {size}",
            data={
                CONF_KIND: KIND_VDG_SENSE,
                "host": server.host,
                "port": server.port,
                "ssl": False,
                "verify_ssl": True,
            },
        )
        entry.add_to_hass(hass)
        start = time.process_time()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        first = (time.process_time() - start) * 1000
        assert entry.state is ConfigEntryState.LOADED
        coordinator = entry.runtime_data
        bodies = iter(poll_bodies(sim, polls))

        async def answer(*args: Any, _bodies: Any = bodies, **kwargs: Any) -> bytes:
            return next(_bodies)

        # the request is excluded: answers come from memory
        coordinator.client._command = answer  # noqa: SLF001
        samples = []
        on_loop = []
        for _ in range(polls):
            start, loop_start = time.process_time(), time.thread_time()
            await coordinator.async_refresh()
            await hass.async_block_till_done()
            samples.append((time.process_time() - start) * 1000)
            on_loop.append((time.thread_time() - loop_start) * 1000)
            assert coordinator.last_update_success
        # a sensor per running export (and finished ones for a while)
        assert len(hass.states.async_entity_ids("sensor")) >= size * active * 0.9
        results[size] = (
            statistics.median(samples),
            statistics.median(on_loop),
            first,
            max(samples),
        )
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
        await server.stop()
    report(
        f"Whole poll in Home Assistant ({active:.0%} running; warm polls, CPU of"
        " the process and of the event loop's thread; set-up = the first poll"
        " with every entity created)",
        ("poll ms", "on loop ms", "set-up ms", "worst ms"),
        results,
    )


def main() -> None:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--polls", type=int, default=21)
    parser.add_argument(
        "--active", type=float, default=0.1, help="share of running exports"
    )
    parser.add_argument(
        "--parser-only", action="store_true", help="skip the Home Assistant part"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    bench_parser(sizes, args.polls, args.active)
    bench_parser(
        sizes,
        args.polls,
        args.active,
        prepare=raw,
        title="Parser only, raw values (a bare & repaired)",
    )
    bench_parser(
        sizes,
        args.polls,
        args.active,
        prepare=odd,
        title="Parser only, raw values, one export unreadable",
    )
    if args.parser_only:
        return
    import pytest  # noqa: PLC0415

    os.environ[_ENV] = f"{args.sizes};{args.polls};{args.active}"
    code = pytest.main(
        [
            str(Path(__file__).resolve()),
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::DeprecationWarning",
        ]
    )
    sys.exit(int(code))


if __name__ == "__main__":
    main()
