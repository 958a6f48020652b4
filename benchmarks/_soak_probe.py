"""What the soak watches: the process, the logs, the polls and the entities.

- ``sample()``: this process's resident memory, open descriptors (and the
  sockets among them), asyncio tasks and threads;
- ``LogRecorder``: every log record of WARNING and above, grouped by logger
  and message; tracebacks kept (records with exception information, and
  exceptions the event loop's handler received);
- ``PollRecorder``: every refresh of every coordinator, when it started and
  ended and whether it succeeded (the coordinator's ``_async_update_data``
  wrapped on the instance);
- ``AvailabilityRecorder``: when each entity went unavailable and came back;
- ``LoopWatchdog``: the event loop's worst lateness, and a thread that ends
  the process (with every thread's stack) when the loop stops turning.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import faulthandler
import gc
import logging
import os
import re
import sys
import threading
import time
import traceback
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import DATA_CONNECTOR

from custom_components.camera_bridge.const import DOMAIN

INTEGRATION_LOGGER = f"custom_components.{DOMAIN}"
_DIGITS = re.compile(r"\d{4,}")  # ports, ids, times; not HTTP statuses


@dataclass(frozen=True)
class Sample:
    """The process at one moment.

    ``pooled``: idle keep-alive connections in Home Assistant's shared HTTP
    pool. aiohttp hands its idle connections out oldest first, so with a
    poll every second none stays idle long enough to expire: the pool keeps
    as many connections to a server as requests to it ever overlapped
    (bounded per host). The ``own_`` figures leave them out.
    """

    rss_mb: float
    fds: int
    sockets: int
    pooled: int
    tasks: int
    threads: int
    # memory blocks Python's allocator hands out now (objects still held)
    blocks: int = 0

    @property
    def own_fds(self) -> int:
        """Descriptors but the pool's idle connections."""
        return self.fds - self.pooled

    @property
    def own_sockets(self) -> int:
        """Sockets but the pool's idle connections."""
        return self.sockets - self.pooled


def _socket_inodes() -> tuple[int, list[str]]:
    fds, inodes = 0, []
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue  # closed meanwhile (the listing's own descriptor)
        fds += 1
        if target.startswith("socket:["):
            inodes.append(target[8:-1])
    return fds, inodes


def pooled_connections(hass: HomeAssistant) -> int:
    """Idle connections in Home Assistant's shared HTTP pools."""
    connectors = hass.data.get(DATA_CONNECTOR, {})
    return sum(
        len(idle)
        for connector in connectors.values()
        for idle in getattr(connector, "_conns", {}).values()
    )


def sample(hass: HomeAssistant) -> Sample:
    """Measure this process now (called on the event loop)."""
    rss_kb = 0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    fds, inodes = _socket_inodes()
    return Sample(
        rss_kb / 1024,
        fds,
        len(inodes),
        pooled_connections(hass),
        len(asyncio.all_tasks()),
        threading.active_count(),
        sys.getallocatedblocks(),
    )


def tcp_peers() -> Counter[str]:
    """This process's TCP sockets by state and remote port (a leak's trail)."""
    _, inodes = _socket_inodes()
    mine = set(inodes)
    states = {
        "01": "established",
        "06": "time-wait",
        "08": "close-wait",
        "0A": "listen",
    }
    peers: Counter[str] = Counter()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if fields[9] in mine:
                    port = int(fields[2].rsplit(":", 1)[1], 16)
                    state = states.get(fields[3], fields[3])
                    local = int(fields[1].rsplit(":", 1)[1], 16)
                    peers[f"{state} to :{port}" if port else f"{state} :{local}"] += 1
    peers["other sockets"] = len(inodes) - sum(peers.values())
    return peers


