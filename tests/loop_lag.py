"""A probe that fails a test whose code blocked the event loop, or froze it.

``async with loop_lag(limit=0.1):`` runs a ticker task that wakes every
``TICK`` and notes how late it woke. Lateness spent waiting for a CPU (the
machine busy with other programs: the loop thread's run-queue delay in
``/proc/thread-self/schedstat``) is not counted; what is left is time the
loop thread spent on something else than the loop: computing, or blocked in
a system call. When that was above ``limit`` the block fails the test.

A loop that never comes back (an endless loop with no ``await`` that
yields) would hang the test for good: a watchdog thread sees the ticker stop
and, after ``freeze_after`` seconds, raises ``LoopFrozen`` in the loop's
thread (a signal handler runs between two bytecodes), so the stuck code
ends with that exception and the test fails instead of freezing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
import signal
import threading
import time
from types import FrameType

TICK = 0.01
_SIGNAL = signal.SIGUSR2


class LoopFrozen(BaseException):
    """Raised inside the code that kept the event loop from running.

    A BaseException, so that no ``except Exception`` on the way swallows it.
    """


def _run_delay() -> float:
    """Seconds this thread has waited for a CPU so far (0 where unknown)."""
    try:
        with open("/proc/thread-self/schedstat", encoding="ascii") as stats:
            return int(stats.read().split()[1]) / 1e9
    except OSError, IndexError, ValueError:
        return 0.0


@dataclass
class LoopLag:
    """What the probe saw: the worst block and whether the loop froze."""

    limit: float
    worst: float = 0.0
    ticks: int = 0
    frozen: bool = False
    last_beat: float = 0.0


@asynccontextmanager
async def loop_lag(
    limit: float = 0.1, *, freeze_after: float = 3.0
) -> AsyncIterator[LoopLag]:
    """Fail the test if the loop was blocked for more than ``limit`` seconds."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("loop_lag needs the event loop in the main thread")
    probe = LoopLag(limit=limit, last_beat=time.monotonic())
    stop = threading.Event()

    async def tick() -> None:
        while True:
            start, waited = time.monotonic(), _run_delay()
            await asyncio.sleep(TICK)
            now = time.monotonic()
            late = now - start - TICK - (_run_delay() - waited)
            probe.worst = max(probe.worst, late)
            probe.ticks += 1
            probe.last_beat = now

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if time.monotonic() - probe.last_beat > freeze_after:
            probe.frozen = True
            raise LoopFrozen(f"the event loop did not run for {freeze_after:g} s")

    def watchdog() -> None:
        main = threading.main_thread().ident
        assert main is not None
        while not stop.wait(freeze_after / 10):
            if not probe.frozen and time.monotonic() - probe.last_beat > freeze_after:
                signal.pthread_kill(main, _SIGNAL)

    previous = signal.signal(_SIGNAL, on_signal)
    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)  # the ticker starts counting from here
    probe.last_beat = time.monotonic()
    guard = threading.Thread(target=watchdog, name="loop_lag watchdog", daemon=True)
    guard.start()
    try:
        yield probe
        await asyncio.sleep(2 * TICK)  # the last tick sees a block at the very end
    finally:
        stop.set()
        guard.join()
        ticker.cancel()
        with suppress(asyncio.CancelledError):
            await ticker
        signal.signal(_SIGNAL, previous)
    assert not probe.frozen, f"the event loop froze for more than {freeze_after:g} s"
    assert probe.worst <= limit, (
        f"the event loop was blocked for {probe.worst * 1000:.0f} ms "
        f"(limit {limit * 1000:.0f} ms)"
    )
