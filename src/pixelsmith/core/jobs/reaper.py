"""The lease reaper of distributed mode: a thread in each API process that calls
JobService.reap every `reaper_interval_s` (expired leases requeued, lost messages re-sent)."""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger("pixelsmith.jobs")


class Reaper:
    def __init__(self, jobs: Any, settings: Any) -> None:
        self.jobs = jobs
        self.interval = settings.reaper_interval_s
        self.requeue_stale_s = settings.requeue_stale_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pixelsmith-reaper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                counts = self.jobs.reap(requeue_stale_s=self.requeue_stale_s)
                count_lease_expiries(counts)
            except Exception as exc:  # broker or database down: the next round tries again
                log.warning("reaper round failed", extra={"error": str(exc)[:200]})


def count_lease_expiries(counts: dict[str, int]) -> None:
    """/metrics' pixelsmith_lease_expiries_total, from one reap round's counts."""
    from pixelsmith.core.metrics import LEASE_EXPIRIES

    gave_up = counts.get("gave_up", 0)
    if requeued := counts.get("lease_expired", 0) - gave_up:
        LEASE_EXPIRIES.labels(outcome="requeued").inc(requeued)
    if gave_up:
        LEASE_EXPIRIES.labels(outcome="gave_up").inc(gave_up)
