"""Run a coroutine to completion from a sync test.

Not plain asyncio.run: the browser tests' session-wide Playwright keeps an event loop running
in the main thread, and asyncio.run refuses to start inside one. A worker thread has none.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_async(coro):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
