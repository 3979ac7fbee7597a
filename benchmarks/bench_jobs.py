"""Job system with the local executor: enqueue → start latency and trivial jobs per second.

Bars (issue 2): enqueue → start p95 ≤ 20 ms; ≥ 300 trivial jobs/s.
Runs on the embedded defaults (SQLite file in a temp dir, 2 worker processes), and with
`--isolation thread` on worker threads of the server process instead.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from harness import median, percentile, report, row
from pixelsmith.core.config import Settings
from pixelsmith.core.services import Services

WORKERS = {"process": "worker processes", "thread": "worker threads"}


def wait_idle(services: Services, job_ids: list[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    last = job_ids[-1]
    while time.monotonic() < deadline:
        # Cheap in-memory check first, so polling does not compete with the workers.
        if services.executor.pending() == 0 and services.jobs.get(last)["status"] == "succeeded":
            counts = services.jobs.counts()
            if counts.get("queued", 0) == 0 and counts.get("running", 0) == 0:
                return
        time.sleep(0.01)
    raise TimeoutError("jobs did not finish")


def start_latencies(services: Services, n: int) -> list[float]:
    """One job at a time, so the figure is the system's own latency, not queueing."""
    out = []
    for _ in range(n):
        job = services.jobs.submit("system.noop", {})
        while (j := services.jobs.get(job["id"]))["started_at"] is None:
            time.sleep(0.0005)
        from datetime import datetime

        created = datetime.fromisoformat(j["created_at"])
        started = datetime.fromisoformat(j["started_at"])
        out.append((started - created).total_seconds() * 1000)
        while services.jobs.get(job["id"])["status"] != "succeeded":
            time.sleep(0.0005)
    return out


def throughput(services: Services, n: int) -> float:
    t0 = time.perf_counter()
    ids = [services.jobs.submit("system.noop", {})["id"] for _ in range(n)]
    wait_idle(services, ids)
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--latency-jobs", type=int, default=200)
    ap.add_argument("--throughput-jobs", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--isolation", choices=["process", "thread"], default="process")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            workers=2,
            max_queued_jobs=100_000,
            job_isolation=args.isolation,
        )
        services = Services.create(settings)
        services.start()
        try:
            start_latencies(services, 20)  # warm-up: imports, connections, JIT-free caches
            lat = start_latencies(services, args.latency_jobs)
            rates = [throughput(services, args.throughput_jobs) for _ in range(args.runs)]
        finally:
            services.close()

    p50, p95 = percentile(lat, 0.5), percentile(lat, 0.95)
    rate = median(rates)
    report(
        "bench_jobs" + ("" if args.isolation == "process" else "_threads"),
        f"Jobs: local executor (SQLite, 2 {WORKERS[args.isolation]})",
        [
            row("enqueue → start p50", p50, "ms", "–", None),
            row("enqueue → start p95", p95, "ms", "≤ 20 ms", p95 <= 20),
            row(
                "trivial jobs per second (median of runs)",
                rate,
                "jobs/s",
                "≥ 300 jobs/s",
                rate >= 300,
            ),
        ],
        notes=f"{args.latency_jobs} sequential jobs for latency; {args.runs} runs of "
        f"{args.throughput_jobs} `system.noop` jobs submitted through the Python API for "
        f"throughput (each: insert, claim, finish = 3 committed transactions). "
        f"Runs: {', '.join(f'{r:.0f}' for r in rates)} jobs/s.",
    )


if __name__ == "__main__":
    main()
