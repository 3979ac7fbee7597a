"""CPU-bound work answered inline by the API process (decodes, filters, scans, photo poses).

At most `inline_cpu_slots` such calls run at a time (default: one core fewer than the
machine has, at least one); the rest wait their turn. Running more at once makes none of them
faster on a busy machine, each holds its image's memory meanwhile (twenty 25-megapixel filters
at once would hold twenty copies), and the core left over keeps the event loop answering
pages, /healthz and job submits. A call that left the process much bigger than it found it
gives the freed memory back to the system.

    from pixelsmith.core.cpu import run_cpu, run_isolated
    out = await run_cpu(apply_filter, intake, style)
    out = await run_isolated(filter_upload, data, limits, style)  # fn and args picklable

`run_isolated` is for pure functions (no database, no storage): with
`inline_cpu_isolation=process` (the default of a server) it runs them in a pool of worker
processes at `worker_nice`. On two cores, a filter or a tag read in a thread of the API
process competes with the event loop for the interpreter lock and for the core; in a niced
process it gets only what pages, /healthz and job submits leave over.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import weakref
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import anyio
import anyio.to_thread

from pixelsmith.core import memory
from pixelsmith.core.errors import ApiError

T = TypeVar("T")
# Growth that makes a call trim the heap afterwards (a trim costs milliseconds).
TRIM_AFTER_GROWTH = 32 * memory.MB

# One limiter per event loop: a TestClient or a reloaded server runs a loop of its own.
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


_slots = max(1, (os.cpu_count() or 1) - 1)
_isolation = "thread"
_nice = 10
_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def configure(slots: int, *, isolation: str = "thread", nice: int = 10) -> None:
    """Set the number of slots (Settings.resolved_inline_cpu_slots) and where `run_isolated`
    runs (Settings.inline_cpu_isolation); loops started later use them."""
    global _slots, _isolation, _nice
    if (max(1, slots), isolation, nice) != (_slots, _isolation, _nice):
        shutdown()  # a pool sized or niced for the old settings
    _slots, _isolation, _nice = max(1, slots), isolation, nice


def isolation() -> str:
    return _isolation


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


async def run_isolated(fn: Callable[..., T], *args) -> T:
    """Run the pure `fn(*args)` in a worker process (process isolation) or a thread.

    `fn` must be a module-level function and its arguments and result picklable. An ApiError
    it raises reaches the caller as it was raised. A worker process that dies (killed, out of
    memory) fails this call with 503 `worker_lost` and the next call gets a fresh pool.
    """
    if _isolation != "process":
        return await run_cpu(fn, *args)
    async with _limiter():
        pool = _get_pool()
        try:
            return await asyncio.wrap_future(pool.submit(_call_and_trim, fn, *args))
        except BrokenProcessPool:
            _discard(pool)
            raise ApiError(
                "The server's image worker stopped while working on this request (it may have "
                "run out of memory). Try again, with a smaller image if it happens again.",
                code="worker_lost",
                status_code=503,
            ) from None


def start() -> None:
    """Start the pool now (process isolation) so the first request does not wait for it."""
    if _isolation == "process":
        _get_pool().submit(os.getpid).result()


def shutdown() -> None:
    """Stop the pool's processes (a later call starts a new pool)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def pool_pids() -> list[int]:
    """Process ids of the pool's workers (for tests and diagnostics)."""
    pool = _pool
    return sorted(getattr(pool, "_processes", None) or {}) if pool is not None else []


def _get_pool() -> concurrent.futures.ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=_slots,
                mp_context=multiprocessing.get_context("spawn"),  # never fork a threaded server
                initializer=_init_worker,
                initargs=(_nice, os.getpid()),
            )
        return _pool


def _discard(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def _init_worker(nice: int, parent: int) -> None:
    try:
        os.nice(nice)
    except OSError:
        pass
    # Die with the server: never leave a worker behind holding a model's memory.
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(0)


# ---- live streams ----------------------------------------------------------------------------
# Live posture frames run in threads of the API process (each stream keeps a MediaPipe graph
# and its tracking state there). Those threads run a little below the event loop, so a frame
# never holds a core that a page, /healthz or a job submit is waiting for; the worker
# processes are lower still. Linux gives each thread its own niceness; elsewhere this is a
# plain thread pool.
STREAM_THREADS = 8
_stream_pool: concurrent.futures.ThreadPoolExecutor | None = None


def _nice_this_thread() -> None:
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(1, _nice // 2))
        except OSError:
            pass


async def run_stream_work(fn: Callable[..., T], *args) -> T:
    """Run `fn(*args)` in a stream thread (below the event loop). Threads that `fn` starts, as
    a MediaPipe graph does when it is built, inherit the lower priority."""
    global _stream_pool
    with _pool_lock:
        if _stream_pool is None:
            _stream_pool = concurrent.futures.ThreadPoolExecutor(
                STREAM_THREADS, thread_name_prefix="stream", initializer=_nice_this_thread
            )
        pool = _stream_pool
    return await asyncio.wrap_future(pool.submit(fn, *args))