async def quiet_sample(
    hass: HomeAssistant, seconds: float = 4.0, every: float = 0.5
) -> Sample:
    """The process at rest: garbage collected, then the least of a few samples.

    In-flight polls come and go by the second; the least over a few seconds
    is what stays. Memory: the last sample.
    """
    gc.collect()
    samples = []
    for _ in range(max(1, int(seconds / every))):
        samples.append(sample(hass))
        await asyncio.sleep(every)
    least = min(samples, key=lambda s: s.own_fds)
    return Sample(
        samples[-1].rss_mb,
        least.fds,
        least.sockets,
        least.pooled,
        min(s.tasks for s in samples),
        min(s.threads for s in samples),
        samples[-1].blocks,
    )


# ------------------------------------------------------------------------ logs


@dataclass
class LogGroup:
    """Records of one logger, level and message template."""

    count: int = 0
    example: str = ""


class LogRecorder(logging.Handler):
    """Records of WARNING and above, grouped; tracebacks kept apart."""

    def __init__(self) -> None:
        """Nothing recorded yet."""
        super().__init__(logging.WARNING)
        self.groups: dict[tuple[str, str, str], LogGroup] = {}
        self.tracebacks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record under its group; keep a traceback."""
        # the message with its numbers left out: one group per kind of record
        key = (
            record.levelname,
            record.name,
            _DIGITS.sub("#", record.getMessage())[:200],
        )
        group = self.groups.setdefault(key, LogGroup())
        group.count += 1
        if not group.example:
            group.example = record.getMessage()[:240]
        if record.exc_info or record.stack_info:
            text = f"{record.levelname} {record.name}: {record.getMessage()}\n"
            if record.exc_info:
                text += "".join(traceback.format_exception(*record.exc_info))
            if record.stack_info:
                text += record.stack_info
            self.tracebacks.append(text)

    def loop_exception(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        """The event loop's exception handler: keep what it got, then log it."""
        text = str(context.get("message", ""))
        if (exc := context.get("exception")) is not None:
            text += "\n" + "".join(traceback.format_exception(exc))
        self.tracebacks.append(f"event loop: {text}")
        loop.default_exception_handler(context)

    def ours(self) -> dict[tuple[str, str, str], LogGroup]:
        """The groups of the integration's loggers."""
        return {k: g for k, g in self.groups.items() if _is_ours(k[1])}

    def others(self) -> dict[tuple[str, str, str], LogGroup]:
        """The groups of every other logger."""
        return {k: g for k, g in self.groups.items() if not _is_ours(k[1])}

    def our_tracebacks(self) -> list[str]:
        """Tracebacks of the integration's loggers or through its code."""
        return [t for t in self.tracebacks if DOMAIN in t]


def _is_ours(logger: str) -> bool:
    return logger == INTEGRATION_LOGGER or logger.startswith(f"{INTEGRATION_LOGGER}.")


# ----------------------------------------------------------------------- polls


@dataclass(frozen=True)
class Poll:
    """One refresh of a coordinator."""

    start: float
    end: float
    ok: bool


@dataclass
class PollRecorder:
    """Every refresh of the coordinators, per simulator."""

    polls: dict[str, list[Poll]] = field(default_factory=dict)

    def watch(self, sim: str, coordinator: Any) -> None:
        """Wrap the coordinator's ``_async_update_data`` to note each refresh."""
        fetch: Callable[[], Awaitable[Any]] = coordinator._async_update_data  # noqa: SLF001
        polls = self.polls.setdefault(sim, [])

        async def noted() -> Any:
            start = time.monotonic()
            try:
                data = await fetch()
            except BaseException:
                polls.append(Poll(start, time.monotonic(), ok=False))
                raise
            polls.append(Poll(start, time.monotonic(), ok=True))
            return data

        coordinator._async_update_data = noted  # noqa: SLF001


# -------------------------------------------------------------------- entities


@dataclass
class Outage:
    """An entity unavailable from ``down`` until ``up`` (None: still)."""

    entity_id: str
    down: float
    up: float | None = None


