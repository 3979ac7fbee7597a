"""The process-wide set of platform services, built once from Settings.

The web app, the CLI, workers and Python callers all use `Services.create(settings)`, so there is
one way to wire the database, storage, events, executor and models.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from pixelsmith.core import cpu, ratelimit
from pixelsmith.core.catalog.providers import ShoppingProvider, create_provider
from pixelsmith.core.catalog.service import CatalogService
from pixelsmith.core.config import Settings
from pixelsmith.core.db import Database
from pixelsmith.core.events import EventBus, InProcessEventBus
from pixelsmith.core.jobs.executors import Executor, LocalExecutor
from pixelsmith.core.jobs.processes import ProcessExecutor
from pixelsmith.core.jobs.reaper import Reaper
from pixelsmith.core.jobs.runner import JobRunner
from pixelsmith.core.jobs.service import JobService
from pixelsmith.core.storage import Storage, create_storage

log = logging.getLogger("pixelsmith")


def register_job_kinds() -> None:
    """Import every module that registers job kinds (the server and its worker processes)."""
    import pixelsmith.apps  # noqa: F401  (apps register their job kinds on import)
    import pixelsmith.core.generation.jobs  # noqa: F401  (gen.* job kinds)
    import pixelsmith.core.jobs.builtin  # noqa: F401
    from pixelsmith.core.config import get_settings

    for module in filter(None, (m.strip() for m in get_settings().job_modules.split(","))):
        importlib.import_module(module)


@dataclass
class Services:
    settings: Settings
    db: Database
    storage: Storage
    events: EventBus
    runner: JobRunner
    executor: Executor
    jobs: JobService
    catalog: CatalogService
    # None when no shopping API keys are set: lookups are local only.
    shopping: ShoppingProvider | None

    @classmethod
    def create(cls, settings: Settings) -> Services:
        from pixelsmith.core.generation import state as generation_state

        register_job_kinds()

        generation_state.configure(settings)
        cpu.configure(
            settings.resolved_inline_cpu_slots(),
            isolation=settings.inline_cpu_isolation,
            nice=settings.worker_nice,
        )

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.resolved_database_url())
        db.migrate()
        ratelimit.configure(db)  # limits count in this database (every process shares it)
        storage = create_storage(settings)
        events: EventBus
        executor: Executor
        if settings.executor == "celery":  # distributed: Redis pub/sub, Celery workers
            from pixelsmith.core.jobs.celery_executor import CeleryExecutor
            from pixelsmith.core.redis_events import RedisEventBus

            events = RedisEventBus(settings.resolved_events_url(), listen=True)
        else:
            events = InProcessEventBus()
        runner = JobRunner(db, events, storage)
        if settings.executor == "celery":
            executor = CeleryExecutor(settings)
        elif settings.job_isolation == "process":
            executor = ProcessExecutor(settings, events)
        else:
            executor = LocalExecutor(
                runner.run,
                workers=settings.workers,
                max_queued=settings.max_queued_jobs,
                on_cancel=runner.signal_cancel,
            )
        jobs = JobService(db, runner, executor, max_attempts=settings.job_max_attempts)
        if isinstance(executor, ProcessExecutor):
            executor.on_lost = jobs.handle_lost  # a worker that dies mid-job
        catalog = CatalogService(db, storage)
        catalog.ensure_demo()  # first run: a demo catalog, labelled as demo
        return cls(
            settings,
            db,
            storage,
            events,
            runner,
            executor,
            jobs,
            catalog,
            create_provider(settings),
        )

    def start(self) -> None:
        """Start workers and requeue what a previous run left unfinished."""
        self.executor.start()
        if self.settings.executor == "celery":
            # Other processes run jobs: a running row is theirs until its lease runs out.
            self._reaper = Reaper(self.jobs, self.settings)
            self._reaper.start()
        else:
            self.jobs.recover()
        cpu.start()

    def close(self) -> None:
        reaper = getattr(self, "_reaper", None)
        if reaper is not None:
            reaper.stop()
        self.executor.stop(wait=True)
        close_events = getattr(self.events, "close", None)
        if close_events is not None:
            close_events()
        cpu.shutdown()
        if self.shopping is not None:
            self.shopping.close()
        self.db.dispose()
