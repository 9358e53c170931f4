"""Alembic environment: run on the connection that service.store.db.migrate passes
in (``config.attributes["connection"]``), or on PEERMATCH_DATABASE_URL when run
from the ``alembic`` command line."""

from alembic import context
from sqlmodel import SQLModel

import service.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from service.config import get_settings
from service.store.db import make_engine

target_metadata = SQLModel.metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with make_engine(get_settings().url()).connect() as fresh:
        run(fresh)
