"""Longest stretch the event loop is blocked while a client handles a big answer.

Run: ``scripts/bench loop`` or ``python -m benchmarks.loop [--rounds 5]
[--only TEXT]`` (``--only preview``: the cases whose label holds the text).

Home Assistant runs every integration on one event loop. A ticker task sleeps
0.5 ms again and again and notes how late it wakes while the integration's own
clients handle, against the simulators over real sockets (served by a child
process, so that their work does not count):

1. a WCS snapshot of a 1920x1080 random-pixel PNG (6.2 MB; 8.3 MB of base64
   JSON), through ``WcsClient.snapshot``;
2. a VDG Sense export list of 2,000 exports, through
   ``VdgSenseClient.export_status`` (a new client each round: every export is
   parsed);
3. a 200 KB VDG Sense answer declaring ``encoding="punycode"`` (decoding it
   is quadratic), through ``VdgSenseClient.export_status``;
4. an OSC error whose message is 64 KB long, through ``OscClient.set_options``;
5. an OSC live preview of 100,000 tiny frames (84 bytes a part, THETA
   framing with Content-Length) arriving as one 8 MB chunk, read by
   ``MjpegReader`` (the chunk is handed over in memory: sockets deliver
   smaller ones, this is the worst a reader can be given at once).

"blocked" is the longest stretch of a round during which the ticker was late
and this process busy (see ``LoopWatch``): its median over the rounds, which
the verdict uses, and the worst round, which on a shared 2-core machine also
catches moments when other programs held a core. "late" is the worst
lateness by the wall clock alone. One warm-up round per case is not counted.
Target: blocked <= 2 ms in every case.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import statistics
import time

import aiohttp

from custom_components.camera_bridge.api import CameraBridgeError
from custom_components.camera_bridge.api.osc import MjpegReader, OscClient
from custom_components.camera_bridge.api.vdg_sense import VdgSenseClient
from custom_components.camera_bridge.api.wcs import WcsClient
from simulator.common import Faults, SimulatorBase
from simulator.osc import OscSimulator
from simulator.vdg_sense import VdgSenseSimulator
from simulator.wcs import WcsSimulator

from ._blocking import FakesProcess, LoopWatch, serve_fakes

TARGET_MS = 2.0
FRAME = (1920, 1080)
EXPORTS = 2000
PUNYCODE_BYTES = 200 * 1024
OSC_MESSAGE_BYTES = 64 * 1024
PREVIEW_FRAMES = 100_000
PREVIEW_BOUNDARY = b"---osclivepreview---"
HOST = "127.0.0.1"


def punycode_answer(size: int) -> str:
    """A VDG Sense answer of ``size`` bytes declaring punycode.

    What follows the last ``-`` is read as punycode digits, and this pattern
    makes Python's decoder insert a character per two digits (quadratic).
    """
    head = (
        '<?xml version="1.0" encoding="punycode"?>'
        '<result errorcode="0"><exports count="0"/></result>-'
    )
    return head + "ba" * ((size - len(head)) // 2)


def osc_error(size: int) -> dict[str, object]:
    """An OSC 400 answer whose message is ``size`` characters of words and quotes."""
    words = "Any input 'parameter' or \"option\" name is unrecognized: iso value "
    message = (words * (size // len(words) + 1))[:size]
    return {
        "name": "camera.setOptions",
        "state": "error",
        "error": {"code": "invalidParameterValue", "message": message},
    }


def tiny_preview(frames: int) -> bytes:
    """A THETA-framed preview body of ``frames`` 12-byte JPEGs (SOI, COM, EOI)."""
    frame = b"\xff\xd8\xff\xfe\x00\x06tiny\xff\xd9"
    part = (
        PREVIEW_BOUNDARY
        + b"\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(frame)
        + frame
        + b"\r\n"
    )
    return part * frames


async def read_preview(body: bytes) -> int:
    """The frames ``MjpegReader`` reads from ``body`` handed over in one chunk."""
    chunks = [body]

    async def read() -> bytes:
        return chunks.pop() if chunks else b""

    return len([frame async for frame in MjpegReader(read, PREVIEW_BOUNDARY)])


def build_fakes() -> dict[str, SimulatorBase]:
    """The simulators of the four cases (run in the child process)."""
    wcs = WcsSimulator(detailed_snapshot=FRAME)
    wcs.publish("garden")
    wcs.detailed_answer(FRAME)  # made before the first request
    exports = VdgSenseSimulator()
    exports.seed_exports(EXPORTS)
    punycode = VdgSenseSimulator()
    punycode.faults = Faults(
        status=200, status_body=punycode_answer(PUNYCODE_BYTES), paths=("/command",)
    )
    osc = OscSimulator()
    osc.faults = Faults(
        status=400,
        status_body=osc_error(OSC_MESSAGE_BYTES),
        paths=("/osc/commands/execute",),
    )
    return {"wcs": wcs, "vdg": exports, "punycode": punycode, "osc": osc}


@dataclass
class Case:
    """One client call, measured ``rounds`` times."""

    label: str
    call: Callable[[], Awaitable[object]]


@dataclass
class Result:
    """What the rounds of one case measured."""

    label: str
    outcome: str
    blocked_ms: list[float]
    late_ms: list[float]
    elapsed_ms: list[float]


async def _round(case: Case) -> tuple[str, float, float, float]:
    async with LoopWatch() as watch:
        start = time.perf_counter()
        try:
            result = await case.call()
        except CameraBridgeError as err:
            outcome = type(err).__name__
        else:
            outcome = f"ok ({_size(result)})"
        elapsed = time.perf_counter() - start
    return outcome, watch.blocked * 1000, watch.late * 1000, elapsed * 1000


def _size(result: object) -> str:
    if isinstance(result, int):
        return f"{result:,} frames"
    if isinstance(result, bytes):
        return f"{len(result) / 1e6:.1f} MB"
    exports = getattr(result, "exports", None)
    if exports is not None:
        return f"{len(exports)} exports"
    return type(result).__name__


async def measure(
    ports: dict[str, int], rounds: int, only: str | None = None
) -> list[Result]:
    """Every case, one warm-up round and ``rounds`` counted ones each."""
    preview = tiny_preview(PREVIEW_FRAMES)
    async with aiohttp.ClientSession() as session:
        cases = [
            Case(
                "WCS snapshot 1920x1080 (6.2 MB PNG)",
                lambda: WcsClient(session, f"http://{HOST}:{ports['wcs']}").snapshot(
                    "garden"
                ),
            ),
            Case(
                f"VDG Sense export list, {EXPORTS:,} exports",
                lambda: VdgSenseClient(session, HOST, ports["vdg"]).export_status(),
            ),
            Case(
                "VDG Sense 200 KB answer declaring punycode",
                lambda: VdgSenseClient(
                    session, HOST, ports["punycode"]
                ).export_status(),
            ),
            Case(
                "OSC error with a 64 KB message",
                lambda: OscClient(session, HOST, ports["osc"]).set_options(
                    {"iso": 100}
                ),
            ),
            Case(
                f"OSC preview, {PREVIEW_FRAMES:,} tiny frames in one"
                f" {len(preview) / 1e6:.0f} MB chunk",
                lambda: read_preview(preview),
            ),
        ]
        results = []
        for case in cases:
            if only is not None and only.lower() not in case.label.lower():
                continue
            await _round(case)
            samples = [await _round(case) for _ in range(rounds)]
            results.append(
                Result(
                    case.label,
                    samples[-1][0],
                    [s[1] for s in samples],
                    [s[2] for s in samples],
                    [s[3] for s in samples],
                )
            )
        return results


def report(results: list[Result]) -> None:
    """One line per case and the verdict against the target."""
    print(
        f"{'case':<52} {'outcome':<22} {'call ms':>8} {'blocked ms':>11}"
        f" {'worst':>6} {'late ms':>8}  target {TARGET_MS:g} ms"
    )
    for r in results:
        blocked = statistics.median(r.blocked_ms)
        verdict = "OK" if blocked <= TARGET_MS else "TOO LONG"
        print(
            f"{r.label:<52} {r.outcome:<22} {statistics.median(r.elapsed_ms):>8.1f}"
            f" {blocked:>11.2f} {max(r.blocked_ms):>6.2f} {max(r.late_ms):>8.2f}"
            f"  {verdict}"
        )


def main() -> None:
    """Measure every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", help="the cases whose label holds this text")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_fakes(build_fakes)
        return
    with FakesProcess(__spec__.name if __spec__ else "benchmarks.loop") as fakes:
        results = asyncio.run(measure(fakes.ports, args.rounds, args.only))
    print(f"{args.rounds} rounds per case (after one warm-up round)")
    report(results)


if __name__ == "__main__":
    main()
