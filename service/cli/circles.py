"""`peermatch circles` (registered on the main CLI app by service.cli): learning
circles as a table for people or a JSON document (schema_version 1) for machines."""

import re
from pathlib import Path
from typing import Annotated

import typer

from matcher import Taxonomy, default_taxonomy, network_arrays
from matcher.circles import DEFAULT_MAX_PER_MEMBER, DEFAULT_SIZE, MAX_SIZE, form_circles
from matcher.circles.relax import MAX_REFORMS, circle_options
from service.cli.support import (
    Demo,
    Fmt,
    Format,
    Lang,
    NetworkArg,
    check_output,
    load_network,
    write_output,
)
from service.contract import MAX_SEED
from service.documents.circles import circles_document, circles_table
from service.documents.encoding import dumps
from service.gc_pause import collector_paused

_SIZE = re.compile(r"\s*(\d+)\s*-\s*(\d+)\s*")


def parse_size(text: str) -> tuple[int, int]:
    """``"4-8"`` → ``(4, 8)``; anything else is a bad-input error (exit 2).

    >>> parse_size("4-8")
    (4, 8)
    """
    from service.cli.support import fail

    match = _SIZE.fullmatch(text)
    low, high = (int(match[1]), int(match[2])) if match else (0, 0)
    if not match or not 2 <= low <= high <= MAX_SIZE:
        raise fail(
            f"--size must be MIN-MAX with 2 <= MIN <= MAX <= {MAX_SIZE} (e.g. 4-8), got '{text}'"
        )
    return low, high


def parse_themes(text: str | None, taxonomy: Taxonomy) -> list[str] | None:
    """``"k1,k2"`` → ``["k1", "k2"]``; an unknown key is an error naming the
    closest known one."""
    from service.cli.support import fail

    if text is None:
        return None
    keys = [k.strip() for k in text.split(",") if k.strip()]
    if not keys:
        raise fail("--themes needs at least one theme key (see `peermatch taxonomy`)")
    for key in keys:
        if key not in taxonomy:
            hint = taxonomy.suggest(key)
            extra = f"; did you mean '{hint}'?" if hint else "; `peermatch taxonomy` lists the keys"
            raise fail(f"--themes: unknown theme '{key}'{extra}")
    return keys


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command()
    def circles(
        network: NetworkArg = None,
        demo: Demo = False,
        themes: Annotated[
            str | None,
            typer.Option(
                help="Comma-separated theme keys (default: the 8 with most unmet demand)."
            ),
        ] = None,
        size: Annotated[
            str, typer.Option(help="Smallest and largest circle, MIN-MAX.")
        ] = f"{DEFAULT_SIZE[0]}-{DEFAULT_SIZE[1]}",
        max_per_member: Annotated[
            int, typer.Option(help="Most circles one member joins.", min=1, max=10)
        ] = DEFAULT_MAX_PER_MEMBER,
        seed: Annotated[
            int | None,
            typer.Option(help="Tie-breaking seed (same seed → same circles).", min=0, max=MAX_SEED),
        ] = None,
        out: Annotated[
            Path | None, typer.Option(help="Write to this file instead of stdout.")
        ] = None,
        fmt: Fmt = Format.table,
        lang: Lang = "en",
        what_if: Annotated[
            bool,
            typer.Option(
                "--options",
                help=f"Also say what would place each need left out (forms the circles "
                f"again for each change tried, up to {MAX_REFORMS + 1} times).",
            ),
        ] = False,
    ) -> None:
        """Form learning circles: 4–8 members on one theme in one shared
        language, around anchors, covering as much need as possible."""
        if out is not None:
            check_output(out, inputs=(network,))
        bounds = parse_size(size)
        tax = default_taxonomy()
        keys = parse_themes(themes, tax)
        with collector_paused():
            net = load_network(network, demo=demo)
            arrays = network_arrays(net, tax)
            result = form_circles(
                arrays,
                themes=keys,
                size=bounds,
                max_per_member=max_per_member,
                seed=seed,
            )
            options = circle_options(arrays, result) if what_if else None
            if fmt is Format.json:
                text = dumps(circles_document(result, net, options))
            else:
                text = circles_table(result, tax, lang=lang, options=options)
        write_output(text, out, inputs=(network,))
