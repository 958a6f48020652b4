"""Decoding big answers without holding up the event loop.

Home Assistant runs every integration on one event loop: a few milliseconds
of CPU there delay everything else. ``off_loop`` hands big bodies to a
worker thread; ``yield_gil`` lets decoders running there give the GIL back
to the loop between pieces of work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import time
from typing import Final

# Handing a decoder to a worker thread costs the event loop ~15-25 µs (and
# the caller ~25-60 µs of latency); json.loads plus base64 of a snapshot
# answer cost ~1 µs per KB on the loop (64 KB: 67 µs, 16 KB: 18 µs), so from
# ~20 KB on the hand-off is the cheaper one. Measured on the 2-core
# development machine, Python 3.14.
OFF_LOOP_BYTES: Final = 32 * 1024


async def off_loop[T](
    decode: Callable[[bytes], T], body: bytes, *, threshold: int = OFF_LOOP_BYTES
) -> T:
    """``decode(body)``, in the event loop's default executor for big bodies.

    Bodies of ``threshold`` bytes or more are decoded in a worker thread
    (Home Assistant's executor when it runs the loop); smaller ones right
    here, where that is cheaper than the hand-off. ``OFF_LOOP_BYTES`` suits
    decoders that cost about 1 ns per byte (``json``, base64); pass a lower
    threshold for slower ones (xmltodict: ~56 ns per byte).

    A worker thread still needs the GIL: a decoder that spends milliseconds
    in one C call (``json.loads`` or ``binascii`` over megabytes, expat fed
    one big buffer) keeps the loop waiting just as long. Decode big bodies in
    pieces of well under a millisecond and call ``yield_gil()`` between them.
    Exceptions of ``decode`` reach the caller unchanged.
    """
    if len(body) < threshold:
        return decode(body)
    return await asyncio.get_running_loop().run_in_executor(None, decode, body)


def yield_gil() -> None:
    """Let other threads, the event loop's above all, take the GIL now.

    For decoders running in a worker thread (see ``off_loop``), between two
    pieces of work: without it the loop waits for the interpreter's switch
    interval (5 ms) before it gets the GIL back. Does nothing on a thread
    that runs an event loop, where sleeping would block the loop.

    ``time.sleep(0)`` lets go of the GIL long enough for the waiting loop to
    take it (~20 µs of CPU, ~75 µs of wall time here). Measured with 6.2 MB
    of base64 decoded in 128 KB pieces in a worker: the loop waited up to
    6 ms without it and ~1 ms with it; ``os.sched_yield()`` is cheaper but
    often lets the worker take the GIL straight back (up to 3.7 ms).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        time.sleep(0)
