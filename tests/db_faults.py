"""Database faults for the tests, real and reversible: settings on every new
connection, read-only URLs, an older schema revision, killed connections."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event

from service.store.db import make_engine
from tests.api import NEW


def url_of(svc) -> str:
    return svc.app.state.settings.url()


@contextmanager
def on_every_connection(engine, *statements):
    """Run ``statements`` on each new connection of ``engine`` (its pool is
    emptied on entry and exit, so the setting applies at once and ends)."""

    def run(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()
        dbapi_connection.commit()  # a PostgreSQL SET SESSION survives the pool's rollback

    event.listen(engine, "connect", run)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", run)
        engine.dispose()


def read_only_url(url: str) -> str:
    """``url`` opened so that the database refuses every write."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    options = {"options": "-c default_transaction_read_only=on"}
    return parsed.update_query_dict(options).render_as_string(hide_password=False)


def set_revision(url: str, revision: str) -> None:
    """Make the database look as if an older release had migrated it."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def terminate_connections(url: str) -> int:
    """Kill every connection to the database of ``url`` (the service's), as a
    PostgreSQL restart or failover does; returns how many were killed."""
    parsed = sa.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": parsed.database},
        ).all()
    admin.dispose()
    assert all(done for (done,) in killed)
    return len(killed)


def retry_after(response) -> int:
    return int(response.headers["retry-after"])


def members_total(svc) -> int:
    return svc.client.get("/v1/members?limit=1", headers=svc.as_("admin")).json()["total"]


def post_new(svc, **changes):
    return svc.client.post("/v1/members", json={**NEW, **changes}, headers=svc.as_("admin"))
