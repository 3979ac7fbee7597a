"""Jobs in worker processes: the embedded default (`PIXELSMITH_JOB_ISOLATION=process`).

Why processes and not API threads: a job that takes gigabytes or both cores (Real-ESRGAN,
OpenCV's stitcher, a diffusion pipeline on the CPU) then cannot starve the API of the GIL or
keep its memory after it ends. Each worker is a fresh interpreter (spawned, never forked from
a server that has threads), niced below the API, and runs `JobRunner.run(job_id)` exactly as a
Celery worker will.

The parent keeps the queue: it hands one job at a time to an idle worker over that worker's
pipe, so a worker killed mid-job can corrupt nothing shared. One supervisor thread reads every
pipe and process sentinel. It relays workers' job events to the API's event bus, starts new
workers, and handles a worker that died:
- its memory passed `job_memory_limit_mb` (CPU jobs; a GPU job's host memory is its model's
  size): killed, the job fails `out_of_memory`;
- it crashed (segfault, kill -9): the job is requeued within its attempt budget;
- it retired after a job that left it bigger than `worker_recycle_mb`: a fresh one replaces it,
  so memory goes back to the system after every heavy job.
"""

from __future__ import annotations

import collections
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from pixelsmith.core import memory
from pixelsmith.core.events import EventBus, InProcessEventBus
from pixelsmith.core.jobs.executors import Executor, refuse_when_full
from pixelsmith.core.metrics import JOB_DURATION, JOB_PEAK_RSS, JOBS_FINISHED, JOBS_PENDING

log = logging.getLogger("pixelsmith.jobs")

CHANNEL_PREFIX = "job:"  # jobs.runner.channel(job_id)
# How often the supervisor looks at busy workers' memory.
MEMORY_POLL_S = 0.2
# (job_id, reason) for a job whose worker died under it.
LostJob = Callable[[str, str, str], None]


@dataclass
class _Worker:
    index: int
    process: Any  # multiprocessing.Process (spawn context)
    conn: Connection
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    job_id: str | None = None
    queue: str = "cpu"  # the queue of the job it runs
    ready: bool = False  # said hello: imports done, database open
    retiring: bool = False
    killed_for_memory: int = 0  # RSS in bytes when the supervisor killed it

    def send(self, msg: tuple) -> bool:
        with self.send_lock:
            try:
                self.conn.send(msg)
                return True
            except (OSError, ValueError):  # the worker is gone; its sentinel will say so
                return False


