"""Tools of the event-loop benchmarks: a lateness ticker and fakes in a child process.

The simulators run in a child process so that their own work (rendering an
8 MB answer, for instance) neither competes for this process's GIL nor counts
as time the integration's code blocked the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import json
import subprocess
import sys
import time
from typing import Self

from simulator.common import SimulatorBase, serve

TICK = 0.0005


@dataclass
class LoopWatch:
    """A task that sleeps 0.5 ms again and again and notes how late it wakes.

    ``late`` is the worst lateness by the wall clock; ``blocked`` the worst
    lateness during which this process was busy (its CPU time grew as much):
    the wall figure also counts moments when the machine ran other programs,
    the CPU figure only this process's work - the integration's, on the loop
    or holding the GIL in a worker thread.
    """

    late: float = 0.0
    blocked: float = 0.0
    ticks: int = 0
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            wall, cpu = time.perf_counter(), time.process_time()
            await asyncio.sleep(TICK)
            late = time.perf_counter() - wall - TICK
            busy = time.process_time() - cpu
            self.late = max(self.late, late)
            self.blocked = max(self.blocked, min(late, busy))
            self.ticks += 1

    async def __aenter__(self) -> Self:
        """Start ticking (and let the first tick settle)."""
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0.02)
        self.late = self.blocked = 0.0
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Tick a little longer (a late callback still counts), then stop."""
        await asyncio.sleep(0.02)
        self._stop.set()
        assert self._task is not None
        await self._task


class FakesProcess:
    """The simulators a benchmark needs, served by ``python -m MODULE --serve``."""

    def __init__(self, module: str) -> None:
        """Remember which benchmark module builds the fakes."""
        self._module = module
        self._process: subprocess.Popen[str] | None = None
        self.ports: dict[str, int] = {}

    def __enter__(self) -> Self:
        """Start the child and read the port of each fake."""
        self._process = subprocess.Popen(
            [sys.executable, "-m", self._module, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            self.__exit__()
            raise RuntimeError("the fakes did not start")
        self.ports = json.loads(line)
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the child's stdin (it stops then); kill it if it lingers."""
        process = self._process
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._process = None


def serve_fakes(build: Callable[[], dict[str, SimulatorBase]]) -> None:
    """Child side: serve the fakes, print their ports, stop when stdin closes."""

    async def main() -> None:
        servers = {name: await serve(sim) for name, sim in build().items()}
        print(json.dumps({name: s.port for name, s in servers.items()}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        for server in servers.values():
            await server.stop()

    asyncio.run(main())
