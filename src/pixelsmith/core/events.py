"""Pub/sub of job events. In-process by default; a Redis implementation drops in later.

Publishers are worker threads; subscribers are asyncio tasks (WebSocket handlers), so publish
hands each event to the subscriber's loop thread-safely. Per-subscriber buffers are bounded:
a slow subscriber loses intermediate progress events, never memory, and the WebSocket handler
re-reads the job row, so the final state always arrives.
"""

from __future__ import annotations

import asyncio
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

SUBSCRIBER_BUFFER = 64


class Subscription:
    def __init__(self, bus: InProcessEventBus, channel: str) -> None:
        self._bus = bus
        self.channel = channel
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(SUBSCRIBER_BUFFER)

    def _deliver(self, event: dict[str, Any]) -> None:  # runs on self.loop
        if self.queue.full():
            self.queue.get_nowait()  # drop the oldest: progress is lossy, state is re-read
        self.queue.put_nowait(event)

    async def get(self, timeout: float) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        self._bus._remove(self)


class EventBus(ABC):
    @abstractmethod
    def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    @abstractmethod
    def subscribe(self, channel: str) -> Subscription: ...

    def has_subscribers(self, channel: str) -> bool:
        """Lets publishers skip building events nobody listens to (the hot path of jobs)."""
        return True


class InProcessEventBus(EventBus):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, list[Subscription]] = {}
        # Told (channel, True) when a channel gets its first subscriber and (channel, False)
        # when it loses its last: lets publishers in other processes skip unwatched events.
        self._watchers: list[Callable[[str, bool], None]] = []

    def on_watch(self, callback: Callable[[str, bool], None]) -> None:
        self._watchers.append(callback)

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            subs = list(self._subs.get(channel, ()))
        for sub in subs:
            try:
                sub.loop.call_soon_threadsafe(sub._deliver, event)
            except RuntimeError:  # loop closed: the subscriber is gone
                self._remove(sub)

    def subscribe(self, channel: str) -> Subscription:
        sub = Subscription(self, channel)
        with self._lock:
            first = channel not in self._subs
            self._subs.setdefault(channel, []).append(sub)
        if first:
            for callback in self._watchers:
                callback(channel, True)
        return sub

    def has_subscribers(self, channel: str) -> bool:
        return channel in self._subs  # a dict lookup is atomic under the GIL

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subs.get(sub.channel, [])
            if sub in subs:
                subs.remove(sub)
            last = not subs and self._subs.pop(sub.channel, None) is not None
        if last:
            for callback in self._watchers:
                callback(sub.channel, False)

    def subscriber_count(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subs.values())
