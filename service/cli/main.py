"""The `peermatch` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from matcher import (
    ScoringPolicy,
    default_taxonomy,
    empty_reason,
    mentoring_round,
    network_arrays,
)
from matcher import recommend as recommend_peers
from service.cli import (
    backup,
    capacity_map,
    circles,
    exchanges,
    history,
    personal_data,
    report,
    serve,
)
from service.cli.support import (
    Demo,
    Fmt,
    Format,
    Lang,
    NetworkArg,
    check_output,
    fail,
    load_network,
    write_output,
)
from service.contract import MAX_SEED, Direction, Objective, closest_id, network_json_schema
from service.documents.encoding import dumps
from service.documents.mentoring import round_document, round_table
from service.documents.recommendations import recommendations_document, recommendations_table
from service.documents.tables import render_table
from service.gc_pause import collector_paused
from service.translations import gettext_for

app = typer.Typer(
    name="peermatch",
    help="Peer matching for an education campaign network: recommendations, "
    "mentor pairings and the themes behind them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Markdown joins a docstring's wrapped lines; the default keeps its breaks.
    rich_markup_mode="markdown",
)


SouthSouth = Annotated[
    float, typer.Option(help="Bonus for South–South pairs (policy knob).", min=0, max=10)
]
NorthSouth = Annotated[
    float, typer.Option(help="Bonus for North→South pairs (policy knob).", min=0, max=10)
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
    _ = gettext_for(lang).gettext
    rows = [[t.key, tax.family_label(t.family, lang), t.label(lang)] for t in tax.themes]
    headers = [_("key"), _("family"), _("label")]
    typer.echo(
        render_table(headers, rows, title=_("Taxonomy {version}").format(version=tax.version))
    )


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
    net = load_network(network, demo=demo)
    if member not in net.index():
        guess = closest_id(member, set(net.ids))
        raise fail(
            f"--member '{member}': no such member" + (f"; did you mean '{guess}'?" if guess else "")
        )
    tax = default_taxonomy()
    arrays = network_arrays(net, tax)
    recs = recommend_peers(arrays, member, k=k, direction=direction.value)
    empty = None if recs else empty_reason(arrays, member, direction=direction.value)
    if as_json:
        doc = recommendations_document(member, direction.value, recs, empty)
        typer.echo(dumps(doc), nl=False)
    else:
        typer.echo(
            recommendations_table(member, direction.value, recs, net, tax, lang=lang, empty=empty),
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
        int | None,
        typer.Option(help="Tie-breaking seed (same seed → same round).", min=0, max=MAX_SEED),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    fmt: Fmt = Format.table,
    lang: Lang = "en",
    south_south_bonus: SouthSouth = ScoringPolicy.south_south_bonus,
    north_south_bonus: NorthSouth = ScoringPolicy.north_south_bonus,
) -> None:
    """Run a mentoring round: the best mentor pairs under capacities, shared
    languages, exclusions and locked pairs, each pair explained."""
    if out is not None:
        check_output(out, inputs=(network,))
    tax = default_taxonomy()
    try:
        policy = ScoringPolicy(
            south_south_bonus=south_south_bonus, north_south_bonus=north_south_bonus
        )
    except ValueError as exc:
        raise fail(f"{exc} (--south-south-bonus, --north-south-bonus)") from None
    with collector_paused():
        net = load_network(network, demo=demo)
        result = mentoring_round(
            net, taxonomy=tax, policy=policy, objective=objective.value, seed=seed
        )
        if fmt is Format.json:
            text = dumps(round_document(result, net, seed=seed))
        else:
            text = round_table(result, net, tax, lang=lang)
    write_output(text, out, inputs=(network,))


@app.command()
def generate(
    members: Annotated[
        int, typer.Option("--members", "-n", help="Number of members.", min=1, max=200_000)
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Generator seed.", min=0, max=MAX_SEED)] = 0,
    rounds: Annotated[
        int | None,
        typer.Option(
            help="Also make a synthetic history of this many past rounds (needs --history).",
            min=1,
            max=120,
        ),
    ] = None,
    history: Annotated[
        Path | None,
        typer.Option(help="Write the network's synthetic history (JSON) to this file."),
    ] = None,
) -> None:
    """Print a synthetic network document (for scale tests) on stdout; with
    `--rounds N --history FILE`, also write a synthetic history of N past
    rounds (mentoring, exchanges and circles in turn, with invented feedback)."""
    from fixtures.generator import generate_network

    if (rounds is None) != (history is None):
        raise fail("--rounds and --history go together: --rounds 6 --history history.json")
    if history is not None:
        check_output(history)
    document = generate_network(members, seed=seed)
    if history is not None and rounds is not None:
        from fixtures.history import generate_history

        past = generate_history(document, rounds=rounds, seed=seed)
        write_output(json.dumps(past, ensure_ascii=False, indent=2) + "\n", history)
    sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")


for module in (capacity_map, exchanges, circles, serve, report, backup, personal_data, history):
    module.register(app)


if __name__ == "__main__":
    app()
