"""`peermatch serve` and `peermatch keys` (registered on the main CLI app by
service.cli).

The service stack (FastAPI, SQLAlchemy, alembic) is imported inside these
commands only: every other command then starts ~1.4 s sooner."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated

import typer

from service.cli.support import fail
from service.safe_text import escape_controls


class Role(StrEnum):
    admin = "admin"
    hub = "hub"
    member = "member"


def _open_engine(*, writes: bool = False):
    from service.usecases import setup

    try:
        engine = setup.open_engine()
    except setup.ConfigurationError as exc:
        raise fail(str(exc)) from None
    if writes:
        from service.config import get_settings

        if get_settings().read_only:
            raise fail("this command writes to the database: unset PEERMATCH_READ_ONLY")
    return engine


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
        access_log: Annotated[
            bool, typer.Option("--access-log", hidden=True, help="Same as --request-log.")
        ] = False,
        forwarded_allow_ips: Annotated[
            str | None,
            typer.Option(
                help="Addresses of the reverse proxies whose X-Forwarded-For and "
                "X-Forwarded-Proto headers are trusted, comma-separated ('*': any). "
                "Default: $FORWARDED_ALLOW_IPS, else 127.0.0.1,::1 (a proxy on this machine).",
            ),
        ] = None,
        read_only: Annotated[
            bool,
            typer.Option(
                "--read-only",
                help="Serve reads only (writes get 503), e.g. on a read-only database "
                "or replica; nothing is migrated, the schema must be current. "
                "Also PEERMATCH_READ_ONLY=true.",
            ),
        ] = False,
        workers: Annotated[
            int,
            typer.Option(
                help="Worker processes; each has its own cache, recommendation memo "
                "and rate limits; they share the database and the metrics.",
                min=1,
            ),
        ] = 1,
        request_log: Annotated[
            bool,
            typer.Option(
                "--request-log/--no-request-log", help="One JSON line per request on stderr."
            ),
        ] = True,
    ) -> None:
        """Start the HTTP service (SQLite in the data directory by default;
        PEERMATCH_DATABASE_URL for PostgreSQL). The database is created and
        migrated on start; one that cannot be written is refused unless
        --read-only. Workers start after that."""
        from service import metrics
        from service.config import get_settings

        # First, before anything is measured in this process: the workers
        # inherit the directory where they write their metrics.
        metrics.multiprocess_directory()
        import uvicorn

        from service.api import observability
        from service.usecases import jobs, keys, setup

        if read_only:
            # In the environment: the app's settings, in any process, say so too.
            os.environ["PEERMATCH_READ_ONLY"] = "true"
            get_settings.cache_clear()
        engine = _open_engine()
        typer.echo(f"database: {engine.url.render_as_string(hide_password=True)}", err=True)
        read_only = get_settings().read_only
        if read_only:
            if demo:
                raise fail("--demo writes the demo network: it cannot run read-only")
            typer.echo("read-only: reads are served, writes get 503", err=True)
        if demo:
            n = setup.load_demo(engine)
            typer.echo(
                f"demo network: {n} members loaded, with a synthetic history of past rounds "
                "and feedback (fixtures/README.md)"
                if n
                else "demo network: database not empty, kept as it is",
                err=True,
            )
        if not read_only and (n := jobs.fail_interrupted(engine)):
            # Here, in the one parent process: a worker doing it would fail
            # the jobs its siblings have just queued.
            typer.echo(f"{n} unfinished job(s) of the last run marked failed", err=True)
        key = None if read_only else keys.bootstrap_key(engine)
        if key:
            typer.echo(
                "no admin key existed: created one named 'admin' (shown only now; keep it):",
                err=True,
            )
            typer.echo(f"  export PEERMATCH_API_KEY={key}", err=True)
        engine.dispose()
        shown = f"[{host}]" if ":" in host else host
        typer.echo(
            f"console:  http://{shown}:{port}/console/ (sign in with an admin key)", err=True
        )
        typer.echo(f"API docs: http://{shown}:{port}/docs", err=True)
        # Each worker builds the app from the environment it inherits (the
        # settings, the metrics directory): workers need an import string.
        uvicorn.run(
            "service.api.app:app_from_environment",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            forwarded_allow_ips=forwarded_allow_ips,
            log_config=observability.log_config(request_log=request_log or access_log),
            access_log=False,  # the request log replaces uvicorn's, with more in one line
        )

    keys_cli = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)

    @keys_cli.command("create")
    def keys_create(
        role: Annotated[Role, typer.Option(help="admin, hub or member.")],
        name: Annotated[str, typer.Option(help="A unique name (the audit trail shows it).")],
        member: Annotated[
            str | None, typer.Option(help="The member a member key belongs to.")
        ] = None,
    ) -> None:
        """Create a key; it is printed once, as the last line, and stored only as a hash."""
        from service.usecases import keys

        name = name.strip()
        try:
            keys.check_key_request(name, role.value, member)
            key = keys.create_api_key(
                _open_engine(writes=True), name=name, role=role.value, member=member
            )
        except ValueError as exc:
            raise fail(str(exc)) from None
        typer.echo(f"created {role.value} key '{name}'; it is shown only once:", err=True)
        typer.echo(key)

    @keys_cli.command("revoke")
    def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
        """Revoke a key at once."""
        from service.usecases import keys

        if not keys.revoke_api_key(_open_engine(writes=True), name=name):
            raise fail(f"no active key named '{name}'")
        typer.echo(f"revoked key '{name}'")

    @keys_cli.command("list")
    def keys_list() -> None:
        """Names, roles and state of the keys (never the keys)."""
        from service.usecases import keys

        for name, role, member, active in keys.list_api_keys(_open_engine()):
            extra = f" member={member}" if member else ""
            line = f"{name}\t{role}{extra}\t{'active' if active else 'revoked'}"
            typer.echo(escape_controls(line))

    app.add_typer(keys_cli, name="keys")
