"""A running service for the HTTP tests: a fresh database (SQLite file, and
PostgreSQL when PEERMATCH_TEST_DATABASE_URL is set), the demo network and one
key per role."""

from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import dataclass

import sqlalchemy as sa
import uvicorn
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.api.app import create_app
from service.config import Settings
from service.store.db import make_engine
from service.usecases.keys import create_key
from service.usecases.setup import load_demo

PG_URL = os.environ.get("PEERMATCH_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
MEMBER = "ke-coalition"
"""The demo member that owns the member key in the tests."""


@dataclass
class Service:
    app: object
    client: TestClient
    keys: dict[str, str]
    backend: str

    def as_(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}


def database_url(backend: str, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'peermatch.db'}"
    url = _worker_database(PG_URL)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def _worker_database(url: str | None) -> str:
    """``url``, or under pytest-xdist a database of the worker's own next to it
    (created once), since every test starts by emptying its database."""
    assert url
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = sa.make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if found is None:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def fill_as_an_old_release(engine) -> None:
    """The demo members, written as a release before the newest migrations
    did: into the columns the member table has (the models may have more)."""
    from fixtures import demo_network_path
    from service.contract import MemberCreate
    from service.usecases.members import member_columns

    document = json.loads(demo_network_path().read_bytes())
    member = sa.Table("member", sa.MetaData(), autoload_with=engine)
    rows = [
        member_columns(MemberCreate.model_validate(m).model_dump()) for m in document["members"]
    ]
    with engine.begin() as connection:
        connection.execute(
            member.insert(), [{k: v for k, v in row.items() if k in member.c} for row in rows]
        )


def start_service(
    backend: str, tmp_path, *, demo: bool = True, history: bool = True, **settings
) -> Service:
    """``settings`` override the defaults; the write rate limit is off unless
    a test sets ``write_rate`` (most tests write faster than a person).
    ``history=False``: the demo network without its synthetic history, for
    tests that build the history themselves."""
    url = database_url(backend, tmp_path)
    settings = {"write_rate": 0, **settings}
    app = create_app(Settings(database_url=url, data_dir=tmp_path, **settings))
    engine = app.state.engine
    if demo:
        load_demo(engine, history=history)
    keys = {}
    with Session(engine) as session:
        keys["admin"] = create_key(session, name="test-admin", role="admin", member_id=None)
        keys["hub"] = create_key(session, name="test-hub", role="hub", member_id=None)
        if demo:
            keys["member"] = create_key(
                session, name="test-member", role="member", member_id=MEMBER
            )
        session.commit()
    return Service(app, TestClient(app, raise_server_exceptions=False), keys, backend)


class _SignallingServer(uvicorn.Server):
    """A uvicorn server that says when it listens, so a test waits for that
    moment instead of polling."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


class LiveServer:
    """The app under a real uvicorn server in a thread, for tests that need
    truly concurrent requests."""

    def __init__(self, app) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = _SignallingServer(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        assert self.server.ready.wait(timeout=20), "uvicorn did not start"
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
