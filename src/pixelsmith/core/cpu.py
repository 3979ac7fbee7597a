"""CPU-bound work answered inline by the API process (decodes, filters, scans, photo poses).

At most `inline_cpu_slots` such calls run at a time (default: one core fewer than the
machine has, at least one); the rest wait their turn. Running more at once makes none of them
faster on a busy machine, each holds its image's memory meanwhile (twenty 25-megapixel filters
at once would hold twenty copies), and the core left over keeps the event loop answering
pages, /healthz and job submits. A call that left the process much bigger than it found it
gives the freed memory back to the system.

    from pixelsmith.core.cpu import run_cpu
    out = await run_cpu(apply_filter, intake, style)
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from pixelsmith.core import memory

T = TypeVar("T")
# Growth that makes a call trim the heap afterwards (a trim costs milliseconds).
TRIM_AFTER_GROWTH = 32 * memory.MB

# One limiter per event loop: a TestClient or a reloaded server runs a loop of its own.
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


_slots = max(1, (os.cpu_count() or 1) - 1)


def configure(slots: int) -> None:
    """Set the number of slots (Settings.resolved_inline_cpu_slots); loops started later use it."""
    global _slots
    _slots = max(1, slots)


def slots() -> int:
    return _slots


def _limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None or limiter.total_tokens != _slots:
        limiter = _limiters[loop] = anyio.CapacityLimiter(_slots)
    return limiter


def _call_and_trim(fn: Callable[..., T], *args, **kwargs) -> T:
    before = memory.rss_bytes()
    try:
        return fn(*args, **kwargs)
    finally:
        if memory.rss_bytes() - before > TRIM_AFTER_GROWTH:
            memory.trim()


async def run_cpu(fn: Callable[..., T], *args, **kwargs) -> T:
    """Run `fn(*args, **kwargs)` in a worker thread when a slot is free."""
    return await anyio.to_thread.run_sync(
        lambda: _call_and_trim(fn, *args, **kwargs), limiter=_limiter()
    )
