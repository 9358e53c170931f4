"""Engine, migrations and sessions.

SQLite runs in WAL mode (readers never wait for the writer) and every write
transaction starts with ``BEGIN IMMEDIATE``: two writers queue on the busy
timeout instead of failing with "database is locked" half-way through an
upgrade from a read lock. On PostgreSQL, rows that guard an invariant are
locked with ``SELECT … FOR UPDATE`` (see ``service.usecases.rounds``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import Session, create_engine

from service.store.faults import (
    DatabaseNotWritable,
    Fault,
    SchemaNotCurrent,
    classify,
    probe_write,
)

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(
    url: str, *, busy_timeout_ms: int = 30_000, pool_size: int = 5, max_overflow: int = 10
) -> Engine:
    """An engine for ``url``; SQLite files get their directory created (not
    for a read-only ``file:…?mode=ro&uri=true`` URI)."""
    parsed = make_url(url)
    pool = {"pool_size": pool_size, "max_overflow": max_overflow}
    if parsed.get_backend_name() != "sqlite":
        # pool_pre_ping: a connection the server dropped (a restart, a
        # failover) is replaced on checkout instead of failing a request.
        return create_engine(url, pool_pre_ping=True, **pool)
    path = _sqlite_path(parsed)
    if path is not None and parsed.query.get("mode") != "ro":
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # Autocommit at the driver level: SQLAlchemy's "begin" event below
        # then decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            # A read-only file in rollback-journal mode stays so: still readable.
            if classify(exc) is not Fault.read_only:
                raise
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        immediate = connection.get_execution_options().get("peermatch_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _sqlite_path(parsed) -> Path | None:
    database = parsed.database
    if not database or database == ":memory:":
        return None
    if parsed.query.get("uri") == "true":
        if not database.startswith("file:") or parsed.query.get("mode") == "memory":
            return None
        database = database.removeprefix("file:").removeprefix("//")
    return Path(database)


def describe(url) -> str:
    """``url`` for a message: an SQLite file's path, else the URL without its
    password."""
    parsed = make_url(url)
    path = _sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
    return str(path) if path is not None else parsed.render_as_string(hide_password=True)


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@lru_cache
def head_revision() -> str:
    """The newest migration's revision."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def schema_revision(connection: Connection) -> str | None:
    """The database's alembic revision (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def prepare(engine: Engine, *, read_only: bool = False) -> None:
    """The start-up checks. Read-write: the database must take a write
    (probed in a transaction that is rolled back), then it is migrated;
    otherwise :class:`DatabaseNotWritable`. Read-only: nothing is written or
    migrated, but the schema must be the newest migration's, otherwise
    :class:`SchemaNotCurrent`."""
    where = describe(engine.url)
    if read_only:
        path = _sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
        if path is not None and not path.exists():  # connecting would create it
            raise SchemaNotCurrent(where, None, head_revision())
        with engine.connect() as connection:
            revision = schema_revision(connection)
        if revision != head_revision():
            raise SchemaNotCurrent(where, revision, head_revision())
        return
    try:
        probe_write(engine)
        migrate(engine)
    except DBAPIError as exc:
        fault = classify(exc)
        if fault is Fault.read_only or fault is Fault.full:
            raise DatabaseNotWritable(where, fault, str(exc.orig)) from exc
        raise


@dataclass(frozen=True)
class Readiness:
    database: str
    """"ok", or "unavailable" when it does not answer."""
    migrations: str
    """"current", "not current", or "unknown" when the database does not answer."""
    revision: str | None
    head: str
    error: str = ""
    """Why the database did not answer (for the log, not for clients)."""

    @property
    def ready(self) -> bool:
        return self.database == "ok" and self.migrations == "current"


def readiness(engine: Engine) -> Readiness:
    """Whether the database answers and its schema is the newest migration's."""
    head = head_revision()
    try:
        with engine.connect() as connection:
            revision = schema_revision(connection)
    except SQLAlchemyError as exc:
        error = str(getattr(exc, "orig", None) or exc)
        return Readiness("unavailable", "unknown", None, head, error=error)
    return Readiness("ok", "current" if revision == head else "not current", revision, head)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


_WRITE_LOCK = text("SELECT version FROM networkstate WHERE id = 1 FOR UPDATE")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: committed when the block ends, rolled back on
    any error (nothing half-written).

    Writers are serialised on both databases: SQLite by BEGIN IMMEDIATE, and
    PostgreSQL by locking the one network-state row first. Writes come from
    the secretariat and are short (rounds are computed before their write
    transaction), so one writer at a time costs nothing and rules out
    check-then-write races (capacity on approval, one published round per
    kind, a decision racing a deletion)."""
    with Session(engine.execution_options(peermatch_write=True)) as session:
        try:
            if engine.dialect.name != "sqlite":
                session.exec(_WRITE_LOCK)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
