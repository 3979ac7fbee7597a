"""Distributed mode (`PIXELSMITH_EXECUTOR=celery`): jobs run on Celery workers over Redis or
RabbitMQ; the job table stays the source of truth.

Celery only carries "run job X" (a task id, no params, no results). The worker claims the job
row with a lease (JobRunner.execute with a Lease) and renews it, so:
- a redelivered or duplicate message (Redis visibility timeout, warm shutdown, a reaper
  re-send) finds the job finished or leased by someone else and does nothing;
- a worker killed mid-job stops renewing; the reaper (JobService.reap, in the API processes)
  requeues the job within its attempt budget and another worker takes it.
Settings: acks late (a message is acked after the job, so a dead worker's task comes back),
prefetch 1 (a worker holds no job it cannot start), reject on worker lost, and a Redis
visibility timeout longer than the longest job.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Any

from celery import Celery
from kombu import Queue

from pixelsmith.core.errors import BrokerUnavailable
from pixelsmith.core.jobs.executors import Executor

log = logging.getLogger("pixelsmith.jobs")

TASK_NAME = "pixelsmith.run_job"
# Capabilities a worker can serve: the `queue` of a job kind (core/jobs/kinds.py).
QUEUES = ("cpu", "gpu")
# Publishing to a broker that is down: a few quick tries, then 503 (the caller may retry).
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
DEPTH_CACHE_S = 1.0


def create_celery_app(settings: Any) -> Celery:
    app = Celery("pixelsmith", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue="cpu",
        task_create_missing_queues=False,
        broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout_s},
        broker_connection_timeout=3,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits out a broker restart
        # A running job survives a broker outage: its lease lives in the database, and the
        # message redelivered afterwards finds it done.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
    )
    app.task(name=TASK_NAME, ignore_result=True)(_run_job)
    return app


class CeleryExecutor(Executor):
    """Enqueues on the broker; `pixelsmith worker` processes run the jobs."""

    name = "celery"

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.app = create_celery_app(settings)
        self.max_queued = settings.max_queued_jobs
        self.retry_after_s = 5
        self._depth_lock = threading.Lock()
        self._depths: dict[str, int] = {}
        self._depths_at = 0.0

    def start(self) -> None:
        pass  # nothing runs here: publishing connects on first use

    def stop(self, wait: bool = True, timeout: float = 5.0) -> None:
        self.app.pool.force_close_all()

    def ensure_capacity(self) -> None:
        from pixelsmith.core.jobs.executors import refuse_when_full

        refuse_when_full(self.pending(), self.max_queued, self.retry_after_s)

    def submit(self, job_id: str, queue_name: str) -> None:
        # The job id is the task id, so cancel can revoke a job still waiting.
        self._send(job_id, queue_name, task_id=job_id)

    def resubmit(self, job_id: str, queue_name: str) -> None:
        # A fresh task id: workers remember revoked ids, and a retried job must not match one.
        self._send(job_id, queue_name, task_id=f"{job_id}-{uuid.uuid4().hex[:8]}")

    def cancel(self, job_id: str) -> None:
        """Revoke the waiting task (workers drop it on arrival). A running job stops on the
        database flag at its next step; revoke only saves a worker the claim attempt."""
        try:
            self.app.control.revoke(job_id)
        except Exception as exc:  # the flag in the row is the real signal
            log.warning("revoke failed", extra={"job_id": job_id, "error": str(exc)})

    def pending(self) -> int:
        return sum(self.queue_depths().values())

    def queue_depths(self) -> dict[str, int]:
        """Messages waiting on the broker per queue (cached for a second)."""
        with self._depth_lock:
            if time.monotonic() - self._depths_at < DEPTH_CACHE_S:
                return dict(self._depths)
            depths: dict[str, int] = {}
            try:
                with self.app.connection_for_read() as conn:
                    # One quick retry: a submit must not wait out a broker outage here.
                    conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
                    for name in QUEUES:
                        try:
                            depths[name] = conn.default_channel.queue_declare(
                                queue=name, passive=True
                            ).message_count
                        except Exception:  # not declared yet (no worker, nothing sent)
                            depths[name] = 0
            except Exception as exc:
                log.warning("broker queue depth unknown", extra={"error": str(exc)})
                depths = dict.fromkeys(QUEUES, 0)
            self._depths, self._depths_at = depths, time.monotonic()
            return dict(depths)

    def _send(self, job_id: str, queue_name: str, *, task_id: str) -> None:
        if queue_name not in QUEUES:
            raise ValueError(f"unknown queue {queue_name!r}; known: {', '.join(QUEUES)}")
        try:
            self.app.send_task(
                TASK_NAME,
                args=[job_id],
                queue=queue_name,
                task_id=task_id,
                retry=True,
                retry_policy=PUBLISH_RETRY,
            )
        except Exception as exc:  # kombu raises OperationalError, redis/amqp their own
            raise BrokerUnavailable(
                "The job queue (broker) is not reachable, so the job was not accepted. "
                "Try again shortly; if it persists, check PIXELSMITH_BROKER_URL and the broker.",
                details={"broker": _safe_url(self.settings.broker_url), "error": str(exc)[:200]},
                headers={"Retry-After": "5"},
            ) from exc


def _safe_url(url: str) -> str:
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"


# -- inside a worker process ----------------------------------------------------------------


class _WorkerState:
    """What a worker process needs to run jobs: built on its first task (after the pool
    forked it, so no database connection is shared with a parent)."""

    def __init__(self, settings: Any) -> None:
        from pixelsmith.core.db import Database
        from pixelsmith.core.generation import state as generation_state
        from pixelsmith.core.jobs.runner import JobRunner, Lease
        from pixelsmith.core.redis_events import RedisEventBus
        from pixelsmith.core.services import register_job_kinds
        from pixelsmith.core.storage import create_storage

        register_job_kinds()
        generation_state.configure(settings)
        self.db = Database(settings.resolved_database_url())
        self.events = RedisEventBus(settings.resolved_events_url(), listen=False)
        self.runner = JobRunner(self.db, self.events, create_storage(settings))
        self.lease = Lease(f"{socket.gethostname()}:{os.getpid()}", settings.job_lease_s)


_state: dict[int, _WorkerState] = {}
_state_lock = threading.Lock()


def _worker_state() -> _WorkerState:
    pid = os.getpid()
    with _state_lock:
        if pid not in _state:
            from pixelsmith.core.config import get_settings

            _state[pid] = _WorkerState(get_settings())
        return _state[pid]


def _run_job(job_id: str) -> str | None:
    state = _worker_state()
    outcome = state.runner.execute(job_id, state.lease)
    if outcome is None:
        log.info("task skipped: job not claimable here", extra={"job_id": job_id})
        return None
    return outcome.status


def run_worker(settings: Any, *, queues: list[str], concurrency: int, pool: str, name: str) -> None:
    """Run a Celery worker in this process (blocks until it is stopped)."""
    from celery.signals import worker_ready

    app = create_celery_app(settings)

    @worker_ready.connect(weak=False)
    def _say_ready(**_: Any) -> None:  # operators and tests wait for this line
        print(f"pixelsmith worker {name} ready", flush=True)

    argv = [
        "worker",
        f"--queues={','.join(queues)}",
        f"--concurrency={concurrency}",
        f"--pool={pool}",
        f"--hostname={name}@{socket.gethostname()}",
        f"--loglevel={settings.log_level}",
        "--without-gossip",
        "--without-mingle",
    ]
    if pool == "prefork" and settings.worker_recycle_mb:
        # As in embedded mode: a pool process left big by a job hands over to a fresh one.
        argv.append(f"--max-memory-per-child={settings.worker_recycle_mb * 1024}")
    app.worker_main(argv)
