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
