"""What a database error means for the service: the database is unavailable
(down, connection lost, locked past the busy timeout), read-only, or its
storage is full — or none of these (a bug, not the database's state).

Classified by exception class and error code (SQLite's result code,
PostgreSQL's SQLSTATE), not by message text: the HTTP layer
(``service.api.problems``) answers 503 or 507 from this, and the start-up
checks (``service.store.db.prepare``) refuse a database that cannot be
written."""

from __future__ import annotations

import sqlite3
from enum import StrEnum

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class Fault(StrEnum):
    unavailable = "unavailable"
    read_only = "read_only"
    full = "full"


# SQLite primary result codes (the low byte of an extended code).
_SQLITE = {
    5: Fault.unavailable,  # SQLITE_BUSY: "database is locked" after the busy timeout
    6: Fault.unavailable,  # SQLITE_LOCKED
    8: Fault.read_only,  # SQLITE_READONLY: "attempt to write a readonly database"
    10: Fault.unavailable,  # SQLITE_IOERR (a full disk is SQLITE_FULL)
    13: Fault.full,  # SQLITE_FULL: "database or disk is full" (or max_page_count)
    14: Fault.unavailable,  # SQLITE_CANTOPEN
    15: Fault.unavailable,  # SQLITE_PROTOCOL (WAL lock race)
}

# PostgreSQL SQLSTATEs, exact, then by class (the first two characters).
_SQLSTATE = {
    "25006": Fault.read_only,  # read_only_sql_transaction (a standby, or set read-only)
    "53100": Fault.full,  # disk_full
    "55P03": Fault.unavailable,  # lock_not_available (lock_timeout)
    "57014": Fault.unavailable,  # query_canceled (statement_timeout)
    "57P01": Fault.unavailable,  # admin_shutdown (pg_terminate_backend, a restart)
    "57P02": Fault.unavailable,  # crash_shutdown
    "57P03": Fault.unavailable,  # cannot_connect_now (starting up, recovering)
    "57P05": Fault.unavailable,  # idle_session_timeout
    "58030": Fault.unavailable,  # io_error
}
_SQLSTATE_CLASS = {
    "08": Fault.unavailable,  # connection exception
    "53": Fault.unavailable,  # insufficient resources (too many connections, memory)
}
_UNAVAILABLE_CLASSES = {"OperationalError", "InterfaceError"}
"""PEP 249 classes that mean "the database, not the statement", for drivers
with neither a SQLite code nor a SQLSTATE (e.g. psycopg before it connects)."""


def classify(exc: BaseException) -> Fault | None:
    """The fault behind ``exc`` (or what it was raised from), or None when
    ``exc`` says nothing about the database's state."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        fault = _classify_one(current)
        if fault is not None:
            return fault
        current = current.__cause__
    return None


def _classify_one(exc: BaseException) -> Fault | None:
    if isinstance(exc, PoolTimeout | DisconnectionError):
        return Fault.unavailable
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return Fault.unavailable
        known, fault = _driver(exc.orig)
        if known:
            return fault
        return Fault.unavailable if _unavailable_class(exc) else None
    known, fault = _driver(exc)
    return fault if known else None


def _driver(exc: BaseException | None) -> tuple[bool, Fault | None]:
    """(whether the driver's error says what it is, the fault it names)."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None:
            return True, None
        return True, _SQLITE.get(code & 0xFF)
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if isinstance(state, str) and len(state) == 5:
        fault = _SQLSTATE.get(state) or _SQLSTATE_CLASS.get(state[:2])
        return True, fault
    if exc is not None and _unavailable_class(exc):
        return True, Fault.unavailable
    return False, None


def _unavailable_class(exc: BaseException) -> bool:
    return any(cls.__name__ in _UNAVAILABLE_CLASSES for cls in type(exc).__mro__)


class DatabaseNotWritable(Exception):
    """The database refuses writes (read-only, or its storage is full) and the
    service was not started read-only."""

    def __init__(self, where: str, fault: Fault, reason: str) -> None:
        self.where, self.fault, self.reason = where, fault, reason
        why = "it is read-only" if fault is Fault.read_only else "its storage is full"
        super().__init__(
            f"the database {where} cannot be written: {why} ({reason}). To serve "
            "reads only, start with --read-only (or set PEERMATCH_READ_ONLY=true); "
            "otherwise fix the permissions/disk (or point PEERMATCH_DATABASE_URL "
            "at a writable primary)"
        )


class SchemaNotCurrent(Exception):
    """Read-only mode found a schema other than the newest migration's."""

    def __init__(self, where: str, revision: str | None, head: str) -> None:
        self.where, self.revision, self.head = where, revision, head
        found = f"is at revision {revision}" if revision else "is not migrated (missing or empty)"
        super().__init__(
            f"the database {where} {found}, but this release of peermatch needs "
            f"revision {head}; read-only mode cannot migrate it: start once without "
            "--read-only on a writable database to migrate it, or run the release "
            "that matches the schema"
        )


def probe_write(engine: Engine) -> None:
    """Write in a transaction that is rolled back: raises the database's own
    error when it refuses writes. The write is a no-op update of the alembic
    revision (a migrated database), else a table created and dropped again
    by the rollback (an empty one)."""
    with engine.connect() as connection:
        connection = connection.execution_options(peermatch_write=True)
        transaction = connection.begin()
        try:
            if inspect(connection).has_table("alembic_version"):
                connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
            else:
                connection.execute(text("CREATE TABLE peermatch_write_probe (x INTEGER)"))
        finally:
            transaction.rollback()
