"""Opening (and migrating) the configured database and loading the demo network."""

from __future__ import annotations

import json

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlmodel import select

from service.config import get_settings
from service.store.db import make_engine, prepare, write_session
from service.store.faults import DatabaseNotWritable, SchemaNotCurrent
from service.store.models import Member
from service.usecases.access import cli_actor
from service.usecases.history_import import write_history
from service.usecases.imports import import_network


class ConfigurationError(Exception):
    """The PEERMATCH_* settings name a database that cannot be used."""


def configured_settings():
    """The PEERMATCH_* settings; a :class:`ConfigurationError` names the one
    to fix."""
    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "PEERMATCH_" + str(first["loc"][0]).upper() if first["loc"] else "PEERMATCH_*"
        raise ConfigurationError(f"{name}: {first['msg']}") from None


def open_engine():
    """The configured database, created and migrated (in read-only mode:
    checked current, not written); a :class:`ConfigurationError` says what to
    fix when it cannot be opened, written or (read-only) used as it is."""
    settings = configured_settings()
    try:
        engine = make_engine(settings.url(), busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        prepare(engine, read_only=settings.read_only)
    except (DatabaseNotWritable, SchemaNotCurrent) as exc:
        raise ConfigurationError(str(exc)) from None
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
    """Import the bundled demo network and its synthetic history (archived
    rounds with their feedback, so nothing is published) into an empty
    database, in one transaction; returns how many members were imported (0
    if the database already had members)."""
    from fixtures import demo_network_path, load_demo_history

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
        write_history(session, load_demo_history(), who=cli_actor())
        return result.created
