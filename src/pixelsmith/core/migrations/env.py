"""Alembic environment: runs on the connection Database.migrate() hands over, or on the URL."""

from alembic import context
from sqlalchemy import create_engine

import pixelsmith.apps.backdrop.asset_models  # noqa: F401
import pixelsmith.apps.desk.models  # noqa: F401
import pixelsmith.apps.posture.models  # noqa: F401
import pixelsmith.apps.tags.models  # noqa: F401  (registers the tables on Base.metadata)
import pixelsmith.core.accounts.models  # noqa: F401
import pixelsmith.core.blob_access  # noqa: F401
import pixelsmith.core.catalog.models  # noqa: F401
import pixelsmith.core.jobs.models  # noqa: F401
import pixelsmith.core.ratelimit  # noqa: F401
from pixelsmith.core.db import Base

target_metadata = Base.metadata
config = context.config


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER needs batch mode
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
        _run(conn)
