"""Backups of the database, taken while the service runs, and their restore
into a stopped service's database (docs/operations.md).

SQLite: the online backup API copies the database in one step, inside one
read transaction, so the copy is the database as one commit left it even while
writers go on (WAL mode: the reader never blocks them). PostgreSQL: ``pg_dump``
(custom format), which reads every table in one repeatable-read snapshot;
``pg_restore`` brings it back in one transaction.

Every failure is a :class:`BackupError` whose message says what to do.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from service.store.db import MIGRATIONS

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
INSTALL_CLIENT = (
    "install the PostgreSQL client tools, the server's major version or newer "
    "(Debian/Ubuntu: sudo apt install postgresql-client; macOS: brew install libpq)"
)


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why and
    what to do."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds."""

    path: Path
    size: int
    members: int
    revision: str


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def known_revisions() -> set[str]:
    """The schema revisions this release can migrate from."""
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


# --- backup --------------------------------------------------------------------


def backup(url: str, out: Path, *, overwrite: bool = False) -> BackupInfo:
    """Write a consistent copy of the database at ``url`` to ``out``, through
    a temporary file beside it renamed at the end (never half a file). The file
    is readable by its owner only: it holds the contact persons."""
    out = Path(out)
    if out.is_dir():
        raise BackupError(f"{out} is a directory; name the backup file")
    if (out.exists() or out.is_symlink()) and not overwrite:
        raise BackupError(f"{out} exists; choose another name, or overwrite it with --force")
    if not out.parent.is_dir():
        raise BackupError(f"directory {out.parent} does not exist")
    if is_sqlite(url) and out.resolve() == sqlite_path(url).resolve():
        raise BackupError(f"{out} is the database itself; write the backup to another file")
    with _temporary_beside(out) as tmp:
        if is_sqlite(url):
            _sqlite_backup(sqlite_path(url), tmp)
        else:
            _pg_dump(url, tmp, out)
        info = inspect_backup(url, tmp)
        _fsync(tmp)
        os.replace(tmp, out)
        _fsync(out.parent)
    return BackupInfo(out, info.size, info.members, info.revision)


@contextmanager
def _temporary_beside(out: Path) -> Iterator[Path]:
    try:
        fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as exc:
        raise BackupError(f"cannot write in {out.parent} ({exc.strerror})") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory; the data is written
        pass
    finally:
        os.close(fd)


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL (refusing an in-memory database)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"{url} is not a SQLite database file; there is nothing to back up")
    return Path(database)


def _sqlite_backup(source: Path, tmp: Path) -> None:
    if not source.is_file():
        raise BackupError(
            f"no database at {source}; check PEERMATCH_DATA_DIR or PEERMATCH_DATABASE_URL"
        )
    try:
        uri = f"{source.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=30)) as src:
            with closing(sqlite3.connect(tmp, isolation_level=None)) as dst:
                src.backup(dst)  # all pages in one step: one read transaction
                # The copy is a file of its own: no WAL file beside it.
                dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source}: {exc}") from None


def _pg_dump(url: str, tmp: Path, out: Path) -> None:
    conninfo, env = libpq(url)
    program = _client("pg_dump", pg_dump_command(url, out))
    _run([program, "--format=custom", "--no-owner", f"--dbname={conninfo}", "-f", str(tmp)], env)


# --- what a backup holds -----------------------------------------------------


