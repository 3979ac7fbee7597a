"""The same migrations and job lifecycle on PostgreSQL (DATABASE_URL), not only SQLite."""

import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from pixelsmith.core.config import Settings
from pixelsmith.core.services import Services

pytestmark = pytest.mark.integration

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_url():
    """A fresh schema per test inside the `test` database, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - environment problem, say so loudly
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}")
    yield f"{ADMIN_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


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
