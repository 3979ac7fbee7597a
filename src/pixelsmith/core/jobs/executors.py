"""Executors decide where jobs run. The apps never see them: they submit through JobService.

`Executor` is the seam: a Celery-on-Redis executor implements the same four methods and calls
JobRunner.run(job_id) inside its worker process.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from pixelsmith.core.errors import QueueFull
from pixelsmith.core.metrics import JOBS_PENDING

log = logging.getLogger("pixelsmith.jobs")


class Executor(ABC):
    name: str

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self, wait: bool = True, timeout: float = 5.0) -> None: ...

    @abstractmethod
    def ensure_capacity(self) -> None:
        """Raise QueueFull (429 + Retry-After) when no more jobs should be accepted now."""

    @abstractmethod
    def submit(self, job_id: str, queue_name: str) -> None: ...

    def resubmit(self, job_id: str, queue_name: str) -> None:
        """Enqueue a job that was enqueued before (retry, requeue); Celery needs a new task id."""
        self.submit(job_id, queue_name)

    def cancel(self, job_id: str) -> None:  # noqa: B027 (optional hook, no-op by default)
        """Best-effort nudge to a running job; the durable cancel flag is the real signal."""

    def pending(self) -> int:
        return 0


def refuse_when_full(pending: int, max_queued: int, retry_after_s: int) -> None:
    """Raise QueueFull (429 + Retry-After) once `max_queued` jobs wait."""
    if pending >= max_queued:
        raise QueueFull(
            f"The job queue is full ({pending} waiting). Try again in a few seconds.",
            details={"pending": pending, "max_queued": max_queued},
            headers={"Retry-After": str(retry_after_s)},
        )


class LocalExecutor(Executor):
    """In-process worker threads on a FIFO queue. Assumes one server process per database."""

    name = "local"

    def __init__(
        self,
        run: Callable[[str], object],
        *,
        workers: int,
        max_queued: int,
        on_cancel: Callable[[str], None] | None = None,
        retry_after_s: int = 5,
    ) -> None:
        self._run = run
        self._on_cancel = on_cancel
        self.workers = workers
        self.max_queued = max_queued
        self.retry_after_s = retry_after_s
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        JOBS_PENDING.set_function(self.pending)

    def start(self) -> None:
        if self._threads:
            return
        self._stopping.clear()
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"pixelsmith-worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, wait: bool = True, timeout: float = 5.0) -> None:
        """Stop taking jobs. Jobs still running after `timeout` are abandoned with the process
        (threads are daemons) and requeued by the next start's recover(): nothing is lost."""
        self._stopping.set()
        for _ in self._threads:
            self._queue.put(None)
        if wait:
            deadline = time.monotonic() + timeout
            for t in self._threads:
                t.join(timeout=max(0.0, deadline - time.monotonic()))
        self._threads.clear()

    def ensure_capacity(self) -> None:
        refuse_when_full(self.pending(), self.max_queued, self.retry_after_s)

    def submit(self, job_id: str, queue_name: str) -> None:
        self._queue.put(job_id)

    def cancel(self, job_id: str) -> None:
        if self._on_cancel:
            self._on_cancel(job_id)

    def pending(self) -> int:
        return self._queue.qsize()

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None or self._stopping.is_set():
                return
            try:
                self._run(job_id)
            except Exception:  # the runner records job failures; this is a DB outage etc.
                log.exception("worker could not run job", extra={"job_id": job_id})
