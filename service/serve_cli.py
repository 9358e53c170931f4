"""`peermatch serve` and `peermatch keys` (registered on the main CLI app by
service.cli)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from sqlmodel import select

from service.auth import Principal, create_key, revoke_key
from service.cli_support import fail
from service.config import get_settings
from service.db import make_engine, migrate, read_session, write_session
from service.models import ApiKey, Member

CLI_ACTOR = Principal(name="cli", role="admin")


class Role(StrEnum):
    admin = "admin"
    hub = "hub"
    member = "member"


def _engine():
    settings = get_settings()
    engine = make_engine(settings.url(), busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    migrate(engine)
    return engine


def load_demo(engine) -> int:
    """Import the bundled demo network into an empty database; returns how
    many members were imported (0 if the database already had members)."""
    from fixtures import demo_network_path
    from service.usecases import import_network

    with write_session(engine) as session:
        if session.exec(select(Member.id).limit(1)).first() is not None:
            return 0
        result = import_network(
            session,
            document=json.loads(demo_network_path().read_bytes()),
            who=CLI_ACTOR,
            source="demo network",
            max_members=10_000,
        )
        return result.created


def _bootstrap_key(engine) -> str | None:
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
        return create_key(session, name=name, role="admin", member_id=None)


def register(app: typer.Typer) -> None:
    """Add the commands to `app`."""

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
        demo: Annotated[
            bool,
            typer.Option("--demo", help="Load the bundled demo network into an empty database."),
        ] = False,
    ) -> None:
        """Start the HTTP service (SQLite in the data directory by default;
        PEERMATCH_DATABASE_URL for PostgreSQL). The database is created and
        migrated on start."""
        import uvicorn

        from service.app import create_app

        settings = get_settings()
        engine = _engine()
        typer.echo(f"database: {engine.url.render_as_string(hide_password=True)}", err=True)
        if demo:
            n = load_demo(engine)
            typer.echo(
                f"demo network: {n} members loaded"
                if n
                else "demo network: database not empty, kept as it is",
                err=True,
            )
        key = _bootstrap_key(engine)
        if key:
            typer.echo(
                "no admin key existed: created one named 'admin' (shown only now; keep it):",
                err=True,
            )
            typer.echo(f"  export PEERMATCH_API_KEY={key}", err=True)
        engine.dispose()
        typer.echo(f"API docs: http://{host}:{port}/docs", err=True)
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")

    keys = typer.Typer(help="Create and revoke API keys.", no_args_is_help=True)

    @keys.command("create")
    def keys_create(
        role: Annotated[Role, typer.Option(help="admin, hub or member.")],
        name: Annotated[str, typer.Option(help="A unique name (the audit trail shows it).")],
        member: Annotated[
            str | None, typer.Option(help="The member a member key belongs to.")
        ] = None,
    ) -> None:
        """Create a key; it is printed once, as the last line, and stored only as a hash."""
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise fail("--name must have 1 to 100 characters")
        if (role is Role.member) != (member is not None):
            raise fail("--member is required for a member key, and only for one")
        engine = _engine()
        with write_session(engine) as session:
            if session.exec(select(ApiKey.id).where(ApiKey.name == name)).first() is not None:
                raise fail(f"a key named '{name}' exists; choose another --name")
            if member is not None and session.get(Member, member) is None:
                raise fail(f"--member '{member}': no such member")
            key = create_key(session, name=name, role=role.value, member_id=member)
        typer.echo(f"created {role.value} key '{name}'; it is shown only once:", err=True)
        typer.echo(key)

    @keys.command("revoke")
    def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
        """Revoke a key at once."""
        engine = _engine()
        with write_session(engine) as session:
            if not revoke_key(session, name=name):
                raise fail(f"no active key named '{name}'")
        typer.echo(f"revoked key '{name}'")

    @keys.command("list")
    def keys_list() -> None:
        """Names, roles and state of the keys (never the keys)."""
        engine = _engine()
        with read_session(engine) as session:
            for k in session.exec(select(ApiKey).order_by(ApiKey.name)).all():
                state = "revoked" if k.revoked_at else "active"
                member = f" member={k.member_id}" if k.member_id else ""
                typer.echo(f"{k.name}\t{k.role}{member}\t{state}")

    app.add_typer(keys, name="keys")