class ProcessExecutor(Executor):
    """The Executor of embedded mode: `workers` processes on the parent's FIFO queue."""

    name = "local"

    def __init__(
        self,
        settings: Any,
        events: EventBus,
    ) -> None:
        self.settings = settings
        self.events = events
        # Set by Services to JobService.handle_lost: what happens to a job whose worker died.
        self.on_lost: LostJob | None = None
        self.workers = settings.workers
        self.max_queued = settings.max_queued_jobs
        self.retry_after_s = 5
        self.memory_limit = settings.resolved_job_memory_limit_mb() * memory.MB
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._pending: collections.deque[tuple[str, str]] = collections.deque()  # (id, queue)
        self._slots: list[_Worker | None] = [None] * self.workers
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        # Workers that died before saying hello (a broken install): respawn with backoff.
        self._early_deaths = 0
        self._respawn_at = 0.0
        # Jobs someone watches (a WebSocket): only their workers build and send events.
        self._watched: set[str] = set()
        if isinstance(events, InProcessEventBus):
            events.on_watch(self._on_watch)
        JOBS_PENDING.set_function(self.pending)

    # -- the Executor interface --------------------------------------------------------------
    def start(self) -> None:
        if self._supervisor is not None:
            return
        self._stopping.clear()
        self._supervisor = threading.Thread(
            target=self._supervise, name="pixelsmith-job-supervisor", daemon=True
        )
        self._supervisor.start()

    def stop(self, wait: bool = True, timeout: float = 5.0) -> None:
        """Stop the workers. A job still running after `timeout` is killed with its worker and
        requeued by the next start's recover(), as after a crash: nothing is lost."""
        self._stopping.set()
        self._wake()
        if self._supervisor is not None and wait:
            self._supervisor.join(timeout=2)
        self._supervisor = None
        with self._lock:
            workers = [w for w in self._slots if w is not None]
            self._slots = [None] * self.workers
        for w in workers:
            w.send(("stop",))
        deadline = time.monotonic() + (timeout if wait else 0)
        for w in workers:
            w.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join(timeout=5)
            w.conn.close()

    def ensure_capacity(self) -> None:
        refuse_when_full(self.pending(), self.max_queued, self.retry_after_s)

    def submit(self, job_id: str, queue_name: str) -> None:
        with self._lock:
            self._pending.append((job_id, queue_name))
        self._wake()

    def cancel(self, job_id: str) -> None:
        """Tell the worker running it at once (it also polls the durable flag)."""
        with self._lock:
            worker = next((w for w in self._slots if w and w.job_id == job_id), None)
        if worker is not None:
            worker.send(("cancel", job_id))

    def pending(self) -> int:
        return len(self._pending)

    def worker_pids(self) -> list[int]:
        """The live workers' process ids (for benchmarks and tests that measure them)."""
        with self._lock:
            return [w.process.pid for w in self._slots if w and w.process.pid and not w.retiring]

    def worker_of(self, job_id: str) -> int | None:
        """The process id of the worker running `job_id`, if one is."""
        with self._lock:
            return next((w.process.pid for w in self._slots if w and w.job_id == job_id), None)

    def _on_watch(self, channel_name: str, watching: bool) -> None:
        if not channel_name.startswith(CHANNEL_PREFIX):
            return
        job_id = channel_name.removeprefix(CHANNEL_PREFIX)
        with self._lock:
            if watching:
                self._watched.add(job_id)
            else:
                self._watched.discard(job_id)
            worker = next((w for w in self._slots if w and w.job_id == job_id), None)
        if worker is not None:
            worker.send(("watch", job_id, watching))

    # -- the supervisor ----------------------------------------------------------------------
    def _wake(self) -> None:
        try:
            with self._lock:
                self._wake_w.send_bytes(b"")
        except OSError:
            pass

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            try:
                self._dispatch()
                with self._lock:
                    workers = [w for w in self._slots if w is not None]
                waitables: list[Any] = [self._wake_r]
                for w in workers:
                    waitables += [w.conn, w.process.sentinel]
                for ready in wait(waitables, timeout=MEMORY_POLL_S):
                    if ready is self._wake_r:
                        while self._wake_r.poll():
                            self._wake_r.recv_bytes()
                        continue
                    for w in workers:
                        if ready is w.conn:
                            self._read(w)
                        elif ready is w.process.sentinel:
                            self._reap(w)
                self._check_memory()
            except Exception:  # the supervisor must outlive any one bad message
                log.exception("job supervisor error")
                time.sleep(0.1)

    def _dispatch(self) -> None:
        """Keep every slot's worker alive and hand queued jobs to idle ones."""
        with self._lock:
            for index, slot in enumerate(self._slots):
                if slot is None and time.monotonic() >= self._respawn_at:
                    self._slots[index] = self._spawn(index)  # ahead of work: no job waits
            while self._pending:
                idle = next(
                    (w for w in self._slots if w and w.ready and not w.job_id and not w.retiring),
                    None,
                )
                if idle is None:
                    return  # a worker that finishes or says hello wakes the supervisor
                idle.job_id, idle.queue = self._pending.popleft()
                if not idle.send(("run", idle.job_id, idle.job_id in self._watched)):
                    self._pending.appendleft((idle.job_id, idle.queue))
                    idle.job_id = None
                    return

    def _spawn(self, index: int) -> _Worker:
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=worker_main,
            args=(self.settings, child_conn, index),
            name=f"pixelsmith-worker-{index}",
            daemon=True,
        )
        process.start()
        child_conn.close()
        log.debug("started job worker", extra={"worker": index, "pid": process.pid})
        return _Worker(index, process, parent_conn)

    def _read(self, w: _Worker) -> None:
        while True:
            try:
                if not w.conn.poll():
                    return
                msg = w.conn.recv()
            except (EOFError, OSError):
                return  # it died: the sentinel handles it
            kind = msg[0]
            if kind == "event":
                _, channel, event = msg
                if self.events.has_subscribers(channel):
                    self.events.publish(channel, event)
            elif kind == "hello":
                w.ready = True
                self._early_deaths = 0
            elif kind == "done":
                _, job_id, job_kind, status, seconds, peak, retiring = msg
                if status is not None:
                    JOBS_FINISHED.labels(kind=job_kind, status=status).inc()
                    JOB_DURATION.labels(kind=job_kind).observe(seconds)
                    JOB_PEAK_RSS.labels(kind=job_kind).observe(peak)
                with self._lock:
                    w.job_id = None
                    w.retiring = retiring

    def _reap(self, w: _Worker) -> None:
        """A worker exited: free its slot and account for the job it held."""
        w.process.join(timeout=1)
        self._read(w)  # a last "done" may still sit in the pipe
        code = w.process.exitcode
        with self._lock:
            if self._slots[w.index] is w:
                self._slots[w.index] = None
            job_id = w.job_id
        w.conn.close()
        if job_id is not None and self.on_lost is not None:
            if w.killed_for_memory:
                limit_mb = self.memory_limit // memory.MB
                self.on_lost(
                    job_id,
                    "out_of_memory",
                    f"The job needed more than {limit_mb} MB of memory and was stopped. Try a "
                    "smaller image or scale; the limit is the PIXELSMITH_JOB_MEMORY_LIMIT_MB "
                    "setting.",
                )
            else:
                self.on_lost(job_id, "worker_crashed", f"its worker process exited ({code})")
        elif not w.retiring and not self._stopping.is_set():
            log.warning("job worker exited", extra={"worker": w.index, "exitcode": code})
        if not w.ready and not self._stopping.is_set():
            self._early_deaths += 1
            delay = min(30.0, 0.5 * 2**self._early_deaths)
            self._respawn_at = time.monotonic() + delay
            log.error(
                "job worker died while starting; retrying",
                extra={"exitcode": code, "retry_in_s": delay},
            )
        self._wake()

    def _check_memory(self) -> None:
        if self.memory_limit <= 0:
            return
        with self._lock:
            # GPU jobs are exempt: a diffusion pipeline's host memory is the model's size.
            busy = [w for w in self._slots if w is not None and w.job_id and w.queue != "gpu"]
        for w in busy:
            rss = memory.rss_bytes(w.process.pid)
            if rss > self.memory_limit and not w.killed_for_memory:
                w.killed_for_memory = rss
                log.warning(
                    "job over its memory limit: worker killed",
                    extra={"job_id": w.job_id, "rss_mb": rss // memory.MB},
                )
                w.process.kill()


# -- the worker process -------------------------------------------------------------------------


class RelayEventBus(EventBus):
    """A worker's event bus: events of watched jobs go up the pipe to the API's bus. The API
    says which jobs are watched (with each job, and whenever that changes); a viewer that
    arrives between the two re-reads the row, as for any lossy progress."""

    def __init__(self, send: Callable[[tuple], object]) -> None:
        self._send = send
        self.watched: set[str] = set()

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._send(("event", channel, event))

    def has_subscribers(self, channel: str) -> bool:
        return channel.removeprefix(CHANNEL_PREFIX) in self.watched

    def subscribe(self, channel: str):  # noqa: ANN201
        raise RuntimeError("a worker process publishes job events; it never subscribes")


def worker_main(settings: Any, conn: Connection, index: int) -> None:
    """Entry point of a worker process: run the jobs the parent hands over, one at a time."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    if settings.worker_nice:
        try:
            os.nice(settings.worker_nice)  # the API answers first when both cores are busy
        except OSError:
            pass
    from pixelsmith.core.logging import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    from pixelsmith.core.db import Database
    from pixelsmith.core.generation import state as generation_state
    from pixelsmith.core.jobs.kinds import get_kind
    from pixelsmith.core.jobs.runner import JobRunner
    from pixelsmith.core.services import register_job_kinds
    from pixelsmith.core.storage import create_storage

    register_job_kinds()
    generation_state.configure(settings)
    send_lock = threading.Lock()

    def send(msg: tuple) -> None:
        with send_lock:
            conn.send(msg)

    db = Database(settings.resolved_database_url())
    bus = RelayEventBus(send)
    runner = JobRunner(db, bus, create_storage(settings))
    jobs: collections.deque[str | None] = collections.deque()
    have_job = threading.Condition()

    def listen() -> None:
        try:
            serve_pipe()
        except BaseException:  # a worker that cannot hear its server must not hold a job
            log.exception("job worker lost its pipe")
            os._exit(1)

    def serve_pipe() -> None:  # cancel must reach the runner while run() is busy
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                os._exit(1)  # the server died (kill -9): never finish a job it will requeue
            if msg[0] == "cancel":
                runner.signal_cancel(msg[1])
                continue
            if msg[0] == "watch":
                (bus.watched.add if msg[2] else bus.watched.discard)(msg[1])
                continue
            if msg[0] == "run" and msg[2]:
                bus.watched.add(msg[1])
            with have_job:
                jobs.append(msg[1] if msg[0] == "run" else None)
                have_job.notify()
            if msg[0] == "stop":
                return

    threading.Thread(target=listen, name="pixelsmith-worker-pipe", daemon=True).start()
    send(("hello", index, os.getpid()))
    recycle = settings.worker_recycle_mb * memory.MB
    try:
        while True:
            with have_job:
                have_job.wait_for(lambda: bool(jobs))
                job_id = jobs.popleft()
            if job_id is None:
                return
            memory.reset_peak()
            outcome = runner.execute(job_id)
            bus.watched.discard(job_id)
            memory.trim()
            # Models a GPU job loaded are meant to stay; anything else that left this process
            # big gives its memory back to the system by handing over to a fresh process.
            gpu = outcome is not None and get_kind(outcome.kind).queue == "gpu"
            retire = bool(recycle) and not gpu and memory.rss_bytes() > recycle
            send(
                (
                    "done",
                    job_id,
                    outcome.kind if outcome else None,
                    outcome.status if outcome else None,
                    outcome.seconds if outcome else 0.0,
                    memory.peak_rss_bytes(),
                    retire,
                )
            )
            if retire:
                return
    finally:
        db.dispose()
