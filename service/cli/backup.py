"""`peermatch backup` and `peermatch restore` (registered on the main CLI app
by service.cli; docs/operations.md says when and how to use them)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from service.cli.support import fail


def _database_url() -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from service.usecases import setup

    try:
        url = setup.configured_settings().url()
        make_url(url)
    except setup.ConfigurationError as exc:
        raise fail(str(exc)) from None
    except ArgumentError as exc:
        raise fail(f"PEERMATCH_DATABASE_URL cannot be used ({exc})") from None
    return url


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError  # pragma: no cover


def register(app: typer.Typer) -> None:
    """Add the commands to `app`."""

    @app.command()
    def backup(
        out: Annotated[Path, typer.Option("--out", help="The backup file to write.")],
        force: Annotated[
            bool, typer.Option("--force", help="Overwrite FILE if it exists.")
        ] = False,
    ) -> None:
        """Write a consistent copy of the configured database to FILE, while
        the service runs: SQLite's online backup API, or pg_dump (custom
        format) for PostgreSQL. The file is readable by its owner only."""
        from service.store import backup as store

        url = _database_url()
        try:
            info = store.backup(url, out, overwrite=force)
        except store.BackupError as exc:
            raise fail(f"backup: {exc}") from None
        typer.echo(
            f"wrote {info.path} ({_size(info.size)}): {info.members} members, "
            f"schema revision {info.revision}"
        )

    @app.command()
    def restore(
        file: Annotated[Path, typer.Argument(help="A file written by `peermatch backup`.")],
        yes: Annotated[
            bool, typer.Option("--yes", help="Replace all data without asking.")
        ] = False,
    ) -> None:
        """Replace ALL data of the configured database by a backup, then
        migrate it to this release's schema. Stop the service first."""
        from service.store import backup as store
        from service.usecases import setup

        url = _database_url()
        where = _shown(url)
        try:
            info = store.inspect_backup(url, file)
            store.check_stopped(url)
        except store.BackupError as exc:
            raise fail(f"restore: {exc}") from None
        question = (
            f"replace ALL data in {where} with {file} "
            f"({info.members} members, schema revision {info.revision})"
        )
        if not yes:
            if not sys.stdin.isatty():
                raise fail(f"restore would {question}; add --yes to confirm")
            typer.confirm(question[0].upper() + question[1:] + "?", abort=True)
        try:
            store.restore(url, file)
        except store.BackupError as exc:
            raise fail(f"restore: {exc}") from None
        try:
            engine = setup.open_engine()  # migrations: an older backup comes up to date
        except setup.ConfigurationError as exc:
            raise fail(f"restored, but migrating failed: {exc}") from None
        members, revision = store.summary(engine)
        engine.dispose()
        migrated = f" (migrated from {info.revision})" if revision != info.revision else ""
        typer.echo(
            f"restored {file} into {where}: {members} members, schema revision {revision}{migrated}"
        )
