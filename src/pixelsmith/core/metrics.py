"""Prometheus metrics, defined once per process (prometheus_client's default registry)."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "pixelsmith_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "pixelsmith_http_request_seconds", "HTTP request latency", ["method", "route"]
)
JOBS_SUBMITTED = Counter("pixelsmith_jobs_submitted_total", "Jobs accepted", ["kind"])
JOBS_REJECTED = Counter("pixelsmith_jobs_rejected_total", "Jobs refused (queue full)", ["kind"])
JOBS_FINISHED = Counter("pixelsmith_jobs_finished_total", "Jobs finished", ["kind", "status"])
JOB_DURATION = Histogram("pixelsmith_job_seconds", "Job run time", ["kind"])
JOBS_PENDING = Gauge("pixelsmith_jobs_pending", "Jobs waiting in the local executor queue")
JOB_PEAK_RSS = Histogram(
    "pixelsmith_job_peak_rss_bytes",
    "Peak resident memory of the worker process during a job",
    ["kind"],
    buckets=[2**i * 1024 * 1024 for i in range(6, 15)],  # 64 MB … 16 GB
)
POSTURE_STREAMS = Gauge("pixelsmith_posture_streams", "Live posture streams open now")
# Read from the job table at each scrape (core/jobs/stats.py), so every API node reports the
# whole cluster, whichever process runs the jobs.
JOBS_QUEUED = Gauge("pixelsmith_jobs_queued", "Jobs waiting, per queue", ["queue"])
JOBS_RUNNING = Gauge("pixelsmith_jobs_running", "Jobs running, per worker", ["worker"])
LEASES_EXPIRED = Gauge(
    "pixelsmith_leases_expired", "Running jobs whose lease ran out, not yet requeued"
)
# Counted by the lease reaper of this process when it requeues (or fails) a job whose worker
# stopped renewing its lease.
LEASE_EXPIRIES = Counter(
    "pixelsmith_lease_expiries_total", "Job leases found expired by this process", ["outcome"]
)
BROKER_QUEUE_DEPTH = Gauge(
    "pixelsmith_broker_queue_depth", "Messages waiting on the broker, per queue", ["queue"]
)
