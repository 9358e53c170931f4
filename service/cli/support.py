"""What every `peermatch` command shares: reading a network (every problem
reported, exit code 2), writing output atomically, the common options."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from matcher import Network
from matcher.taxonomy import LABEL_LANGUAGES
from service.contract import NetworkError, geography_warnings, listed, parse_network
from service.safe_text import escape_controls

EXIT_BAD_INPUT = 2


class Format(StrEnum):
    table = "table"
    json = "json"


def fail(message: str) -> typer.Exit:
    """Print a bad-input message on stderr; the caller raises the result."""
    typer.echo(f"error: {escape_controls(message)}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def check_lang(lang: str) -> str:
    """``lang`` as a label language code (any case), or exit 2. The ``Lang``
    option's callback: it runs while the command line is parsed, so a bad
    ``--lang`` is refused before any file is read or anything computed.

    >>> check_lang(" FR ")
    'fr'
    """
    code = lang.strip().lower()
    if code not in LABEL_LANGUAGES:
        raise fail(f"--lang must be one of {', '.join(LABEL_LANGUAGES)}, got '{lang}'")
    return code


def read_input(path: Path, *, what: str) -> bytes:
    """The bytes of an input file, or exit 2 saying why it cannot be read
    (``what``: the kind of JSON document expected)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise fail(f"{path}: no such file") from None
    except IsADirectoryError:
        raise fail(f"{path}: is a directory, expected a {what} JSON file") from None
    except PermissionError:
        raise fail(f"{path}: permission denied") from None


def refused(exc: NetworkError) -> typer.Exit:
    """Print every problem of an invalid input document; the exit to raise."""
    typer.echo(escape_controls(str(exc)), err=True)
    typer.echo("nothing was computed; fix the problems above and run again", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def load_network(path: Path | None, *, demo: bool = False) -> Network:
    """Read and validate a network file (or the bundled demo network); on any
    problem print them all and exit with code 2. Members left to a default
    region or North/South side are warned about on stderr."""
    if demo == (path is not None):
        raise fail("give either a NETWORK.json path or --demo")
    if demo:
        from fixtures import demo_network_path

        path = demo_network_path()
    assert path is not None
    text = read_input(path, what="network")
    try:
        network = parse_network(text, source=str(path))
    except NetworkError as exc:
        raise refused(exc) from None
    # Valid, so it decodes; the network keeps only the region and side applied.
    for warning in listed(geography_warnings(json.loads(text)["members"])):
        typer.echo(f"warning: {warning}", err=True)
    return network


def check_output(out: Path, *, inputs: tuple[Path | None, ...] = ()) -> Path:
    """The file ``out`` names, checked before any work is done: exit with
    code 2 if its directory does not exist, it is a symbolic link (which could
    point anywhere: replacing it would lose the link, following it could
    overwrite a file planted elsewhere), it is not a regular file, or it is
    one of the ``inputs``."""
    if out.is_symlink():
        raise fail(f"--out {out} is a symbolic link; name the file itself")
    target = out.resolve()
    if target.exists() and not target.is_file():
        kind = "is a directory" if target.is_dir() else "is not a regular file"
        raise fail(f"--out {out} {kind}; name a file, or leave --out out to print")
    if not target.parent.is_dir():
        raise fail(f"--out {out}: directory {target.parent} does not exist")
    if any(path is not None and path.resolve() == target for path in inputs):
        raise fail(f"--out {out} is the input file; write the output to another file")
    return target


def write_output(text: str, out: Path | None, *, inputs: tuple[Path | None, ...] = ()) -> None:
    """Print, or write ``out`` atomically: a reader never sees half a file,
    and a failed write leaves the old one as it was."""
    if out is None:
        sys.stdout.write(text)
        return
    target = check_output(out, inputs=inputs)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise fail(f"--out {out}: cannot write in {target.parent} ({exc.strerror})") from None
    try:
        # mkstemp creates the file 0600; give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise fail(f"--out {out}: cannot write it ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    typer.echo(f"wrote {out}", err=True)


NetworkArg = Annotated[
    Path | None,
    typer.Argument(help="Network document (JSON, schema_version 1).", show_default=False),
]
Demo = Annotated[bool, typer.Option("--demo", help="Use the bundled demo network (126 members).")]
Lang = Annotated[
    str,
    typer.Option(
        help="Language of headings, labels and score terms: en, fr, es, pt or ar.",
        callback=check_lang,
        # Eager: checked before the other options and arguments, whatever their order.
        is_eager=True,
    ),
]
Fmt = Annotated[Format, typer.Option("--format", help="table for people, json for machines.")]
