"""`peermatch exchanges` (registered on the main CLI app by service.cli):
reciprocal exchanges as a table for people or a JSON document (schema_version
1) for machines."""

from pathlib import Path
from typing import Annotated

import typer

from matcher import default_taxonomy, network_arrays
from matcher.exchanges import exchange_pairs
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
from service.documents.encoding import dumps
from service.documents.exchanges import exchanges_document, exchanges_table
from service.gc_pause import collector_paused


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command()
    def exchanges(
        network: NetworkArg = None,
        demo: Demo = False,
        k: Annotated[
            int | None, typer.Option("-k", help="At most this many exchanges.", min=1)
        ] = None,
        fmt: Fmt = Format.table,
        lang: Lang = "en",
        out: Annotated[
            Path | None, typer.Option(help="Write to this file instead of stdout.")
        ] = None,
    ) -> None:
        """Reciprocal exchanges: disjoint pairs of members who can each teach
        the other, of the largest total score, both directions explained."""
        if out is not None:
            check_output(out, inputs=(network,))
        tax = default_taxonomy()
        with collector_paused():
            net = load_network(network, demo=demo)
            result = exchange_pairs(network_arrays(net, tax), k=k)
            if fmt is Format.json:
                text = dumps(exchanges_document(result, net))
            else:
                text = exchanges_table(result, net, tax, lang=lang)
        write_output(text, out, inputs=(network,))
