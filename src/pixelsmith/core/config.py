"""Settings: environment variables with the PIXELSMITH_ prefix, or a .env file.

Embedded defaults run everything on one machine: SQLite and blobs under ./data, in-process
workers. Other settings switch to PostgreSQL, S3 and Celery without code changes.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIXELSMITH_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./data")
    # Empty means a SQLite file inside data_dir. DATABASE_URL (no prefix) is honoured too.
    database_url: str = Field(default="", validation_alias="DATABASE_URL")

    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"

    storage_backend: Literal["local", "s3"] = "local"
    s3_bucket: str = "pixelsmith"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None

    # local: jobs run in this server's worker processes (embedded mode). celery: `serve` only
    # enqueues; `pixelsmith worker` processes run jobs from the broker (docs/deployment.md).
    executor: Literal["local", "celery"] = "local"
    # Comma-separated extra modules that register job kinds (@job_kind), imported by the
    # server and every worker: a site's own kinds, or tests' cheap kinds.
    job_modules: str = ""
    # Distributed mode (executor=celery). Redis by default; amqp://guest:guest@host:5672// works.
    broker_url: str = "redis://127.0.0.1:6379/0"
    # Redis pub/sub for job events across processes; empty = the broker when it is Redis,
    # else redis://127.0.0.1:6379/0.
    events_url: str = ""
    # Redis broker only: an unacknowledged task is redelivered after this. It must be longer
    # than the longest job (6 h), or a job still running gets a second delivery (which then
    # finds the job leased and does nothing, but it is noise). RabbitMQ redelivers on
    # connection loss instead.
    broker_visibility_timeout_s: int = Field(default=6 * 3600, ge=60)
    # A worker holds a running job for this long and renews every third of it; a job whose
    # lease ran out (worker killed, machine gone) is requeued by the reaper.
    job_lease_s: float = Field(default=30.0, ge=1.0, le=3600)
    # How often the reaper (API and worker processes) looks for expired leases…
    reaper_interval_s: float = Field(default=5.0, gt=0, le=600)
    # …and re-sends queued jobs nobody took within this long (a broker restart without
    # persistence drops its messages; a duplicate message for a job finds it taken).
    requeue_stale_s: float = Field(default=120.0, ge=1.0)
    workers: int = Field(default=2, ge=1, le=64)
    # process: each worker is its own process (memory given back, the API never starved);
    # thread: workers are threads of the server, for debugging and tests that look inside jobs.
    job_isolation: Literal["process", "thread"] = "process"
    # A worker process over this is killed and its job fails `out_of_memory`; 0 = sized to the
    # machine (half its memory shared by the workers, at most 4 GB each).
    job_memory_limit_mb: int = Field(default=0, ge=0)
    # After a job, a worker bigger than this hands over to a fresh process (not after GPU
    # jobs, whose pipelines are meant to stay loaded).
    worker_recycle_mb: int = Field(default=256, ge=0)
    # Worker processes run at this niceness, so the API answers first on a busy machine. 19,
    # the lowest priority: at 10 a worker still took about a tenth of a core from the event
    # loop, and /healthz p95 under load was 4.7-5.6x its idle figure, at 19 3.4-3.9x
    # (benchmarks/bench_load.py). Jobs still get every cycle the API leaves idle.
    worker_nice: int = Field(default=19, ge=0, le=19)
    # Live posture streams open at once (each holds a pose graph of 60-110 MB and about a
    # third of a core); 0 = two per CPU core. One over it is closed with 1013.
    posture_max_streams: int = Field(default=0, ge=0)
    # CPU-bound calls answered inline (decodes, filters, tag scans) running at once; 0 = one
    # core fewer than the machine has (at least 1), so the event loop keeps a core.
    inline_cpu_slots: int = Field(default=0, ge=0, le=256)
    # process: the pure part of that work (decode + filter, decode + tag read, photo poses)
    # runs in a pool of worker processes at worker_nice, so no thread of the API process
    # holds its interpreter lock or its core while pages and /healthz wait; thread: in
    # threads of the server (tests that look inside, debugging).
    inline_cpu_isolation: Literal["process", "thread"] = "process"
    # Jobs waiting beyond this answer 429 with Retry-After instead of piling up.
    max_queued_jobs: int = Field(default=1000, ge=1)
    job_max_attempts: int = Field(default=3, ge=1, le=20)

    # Upload limits enforced by core.images for every upload.
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(default=40_000_000, ge=1024)
    max_image_side: int = Field(default=12_000, ge=16)

    models_dir: Path | None = None
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"

    # Generation engine (core/generation): which catalogue model serves each capability…
    gen_txt2img_model: str = "sdxl-turbo"
    gen_img2img_model: str = "sdxl-turbo"
    gen_inpaint_model: str = "sdxl-inpaint"
    gen_sketch2img_model: str = "sdxl-t2i-sketch"
    # …and opt-in memory/speed options for the pipelines it loads.
    gen_attention_slicing: bool = False
    gen_cpu_offload: bool = False
    gen_compile: bool = False
    # auto: float16 on a GPU, float32 on the CPU; bfloat16 suits GPUs that have it (no fp16
    # overflow in the SDXL VAE).
    gen_dtype: Literal["auto", "float16", "bfloat16", "float32"] = "auto"

    # ---- Toon Diary (apps/diary; docs/diary.md) ----
    # Hot Toons: the most-commented public posts published within this many days.
    diary_hot_window_days: float = Field(default=7.0, gt=0, le=365)
    # Lounge images: "auto" (first installed checker: open-nsfw, then nudenet), a checker's
    # name, or "none" (every image waits for an admin's approval).
    diary_nsfw_checker: Literal["auto", "open-nsfw", "nudenet", "none"] = "auto"
    diary_nsfw_approve_below: float = Field(default=0.2, ge=0, le=1)  # score < this: shown
    diary_nsfw_reject_at: float = Field(default=0.8, ge=0, le=1)  # score ≥ this: rejected
    # Per user and hour (429 + Retry-After past them).
    diary_posts_per_hour: int = Field(default=20, ge=1)
    diary_comments_per_hour: int = Field(default=60, ge=1)
    diary_images_per_hour: int = Field(default=20, ge=1)

    # ---- Web hardening (core/web/middleware.py; docs/deployment.md "Security") ----
    # Longest wait for the next piece of a request body; a client that stalls gets 408.
    body_read_timeout_s: float = Field(default=15.0, gt=0, le=600)
    # Comma-separated Host names accepted besides IP addresses and `host` ("*" = any;
    # ".example.com" = it and its subdomains). Guards against DNS rebinding: a foreign web
    # page reaching this server under a domain name of its own.
    allowed_hosts: str = "localhost"
    # Comma-separated other origins (scheme://host[:port]) whose pages may POST, PUT, PATCH,
    # DELETE and open WebSockets here ("*" = any: turns the cross-site check off).
    allowed_origins: str = ""
    # Proxies whose X-Forwarded-Proto/-For uvicorn trusts (so cookies get Secure behind TLS).
    forwarded_allow_ips: str = "127.0.0.1"

    def allowed_host_list(self) -> list[str]:
        return [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]

    def allowed_origin_list(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]

    # Naver Shopping search API (catalog lookup). Both keys set = online lookup on.
    naver_client_id: str | None = None
    naver_client_secret: str | None = None
    naver_base_url: str = "https://openapi.naver.com"
    naver_timeout_s: float = Field(default=3.0, gt=0, le=60)

    # Catalog imports that fetch item images from image_url (cut-outs for Desk Makeover).
    catalog_image_timeout_s: float = Field(default=10.0, gt=0, le=120)
    # Off: a CSV cannot make the server fetch from its own networks (metadata, admin ports).
    catalog_fetch_private_hosts: bool = False

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'pixelsmith.db').resolve()}"

    def resolved_events_url(self) -> str:
        if self.events_url:
            return self.events_url
        if self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return "redis://127.0.0.1:6379/0"

    def resolved_job_memory_limit_mb(self) -> int:
        if self.job_memory_limit_mb:
            return self.job_memory_limit_mb
        from pixelsmith.core.memory import MB, total_memory_bytes

        return max(1024, min(4096, total_memory_bytes() // 2 // self.workers // MB))

    def resolved_posture_max_streams(self) -> int:
        return self.posture_max_streams or max(2, 2 * (os.cpu_count() or 1))

    def upload_limits(self) -> dict[str, int]:
        """The image intake's limits, as core.images' functions take them."""
        return {
            "max_bytes": self.max_upload_bytes,
            "max_pixels": self.max_image_pixels,
            "max_side": self.max_image_side,
        }

    def resolved_inline_cpu_slots(self) -> int:
        return self.inline_cpu_slots or max(1, (os.cpu_count() or 1) - 1)

    def resolved_models_dir(self) -> Path:
        return self.models_dir or self.data_dir / "models"


@lru_cache
def get_settings() -> Settings:
    return Settings()
