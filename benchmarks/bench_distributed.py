"""Distributed mode (Celery on Redis, PostgreSQL) side by side with the local executor.

Bars (issue 15): enqueue → start p95 ≤ 50 ms on celery; a CPU-bound job kind (`system.filter`,
the oil filter on a 1024² image, one thread per job) ≥ 1.7× the throughput on 2 workers
as on 1 (2 cores). Also: end-to-end overhead per job (submit → finished of `system.noop`)
on celery against the local executor.

Both executors run on the same PostgreSQL (a fresh schema in database `test`), so the
difference is the executor: the local one runs jobs in worker processes of this process; the
celery one sends a task over Redis to `pixelsmith worker` processes started here.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import psutil
from sqlalchemy import create_engine, text

from harness import median, percentile, report, row
from pixelsmith.core.config import Settings
from pixelsmith.core.services import Services

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# A Redis database of its own, so no worker of a test running beside it takes its tasks.
BROKER = "redis://127.0.0.1:6379/12"
# oil: about 0.34 CPU-s a job at 1024² on one thread, so the per-job fixed costs (a few
# transactions, the broker round trip) do not hide how the work spreads over workers.
FILTER = {"style": "oil", "side": 1024}


def wait_job(services: Services, job_id: str, timeout: float = 120.0, poll: float = 0.001) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = services.jobs.get(job_id)
        if job["status"] in ("succeeded", "failed", "canceled"):
            if job["status"] != "succeeded":
                raise RuntimeError(f"job {job_id} ended {job['status']}: {job['error']}")
            return job
        time.sleep(poll)
    raise TimeoutError(f"job {job_id} did not finish; last seen {job['status']}")


def sequential(services: Services, n: int) -> tuple[list[float], list[float]]:
    """One `system.noop` at a time: enqueue → start, and submit → finished, in ms."""
    start_ms, total_ms = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        job = services.jobs.submit("system.noop", {})
        done = wait_job(services, job["id"])
        total_ms.append((time.perf_counter() - t0) * 1000)
        created = datetime.fromisoformat(done["created_at"])
        started = datetime.fromisoformat(done["started_at"])
        start_ms.append((started - created).total_seconds() * 1000)
    return start_ms, total_ms


def throughput(services: Services, n: int) -> float:
    t0 = time.perf_counter()
    ids = [services.jobs.submit("system.filter", FILTER)["id"] for _ in range(n)]
    for job_id in ids:  # a slow poll: this process must not take the workers' cores
        wait_job(services, job_id, timeout=600, poll=0.02)
    return n / (time.perf_counter() - t0)


class Workers:
    """`pixelsmith worker` processes on the celery executor, stopped (groups and all) after."""

    def __init__(self, env: dict[str, str], n: int, log_dir: Path) -> None:
        self.procs = []
        for i in range(n):
            log = (log_dir / f"worker-{n}-{i}.log").open("ab")
            self.procs.append(
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "pixelsmith", "worker", "--queues", "cpu"]
                    + ["--concurrency", "1"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            log.close()

    def cpu_seconds(self) -> float:
        """CPU time used so far by the workers and their pool processes."""
        total = 0.0
        for p in self.procs:
            root = psutil.Process(p.pid)
            for proc in [root, *root.children(recursive=True)]:
                try:
                    t = proc.cpu_times()
                    total += t.user + t.system
                except psutil.NoSuchProcess:
                    pass
        return total

    def stop(self) -> None:
        for p in self.procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def fresh_schema() -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return schema, f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def run_local(data_dir: Path, db_url: str, args) -> dict:  # noqa: ANN001
    settings = Settings(
        data_dir=data_dir,
        database_url=db_url,
        workers=2,
        max_queued_jobs=100_000,
        job_isolation="process",
    )
    services = Services.create(settings)
    services.start()
    try:
        sequential(services, 10)  # warm-up: worker processes, connections
        start_ms, total_ms = sequential(services, args.latency_jobs)
        rate = median([throughput(services, args.filter_jobs) for _ in range(args.runs)])
    finally:
        services.close()
    return {"start": start_ms, "total": total_ms, "filter_rate_2": rate}


def run_celery(data_dir: Path, db_url: str, args) -> dict:  # noqa: ANN001
    env = dict(os.environ)
    env.update(
        PIXELSMITH_EXECUTOR="celery",
        PIXELSMITH_BROKER_URL=BROKER,
        DATABASE_URL=db_url,
        PIXELSMITH_DATA_DIR=str(data_dir),
        PIXELSMITH_LOG_LEVEL="WARNING",
    )
    env.pop("PIXELSMITH_DATABASE_URL", None)
    settings = Settings(
        data_dir=data_dir,
        database_url=db_url,
        executor="celery",
        broker_url=BROKER,
        max_queued_jobs=100_000,
    )
    services = Services.create(settings)
    services.start()
    out: dict = {}
    try:
        for n in (1, 2):
            workers = Workers(env, n, data_dir)
            try:
                sequential(services, 10)  # warm-up, and waits until a worker takes jobs
                if n == 1:
                    out["start"], out["total"] = sequential(services, args.latency_jobs)
                throughput(services, n)  # every worker has loaded the filter code
                rates, cores = [], []
                for _ in range(args.runs):
                    cpu0, t0 = workers.cpu_seconds(), time.perf_counter()
                    rates.append(throughput(services, args.filter_jobs))
                    cores.append((workers.cpu_seconds() - cpu0) / (time.perf_counter() - t0))
                out[f"filter_rate_{n}"] = median(rates)
                out[f"filter_runs_{n}"] = rates
                # How many cores the workers actually got: on a shared machine, 2 workers
                # may get much less than 2, which caps the speed-up whatever the executor.
                out[f"filter_cores_{n}"] = median(cores)
            finally:
                workers.stop()
    finally:
        services.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--latency-jobs", type=int, default=200)
    ap.add_argument("--filter-jobs", type=int, default=30)
    ap.add_argument("--runs", type=int, default=3, help="throughput runs (median)")
    args = ap.parse_args()
    load_before = os.getloadavg()[0]

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, fn in (("local", run_local), ("celery", run_celery)):
            schema, url = fresh_schema()
            try:
                results[name] = fn(Path(tmp) / name, url, args)
            finally:
                drop_schema(schema)

    loc, cel = results["local"], results["celery"]
    c95 = percentile(cel["start"], 0.95)
    speedup = cel["filter_rate_2"] / cel["filter_rate_1"]
    overhead = median(cel["total"]) - median(loc["total"])
    per_core = (cel["filter_rate_2"] / cel["filter_cores_2"]) / (
        cel["filter_rate_1"] / cel["filter_cores_1"]
    )
    report(
        "bench_distributed",
        "Distributed mode: celery executor (Redis, PostgreSQL) vs local executor",
        [
            row("local: enqueue → start p50", percentile(loc["start"], 0.5), "ms", "–", None),
            row("local: enqueue → start p95", percentile(loc["start"], 0.95), "ms", "–", None),
            row("celery: enqueue → start p50", percentile(cel["start"], 0.5), "ms", "–", None),
            row("celery: enqueue → start p95", c95, "ms", "≤ 50 ms", c95 <= 50),
            row("local: submit → finished p50 (noop)", median(loc["total"]), "ms", "–", None),
            row("celery: submit → finished p50 (noop)", median(cel["total"]), "ms", "–", None),
            row("celery overhead per job vs local (p50)", overhead, "ms", "–", None),
            row("celery: filter jobs/s, 1 worker", cel["filter_rate_1"], "jobs/s", "–", None),
            row("celery: filter jobs/s, 2 workers", cel["filter_rate_2"], "jobs/s", "–", None),
            row("celery: 2 workers / 1 worker", speedup, "×", "≥ 1.7×", speedup >= 1.7),
            row(
                "celery: cores the workers got, 1 worker", cel["filter_cores_1"], "cores", "–", None
            ),
            row(
                "celery: cores the workers got, 2 workers",
                cel["filter_cores_2"],
                "cores",
                "–",
                None,
            ),
            row(
                "celery: jobs/s per core used, 2 workers / 1 worker",
                per_core,
                "×",
                "–",
                None,
            ),
            row("local: filter jobs/s, 2 workers", loc["filter_rate_2"], "jobs/s", "–", None),
        ],
        notes=(
            f"{args.latency_jobs} sequential `system.noop` jobs per executor for latency "
            f"(timestamps from the job row: created_at → started_at, written by the API and "
            f"the worker); {args.filter_jobs} `system.filter` jobs (oil, 1024², one thread "
            f"each) for throughput, median of {args.runs} runs (celery runs, jobs/s: 1 worker "
            f"{', '.join(f'{r:.2f}' for r in cel['filter_runs_1'])}; 2 workers "
            f"{', '.join(f'{r:.2f}' for r in cel['filter_runs_2'])}). "
            "Both on PostgreSQL 15 and a Redis 7 "
            "broker over 127.0.0.1; workers `pixelsmith worker --queues cpu --concurrency 1`. "
            "The local executor's worker processes run at nice 19 (PIXELSMITH_WORKER_NICE) and "
            "the Celery workers at the niceness they are started with (0 here), which counts "
            "when other work shares the cores. "
            f"Load average "
            f"before the run {load_before:.2f} on {os.cpu_count()} cores"
            + (
                " (the machine was shared with other work: figures are pessimistic)."
                if load_before > 0.7
                else "."
            )
            + (
                f" The 2 workers got {cel['filter_cores_2']:.2f} cores between them, so the "
                "speed-up is capped by the cores free on the machine; per core used, 2 workers "
                f"ran {per_core:.2f}× as many jobs/s as 1 worker."
                if cel["filter_cores_2"] < 1.7
                else ""
            )
        ),
    )


if __name__ == "__main__":
    main()
