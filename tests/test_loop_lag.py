"""The loop-lag probe itself: blocks and freezes fail, waiting does not."""

from __future__ import annotations

import asyncio
import time

import pytest

from .loop_lag import LoopFrozen, loop_lag


async def test_awaiting_is_no_block() -> None:
    """Time spent awaiting is the loop running: no failure."""
    async with loop_lag(limit=0.1) as probe:
        await asyncio.sleep(0.3)
    assert probe.ticks >= 5
    assert probe.worst < 0.1


async def _compute(seconds: float) -> None:
    async with loop_lag(limit=0.1):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pass


async def test_computing_on_the_loop_fails() -> None:
    """CPU work holding the loop beyond the limit fails the test."""
    with pytest.raises(AssertionError, match="blocked for"):
        await _compute(0.3)


async def _sleep(seconds: float) -> None:
    async with loop_lag(limit=0.1):
        time.sleep(seconds)  # noqa: ASYNC251 - the block the probe must see


async def test_sleeping_on_the_loop_fails() -> None:
    """A blocking call on the loop counts too, though it costs no CPU."""
    with pytest.raises(AssertionError, match="blocked for"):
        await _sleep(0.3)


async def test_endless_loop_is_interrupted() -> None:
    """Code that never hands the loop back ends with LoopFrozen."""
    spins = 0

    async def spin_here() -> None:
        nonlocal spins
        async with loop_lag(limit=0.1, freeze_after=0.5):
            while True:
                spins += 1

    with pytest.raises(LoopFrozen):
        await spin_here()
    assert spins > 0


async def test_freeze_in_another_task_fails() -> None:
    """A task that froze the loop fails the block even though it was not awaited."""

    async def spin() -> None:
        while True:
            pass

    tasks: list[asyncio.Task[None]] = []

    async def spin_elsewhere() -> None:
        async with loop_lag(limit=0.1, freeze_after=0.5):
            tasks.append(asyncio.create_task(spin()))
            await asyncio.sleep(0.05)

    with pytest.raises(AssertionError, match="froze"):
        await spin_elsewhere()
    assert isinstance(tasks[0].exception(), LoopFrozen)
