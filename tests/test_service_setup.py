"""Settings, migrations and the `serve` / `keys` commands."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from service.api.app import create_app
from service.cli import app as cli
from service.config import Settings
from service.store.db import MIGRATIONS, make_engine, migrate
from service.store.models import ApiKey, AuditRecord, Member, Relation
from service.usecases.keys import hash_key
from service.usecases.setup import load_demo
from tests.service_env import BACKENDS, database_url, fill_as_an_old_release

runner = CliRunner()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_build_exactly_the_models(backend, tmp_path):
    engine = make_engine(database_url(backend, tmp_path))
    migrate(engine)
    migrate(engine)  # a second start changes nothing
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_downgrade_and_upgrade_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    migrate(engine)
    assert {"member", "round", "proposal", "feedback"} <= set(sa.inspect(engine).get_table_names())
    engine.dispose()


def test_default_database_is_sqlite_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PEERMATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PEERMATCH_DATABASE_URL", raising=False)
    assert Settings().url() == f"sqlite:///{tmp_path / 'data' / 'peermatch.db'}"
    monkeypatch.setenv("PEERMATCH_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings().url() == "postgresql+psycopg://u@h/db"


def test_demo_loads_only_into_an_empty_database(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    assert load_demo(engine) == 126
    assert load_demo(engine) == 0


def test_keys_create_list_revoke(tmp_path, monkeypatch):
    monkeypatch.setenv("PEERMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PEERMATCH_DATABASE_URL", raising=False)
    from service.config import get_settings

    get_settings.cache_clear()
    try:
        made = runner.invoke(cli, ["keys", "create", "--role", "hub", "--name", "learning-hub"])
        assert made.exit_code == 0, made.output
        key = made.stdout.strip().splitlines()[-1]
        assert key.startswith("pm_") and len(key) > 40
        engine = make_engine(f"sqlite:///{tmp_path / 'peermatch.db'}")
        with Session(engine) as session:
            row = session.exec(select(ApiKey)).one()
            assert row.role == "hub" and key not in row.key_hash
        again = runner.invoke(cli, ["keys", "create", "--role", "hub", "--name", "learning-hub"])
        assert again.exit_code == 2 and "exists" in again.output
        member = runner.invoke(cli, ["keys", "create", "--role", "member", "--name", "m"])
        assert member.exit_code == 2 and "--member" in member.output
        unknown = runner.invoke(
            cli, ["keys", "create", "--role", "member", "--name", "m", "--member", "zz"]
        )
        assert unknown.exit_code == 2 and "no such member" in unknown.output
        listed = runner.invoke(cli, ["keys", "list"])
        assert "learning-hub\thub\tactive" in listed.stdout and key not in listed.stdout
        assert runner.invoke(cli, ["keys", "revoke", "learning-hub"]).exit_code == 0
        assert runner.invoke(cli, ["keys", "revoke", "learning-hub"]).exit_code == 2
        with Session(engine) as session:
            assert session.exec(select(ApiKey)).one().revoked_at is not None
            assert session.exec(select(Member)).first() is None
            actions = [r.action for r in session.exec(select(AuditRecord)).all()]
            assert actions == ["key.create", "key.revoke"]
    finally:
        get_settings.cache_clear()


def _migrate_to(engine, revision: str) -> None:
    """The database as an older release left it: migrated up to ``revision``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_migration_0003_cleans_what_the_contract_now_refuses(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    _migrate_to(engine, "0002")
    fill_as_an_old_release(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO relation (kind, a, b, label) VALUES "
                "('history', 'ke-coalition', 'ke-coalition', 'old'), "
                "('history', 'af-coalition', 'ke-coalition', 'old')"
            )
        )
        connection.execute(
            sa.text(
                "UPDATE member SET name = 'K' || char(0) || 'E', description = char(0) "
                "WHERE id = 'ke-coalition'"
            )
        )
        connection.execute(sa.text("UPDATE member SET name = char(0) WHERE id = 'af-coalition'"))
    migrate(engine)
    with Session(engine) as session:
        history = session.exec(
            sa.text("SELECT a, b FROM relation WHERE kind = 'history' AND label = 'old'")
        ).all()
        assert [tuple(row) for row in history] == [("af-coalition", "ke-coalition")]
        ke, af = session.get(Member, "ke-coalition"), session.get(Member, "af-coalition")
        assert (ke.name, ke.description, af.name) == ("KE", "", "af-coalition")
    from service.contract import validate_network
    from service.usecases.network import network_document

    with Session(engine) as session:
        assert len(validate_network(network_document(session)).members) == 126
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0004_removes_control_characters_stored_earlier(backend, tmp_path):
    engine = make_engine(database_url(backend, tmp_path))
    _migrate_to(engine, "0003")
    fill_as_an_old_release(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE member SET name = :name, description = :description, "
                "contact_name = :contact WHERE id = 'ke-coalition'"
            ),
            {
                "name": "K\u001b]52;c;x\u0007E\u202e",
                "description": "a\r\nb\tc\u009b",
                "contact": "\u2066Achieng",
            },
        )
        connection.execute(
            sa.text("UPDATE member SET name = :name WHERE id = 'af-coalition'"),
            {"name": "\u001b\u009b"},
        )
        connection.execute(
            sa.text(
                "INSERT INTO relation (kind, a, b, label) VALUES "
                "('history', 'af-coalition', 'ke-coalition', :dirty), "
                "('history', 'af-coalition', 'ke-coalition', '2025')"
            ),
            {"dirty": "2025\u202e"},
        )
    migrate(engine)
    with Session(engine) as session:
        ke, af = session.get(Member, "ke-coalition"), session.get(Member, "af-coalition")
        assert (ke.name, ke.description, ke.contact_name) == ("K]52;c;xE", "a\nb\tc", "Achieng")
        assert af.name == "af-coalition"
        labels = session.exec(
            sa.text(
                "SELECT label FROM relation WHERE kind = 'history' "
                "AND a = 'af-coalition' AND b = 'ke-coalition'"
            )
        ).all()
        assert [row[0] for row in labels] == ["2025"]
    from service.contract import validate_network
    from service.usecases.network import network_document

    with Session(engine) as session:
        assert len(validate_network(network_document(session)).members) == 126
    engine.dispose()


