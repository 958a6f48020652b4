"""CPU time of one VDG Sense poll: parse the export list, diff, update entities.

Run: ``scripts/bench vdg_sense`` or
``python -m benchmarks.vdg_sense [--sizes 250,500,1000,2000] [--active 0.1]``.

The request itself is excluded: the simulator renders the answers of
consecutive polls (10 s apart) beforehand and the client is handed them
instead of asking the network.

1. Parser only: ``ExportStatusParser.parse`` of each answer in turn.
   Then the same from a server that writes values raw, as real ones do,
   where one path holds a bare "&" and one export is written only in part
   (it is skipped, the others are read).
2. Whole poll in Home Assistant (pytest-homeassistant-custom-component's test
   instance, run through pytest on this very file): a config entry on the
   simulated server, then ``coordinator.async_refresh()`` per answer until
   every entity is written - parse, diff, sensors added/removed/updated,
   events, listeners.

Target: <= 20 ms for 1,000 exports, growing linearly.
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
    """Answers of ``polls`` consecutive polls, 10 s apart."""
    bodies = []
    for _ in range(polls):
        bodies.append(sim.render_export_status())
        sim.advance(POLL_SECONDS)
    return bodies


def cpu_ms(step: Callable[[bytes], object], bodies: list[bytes]) -> list[float]:
    """CPU milliseconds of ``step`` on each body, in order."""
    samples = []
    for body in bodies:
        start = time.process_time()
        step(body)
        samples.append((time.process_time() - start) * 1000)
    return samples


def report(title: str, results: dict[int, tuple[float, float, float]]) -> None:
    """One line per size: median and worst poll, per export, target verdict."""
    print(f"\n{title}")
    print(f"{'exports':>8} {'poll ms':>8} {'worst':>7} {'first':>7} {'µs/export':>10}")
    for size, (median, worst, first) in results.items():
        print(
            f"{size:>8} {median:>8.2f} {worst:>7.2f} {first:>7.2f}"
            f" {median * 1000 / size:>10.2f}"
        )
    if TARGET_SIZE in results:
        median = results[TARGET_SIZE][0]
        verdict = "OK" if median <= TARGET_MS else "TOO SLOW"
        print(
            f"{TARGET_SIZE} exports: {median:.2f} ms per poll "
            f"(target {TARGET_MS:g} ms): {verdict}"
        )


def odd(sim: VdgSenseSimulator) -> VdgSenseSimulator:
    """Values written raw; a bare "&" in one path, the middle export cut short."""
    sim.raw_values = True
    exports = list(sim.exports.values())
    exports[0].path += " & co"
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
    """Parser alone: a parser that saw the previous answer reads the next."""
    results = {}
    for size in sizes:
        bodies = poll_bodies(prepare(seeded(size, active)), polls)
        parse_export_status(bodies[0])  # warm up imports and caches
        (first,) = cpu_ms(parse_export_status, bodies[:1])
        samples = cpu_ms(ExportStatusParser().parse, bodies)[1:]
        results[size] = (statistics.median(samples), max(samples), first)
    report(f"{title} ({active:.0%} of the exports running)", results)


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
        for _ in range(polls):
            start = time.process_time()
            await coordinator.async_refresh()
            await hass.async_block_till_done()
            samples.append((time.process_time() - start) * 1000)
            assert coordinator.last_update_success
        assert len(hass.states.async_entity_ids("sensor")) >= size * 0.9
        results[size] = (statistics.median(samples), max(samples), first)
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
        await server.stop()
    report(
        f"Whole poll in Home Assistant ({active:.0%} running; 'first' = set-up"
        " with the first poll and every entity created)",
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
