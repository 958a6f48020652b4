"""The soak's four simulators in a child process, steered over its stdin.

The simulators run in their own process so that what the soak measures (the
memory, descriptors, sockets and tasks of the process that runs Home
Assistant) is the integration's alone. The parent sends one JSON command a
line and reads one JSON answer a line:

- ``{"op": "fault", "sim": "osc", "kind": "drop"}``: the simulator's fault
  knobs (``simulator.common.Faults``) for one kind of fault, on every path;
- ``{"op": "clear", "sim": "osc"}``: behave again;
- ``{"op": "stop", "sim": "osc"}`` / ``{"op": "start", "sim": "osc"}``: stop
  the simulator's server (every connection closed, the port refused), start
  it again on the same port (a server restart);
- ``{"op": "stats"}``: requests served per simulator and the simulators' own
  warnings (a handler that failed in the child).

Closing the child's stdin stops it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import json
import logging
import sys
from typing import Any, Final

from simulator.common import Faults, RunningServer, SimulatorBase, serve
from simulator.linkvisual import LinkVisualSimulator
from simulator.osc import OscSimulator
from simulator.vdg_sense import VdgSenseSimulator
from simulator.wcs import WcsSimulator

FAULT_KINDS: Final = ("drop", "500", "slow", "malformed", "204", "restart")
# every client of the integration gives up on a request after 10 s
CLIENT_TIMEOUT: Final = 10.0
SLOW_SECONDS: Final = CLIENT_TIMEOUT + 2.0
SIMULATORS: Final = ("wcs", "osc", "vdg", "lv")


def fault_knobs(kind: str) -> Faults:
    """The fault knobs of one kind of fault (every path of the simulator)."""
    match kind:
        case "drop":
            return Faults(drop=True)
        case "500":
            return Faults(status=500, status_body="Internal Server Error")
        case "slow":
            return Faults(latency=SLOW_SECONDS)
        case "malformed":
            return Faults(malformed=True)
        case "204":
            return Faults(status=204)
    raise ValueError(f"no fault knobs for {kind!r}")


def build_simulators() -> dict[str, SimulatorBase]:
    """WCS, a THETA Z1, VDG Sense and a LinkVisual account, as for develop."""
    wcs = WcsSimulator(snapshot_delay=0.05)
    for name in ("front-door", "garden"):
        wcs.publish(name)
    osc = OscSimulator(shot_seconds=1.0, archive_files=40)
    vdg = VdgSenseSimulator(speed=10.0)
    vdg.seed_exports(3)
    lv = LinkVisualSimulator(record_delay=5.0, seed_recordings=5)
    return {"wcs": wcs, "osc": osc, "vdg": vdg, "lv": lv}


class _Warnings(logging.Handler):
    """Counts the child's own log records of WARNING and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[f"{record.levelname} {record.name}: {record.msg}"[:200]] += 1


class _Child:
    """The simulators, their servers and the command loop."""

    def __init__(self) -> None:
        self.sims = build_simulators()
        self.servers: dict[str, RunningServer] = {}
        self.ports: dict[str, int] = {}
        self.warnings = _Warnings()

    async def start(self, name: str) -> None:
        server = await serve(self.sims[name], port=self.ports.get(name, 0))
        self.servers[name] = server
        self.ports[name] = server.port

    async def handle(self, command: dict[str, Any]) -> dict[str, Any]:
        op, name = command["op"], command.get("sim", "")
        if op == "fault":
            self.sims[name].faults = fault_knobs(command["kind"])
        elif op == "clear":
            self.sims[name].faults = Faults()
        elif op == "stop":
            await self.servers.pop(name).stop()
        elif op == "start":
            await self.start(name)
        elif op == "stats":
            return {
                "requests": {n: sum(s.requests.values()) for n, s in self.sims.items()},
                "warnings": dict(self.warnings.counts),
            }
        else:
            return {"error": f"unknown op {op!r}"}
        return {"ok": True}

    async def run(self) -> None:
        logging.getLogger().addHandler(self.warnings)
        for name in self.sims:
            await self.start(name)
        print(json.dumps(self.ports), flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
        )
        while line := await reader.readline():
            try:
                answer = await self.handle(json.loads(line))
            except Exception as err:  # noqa: BLE001 - answered to the parent
                answer = {"error": repr(err)}
            print(json.dumps(answer), flush=True)
        for server in self.servers.values():
            await server.stop()


class FakesProcess:
    """The parent's handle on the child: start, commands, stop."""

    def __init__(self) -> None:
        """Nothing runs before ``start``."""
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self.ports: dict[str, int] = {}

    async def start(self) -> None:
        """Start the child and read the simulators' ports."""
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __spec__.name if __spec__ else "benchmarks._soak_fakes",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self._process.stdout is not None
        line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError("the simulators did not start")
        self.ports = json.loads(line)

    async def call(self, op: str, sim: str = "", **more: Any) -> dict[str, Any]:
        """Send one command and return its answer."""
        process = self._process
        assert process is not None
        assert process.stdin is not None
        assert process.stdout is not None
        async with self._lock:
            command = {"op": op, "sim": sim, **more}
            process.stdin.write(json.dumps(command).encode() + b"\n")
            await process.stdin.drain()
            answer: dict[str, Any] = json.loads(await process.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"simulators: {answer['error']}")
        return answer

    async def stop(self) -> None:
        """Close the child's stdin; kill it when it lingers."""
        process = self._process
        if process is None:
            return
        self._process = None
        assert process.stdin is not None
        process.stdin.close()
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(_Child().run())