def inspect_backup(url: str, file: Path) -> BackupInfo:
    """Check that ``file`` is a peermatch backup that can be restored into
    the database at ``url`` (same kind, a schema revision this release knows),
    and say what it holds."""
    file = Path(file)
    if file.is_dir():
        raise BackupError(f"{file} is a directory; name the backup file")
    try:
        with open(file, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
        size = file.stat().st_size
    except FileNotFoundError:
        raise BackupError(f"{file}: no such file") from None
    except OSError as exc:
        raise BackupError(f"cannot read {file} ({exc.strerror})") from None
    sqlite = is_sqlite(url)
    if head.startswith(PGDUMP_MAGIC if sqlite else SQLITE_MAGIC):
        kinds = ("a PostgreSQL (pg_dump)", "SQLite") if sqlite else ("a SQLite", "PostgreSQL")
        raise BackupError(
            f"{file} is {kinds[0]} backup, but the configured database is {kinds[1]}; "
            "restore it into a database of its own kind (PEERMATCH_DATABASE_URL)"
        )
    if not head.startswith(SQLITE_MAGIC if sqlite else PGDUMP_MAGIC):
        kind = "SQLite database" if sqlite else "pg_dump archive (custom format)"
        raise BackupError(f"{file} is not a peermatch backup: not a {kind}")
    members, revision = _sqlite_contents(file) if sqlite else _pg_contents(url, file)
    if revision not in known_revisions():
        raise BackupError(
            f"{file} has schema revision {revision}, which this release of peermatch does "
            "not know: a newer release wrote it; install that release (or a newer one) first"
        )
    return BackupInfo(file, size, members, revision)


def _not_peermatch(file: Path, why: str) -> BackupError:
    return BackupError(f"{file} is not a peermatch backup: {why}")


def _sqlite_contents(file: Path) -> tuple[int, str]:
    try:
        uri = f"{file.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=5)) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            missing = {"alembic_version", "member"} - tables
            if missing:
                raise _not_peermatch(file, f"no {' or '.join(sorted(missing))} table")
            revision = db.execute("SELECT version_num FROM alembic_version").fetchone()
            if revision is None:
                raise _not_peermatch(file, "no schema revision in alembic_version")
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"{file} is damaged (SQLite quick_check: {check})")
            (members,) = db.execute("SELECT count(*) FROM member").fetchone()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot read {file} as a SQLite database: {exc}") from None
    return members, revision[0]


def _pg_contents(url: str, file: Path) -> tuple[int, str]:
    program = _client("pg_restore", pg_restore_command(url, file))

    def rows(table: str) -> list[str] | None:
        """The archive's data lines of ``table``; None if it has no such table."""
        listing = _run(
            [program, "--data-only", f"--table={table}", "-f", "-", str(file)], {}, what=file
        )
        lines = iter(listing.splitlines())
        for line in lines:
            if line.startswith("COPY "):
                found = []
                for row in lines:
                    if row == "\\.":
                        return found
                    found.append(row)
        return None

    revision, members = rows("alembic_version"), rows("member")
    if revision is None or members is None:
        pairs = (("alembic_version", revision), ("member", members))
        missing = [name for name, got in pairs if got is None]
        raise _not_peermatch(file, f"no {' or '.join(missing)} table")
    if not revision:
        raise _not_peermatch(file, "no schema revision in alembic_version")
    return len(members), revision[0]


def summary(engine) -> tuple[int, str]:
    """How many members the database at ``engine`` holds, and its schema
    revision."""
    with engine.connect() as connection:
        members = connection.execute(text("SELECT count(*) FROM member")).scalar_one()
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    return members, revision


# --- restore -----------------------------------------------------------------


_OTHER_CLIENTS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
)


