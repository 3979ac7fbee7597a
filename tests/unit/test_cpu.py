"""core.cpu.run_cpu: inline CPU work runs in a bounded number of slots, and gives memory back."""

from __future__ import annotations

import asyncio
import os
import threading
import time

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
    kept: list[bytearray] = []  # what a call leaves behind (caches, a fragmented heap)

    def grow() -> int:
        kept.extend(bytearray(1024 * 1024) for _ in range(80))
        return len(kept)

    assert run_async(cpu.run_cpu(lambda: 1)) == 1
    assert trims == []  # a call that left the process as it was costs no trim
    assert run_async(cpu.run_cpu(grow)) == 80
    assert trims == [1]
    kept.clear()
