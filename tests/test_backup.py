"""`peermatch backup` while the service writes, `peermatch restore` into the
stopped service's database, and what both refuse (docs/operations.md).

"The moment" of a backup: every write bumps ``networkstate.version``, and
only the writer thread below writes, so after each of its writes it records
the export at the version that write left. The restored database's version
names the moment the backup copied; its export must be the one recorded at
that version, and writes must have happened before and after that moment.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlmodel import Session
from typer.testing import CliRunner

from service.cli import app as cli
from service.store import backup as store
from service.store.db import MIGRATIONS, make_engine, migrate
from service.usecases.network import network_document, network_version
from service.usecases.setup import load_demo
from tests.api import NEW
from tests.service_env import PG_URL, LiveServer, fill_as_an_old_release, start_service

runner = CliRunner()
MEMBERS = ["af-coalition", "ke-coalition", "bd-coalition", "br-coalition"]
MAX_WRITES = 400
"""Bound of the writer's loop; it stops two writes after the backup ended."""


@pytest.fixture
def configure(monkeypatch, tmp_path):
    """Point the CLI's settings at a database URL."""
    from service.config import get_settings

    monkeypatch.setenv("PEERMATCH_DATA_DIR", str(tmp_path / "data"))

    def use(url: str) -> None:
        monkeypatch.setenv("PEERMATCH_DATABASE_URL", url)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _moment(engine) -> tuple[int, dict]:
    with Session(engine) as session:
        return network_version(session), network_document(session, contacts=True)


