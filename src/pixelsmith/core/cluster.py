"""`pixelsmith cluster`: one API and N Celery workers on this machine, stopped together.

A way to try distributed mode on one machine (docs/deployment.md, "Distributed mode"): the
same `pixelsmith serve` and `pixelsmith worker` processes an operator runs on separate
machines, here started as children against the local Redis and PostgreSQL.

No orphans: each child leads its own process group (a Celery worker forks its pool), gets
SIGTERM if this process dies without cleaning up (PR_SET_PDEATHSIG), and on Ctrl-C/SIGTERM
every group gets SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
PR_SET_PDEATHSIG = 1


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None


@dataclass
class ClusterPlan:
    """What to start. Settings come from the environment, else the local services."""

    workers: int
    host: str
    port: int
    data_dir: Path
    database_url: str
    broker_url: str
    queues: str
    gpus: list[str] = field(default_factory=list)  # CUDA device ids, one worker each

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs" / "cluster"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PIXELSMITH_EXECUTOR="celery",
            PIXELSMITH_BROKER_URL=self.broker_url,
            DATABASE_URL=self.database_url,
            PIXELSMITH_DATA_DIR=str(self.data_dir),
            PYTHONUNBUFFERED="1",
        )
        env.pop("PIXELSMITH_DATABASE_URL", None)  # DATABASE_URL above is the one in force
        return env

    def children(self) -> list[Child]:
        py = [sys.executable, "-m", "pixelsmith"]
        base = self.environment()
        api = Child(
            "api",
            [*py, "serve", "--host", self.host, "--port", str(self.port)],
            base,
            self.log_dir / "api.log",
        )
        out = [api]
        for i in range(self.workers):
            env = dict(base)
            if self.gpus:  # one worker per GPU, each seeing only its own device
                env["CUDA_VISIBLE_DEVICES"] = self.gpus[i % len(self.gpus)]
            name = f"worker-{i + 1}"
            argv = [*py, "worker", "--queues", self.queues, "--concurrency", "1"]
            out.append(Child(name, argv, env, self.log_dir / f"{name}.log"))
        return out


def _child_setup() -> None:  # runs in the child between fork and exec
    os.setsid()  # own process group: the whole Celery pool is stopped with it
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # parent gone → we get SIGTERM
    except OSError:  # not Linux: Ctrl-C handling below still stops the children
        pass


class Cluster:
    def __init__(  # noqa: ANN001
        self, plan: ClusterPlan, *, say=print, grace_s: float = 15.0, ready_timeout_s: float = 60.0
    ) -> None:
        self.plan = plan
        self.ready_timeout_s = ready_timeout_s
        self.say = say
        self.grace_s = grace_s
        self.children = plan.children()
        self._stop_requested = False

    # -- start ---------------------------------------------------------------------------

    def migrate(self) -> None:
        """Once, before any child starts: N processes migrating at once would race."""
        from pixelsmith.core.db import Database

        db = Database(self.plan.database_url)
        try:
            db.migrate()
        finally:
            db.dispose()

    def start(self, child: Child) -> None:
        child.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = child.log_path.open("ab")
        child.proc = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            child.argv,
            env=child.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_child_setup,  # noqa: PLW1509 (no threads yet in this process)
        )
        log.close()  # the child holds its own descriptor

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Until the API's /readyz says ready (database, storage and broker reachable)."""
        api = self.children[0]
        deadline = time.monotonic() + timeout_s
        last = "no answer yet"
        while time.monotonic() < deadline and not self._stop_requested:
            if api.proc and api.proc.poll() is not None:
                raise RuntimeError(f"the API exited with {api.proc.returncode}; see {api.log_path}")
            try:
                # readyz itself may take a few seconds when the broker is down (its probe
                # waits for a connection): wait long enough to hear why.
                with urllib.request.urlopen(f"{self.plan.url}/readyz", timeout=15) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except urllib.error.HTTPError as exc:
                last = f"{exc.code}: {exc.read()[:300].decode(errors='replace')}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise RuntimeError(f"the API was not ready within {timeout_s:.0f} s ({last})")

    # -- run and stop --------------------------------------------------------------------

    def run(self) -> int:
        """Start everything, print where to look, wait for Ctrl-C or a child's exit."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            self.migrate()
            self.start(self.children[0])
            self.wait_ready(self.ready_timeout_s)
            for child in self.children[1:]:
                self.start(child)
            self._print_where_to_look()
            return self._supervise()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum, _frame) -> None:  # noqa: ANN001
        self._stop_requested = True

    def _supervise(self) -> int:
        while not self._stop_requested:
            for child in self.children:
                code = child.proc.poll() if child.proc else None
                if code is not None:
                    self.say(f"{child.name} exited with {code}; stopping the cluster")
                    self.say(f"  its log: {child.log_path}")
                    return 1
            time.sleep(0.2)
        self.say("stopping…")
        return 0

    def stop(self) -> None:
        """SIGTERM to every child's process group, SIGKILL to what is left after grace_s."""
        running = [c for c in self.children if c.proc and c.proc.poll() is None]
        for child in running:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        for child in running:
            try:
                child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{child.name} did not stop within {self.grace_s:.0f} s; killing it")
        for child in self.children:  # the pool processes of a worker that already exited too
            if child.proc:
                _signal_group(child, signal.SIGKILL)
                child.proc.wait()

    def _print_where_to_look(self) -> None:
        p = self.plan
        self.say(f"pixelsmith cluster: 1 API + {p.workers} worker(s), executor celery")
        self.say(f"  web and API:  {p.url}   (readiness {p.url}/readyz, metrics {p.url}/metrics)")
        self.say(f"  broker:       {_safe_url(p.broker_url)}")
        self.say(f"  database:     {_safe_url(p.database_url)}")
        self.say(f"  data dir:     {p.data_dir}")
        for child in self.children:
            self.say(f"  {child.name:<12}  pid {child.pid:<7}  log {child.log_path}")
        self.say("  jobs and where they run:  pixelsmith jobs list   (same environment)")
        self.say("Ctrl-C stops them all.")


def _signal_group(child: Child, sig: signal.Signals) -> None:
    try:
        os.killpg(child.proc.pid, sig)  # the child leads its group (setsid)
    except (ProcessLookupError, PermissionError):
        pass


def _safe_url(url: str) -> str:
    """A URL without its password, for printing."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in creds else ''}@{host}"
