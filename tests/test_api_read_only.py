"""Read-only mode, the start-up checks and /ready: a database that cannot
be written stops the service unless it runs read-only (``serve --read-only``,
PEERMATCH_READ_ONLY), where reads work and every write gets 503; read-only, the
schema must be current; /ready says whether the database answers and its
schema is current.

Read-only databases are real: SQLite's ``mode=ro`` URI (the tests run as root,
so chmod would not stop a write) and PostgreSQL's
``default_transaction_read_only``."""

from __future__ import annotations

import importlib
import sqlite3

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.store.db import head_revision
from tests.api import NEW, problem
from tests.db_faults import read_only_url, retry_after, set_revision, url_of
from tests.service_env import BACKENDS, MEMBER, start_service


def _ready_database(backend, tmp_path):
    """A migrated database with the demo network and keys; the writable
    service on it is closed."""
    svc = start_service(backend, tmp_path)
    svc.client.close()
    svc.app.state.engine.dispose()
    svc.app.state.auth_engine.dispose()
    return url_of(svc), svc.keys


def _app(url, tmp_path, **settings):
    return create_app(Settings(database_url=url, data_dir=tmp_path, **settings))


@pytest.mark.parametrize("backend", BACKENDS)
def test_refuses_to_start_on_a_database_it_cannot_write(backend, tmp_path):
    from service.store.faults import DatabaseNotWritable

    url, _ = _ready_database(backend, tmp_path)
    with pytest.raises(DatabaseNotWritable) as refused:
        _app(read_only_url(url), tmp_path)
    message = str(refused.value)
    assert "read-only" in message and "PEERMATCH_READ_ONLY" in message
    assert "permissions" in message


@pytest.mark.parametrize("backend", BACKENDS)
def test_read_only_mode_serves_reads_and_refuses_every_write(backend, tmp_path):
    url, keys = _ready_database(backend, tmp_path)
    app = _app(read_only_url(url), tmp_path, read_only=True)
    admin = {"X-API-Key": keys["admin"]}
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/v1/members?limit=1", headers=admin).json()["total"] == 126
        assert client.get(f"/v1/members/{MEMBER}/recommendations", headers=admin).status_code == 200
        for method, path, body in [
            ("POST", "/v1/members", NEW),
            ("PATCH", f"/v1/members/{MEMBER}", {"description": "x"}),
            ("DELETE", f"/v1/members/{MEMBER}", None),
            ("POST", "/v1/rounds", {"kind": "mentoring"}),
        ]:
            response = client.request(method, path, json=body, headers=admin)
            detail = problem(response, 503)["detail"]
            assert "runs read-only" in detail and retry_after(response) > 0, (method, path)
        assert client.get("/ready").json() == {
            "status": "ready",
            "database": "ok",
            "migrations": "current",
            "read_only": True,
        }
    app.state.engine.dispose()
    app.state.auth_engine.dispose()


def test_read_only_mode_reads_an_sqlite_file_not_in_wal_mode(tmp_path):
    url, keys = _ready_database("sqlite", tmp_path)
    plain = sqlite3.connect(tmp_path / "peermatch.db", isolation_level=None)
    assert plain.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    plain.close()
    app = _app(read_only_url(url), tmp_path, read_only=True)
    with TestClient(app) as client:
        members = client.get("/v1/members?limit=1", headers={"X-API-Key": keys["admin"]})
        assert members.json()["total"] == 126
    app.state.engine.dispose()
    app.state.auth_engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_read_only_mode_refuses_a_schema_that_is_not_current(backend, tmp_path):
    from service.store.faults import SchemaNotCurrent

    url, _ = _ready_database(backend, tmp_path)
    set_revision(url, "0003")
    with pytest.raises(SchemaNotCurrent, match=f"0003.*{head_revision()}"):
        _app(read_only_url(url), tmp_path, read_only=True)
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(SchemaNotCurrent, match="not migrated"):
        _app(read_only_url(empty), tmp_path, read_only=True)
    with pytest.raises(SchemaNotCurrent, match="not migrated"):
        _app(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path, read_only=True)
    assert not (tmp_path / "missing.db").exists()


# -- the command line ----------------------------------------------------------------


