"""The `pixelsmith` command line: serve, worker, models, jobs, config (apps add their own)."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pixelsmith.core.config import get_settings

app = typer.Typer(help="pixelsmith: a self-hosted AI image studio.", no_args_is_help=True)
jobs_app = typer.Typer(help="Inspect and run jobs (works on the database directly).")
app.add_typer(jobs_app, name="jobs")
console = Console()


def _models_app() -> typer.Typer:
    from pixelsmith.core.models.cli import app as models_cli

    return models_cli


app.add_typer(_models_app(), name="models", help="Which models are available, and how to get them.")


def _catalog_app() -> typer.Typer:
    from pixelsmith.core.catalog.cli import app as catalog_cli

    return catalog_cli


app.add_typer(_catalog_app(), name="catalog", help="The product catalog: import, list, look up.")


def _users_app() -> typer.Typer:
    from pixelsmith.core.accounts.cli import app as users_cli

    return users_cli


app.add_typer(_users_app(), name="users", help="Accounts: create (the first admin), list, roles.")


def _add_app_commands() -> None:
    """Each app slice with a cli.py gets `pixelsmith <slug> …`."""
    import importlib
    import importlib.util

    from pixelsmith.apps import APPS

    for info in APPS:
        module_name = f"pixelsmith.apps.{info.slug}.cli"
        if importlib.util.find_spec(module_name):
            app.add_typer(importlib.import_module(module_name).app, name=info.slug)


_add_app_commands()


@app.command()
def serve(
    host: str = typer.Option(None, help="Bind address (default from PIXELSMITH_HOST)"),
    port: int = typer.Option(None, help="Port (default from PIXELSMITH_PORT, 8000)"),
    reload: bool = typer.Option(False, help="Reload on code changes (development)"),
) -> None:
    """Start the web app, API and in-process job workers."""
    import uvicorn

    s = get_settings()
    # The event loop shares the GIL with request threads and live posture frames; a 1 ms
    # switch interval (Python's default is 5 ms) lets it take its turn sooner, so short
    # requests are not held behind long ones.
    sys.setswitchinterval(0.001)
    console.print(f"pixelsmith on http://{host or s.host}:{port or s.port}  (data: {s.data_dir})")
    uvicorn.run(
        "pixelsmith.core.web.app:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        reload=reload,
        log_config=None,  # our JSON logging, set up by create_app
        ws_max_size=2 * 1024 * 1024,
        # h11, not httptools: uvicorn gives httptools no header size limit (a 4 MB header
        # line is read whole); h11 refuses headers still incomplete after 16 KiB arrived.
        http="h11",
        h11_max_incomplete_event_size=16 * 1024,
        # Idle keep-alive connections close after 5 s (uvicorn's default, stated here); a
        # stalled request body is the app's job (body_read_timeout_s → 408).
        timeout_keep_alive=5,
        # The scheme and client address come from X-Forwarded-* only from these proxies
        # (cookies get Secure when the proxy says https).
        proxy_headers=True,
        forwarded_allow_ips=s.forwarded_allow_ips,
        server_header=False,  # no "server: uvicorn" banner
    )


@app.command()
def worker(
    drain: bool = typer.Option(False, help="Exit once no queued job is left (local mode)"),
    poll: float = typer.Option(0.5, help="Seconds between looks at the job table (local mode)"),
    queues: str = typer.Option(
        None, help="Celery mode: comma-separated capabilities to serve (cpu, gpu); default cpu"
    ),
    concurrency: int = typer.Option(
        None, min=1, help="Celery mode: jobs at once (default: CPU cores; 1 per GPU)"
    ),
    pool: str = typer.Option(None, help="Celery mode: prefork (cpu default), threads or solo"),
    gpu: int = typer.Option(None, min=0, help="Celery mode: serve this GPU (solo pool, gpu queue)"),
) -> None:
    """Run jobs without the web server.

    Local mode: queued jobs from the job table (safe beside `pixelsmith serve`: a job is
    claimed atomically, so it runs once). PIXELSMITH_EXECUTOR=celery: a Celery worker on
    PIXELSMITH_BROKER_URL, one per GPU (`--gpu 0`) or for CPU jobs (`--queues cpu`).
    """
    settings = get_settings()
    if settings.executor == "celery":
        _celery_worker(settings, queues, concurrency, pool, gpu)
        return
    from pixelsmith.core.services import Services

    services = Services.create(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ran = 0
    try:
        while not stop.is_set():
            job_ids = services.jobs.queued_ids(limit=10)
            for job_id in job_ids:
                if services.runner.run(job_id):
                    ran += 1
            if not job_ids:
                if drain:
                    break
                stop.wait(poll)
    except KeyboardInterrupt:
        pass
    finally:
        services.close()
    console.print(f"worker ran {ran} job(s)")


@app.command()
def cluster(
    workers: int = typer.Option(2, min=1, max=64, help="Celery worker processes to start"),
    port: int = typer.Option(None, help="API port (default from PIXELSMITH_PORT, 8000)"),
    queues: str = typer.Option("cpu,gpu", help="Queues every worker takes"),
    gpus: str = typer.Option(
        "", help="CUDA device ids, comma-separated: one worker per id (CUDA_VISIBLE_DEVICES)"
    ),
    ready_timeout: float = typer.Option(60.0, min=1, help="Seconds to wait for the API's /readyz"),
) -> None:
    """Try distributed mode on one machine: one API and N workers on the local Redis and
    PostgreSQL (or DATABASE_URL / PIXELSMITH_BROKER_URL); Ctrl-C stops them all."""
    import os

    from pixelsmith.core.cluster import (
        DEFAULT_BROKER_URL,
        DEFAULT_DATABASE_URL,
        Cluster,
        ClusterPlan,
    )

    s = get_settings()
    gpu_ids = [g.strip() for g in gpus.split(",") if g.strip()]
    plan = ClusterPlan(
        workers=len(gpu_ids) or workers,
        host=s.host,
        port=port or s.port,
        data_dir=s.data_dir.resolve(),
        database_url=s.database_url or DEFAULT_DATABASE_URL,
        broker_url=os.environ.get("PIXELSMITH_BROKER_URL", DEFAULT_BROKER_URL),
        queues=queues,
        gpus=gpu_ids,
    )
    try:
        code = Cluster(
            plan, say=typer.echo, ready_timeout_s=ready_timeout
        ).run()  # plain lines: paths never wrapped
    except RuntimeError as exc:
        console.print(f"[red]cluster did not start: {exc}[/red]")
        raise typer.Exit(1) from None
    raise typer.Exit(code)


def _celery_worker(settings, queues, concurrency, pool, gpu) -> None:  # noqa: ANN001
    import os

    from pixelsmith.core.jobs.celery_executor import QUEUES, run_worker
    from pixelsmith.core.logging import configure_logging

    wanted = [q.strip() for q in (queues or ("gpu" if gpu is not None else "cpu")).split(",")]
    unknown = [q for q in wanted if q not in QUEUES]
    if unknown or not any(wanted):
        console.print(
            f"[red]Unknown queue(s): {', '.join(unknown) or '(none given)'}. "
            f"A worker serves one or more of: {', '.join(QUEUES)}.[/red]"
        )
        raise typer.Exit(2)
    if pool not in (None, "prefork", "threads", "solo"):
        console.print(f"[red]Unknown pool '{pool}': use prefork, threads or solo.[/red]")
        raise typer.Exit(2)
    name = "cpu"
    if gpu is not None:
        # One solo worker per GPU: its pipelines stay loaded, and it sees only its own card.
        os.environ["CUDA_VISIBLE_DEVICES"] = str(gpu)
        pool, concurrency, name = "solo", 1, f"gpu{gpu}"
    pool = pool or ("solo" if "gpu" in wanted else "prefork")
    concurrency = concurrency or (1 if pool == "solo" else os.cpu_count() or 1)
    configure_logging(settings.log_level, settings.log_format)
    console.print(
        f"celery worker {name}: queues {','.join(wanted)}, pool {pool} x{concurrency}, "
        f"broker {settings.broker_url.split('@')[-1]}"
    )
    run_worker(
        settings, queues=wanted, concurrency=concurrency, pool=pool, name=f"{name}-{os.getpid()}"
    )


db_app = typer.Typer(help="The database schema.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Run the migrations up to the newest (idempotent; for DATABASE_URL or the SQLite file)."""
    from pixelsmith.core.db import Database

    db = Database(get_settings().resolved_database_url())
    try:
        db.migrate()
    finally:
        db.dispose()
    console.print("database schema is up to date")


