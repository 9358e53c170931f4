"""The `peermatch` command line."""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from matcher import Network, ScoringPolicy, default_taxonomy, mentoring_round, network_arrays
from matcher import recommend as recommend_peers
from matcher.taxonomy import LABEL_LANGUAGES
from service import presenters
from service.contract import NetworkError, closest_id, network_json_schema, parse_network
from service.tables import render_table

app = typer.Typer(
    name="peermatch",
    help="Peer matching for an education campaign network: recommendations, "
    "mentor pairings and the themes behind them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_BAD_INPUT = 2


class Format(StrEnum):
    table = "table"
    json = "json"


class Objective(StrEnum):
    welfare = "welfare"
    stable = "stable"


class Direction(StrEnum):
    mentors = "mentors"
    mentees = "mentees"
    exchanges = "exchanges"


def fail(message: str) -> typer.Exit:
    """Print a bad-input message on stderr; the caller raises the result."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def check_lang(lang: str) -> str:
    if lang not in LABEL_LANGUAGES:
        raise fail(f"--lang must be one of {', '.join(LABEL_LANGUAGES)}, got '{lang}'")
    return lang


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector: parsing and scoring build many small
    objects without cycles, which it would rescan again and again (a third of
    the parse time of a 10,000-member network)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_network(path: Path | None, *, demo: bool = False) -> Network:
    """Read and validate a network file (or the bundled demo network); on any
    problem print them all and exit with code 2."""
    if demo == (path is not None):
        raise fail("give either a NETWORK.json path or --demo")
    if demo:
        from fixtures import demo_network_path

        path = demo_network_path()
    assert path is not None
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise fail(f"{path}: no such file") from None
    except IsADirectoryError:
        raise fail(f"{path}: is a directory, expected a network JSON file") from None
    except PermissionError:
        raise fail(f"{path}: permission denied") from None
    try:
        return parse_network(text, source=str(path))
    except NetworkError as exc:
        typer.echo(str(exc), err=True)
        typer.echo("nothing was computed; fix the problems above and run again", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def write_output(text: str, out: Path | None) -> None:
    """Print, or write ``out`` atomically: a reader never sees half a file."""
    if out is None:
        sys.stdout.write(text)
        return
    directory = out.resolve().parent
    if not directory.is_dir():
        raise fail(f"--out {out}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{out.name}.", suffix=".tmp")
    try:
        # mkstemp creates the file 0600; give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    typer.echo(f"wrote {out}", err=True)


NetworkArg = Annotated[
    Path | None,
    typer.Argument(help="Network document (JSON, schema_version 1).", show_default=False),
]
Demo = Annotated[bool, typer.Option("--demo", help="Use the bundled demo network (126 members).")]
Lang = Annotated[str, typer.Option(help="Label language: en, fr, es, pt or ar.")]
Fmt = Annotated[Format, typer.Option("--format", help="table for people, json for machines.")]
SouthSouth = Annotated[
    float, typer.Option(help="Bonus for South–South pairs (policy knob).", min=0)
]
NorthSouth = Annotated[
    float, typer.Option(help="Bonus for North→South pairs (policy knob).", min=0)
]


@app.command()
def taxonomy(
    lang: Lang = "en",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole taxonomy as JSON.")
    ] = False,
) -> None:
    """List the theme taxonomy: keys, families and labels."""
    tax = default_taxonomy()
    if as_json:
        typer.echo(json.dumps(tax.to_dict(), ensure_ascii=False, indent=2))
        return
    lang = check_lang(lang)
    rows = [[t.key, tax.family_label(t.family, lang), t.label(lang)] for t in tax.themes]
    typer.echo(render_table(["key", "family", "label"], rows, title=f"Taxonomy {tax.version}"))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the network document."""
    typer.echo(json.dumps(network_json_schema(), ensure_ascii=False, indent=2))


@app.command()
def validate(network: Annotated[Path, typer.Argument(help="Network document to check.")]) -> None:
    """Check a network document; print `ok: N members` or every problem."""
    parsed = load_network(network)
    typer.echo(f"ok: {len(parsed.members)} members")


@app.command()
def recommend(
    network: NetworkArg = None,
    member: Annotated[str, typer.Option("--member", "-m", help="Member id.")] = ...,
    k: Annotated[int, typer.Option("-k", help="How many peers.", min=1, max=100)] = 5,
    direction: Annotated[
        Direction, typer.Option(help="mentors: who can help MEMBER; mentees: whom it can help.")
    ] = Direction.mentors,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    demo: Demo = False,
    lang: Lang = "en",
) -> None:
    """Top-k peers for one member, with scores, shared languages and reasons."""
    lang = check_lang(lang)
    net = load_network(network, demo=demo)
    if member not in net.index():
        guess = closest_id(member, set(net.ids))
        raise fail(
            f"--member '{member}': no such member" + (f"; did you mean '{guess}'?" if guess else "")
        )
    tax = default_taxonomy()
    recs = recommend_peers(network_arrays(net, tax), member, k=k, direction=direction.value)
    if as_json:
        doc = presenters.recommendations_document(member, direction.value, recs)
        typer.echo(presenters.dumps(doc), nl=False)
    else:
        typer.echo(
            presenters.recommendations_table(member, direction.value, recs, net, tax, lang=lang),
            nl=False,
        )


@app.command()
def match(
    network: NetworkArg = None,
    demo: Demo = False,
    objective: Annotated[
        Objective, typer.Option(help="welfare: proven optimal; stable: no blocking pair.")
    ] = Objective.welfare,
    seed: Annotated[
        int | None, typer.Option(help="Tie-breaking seed (same seed → same round).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    fmt: Fmt = Format.table,
    lang: Lang = "en",
    south_south_bonus: SouthSouth = ScoringPolicy.south_south_bonus,
    north_south_bonus: NorthSouth = ScoringPolicy.north_south_bonus,
) -> None:
    """Run a mentoring round: the best mentor pairs under capacities, shared
    languages, exclusions and locked pairs, each pair explained."""
    lang = check_lang(lang)
    tax = default_taxonomy()
    policy = ScoringPolicy(south_south_bonus=south_south_bonus, north_south_bonus=north_south_bonus)
    with bulk_work():
        net = load_network(network, demo=demo)
        result = mentoring_round(
            net, taxonomy=tax, policy=policy, objective=objective.value, seed=seed
        )
        if fmt is Format.json:
            text = presenters.dumps(presenters.round_document(result, net, seed=seed))
        else:
            text = presenters.round_table(result, net, tax, lang=lang)
    write_output(text, out)


@app.command()
def generate(
    members: Annotated[
        int, typer.Option("--members", "-n", help="Number of members.", min=1, max=200_000)
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 0,
) -> None:
    """Print a synthetic network document (for scale tests) on stdout."""
    from fixtures.generator import generate_network

    sys.stdout.write(json.dumps(generate_network(members, seed=seed), ensure_ascii=False) + "\n")


def _register_graph_commands() -> None:
    # Each graph command lives in its own module; importing them here (not at
    # the top) avoids a cycle, since they use this module's helpers.
    from service import circles_cli, exchanges_cli, map_cli

    for module in (map_cli, exchanges_cli, circles_cli):
        module.register(app)


_register_graph_commands()


if __name__ == "__main__":
    app()
