"""Database faults over HTTP: a database that is down, locked, read-only or
full answers with a problem document (503 with Retry-After, or 507), never a
plain-text 500, writes nothing half-way, and the next request succeeds once
the database is back. (Read-only mode, the start-up checks and /ready:
test_api_read_only.py.)

Each fault is real, not mocked: SQLite's ``mode=ro`` URI and ``PRAGMA
query_only`` (the tests run as root, so chmod would not stop a write),
``PRAGMA max_page_count`` for a full disk, a write lock held by another
connection, PostgreSQL's read-only transactions and ``pg_terminate_backend``,
and a port nobody listens on (tests/db_faults.py)."""

from __future__ import annotations

import socket
import sqlite3
from contextlib import contextmanager

import psycopg
import psycopg.errors
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from service.store.db import make_engine
from tests.api import NEW, json_import, problem
from tests.db_faults import (
    members_total,
    on_every_connection,
    post_new,
    retry_after,
    terminate_connections,
    url_of,
)
from tests.service_env import MEMBER, PG_URL, start_service

# -- any error is a problem document -------------------------------------------------


def _raise(exc):
    def route():
        raise exc

    return route


def _dbapi(orig: Exception) -> sa.exc.DBAPIError:
    return sa.exc.DBAPIError.instance("INSERT INTO member …", {}, orig, psycopg.Error)


@pytest.mark.parametrize(
    ("exc", "status", "kind"),
    [
        (RuntimeError("secret internals"), 500, "internal-error"),
        (_dbapi(psycopg.errors.DiskFull("could not extend file")), 507, "storage-full"),
        (_dbapi(psycopg.errors.ReadOnlySqlTransaction("read-only")), 503, "database-read-only"),
        (_dbapi(psycopg.errors.AdminShutdown("terminating")), 503, "database-unavailable"),
        (_dbapi(psycopg.OperationalError("connection refused")), 503, "database-unavailable"),
        (_dbapi(psycopg.errors.UndefinedTable("no such table")), 500, "internal-error"),
        (sa.exc.TimeoutError("QueuePool limit reached"), 503, "database-unavailable"),
    ],
    ids=["bug", "pg-full", "pg-read-only", "pg-shutdown", "pg-refused", "pg-other", "pool"],
)
def test_every_error_is_a_problem_document(svc, exc, status, kind):
    svc.app.add_api_route("/boom", _raise(exc))
    body = problem(svc.client.get("/boom"), status)
    assert body["type"].endswith("/" + kind)
    assert "secret internals" not in str(body)


def test_an_unclassified_database_error_is_a_500_problem_document(svc):
    engine = make_engine(url_of(svc))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE auditrecord"))
    engine.dispose()
    body = problem(svc.client.get("/v1/audit", headers=svc.as_("admin")), 500)
    assert body["type"].endswith("/internal-error")


# -- unavailable ---------------------------------------------------------------------


def test_a_write_locked_past_the_busy_timeout_is_503_then_writes_resume(tmp_path):
    svc = start_service("sqlite", tmp_path, sqlite_busy_timeout_ms=0)
    holder = sqlite3.connect(tmp_path / "peermatch.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = post_new(svc)
        body = problem(response, 503)
        assert body["type"].endswith("/database-unavailable") and retry_after(response) > 0
        assert svc.client.get(f"/v1/members/{MEMBER}", headers=svc.as_("hub")).status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert post_new(svc).status_code == 201


@contextmanager
def database_down(svc, tmp_path):
    """The service's database out of reach (a PostgreSQL port nobody listens
    on; an SQLite file that cannot be opened), then back."""
    saved = svc.app.state.engine, svc.app.state.auth_engine
    with socket.socket() as bound:  # bound, never listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        if svc.backend == "sqlite":
            url = f"sqlite:///file:{tmp_path / 'gone' / 'peermatch.db'}?mode=ro&uri=true"
        else:
            url = str(sa.make_url(url_of(svc)).set(port=bound.getsockname()[1]))
        svc.app.state.engine = svc.app.state.auth_engine = make_engine(url)
        try:
            yield
        finally:
            svc.app.state.engine.dispose()
            svc.app.state.engine, svc.app.state.auth_engine = saved
    assert not (tmp_path / "gone").exists()


def test_a_database_that_is_down_is_503_and_not_ready_until_it_is_back(svc, tmp_path):
    with database_down(svc, tmp_path):
        response = svc.client.get("/v1/members", headers=svc.as_("admin"))
        body = problem(response, 503)
        assert body["type"].endswith("/database-unavailable") and retry_after(response) > 0
        ready = svc.client.get("/ready")
        body = problem(ready, 503)
        assert "database" in body["detail"] and retry_after(ready) > 0
        assert body["checks"]["database"] == "unavailable"
        assert svc.client.head("/ready").status_code == 503
        assert svc.client.get("/health").status_code == 200
    assert svc.client.get("/v1/members", headers=svc.as_("admin")).status_code == 200
    assert svc.client.get("/ready").status_code == 200


@pytest.mark.skipif(not PG_URL, reason="needs PEERMATCH_TEST_DATABASE_URL")
def test_connections_killed_mid_request_give_503_and_the_next_request_succeeds(tmp_path):
    svc = start_service("postgresql", tmp_path)
    engine, killed = svc.app.state.engine, []

    def kill_before_the_insert(_conn, _cursor, statement, *_args) -> None:
        if not killed and statement.lstrip().upper().startswith("INSERT INTO MEMBER"):
            killed.append(terminate_connections(url_of(svc)))

    event.listen(engine, "before_cursor_execute", kill_before_the_insert)
    try:
        response = post_new(svc)
        assert killed and killed[0] >= 2  # the request's and the key lookup's connections
        assert problem(response, 503)["type"].endswith("/database-unavailable")
        assert retry_after(response) > 0
        missing = svc.client.get(f"/v1/members/{NEW['id']}", headers=svc.as_("admin"))
        assert missing.status_code == 404  # nothing half-written
        assert post_new(svc).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", kill_before_the_insert)
        engine.dispose()
        svc.app.state.auth_engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="needs PEERMATCH_TEST_DATABASE_URL")
