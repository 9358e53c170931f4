"""`peermatch map` (registered on the main CLI app by service.cli)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from matcher import default_taxonomy, network_arrays
from matcher.capacity_map import capacity_map
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
from service.documents.capacity_map import map_document, map_table
from service.documents.encoding import dumps
from service.gc_pause import collector_paused


class Grouping(StrEnum):
    region = "region"
    north_south = "north_south"
    kind = "kind"


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    def capacity_map_command(
        network: NetworkArg = None,
        demo: Demo = False,
        by: Annotated[
            Grouping, typer.Option(help="Break supply and demand down by this.")
        ] = Grouping.region,
        lang: Lang = "en",
        fmt: Fmt = Format.table,
        out: Annotated[
            Path | None, typer.Option(help="Write to this file instead of stdout.")
        ] = None,
    ) -> None:
        """The network's capacity map: supply and demand per theme, unmet needs
        by language, single points of failure, brokers and South–South potential."""
        if out is not None:
            check_output(out, inputs=(network,))
        tax = default_taxonomy()
        with collector_paused():
            net = load_network(network, demo=demo)
            cmap = capacity_map(network_arrays(net, tax), by=by.value)
            if fmt is Format.json:
                text = dumps(map_document(cmap, net, tax, lang=lang))
            else:
                text = map_table(cmap, net, tax, lang=lang)
        write_output(text, out, inputs=(network,))

    app.command("map")(capacity_map_command)