@app.command("config")
def show_config(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output"),
) -> None:
    """Print the effective settings (secrets masked)."""
    s = get_settings()
    data = json.loads(s.model_dump_json())
    data["database_url"] = s.resolved_database_url()
    for secret in ("s3_secret_access_key", "s3_access_key_id", "naver_client_secret"):
        if data.get(secret):
            data[secret] = "***"
    if "@" in data["database_url"]:  # hide a password in the URL
        scheme, rest = data["database_url"].split("://", 1)
        data["database_url"] = f"{scheme}://***@{rest.split('@', 1)[1]}"
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table("setting", "value", title="pixelsmith settings (env prefix PIXELSMITH_)")
    for key, value in data.items():
        table.add_row(key, str(value))
    console.print(table)


# -- jobs ---------------------------------------------------------------------------------


def _services():
    from pixelsmith.core.services import Services

    return Services.create(get_settings())


@jobs_app.command("list")
def jobs_list(
    status: str = typer.Option(None, help="queued, running, succeeded, failed or canceled"),
    limit: int = typer.Option(20, min=1, max=500),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List recent jobs, newest first, with the queue and the worker each runs on."""
    from pixelsmith.core.jobs.stats import LOCAL_WORKER

    services = _services()
    try:
        items, total = services.jobs.list(status=status, limit=limit)
        executor = services.executor.name
    finally:
        services.close()
    for j in items:  # the lease holder ("host:pid"); the server itself for local executors
        local = LOCAL_WORKER if executor != "celery" and j["status"] == "running" else None
        j["worker"] = j.get("lease_owner") or local
    if as_json:
        typer.echo(json.dumps({"items": items, "total": total}, indent=2))
        return
    table = Table(
        "id",
        "kind",
        "queue",
        "status",
        "worker",
        "attempts",
        "progress",
        "created",
        title=f"{total} job(s)",
    )
    for j in items:
        p = j["progress"]
        table.add_row(
            j["id"],
            j["kind"],
            j["queue"],
            j["status"],
            j["worker"] or "–",
            f"{j['attempts']}/{j['max_attempts']}",
            f"{p['step']}/{p['total']}",
            j["created_at"][:19],
        )
    console.print(table)


@jobs_app.command("show")
def jobs_show(job_id: str) -> None:
    """Show one job as JSON."""
    services = _services()
    try:
        typer.echo(json.dumps(_or_exit(lambda: services.jobs.get(job_id)), indent=2))
    finally:
        services.close()


@jobs_app.command("cancel")
def jobs_cancel(job_id: str) -> None:
    """Cancel a queued or running job."""
    services = _services()
    try:
        job = _or_exit(lambda: services.jobs.cancel(job_id))
        console.print(f"{job_id}: {job['status']} (cancel requested: {job['cancel_requested']})")
    finally:
        services.close()


@jobs_app.command("retry")
def jobs_retry(job_id: str) -> None:
    """Queue a failed or canceled job again (a running server or worker picks it up)."""
    services = _services()
    try:
        job = _or_exit(lambda: services.jobs.retry(job_id, enqueue=False))
        console.print(f"{job_id}: {job['status']}")
    finally:
        services.close()


@jobs_app.command("run")
def jobs_run(
    kind: str,
    param: list[str] = typer.Option([], "--param", "-p", help="key=value (value parsed as JSON)"),
) -> None:
    """Submit a job and run it here, with a progress bar."""
    params = parse_params(param)
    services = _services()
    services.executor.start()  # no recover(): that belongs to the server that owns its jobs
    try:
        job = _or_exit(lambda: services.jobs.submit(kind, params))
        job = watch_job(services, job["id"])
    except KeyboardInterrupt:
        services.jobs.cancel(job["id"])
        console.print("canceling…")
        job = watch_job(services, job["id"], quiet=True)
    finally:
        services.close()
    console.print(f"{job['id']}: {job['status']}")
    if job["error"]:
        console.print(f"[red]{job['error']['message']}[/red]")
    if job["result"]:
        typer.echo(json.dumps(job["result"], indent=2))
    raise typer.Exit(0 if job["status"] == "succeeded" else 1)


def parse_params(items: list[str]) -> dict[str, Any]:
    """`key=value` options into a dict; values are parsed as JSON when they are JSON."""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"'{item}' is not key=value", param_hint="--param")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


def watch_job(services, job_id: str, *, quiet: bool = False) -> dict:  # noqa: ANN001
    """Poll a job until it ends, drawing a progress bar. Reused by app commands."""
    from pixelsmith.core.jobs.service import is_terminal

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=False,
    ) as bar:
        task = bar.add_task("queued", total=None)
        while True:
            job = services.jobs.get(job_id)
            p = job["progress"]
            bar.update(
                task,
                description=p["message"] or job["status"],
                completed=p["step"],
                total=p["total"] or None,
            )
            if is_terminal(job["status"]):
                return job
            time.sleep(0.1)


def _or_exit(fn):  # noqa: ANN001, ANN202
    from pixelsmith.core.errors import ApiError

    try:
        return fn()
    except ApiError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None


def main() -> None:
    app()
