import uuid

import pytest
from sqlalchemy import create_engine, text

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_url():
    """A fresh schema inside the `test` database on the local PostgreSQL, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # an environment problem: say so loudly, never skip
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}")
    yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
