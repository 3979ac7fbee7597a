"""Job events across processes (distributed mode): Redis pub/sub under the in-process bus.

Workers publish to Redis; every API process holds one pattern subscription (`job:*`) and hands
what arrives to its own WebSocket subscribers through the in-process bus. Events stay lossy, as
in-process: a socket reads the job row first and re-reads it when quiet, so a Redis restart
costs live progress, never the final state.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import redis

from pixelsmith.core.events import InProcessEventBus

log = logging.getLogger("pixelsmith.events")

PATTERN = "job:*"
# A worker asks Redis who listens at most this often per channel (PUBSUB NUMPAT is one call).
LISTENER_CHECK_S = 1.0


class RedisEventBus(InProcessEventBus):
    """publish() goes to Redis; subscribe() is local, fed by a listener thread (API only)."""

    def __init__(self, url: str, *, listen: bool) -> None:
        super().__init__()
        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._closing = threading.Event()
        self._listener: threading.Thread | None = None
        self._checked_at = 0.0
        self._anyone = True
        if listen:
            self._listener = threading.Thread(
                target=self._listen, name="pixelsmith-redis-events", daemon=True
            )
            self._listener.start()

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        try:
            self._client.publish(channel, json.dumps(event, default=str))
        except redis.RedisError as exc:  # lossy by design: the row holds the truth
            log.debug("event not published", extra={"channel": channel, "error": str(exc)})

    def has_subscribers(self, channel: str) -> bool:
        """Whether any API process listens at all (pattern subscribers are not counted per
        channel by Redis), cached so a job's steps do not each ask."""
        now = time.monotonic()
        if now - self._checked_at > LISTENER_CHECK_S:
            self._checked_at = now
            try:
                self._anyone = int(self._client.execute_command("PUBSUB", "NUMPAT")) > 0
            except redis.RedisError:
                self._anyone = False
        return self._anyone

    def close(self) -> None:
        self._closing.set()
        if self._listener is not None:
            self._listener.join(timeout=3)
        self._client.close()

    def _listen(self) -> None:
        backoff = 0.2
        while not self._closing.is_set():
            pubsub = None
            try:
                pubsub = self._client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(PATTERN)
                backoff = 0.2
                while not self._closing.is_set():
                    msg = pubsub.get_message(timeout=0.5)
                    if msg is None or msg.get("type") != "pmessage":
                        continue
                    channel = msg["channel"].decode()
                    if super().has_subscribers(channel):
                        super().publish(channel, json.loads(msg["data"]))
            except (redis.RedisError, OSError) as exc:  # Redis restarting: reconnect
                log.warning("event listener lost Redis; reconnecting", extra={"error": str(exc)})
                self._closing.wait(backoff)
                backoff = min(5.0, backoff * 2)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:  # noqa: S110 (already broken)
                        pass