def test_idle_connections_killed_between_requests_are_replaced(tmp_path):
    svc = start_service("postgresql", tmp_path)
    try:
        assert members_total(svc) == 126  # both pools now hold an idle connection
        assert terminate_connections(url_of(svc)) >= 2
        assert svc.client.get("/v1/members", headers=svc.as_("admin")).status_code == 200
        assert post_new(svc).status_code == 201
        assert svc.client.get("/ready").status_code == 200
    finally:
        svc.app.state.engine.dispose()
        svc.app.state.auth_engine.dispose()


# -- read-only and full --------------------------------------------------------------

_READ_ONLY = {
    "sqlite": ("PRAGMA query_only = ON",),
    "postgresql": ("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",),
}


def test_a_database_that_turns_read_only_is_503_for_writes_only(svc):
    with on_every_connection(svc.app.state.engine, *_READ_ONLY[svc.backend]):
        response = post_new(svc)
        body = problem(response, 503)
        assert body["type"].endswith("/database-read-only") and retry_after(response) > 0
        assert "read-only" in body["detail"]
        deleted = svc.client.delete(f"/v1/members/{MEMBER}", headers=svc.as_("admin"))
        assert deleted.status_code == 503
        assert svc.client.get(f"/v1/members/{MEMBER}", headers=svc.as_("hub")).status_code == 200
        assert members_total(svc) == 126
    assert post_new(svc).status_code == 201


def test_a_full_database_is_507_and_nothing_is_written(tmp_path):
    svc = start_service("sqlite", tmp_path)
    many = [{**NEW, "id": f"zz-{n:04d}", "description": "x" * 1000} for n in range(300)]
    # max_page_count cannot go below the file's size: 1 means "no more pages".
    with on_every_connection(svc.app.state.engine, "PRAGMA max_page_count = 1"):
        response = json_import(svc, {"schema_version": 1, "members": many})
        body = problem(response, 507)
        assert body["type"].endswith("/storage-full") and "full" in body["detail"]
        assert members_total(svc) == 126
    assert json_import(svc, {"schema_version": 1, "members": many}).status_code == 200
    assert members_total(svc) == 126 + 300


# -- the classification --------------------------------------------------------------


def _sqlite_error(*statements) -> sqlite3.Error:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("CREATE TABLE t (x)")
    try:
        for statement in statements:
            connection.execute(statement)
    except sqlite3.Error as exc:
        return exc
    finally:
        connection.close()
    raise AssertionError("no error")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (lambda: _sqlite_error("PRAGMA query_only = ON", "INSERT INTO t VALUES (1)"), "read_only"),
        (
            lambda: _sqlite_error(
                "PRAGMA max_page_count = 1", "INSERT INTO t VALUES (zeroblob(100000))"
            ),
            "full",
        ),
        (lambda: _sqlite_error("SELECT * FROM missing"), None),
        (lambda: psycopg.errors.DiskFull("x"), "full"),
        (lambda: psycopg.errors.ReadOnlySqlTransaction("x"), "read_only"),
        (lambda: psycopg.errors.AdminShutdown("x"), "unavailable"),
        (lambda: psycopg.errors.TooManyConnections("x"), "unavailable"),
        (lambda: psycopg.errors.ConnectionFailure("x"), "unavailable"),
        (lambda: psycopg.OperationalError("connection refused"), "unavailable"),
        (lambda: psycopg.InterfaceError("the connection is closed"), "unavailable"),
        (lambda: psycopg.errors.UniqueViolation("x"), None),
        (lambda: psycopg.errors.UndefinedTable("x"), None),
        (lambda: ValueError("not a database error"), None),
    ],
)
@pytest.mark.parametrize("wrapped", [False, True])
def test_faults_are_classified_by_code_not_by_message(error, expected, wrapped):
    from service.store.faults import classify

    exc = error()
    if wrapped and not isinstance(exc, ValueError):
        base = sqlite3.Error if isinstance(exc, sqlite3.Error) else psycopg.Error
        exc = sa.exc.DBAPIError.instance("SELECT 1", {}, exc, base)
    assert classify(exc) == expected


def test_a_lost_connection_is_unavailable_whatever_the_driver_says():
    from service.store.faults import classify

    lost = sa.exc.DBAPIError.instance(
        "SELECT 1", {}, RuntimeError("eof"), Exception, connection_invalidated=True
    )
    assert classify(lost) == "unavailable"