def test_key_names_refuse_control_characters(tmp_path, monkeypatch):
    monkeypatch.setenv("PEERMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PEERMATCH_DATABASE_URL", raising=False)
    made = runner.invoke(cli, ["keys", "create", "--role", "hub", "--name", "hub\u009b2J"])
    assert made.exit_code == 2 and "U+009B (CSI)" in made.output
    assert "\u009b" not in made.output


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0005_dates_the_members_stored_earlier(backend, tmp_path):
    engine = make_engine(database_url(backend, tmp_path))
    _migrate_to(engine, "0004")
    fill_as_an_old_release(engine)
    before = datetime.now(UTC)
    migrate(engine)
    after = datetime.now(UTC)
    with Session(engine) as session:
        members = session.exec(select(Member)).all()
        assert len(members) == 126
        assert {m.updated_at for m in members} == {members[0].updated_at}
        assert before <= members[0].updated_at <= after
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0006_keeps_relations_stored_earlier_without_provenance(backend, tmp_path):
    engine = make_engine(database_url(backend, tmp_path))
    _migrate_to(engine, "0005")
    relation = sa.Table("relation", sa.MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(
            relation.insert(), [{"kind": "exclusion", "a": "a", "b": "b", "label": ""}]
        )
    migrate(engine)
    with Session(engine) as session:
        (row,) = session.exec(select(Relation)).all()
        assert (row.kind, row.a, row.b, row.note) == ("exclusion", "a", "b", "")
        assert row.created_by is None and row.created_at is None and row.round_id is None
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
    engine.dispose()


def test_the_member_table_stores_exactly_the_declared_member_fields():
    from service.contract import MEMBER_FIELDS
    from service.store.models import MEMBER_BOOKKEEPING_COLUMNS

    # The profile is declared once (the contract); the table adds only
    # bookkeeping columns, which no document or answer shows as a field.
    assert not set(MEMBER_BOOKKEEPING_COLUMNS) & set(MEMBER_FIELDS)
    assert sorted(Member.__table__.columns.keys()) == sorted(
        [*MEMBER_FIELDS, *MEMBER_BOOKKEEPING_COLUMNS]
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0009_keeps_feedback_given_earlier_working(backend, tmp_path):
    url = database_url(backend, tmp_path)
    engine = make_engine(url)
    _migrate_to(engine, "0008")
    tables = sa.MetaData()
    rnd, proposal, apikey, feedback = (
        sa.Table(name, tables, autoload_with=engine)
        for name in ("round", "proposal", "apikey", "feedback")
    )
    secrets = {"old-admin": "pm_old-admin-secret", "old-member": "pm_old-member-secret"}
    with engine.begin() as connection:
        connection.execute(
            rnd.insert(),
            [
                {
                    "id": 1,
                    "kind": "mentoring",
                    "status": "published",
                    "options": {},
                    "taxonomy_version": "2026.1",
                    "input_sha256": "0" * 64,
                    "revision": 1,
                    "summary": {},
                    "created_at": datetime.now(UTC),
                    "created_by": "old-admin",
                }
            ],
        )
        members = [{"member": "ng-coalition", "role": "mentor"}]
        members.append({"member": "ke-coalition", "role": "mentee"})
        connection.execute(
            proposal.insert(),
            [
                {
                    "id": 7,
                    "round_id": 1,
                    "revision": 1,
                    "kind": "pair",
                    "status": "approved",
                    "mentor": "ng-coalition",
                    "mentee": "ke-coalition",
                    "members": members,
                    "languages": ["en"],
                    "score": 0.5,
                    "reasons": [],
                    "note": "",
                }
            ],
        )
        connection.execute(
            apikey.insert(),
            [
                {
                    "name": name,
                    "key_hash": hash_key(secret),
                    "role": name.removeprefix("old-"),
                    "member_id": "ke-coalition" if name == "old-member" else None,
                    "created_at": datetime.now(UTC),
                }
                for name, secret in secrets.items()
            ],
        )
        connection.execute(
            feedback.insert(),
            [
                {"proposal_id": 7, "author": author, "met": True, "usefulness": 3, "comment": c}
                | {"created_at": datetime.now(UTC)}
                for author, c in (("old-member", "from the mentee"), ("old-admin", "by phone"))
            ],
        )
    engine.dispose()
    app = create_app(Settings(database_url=url, data_dir=tmp_path, write_rate=0))  # migrates
    with TestClient(app) as client:
        admin, member = ({"X-API-Key": secrets[k]} for k in ("old-admin", "old-member"))
        listed = client.get("/v1/rounds/1/feedback", headers=admin).json()["items"]
        assert [
            (a["author"], a["member"], a["themes_learned"], a["continued"]) for a in listed
        ] == [
            ("old-member", "ke-coalition", [], None),
            ("old-admin", None, [], None),
        ]
        # Each author edits its own answer: the same row, nothing added.
        edit = {"met": False, "usefulness": 5, "themes_learned": ["teachers"]}
        for headers in (member, admin):
            assert (
                client.post("/v1/proposals/7/feedback", json=edit, headers=headers).status_code
                == 200
            )
        listed = client.get("/v1/rounds/1/feedback", headers=admin).json()["items"]
        assert [(a["id"], a["usefulness"], a["themes_learned"]) for a in listed] == [
            (listed[0]["id"], 5, ["teachers"]),
            (listed[1]["id"], 5, ["teachers"]),
        ]
        assert [a["comment"] for a in listed] == ["", ""]  # a body without one clears it
    app.state.engine.dispose()
    app.state.auth_engine.dispose()
