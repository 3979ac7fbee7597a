"""The same migrations and job lifecycle on PostgreSQL (DATABASE_URL), not only SQLite."""

import time

import pytest
from sqlalchemy import text

from pixelsmith.core.config import Settings
from pixelsmith.core.services import Services

pytestmark = pytest.mark.integration


def test_migrations_and_job_lifecycle_on_postgres(tmp_path, pg_url):
    services = Services.create(Settings(data_dir=tmp_path, database_url=pg_url, workers=2))
    services.start()
    try:
        with services.db.engine.connect() as conn:
            tables = set(
                conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                ).scalars()
            )
        assert {"jobs", "artifacts", "alembic_version"} <= tables
        ok = services.jobs.submit("system.sleep", {"seconds": 0.05, "steps": 2})
        long = services.jobs.submit("system.sleep", {"seconds": 30, "steps": 300})
        deadline = time.monotonic() + 20
        while services.jobs.get(ok["id"])["status"] != "succeeded":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        while services.jobs.get(long["id"])["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        services.jobs.cancel(long["id"])
        while services.jobs.get(long["id"])["status"] != "canceled":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        items, total = services.jobs.list()
        assert total == 2 and {j["status"] for j in items} == {"succeeded", "canceled"}
    finally:
        services.close()
    # Migrating again is a no-op.
    Services.create(Settings(data_dir=tmp_path, database_url=pg_url)).close()


def test_api_nodes_starting_together_on_a_fresh_database_migrate_once(pg_url):
    """Three processes' worth of Database.migrate() at once: one migrates, the others wait on
    the advisory lock and find the head (without it, two ran CREATE TABLE jobs at once)."""
    from concurrent.futures import ThreadPoolExecutor

    from pixelsmith.core.db import Database

    dbs = [Database(pg_url) for _ in range(3)]
    try:
        with ThreadPoolExecutor(3) as pool:
            errors = [f.exception() for f in [pool.submit(db.migrate) for db in dbs]]
        assert errors == [None, None, None], errors
        with dbs[0].engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            assert len(list(versions)) == 1
    finally:
        for db in dbs:
            db.dispose()
