"""A real distributed-mode cluster for integration tests: `pixelsmith serve` API processes and
`pixelsmith worker` Celery processes (subprocesses) on real Redis or RabbitMQ, PostgreSQL
(a fresh schema per cluster) and local blob storage or moto S3.

Every wait polls a condition with a deadline and says what it saw when it gives up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import redis
from sqlalchemy import create_engine, text

from live_server import free_port, start_server, wait_for

HERE = Path(__file__).resolve().parent
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_EVENTS_DB = 7  # events (and the Redis broker) of these tests, flushed per cluster
BROKERS = {
    "redis": f"redis://127.0.0.1:6379/{REDIS_EVENTS_DB}",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


class Cluster:
    def __init__(self, root: Path, broker: str, **env: str) -> None:
        self.root = root
        self.broker = broker
        self.schema = f"c_{uuid.uuid4().hex[:10]}"
        self.db_url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{self.schema}"
        self.env = {
            "DATABASE_URL": self.db_url,
            "PIXELSMITH_EXECUTOR": "celery",
            "PIXELSMITH_BROKER_URL": BROKERS[broker],
            "PIXELSMITH_EVENTS_URL": f"redis://127.0.0.1:6379/{REDIS_EVENTS_DB}",
            "PIXELSMITH_DATA_DIR": str(root / "data"),  # shared blobs: one "bucket" for all
            # Short leases so a killed worker's job moves on within seconds.
            "PIXELSMITH_JOB_LEASE_S": "3",
            "PIXELSMITH_REAPER_INTERVAL_S": "0.5",
            # Messages a Redis restart dropped are sent again after this; a duplicate that
            # arrives for a job already taken is a no-op, so it may be short.
            "PIXELSMITH_REQUEUE_STALE_S": "15",
            "PIXELSMITH_JOB_MODULES": "celery_test_kinds",
            "PYTHONPATH": os.pathsep.join(
                [str(HERE), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
            ),
            "PIXELSMITH_LOG_LEVEL": "INFO",
            "PIXELSMITH_WORKER_NICE": "0",
            **env,
        }
        self.apis: list[tuple[subprocess.Popen, int]] = []
        self.workers: list[subprocess.Popen] = []
        self.engine = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self, *, apis: int = 1, workers: int = 1) -> Cluster:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        admin.dispose()
        self.engine = create_engine(self.db_url)
        self._reset_broker()
        self.cli("db", "upgrade")
        # Side by side: each takes seconds to import and connect.
        with ThreadPoolExecutor(apis + workers or 1) as pool:
            started = [pool.submit(self.start_api) for _ in range(apis)]
            started += [pool.submit(self.start_worker) for _ in range(workers)]
            for future in started:
                future.result()
        return self

    def stop(self) -> None:
        for proc in self.workers:
            _kill_group(proc)
        for proc, _ in self.apis:
            proc.terminate()
        for proc, _ in self.apis:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.engine is not None:
            self.engine.dispose()
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        admin.dispose()

    def _reset_broker(self) -> None:
        redis.Redis(port=6379, db=REDIS_EVENTS_DB).flushdb()
        if self.broker == "rabbitmq":
            from kombu import Connection

            with Connection(BROKERS["rabbitmq"]) as conn:
                ch = conn.channel()
                for q in ("cpu", "gpu"):
                    try:
                        ch.queue_purge(q)
                    except Exception:  # not declared yet
                        ch = conn.channel()

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        out = subprocess.run(
            [sys.executable, "-m", "pixelsmith", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert out.returncode == 0, f"pixelsmith {' '.join(args)} failed: {out.stderr[-2000:]}"
        return out

    def start_api(self) -> str:
        port = free_port()
        proc = start_server(self.root / "data", port, **self.env)
        self.apis.append((proc, port))
        return f"http://127.0.0.1:{port}"

    def api(self, index: int) -> str:
        return f"http://127.0.0.1:{self.apis[index][1]}"

    def start_worker(self, *args: str, wait: bool = True) -> subprocess.Popen:
        index = uuid.uuid4().hex[:6]
        log_path = self.root / f"worker-{index}.log"
        log = open(log_path, "ab")  # noqa: SIM115
        argv = [sys.executable, "-m", "pixelsmith", "worker", *(args or ("--concurrency", "1"))]
        proc = subprocess.Popen(
            argv,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # kill -9 takes the worker and its pool children
        )
        log.close()
        proc.log_path = log_path  # type: ignore[attr-defined]
        self.workers.append(proc)
        if wait:
            wait_for(
                f"worker {index} to say ready",
                lambda: "ready" in log_path.read_text() or proc.poll() is not None,
                timeout=60,
            )
            assert proc.poll() is None, f"worker exited: {log_path.read_text()[-3000:]}"
        return proc

    def storage(self):
        from pixelsmith.core.config import Settings
        from pixelsmith.core.storage import create_storage

        e = self.env
        if e.get("PIXELSMITH_STORAGE_BACKEND") != "s3":
            return create_storage(Settings(data_dir=self.root / "data"))
        return create_storage(
            Settings(
                data_dir=self.root / "data",
                storage_backend="s3",
                s3_bucket=e["PIXELSMITH_S3_BUCKET"],
                s3_endpoint_url=e["PIXELSMITH_S3_ENDPOINT_URL"],
                s3_access_key_id=e["PIXELSMITH_S3_ACCESS_KEY_ID"],
                s3_secret_access_key=e["PIXELSMITH_S3_SECRET_ACCESS_KEY"],
            )
        )

    def kill9(self, proc: subprocess.Popen) -> None:
        _kill_group(proc)

    # -- jobs -------------------------------------------------------------------------------
    def submit(self, api: int, kind: str, params: dict) -> dict:
        r = httpx.post(f"{self.api(api)}/api/v1/jobs", json={"kind": kind, "params": params})
        assert r.status_code == 202, r.text
        return r.json()

    def row(self, job_id: str) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM jobs WHERE id = :id"), {"id": job_id})
            return dict(row.mappings().one())

    def rows(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(text("SELECT * FROM jobs")).mappings()]

    def artifacts(self, job_id: str) -> list[dict]:
        with self.engine.connect() as conn:
            q = text("SELECT * FROM artifacts WHERE job_id = :id ORDER BY id")
            return [dict(r) for r in conn.execute(q, {"id": job_id}).mappings()]

    def wait_status(self, job_id: str, *statuses: str, timeout: float = 30) -> dict:
        return wait_for(
            f"job {job_id} to be {'/'.join(statuses)}",
            lambda: (r := self.row(job_id))["status"] in statuses and r or _brief(r),
            timeout=timeout,
        )


def _brief(row: dict) -> bool:
    # A falsy stand-in that still shows what the row held, for wait_for's failure message.
    class Seen(dict):
        def __bool__(self) -> bool:
            return False

    keys = ("status", "attempts", "lease_owner", "progress_step", "progress_message", "error")
    return Seen({k: row.get(k) for k in keys})


def _kill_group(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=10)


def ensure_redis() -> None:
    try:
        redis.Redis(port=6379, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        subprocess.run(REDIS_START, check=True)
        wait_for("Redis to answer", lambda: _ping(), timeout=15)


def _ping() -> bool:
    try:
        return bool(redis.Redis(port=6379, socket_connect_timeout=0.5).ping())
    except redis.ConnectionError:
        return False


@contextmanager
def moto_s3() -> Iterator[dict[str, str]]:
    """moto's S3 server in this process; yields the settings that point a cluster at it."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield {
            "PIXELSMITH_STORAGE_BACKEND": "s3",
            "PIXELSMITH_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "PIXELSMITH_S3_BUCKET": f"cluster-{uuid.uuid4().hex[:10]}",
            "PIXELSMITH_S3_ACCESS_KEY_ID": "testing",
            "PIXELSMITH_S3_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        }
    finally:
        server.stop()
