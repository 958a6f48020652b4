"""The smoke run's child processes: the simulators and Home Assistant."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import signal
import socket
import sys
import time


class SmokeError(Exception):
    """A step of the smoke run failed; the message says which and why."""


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports that were free on 127.0.0.1 a moment ago."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Child:
    """A child process in its own process group, its output in a file."""

    name: str
    process: asyncio.subprocess.Process
    output: Path

    @property
    def running(self) -> bool:
        """Whether the process has not exited yet."""
        return self.process.returncode is None

    def tail(self, lines: int = 40) -> str:
        """The last lines the process printed."""
        try:
            text = self.output.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    async def stop(self, sig: signal.Signals, timeout: float) -> int:
        """Send ``sig``; kill the group when it has not exited within ``timeout``."""
        if self.running:
            self._signal(sig)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self._signal(signal.SIGKILL)
                await self.process.wait()
                raise SmokeError(
                    f"{self.name} did not stop within {timeout:.0f} s of "
                    f"{sig.name}: killed"
                ) from None
        # a process killed by a signal reports minus its number
        return self.process.returncode or 0

    def kill(self) -> None:
        """Kill the whole process group at once (cleanup after a failure)."""
        if self.running:
            self._signal(signal.SIGKILL)


async def start(name: str, args: list[str], cwd: Path, output: Path) -> Child:
    """Run ``python ARGS`` (this interpreter) in ``cwd``, output to ``output``."""
    with output.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    return Child(name, process, output)


async def wait_for_ports(child: Child, ports: list[int], timeout: float) -> None:
    """Wait until every port accepts a connection, or fail with the child's output."""
    deadline = time.monotonic() + timeout
    for port in ports:
        while True:
            if not child.running:
                raise SmokeError(
                    f"{child.name} exited with {child.process.returncode}:\n"
                    f"{child.tail()}"
                )
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                if time.monotonic() > deadline:
                    raise SmokeError(
                        f"{child.name}: nothing listens on port {port} after "
                        f"{timeout:.0f} s:\n{child.tail()}"
                    ) from None
                await asyncio.sleep(0.2)
                continue
            writer.close()
            await writer.wait_closed()
            break
