"""core.cpu.run_cpu: inline CPU work runs in a bounded number of slots, and gives memory back."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time

import numpy as np

from aio import run_async
from pixelsmith.core import cpu, memory


def test_at_most_the_configured_number_of_calls_run_at_once():
    lock = threading.Lock()
    running = peak = 0

    def work(i: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return i * 2

    async def main() -> list[int]:
        return await asyncio.gather(*(cpu.run_cpu(work, i) for i in range(12)))

    cpu.configure(3)
    try:
        assert run_async(main()) == [i * 2 for i in range(12)]
        assert peak == 3, f"{peak} calls ran at once with 3 slots"
    finally:
        cpu.configure(max(1, (os.cpu_count() or 1) - 1))


def test_a_call_that_grew_the_heap_is_trimmed_after(monkeypatch):
    trims = []
    monkeypatch.setattr(memory, "trim", lambda: trims.append(1))
    kept: list = []  # what a call leaves behind (caches, a fragmented heap)

    def grow() -> int:
        # One 80 MB block: above glibc's largest mmap threshold (32 MB), so it is always fresh
        # pages, and one object, so it cannot set off the garbage collector mid-call. Eighty
        # 1 MB blocks once left the resident set short of the threshold late in a CI run: small
        # blocks can reuse freed heap, and a collection of earlier tests' garbage shrinks it.
        kept.append(np.ones(80 * memory.MB, dtype=np.uint8))
        return kept[0].nbytes // memory.MB

    gc.collect()  # earlier tests' garbage goes now, not while the calls measure the process
    assert run_async(cpu.run_cpu(lambda: 1)) == 1
    assert trims == []  # a call that left the process as it was costs no trim
    assert run_async(cpu.run_cpu(grow)) == 80
    assert trims == [1], "a call that left 80 MB behind was not followed by a trim"
    kept.clear()


def test_a_worker_process_that_dies_fails_its_call_with_503_and_the_next_call_works():
    from pixelsmith.core.errors import ApiError

    cpu.configure(1, isolation="process")
    try:
        worker = run_async(cpu.run_isolated(os.getpid))
        assert worker != os.getpid()
        try:
            run_async(cpu.run_isolated(os._exit, 3))  # the worker dies mid-call
        except ApiError as exc:
            assert (exc.status_code, exc.code) == (503, "worker_lost"), exc.body()
        else:
            raise AssertionError("a call whose worker died returned normally")
        fresh = run_async(cpu.run_isolated(os.getpid))
        assert fresh not in (worker, os.getpid()), (worker, fresh)
    finally:
        cpu.configure(max(1, (os.cpu_count() or 1) - 1))


def test_an_api_error_keeps_its_code_status_and_details_across_pickling():
    import pickle

    from pixelsmith.core.errors import InvalidImage

    err = InvalidImage("Bad.", code="truncated_image", details={"filename": "a.jpg"})
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is InvalidImage
    assert (back.status_code, back.code, back.message, back.details) == (
        422,
        "truncated_image",
        "Bad.",
        {"filename": "a.jpg"},
    )