def _refused(result, *words: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    for word in words:
        assert word in result.output
    return result.output


def test_a_backup_taken_during_writes_restores_one_moment(svc, tmp_path, configure):
    if svc.backend == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    engine = svc.app.state.engine
    configure(_url(engine))
    out = tmp_path / "peermatch.backup"
    seen = dict([_moment(engine)])
    started, backed_up = threading.Event(), threading.Event()

    def write(server) -> int:
        try:
            with httpx.Client(base_url=server.url, headers=svc.as_("admin"), timeout=60) as c:
                after = 0
                for n in range(MAX_WRITES):
                    if n % 2:
                        member = MEMBERS[n % len(MEMBERS)]
                        r = c.patch(f"/v1/members/{member}", json={"description": f"w{n}"})
                    else:
                        doc = {"schema_version": 1, "members": [{**NEW, "id": f"zz-w{n}"}]}
                        r = c.post("/v1/members/import", json=doc)
                    assert r.status_code in (200, 201), r.text
                    version, document = _moment(engine)
                    seen[version] = document
                    started.set()
                    after += backed_up.is_set()
                    if after == 2:
                        return n + 1
                return MAX_WRITES
        finally:
            started.set()

    with LiveServer(svc.app) as server, ThreadPoolExecutor(1) as pool:
        writer = pool.submit(write, server)
        started.wait()
        made = runner.invoke(cli, ["backup", "--out", str(out)])
        backed_up.set()
        writes = writer.result()
    assert made.exit_code == 0, made.output
    assert writes < MAX_WRITES, "the backup outlasted the writer; raise MAX_WRITES"
    assert len(seen) == writes + 1  # every write bumped the version once

    svc.app.state.engine.dispose()  # the service stops
    svc.app.state.auth_engine.dispose()
    restored = runner.invoke(cli, ["restore", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    check = make_engine(_url(engine))
    version, document = _moment(check)
    check.dispose()
    assert min(seen) < version < max(seen)  # writes went on before and after it
    assert document == seen[version]
    members = len(document["members"])
    assert f": {members} members, schema revision 0006" in made.stdout
    assert f": {members} members, schema revision 0006" in restored.stdout


def _sqlite_service_db(tmp_path, name="live.db"):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    migrate(engine)
    load_demo(engine)
    return engine


def test_backup_refuses_to_overwrite_unless_forced(tmp_path, configure):
    engine = _sqlite_service_db(tmp_path)
    configure(_url(engine))
    out = tmp_path / "b.db"
    out.write_text("keep me")
    _refused(runner.invoke(cli, ["backup", "--out", str(out)]), "exists", "--force")
    assert out.read_text() == "keep me"
    forced = runner.invoke(cli, ["backup", "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert store.inspect_backup(_url(engine), out).members == 126
    assert out.stat().st_mode & 0o077 == 0  # it holds the contact persons
    _refused(runner.invoke(cli, ["backup", "--out", str(tmp_path)]), "is a directory")
    itself = ["backup", "--out", str(tmp_path / "live.db"), "--force"]
    _refused(runner.invoke(cli, itself), "the database itself")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    engine.dispose()


def test_backup_of_a_missing_database_says_which_file(tmp_path, configure):
    configure(f"sqlite:///{tmp_path / 'none.db'}")
    made = runner.invoke(cli, ["backup", "--out", str(tmp_path / "b.db")])
    _refused(made, "no database at", "none.db")
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "b.db").exists()


def test_restore_refuses_what_is_not_a_peermatch_backup(tmp_path, configure):
    engine = _sqlite_service_db(tmp_path)
    configure(_url(engine))
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE member (id TEXT)")
    dump = tmp_path / "pg.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    restore = ["restore", "--yes"]
    _refused(runner.invoke(cli, [*restore, str(text)]), "not a peermatch backup")
    _refused(runner.invoke(cli, [*restore, str(other)]), "no alembic_version table")
    _refused(runner.invoke(cli, [*restore, str(dump)]), "PostgreSQL (pg_dump) backup")
    _refused(runner.invoke(cli, [*restore, str(tmp_path / "gone.db")]), "no such file")
    with Session(engine) as session:
        assert len(network_document(session)["members"]) == 126
    engine.dispose()


def test_restore_refuses_a_backup_of_a_newer_release(tmp_path, configure):
    engine = _sqlite_service_db(tmp_path)
    out = tmp_path / "b.db"
    store.backup(_url(engine), out)
    with sqlite3.connect(out) as db:
        db.execute("UPDATE alembic_version SET version_num = '0999'")
    configure(_url(engine))
    made = runner.invoke(cli, ["restore", str(out), "--yes"])
    _refused(made, "schema revision 0999", "newer release")
    engine.dispose()


def test_restore_needs_a_stopped_service_and_a_yes(tmp_path, configure):
    service = start_service("sqlite", tmp_path / "live")
    try:
        configure(_url(service.app.state.engine))
        out = tmp_path / "b.db"
        assert runner.invoke(cli, ["backup", "--out", str(out)]).exit_code == 0
        answer = service.client.get("/v1/members", headers=service.as_("admin"))
        assert answer.status_code == 200  # the service holds a pooled connection
        made = runner.invoke(cli, ["restore", str(out), "--yes"])
        _refused(made, "in use", "stop peermatch serve")
        assert service.client.get("/v1/members", headers=service.as_("admin")).status_code == 200
    finally:
        service.app.state.engine.dispose()
        service.app.state.auth_engine.dispose()
    _refused(runner.invoke(cli, ["restore", str(out)]), "replace ALL data", "--yes")
    restored = runner.invoke(cli, ["restore", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "126 members" in restored.stdout


@pytest.mark.skipif(
    PG_URL is None or shutil.which("pg_dump") is None,
    reason="needs PEERMATCH_TEST_DATABASE_URL and pg_dump",
)
def test_restore_refuses_a_postgresql_database_in_use(tmp_path, configure):
    svc = start_service("postgresql", tmp_path)
    try:
        configure(_url(svc.app.state.engine))
        out = tmp_path / "b.dump"
        assert runner.invoke(cli, ["backup", "--out", str(out)]).exit_code == 0
        assert svc.client.get("/v1/members", headers=svc.as_("admin")).status_code == 200
        made = runner.invoke(cli, ["restore", str(out), "--yes"])
        _refused(made, "other connection", "stop peermatch serve")
        assert svc.client.get("/v1/members", headers=svc.as_("admin")).status_code == 200
    finally:
        svc.app.state.engine.dispose()
        svc.app.state.auth_engine.dispose()


def test_restore_brings_an_older_backup_up_to_date(tmp_path, configure):
    old = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with old.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")  # as the release before 0004 left it
    fill_as_an_old_release(old)
    out = tmp_path / "old-backup.db"
    assert store.backup(_url(old), out).revision == "0003"
    old.dispose()
    configure(f"sqlite:///{tmp_path / 'new' / 'peermatch.db'}")  # a new machine
    restored = runner.invoke(cli, ["restore", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "126 members, schema revision 0006 (migrated from 0003)" in restored.stdout


def test_missing_postgresql_tools_say_how_to_install_them(tmp_path, configure, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    configure("postgresql+psycopg://peermatch:s3cret@db.invalid/peermatch")
    made = runner.invoke(cli, ["backup", "--out", str(tmp_path / "b.dump")])
    text = _refused(made, "pg_dump not found", "apt install postgresql-client")
    assert "pg_dump --format=custom --no-owner" in text and "b.dump" in text
    assert "s3cret" not in text and "PGPASSWORD=" in text
    dump = tmp_path / "b.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    text = _refused(runner.invoke(cli, ["restore", str(dump), "--yes"]), "pg_restore not found")
    assert "pg_restore --clean --if-exists --no-owner" in text and "s3cret" not in text