@pytest.fixture
def peermatch(monkeypatch, tmp_path):
    """`peermatch ARGS` on PEERMATCH_DATABASE_URL=url, uvicorn replaced by a
    stub that keeps the app `serve` would serve: (result, app or None)."""
    import uvicorn
    from typer.testing import CliRunner

    from service.cli import app as cli
    from service.config import get_settings

    started = []

    def run_stub(app, *, factory=False, **_):
        # `serve` hands uvicorn the workers' factory by name.
        if factory:
            module, name = app.split(":")
            app = getattr(importlib.import_module(module), name)()
        started.append(app)

    monkeypatch.setattr(uvicorn, "run", run_stub)

    def run(url, *args, read_only=False):
        monkeypatch.setenv("PEERMATCH_DATABASE_URL", url)
        monkeypatch.setenv("PEERMATCH_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("PEERMATCH_READ_ONLY", str(read_only))  # --read-only sets it
        get_settings.cache_clear()
        result = CliRunner().invoke(cli, list(args))
        return result, (started.pop() if started else None)

    yield run
    get_settings.cache_clear()


def test_serve_refuses_a_database_it_cannot_write(peermatch, tmp_path):
    url, _ = _ready_database("sqlite", tmp_path)
    result, app = peermatch(read_only_url(url), "serve")
    assert app is None and result.exit_code == 2, result.output
    assert "cannot be written" in result.output and "--read-only" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_serve_read_only_starts_and_refuses_writes(peermatch, tmp_path):
    url, keys = _ready_database("sqlite", tmp_path)
    result, app = peermatch(read_only_url(url), "serve", "--read-only")
    assert result.exit_code == 0, result.output
    assert "read-only" in result.output
    with TestClient(app, raise_server_exceptions=False) as client:
        refused = client.post("/v1/members", json=NEW, headers={"X-API-Key": keys["admin"]})
        assert "runs read-only" in problem(refused, 503)["detail"]
        assert client.get("/ready").json()["read_only"] is True
    app.state.engine.dispose()
    app.state.auth_engine.dispose()


def test_serve_read_only_refuses_a_schema_that_is_not_current(peermatch, tmp_path):
    url, _ = _ready_database("sqlite", tmp_path)
    set_revision(url, "0003")
    result, app = peermatch(read_only_url(url), "serve", "--read-only")
    assert app is None and result.exit_code == 2, result.output
    assert "0003" in result.output and head_revision() in result.output
    assert "Traceback" not in result.output


def test_commands_that_write_refuse_to_run_read_only(peermatch, tmp_path):
    url, _ = _ready_database("sqlite", tmp_path)
    result, app = peermatch(url, "serve", "--read-only", "--demo")
    assert app is None and result.exit_code == 2 and "--demo" in result.output
    for command in (["keys", "create", "--role", "hub", "--name", "x"], ["keys", "revoke", "x"]):
        result, _ = peermatch(url, *command, read_only=True)
        assert result.exit_code == 2 and "PEERMATCH_READ_ONLY" in result.output, command
    result, _ = peermatch(url, "keys", "list", read_only=True)
    assert result.exit_code == 0 and "test-admin" in result.output


# -- readiness -----------------------------------------------------------------------


def test_ready_when_the_database_answers_and_the_schema_is_current(svc):
    response = svc.client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "migrations": "current",
        "read_only": False,
    }
    head = svc.client.head("/ready")
    assert head.status_code == 200 and head.content == b""


def test_not_ready_when_the_schema_is_not_current(svc):
    set_revision(url_of(svc), "0003")
    response = svc.client.get("/ready")
    body = problem(response, 503)
    assert "migrations" in body["detail"] and "0003" in body["detail"]
    assert body["checks"] == {
        "database": "ok",
        "migrations": "not current",
        "read_only": False,
    }
    assert retry_after(response) > 0
    assert svc.client.head("/ready").status_code == 503


def test_a_console_session_opened_before_read_only_mode_keeps_reading(tmp_path):
    from datetime import timedelta

    from service.store.db import make_engine
    from service.store.models import utcnow
    from service.usecases import console_sessions

    url, keys = _ready_database("sqlite", tmp_path)
    engine = make_engine(url)
    # Signed in two hours ago: this visit would record the use (a write).
    earlier = utcnow() - timedelta(hours=2)
    token, _ = console_sessions.sign_in(engine, keys["admin"], now=earlier)
    engine.dispose()
    app = _app(read_only_url(url), tmp_path, read_only=True)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        client.cookies.set("console_session", token, domain="127.0.0.1", path="/console")
        assert client.get("/console/overview").status_code == 200
    app.state.engine.dispose()
    app.state.auth_engine.dispose()
