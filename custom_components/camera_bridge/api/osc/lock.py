"""One command at a time per camera, and a live preview that gives way.

RICOH asks clients never to send a command before the previous answer
arrived. The live preview is a command too: its answer arrives with the
headers of its endless MJPEG stream, and until then it holds the lock like
any command. But a camera may be slow to send them (a poor link, a stalled
camera), and a shot must never wait for a preview.

So the preview waits for its answer inside ``unless_wanted``: a command that
asks for the lock meanwhile cancels that wait, which drops the preview's
connection, and is sent once the lock is let go. No command is ever sent
while an earlier one still waits for its answer, and what the camera sees is
what it sees when a viewer goes away: a preview whose client closed it. A
shot sent right after is what it handles anyway while a preview runs (it
ends the preview), so nothing new is asked of a real camera. A command that
was already waiting when the preview's turn came gets the lock before the
preview is even sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any


class CommandWanted(Exception):
    """Internal: a command asked for the lock, the preview gave way."""


class CommandLock:
    """An ``asyncio.Lock`` for commands; a preview's wait inside it gives way."""

    def __init__(self) -> None:
        """Free, nobody waiting."""
        self._lock = asyncio.Lock()
        self._waiting = 0
        self._giving_way: asyncio.Future[Any] | None = None

    def locked(self) -> bool:
        """Whether a command (or a preview being opened) holds the lock."""
        return self._lock.locked()

    async def acquire(self) -> None:
        """Take the lock, cancelling a preview's wait for its answer."""
        self._waiting += 1
        try:
            if self._giving_way is not None:
                self._giving_way.cancel()
            await self._lock.acquire()
        finally:
            self._waiting -= 1

    def release(self) -> None:
        """Let the lock go."""
        self._lock.release()

    async def __aenter__(self) -> None:
        """Take the lock (``acquire``)."""
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Let the lock go."""
        self.release()

    async def unless_wanted[T](
        self, work: Coroutine[Any, Any, T], discard: Callable[[T], None]
    ) -> T:
        """Run ``work`` (the lock held by the caller) unless a command wants it.

        Raises CommandWanted without starting ``work`` when a command is
        waiting already, and cancels ``work`` when one asks meanwhile.
        ``discard`` releases a result that came too late to be used (this
        task was cancelled as ``work`` finished).
        """
        if self._waiting:
            work.close()
            raise CommandWanted
        task = asyncio.ensure_future(work)
        self._giving_way = task
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                # we were cancelled ourselves: the result, if any, is orphaned
                if task.done() and not task.cancelled() and task.exception() is None:
                    discard(task.result())
                raise
            raise CommandWanted from None
        finally:
            self._giving_way = None