def check_stopped(url: str) -> None:
    """Refuse when something else has the database open (a running service
    would keep serving, and writing, what the restore replaces)."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path.exists():
            with _sqlite_exclusive(path):
                return
        return
    conninfo, _ = libpq(url)
    engine = create_engine(make_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            # A server process leaves pg_stat_activity a moment after its
            # client hung up: give a service just stopped a second.
            for _attempt in range(10):
                others = connection.execute(_OTHER_CLIENTS).scalar_one()
                connection.rollback()  # the next query reads fresh statistics
                if not others:
                    break
                time.sleep(0.1)
    except DBAPIError as exc:
        raise BackupError(f"cannot connect to {conninfo}: {exc.orig}") from None
    finally:
        engine.dispose()
    if others:
        raise BackupError(
            f"{others} other connection{'s are' if others != 1 else ' is'} open on {conninfo}: "
            "stop peermatch serve (and any other client of this database) before a restore"
        )


def restore(url: str, file: Path) -> BackupInfo:
    """Replace everything in the database at ``url`` by the backup ``file``,
    all or nothing, if nothing else has the database open. The caller then
    migrates it (a backup of an older release comes up to date)."""
    info = inspect_backup(url, file)
    if is_sqlite(url):
        target = sqlite_path(url)
        if target.exists() and target.resolve() == Path(file).resolve():
            raise BackupError(f"{file} is the configured database itself; nothing to restore")
        target.parent.mkdir(parents=True, exist_ok=True)
        uri = f"{Path(file).resolve().as_uri()}?mode=ro"
        with _sqlite_exclusive(target) as dst:
            try:
                with closing(sqlite3.connect(uri, uri=True, timeout=5)) as src:
                    src.backup(dst)  # one write transaction on the target, journalled
                dst.execute("PRAGMA journal_mode=WAL")
            except sqlite3.Error as exc:
                raise BackupError(f"restore failed, the database is unchanged: {exc}") from None
        return info
    check_stopped(url)
    conninfo, env = libpq(url)
    program = _client("pg_restore", pg_restore_command(url, file))
    _run(
        [
            program,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",  # all or nothing: a failure leaves the database as it was
            f"--dbname={conninfo}",
            str(file),
        ],
        env,
    )
    return info


@contextmanager
def _sqlite_exclusive(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that holds ``path`` exclusively, or a BackupError if any
    other connection has it open. Leaving WAL mode needs every other
    connection closed, even an idle one in a pool (a plain BEGIN EXCLUSIVE
    would not see those)."""
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=2)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {path}: {exc}") from None
    try:
        try:
            connection.execute("PRAGMA locking_mode=EXCLUSIVE")
            mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("COMMIT")  # the lock stays: locking_mode is exclusive
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise BackupError(
                    f"{path} is in use: stop peermatch serve (and anything else that has "
                    "the database open) before a restore"
                ) from None
            raise BackupError(f"cannot open {path} as a SQLite database: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"cannot open {path} as a SQLite database: {exc}") from None
        if mode != "delete":
            raise BackupError(f"{path} is in use (journal mode {mode}); stop peermatch serve")
        yield connection
    finally:
        connection.close()


# --- the PostgreSQL client tools -----------------------------------------------


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq URI of a SQLAlchemy PostgreSQL URL, without its password,
    and the environment that passes the password (never on a command line,
    which every user of the machine can read)."""
    parsed = make_url(url)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    env = {"PGPASSWORD": str(parsed.password)} if parsed.password is not None else {}
    return plain.render_as_string(hide_password=False), env


def pg_dump_command(url: str, out: Path) -> str:
    """The command `peermatch backup` runs, to run by hand."""
    return _by_hand(url, "pg_dump --format=custom --no-owner", "-f", shlex.quote(str(out)))


def pg_restore_command(url: str, file: Path) -> str:
    """The command `peermatch restore` runs, to run by hand."""
    options = "pg_restore --clean --if-exists --no-owner --single-transaction"
    return _by_hand(url, options, shlex.quote(str(file)))


def _by_hand(url: str, command: str, *rest: str) -> str:
    conninfo, env = libpq(url)
    prefix = "PGPASSWORD=… " if env else ""
    return " ".join((f"{prefix}{command}", shlex.quote(f"--dbname={conninfo}"), *rest))


def _client(name: str, by_hand: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found on PATH: {INSTALL_CLIENT}; or run it by hand: {by_hand}"
        )
    return found


def _run(argv: list[str], env: dict[str, str], *, what: object = None) -> str:
    """Run a PostgreSQL client tool; its stdout, or a BackupError with its
    stderr."""
    done = subprocess.run(
        argv, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        name = Path(argv[0]).name
        reason = done.stderr.strip() or f"exit status {done.returncode}"
        about = f" on {what}" if what is not None else ""
        raise BackupError(f"{name} failed{about}: {reason}")
    return done.stdout
