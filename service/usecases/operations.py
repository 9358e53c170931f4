"""Server-side operations run from the command line: open (and migrate) the
configured database, load the demo network, issue the first admin key."""

from __future__ import annotations

import getpass
import json

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlmodel import select

from service.api.auth import Principal, create_key, revoke_key
from service.config import get_settings
from service.store.db import make_engine, migrate, write_session
from service.store.models import ApiKey, Member
from service.usecases.rounds import audit, import_network


def cli_actor() -> Principal:
    """The audit trail's actor for commands run on the server itself."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Principal(name=f"cli:{user}", role="admin")


class ConfigurationError(Exception):
    """The PEERMATCH_* settings name a database that cannot be used."""


def open_engine():
    """The configured database, created and migrated; a
    :class:`ConfigurationError` says what to fix when it cannot be opened."""
    try:
        settings = get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "PEERMATCH_" + str(first["loc"][0]).upper() if first["loc"] else "PEERMATCH_*"
        raise ConfigurationError(f"{name}: {first['msg']}") from None
    try:
        engine = make_engine(settings.url(), busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        migrate(engine)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigurationError(
            f"PEERMATCH_DATABASE_URL cannot be used ({exc}); write e.g. "
            "postgresql+psycopg://user@localhost/peermatch, or unset it for SQLite"
        ) from None
    except (DBAPIError, OSError) as exc:
        where = make_url(settings.url()).render_as_string(hide_password=True)
        reason = getattr(exc, "orig", None) or exc
        raise ConfigurationError(f"cannot open the database {where}: {reason}") from None
    return engine


def load_demo(engine) -> int:
    """Import the bundled demo network into an empty database; returns how
    many members were imported (0 if the database already had members)."""
    from fixtures import demo_network_path

    with write_session(engine) as session:
        if session.exec(select(Member.id).limit(1)).first() is not None:
            return 0
        result = import_network(
            session,
            document=json.loads(demo_network_path().read_bytes()),
            who=cli_actor(),
            source="demo network",
            max_members=10_000,
        )
        return result.created


def bootstrap_key(engine) -> str | None:
    """A first admin key when the database has no usable one, so a fresh
    install can be used at once."""
    with write_session(engine) as session:
        active = session.exec(
            select(ApiKey.id).where(ApiKey.role == "admin", ApiKey.revoked_at.is_(None))
        ).first()
        if active is not None:
            return None
        name = "admin"
        taken = {k for k in session.exec(select(ApiKey.name)).all()}
        n = 1
        while name in taken:
            n += 1
            name = f"admin-{n}"
        key = create_key(session, name=name, role="admin", member_id=None)
        audit(session, cli_actor(), "key.create", "api_key", name, role="admin")
        return key


def create_api_key(engine, *, name: str, role: str, member: str | None) -> str:
    """A new key (returned once); ValueError says what is wrong with the request."""
    with write_session(engine) as session:
        if session.exec(select(ApiKey.id).where(ApiKey.name == name)).first() is not None:
            raise ValueError(f"a key named '{name}' exists; choose another --name")
        if member is not None and session.get(Member, member) is None:
            raise ValueError(f"--member '{member}': no such member")
        key = create_key(session, name=name, role=role, member_id=member)
        audit(session, cli_actor(), "key.create", "api_key", name, role=role)
        return key


def revoke_api_key(engine, *, name: str) -> bool:
    with write_session(engine) as session:
        if not revoke_key(session, name=name):
            return False
        audit(session, cli_actor(), "key.revoke", "api_key", name)
        return True


def list_api_keys(engine) -> list[tuple[str, str, str | None, bool]]:
    """(name, role, member, active) of every key, by name; never the keys."""
    with write_session(engine) as session:
        rows = session.exec(select(ApiKey).order_by(ApiKey.name)).all()
        return [(k.name, k.role, k.member_id, k.revoked_at is None) for k in rows]