@dataclass
class AvailabilityRecorder:
    """When each watched entity went unavailable and came back."""

    sim_of: dict[str, str]
    outages: list[Outage] = field(default_factory=list)
    _open: dict[str, Outage] = field(default_factory=dict)

    def start(self, hass: HomeAssistant) -> None:
        """Listen to state changes (entities already unavailable count as down)."""
        now = time.monotonic()
        for entity_id in self.sim_of:
            state = hass.states.get(entity_id)
            if state is not None and state.state == STATE_UNAVAILABLE:
                self._down(entity_id, now)
        hass.bus.async_listen("state_changed", self._changed)

    def _down(self, entity_id: str, now: float) -> None:
        outage = Outage(entity_id, now)
        self._open[entity_id] = outage
        self.outages.append(outage)

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        if entity_id not in self.sim_of:
            return
        new = event.data["new_state"]
        down = new is None or new.state == STATE_UNAVAILABLE
        now = time.monotonic()
        if down and entity_id not in self._open:
            self._down(entity_id, now)
        elif not down and (outage := self._open.pop(entity_id, None)) is not None:
            outage.up = now

    def down_now(self) -> list[str]:
        """Entities unavailable at this moment."""
        return sorted(self._open)


# ------------------------------------------------------------------ event loop


class LoopWatchdog:
    """The loop's worst lateness; a frozen loop ends the process.

    A task sleeps ``tick`` seconds again and again and notes how late it
    wakes (``worst_late``), and for how much of that this process was busy
    (``worst_blocked``; the rest is other programs holding the CPUs). A thread checks that the task keeps running: when it has not run
    for ``frozen_after`` seconds, the loop is stuck (nothing the integration
    does may take that long on it), so every thread's stack is written to
    stderr and the process exits with status 3.
    """

    def __init__(self, tick: float = 0.1, frozen_after: float = 30.0) -> None:
        """Not started yet."""
        self.tick = tick
        self.frozen_after = frozen_after
        self.worst_late = 0.0
        self.worst_blocked = 0.0
        self.phase_late = self.phase_blocked = 0.0
        self._beat = time.monotonic()
        self._task: asyncio.Task[None] | None = None
        self._stop = threading.Event()

    def reset(self) -> tuple[float, float]:
        """The worst lateness and the worst block so far; start again from zero."""
        worst = (self.worst_late, self.worst_blocked)
        self.worst_late = self.worst_blocked = 0.0
        return worst

    def reset_phase(self) -> tuple[float, float]:
        """The same since the last call of this one (a phase of the load)."""
        worst = (self.phase_late, self.phase_blocked)
        self.phase_late = self.phase_blocked = 0.0
        self.reset()
        return worst

    async def _ticks(self) -> None:
        while True:
            before, cpu = time.monotonic(), time.process_time()
            await asyncio.sleep(self.tick)
            self._beat = now = time.monotonic()
            late = now - before - self.tick
            # late while this process was busy, not while others held the CPUs
            blocked = min(late, time.process_time() - cpu)
            self.worst_late = max(self.worst_late, late)
            self.worst_blocked = max(self.worst_blocked, blocked)
            self.phase_late = max(self.phase_late, late)
            self.phase_blocked = max(self.phase_blocked, blocked)

    def _guard(self) -> None:
        while not self._stop.wait(1.0):
            stuck = time.monotonic() - self._beat
            if stuck > self.frozen_after:
                print(
                    f"\nFAIL: the event loop has not turned for {stuck:.0f} s"
                    " (frozen); stacks of every thread:",
                    file=sys.stderr,
                    flush=True,
                )
                faulthandler.dump_traceback(all_threads=True)
                os._exit(3)

    def start(self) -> None:
        """Start the ticking task and the guarding thread."""
        self._beat = time.monotonic()
        self._task = asyncio.get_running_loop().create_task(self._ticks())
        threading.Thread(target=self._guard, name="soak watchdog", daemon=True).start()

    async def stop(self) -> None:
        """Stop both."""
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
