"""History documents on the command line: reading one for `peermatch report
--history`, and `peermatch validate-history` (registered on the main app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from matcher import Network
from service.cli.support import load_network, read_input, refused
from service.contract import NetworkError
from service.contract.history import parse_history


def load_history(path: Path | None, *, network: Network, demo: bool = False) -> dict[str, Any]:
    """Read a history document (or the demo's, with ``demo``) and validate it
    against ``network``; on any problem print them all and exit with code 2."""
    if demo and path is None:
        from fixtures import demo_history_path

        path = demo_history_path()
    assert path is not None
    text = read_input(path, what="history")
    try:
        return parse_history(text, network=network, source=str(path))
    except NetworkError as exc:
        raise refused(exc) from None


def register(app: typer.Typer) -> None:
    """Add `validate-history` to `app`."""

    @app.command("validate-history")
    def validate_history(
        history: Annotated[Path, typer.Argument(help="History document to check.")],
        network: Annotated[
            Path, typer.Option("--network", help="The network its members belong to.")
        ],
    ) -> None:
        """Check a history document against a network: print `ok: N rounds,
        M relations, K answers` or every problem, with where and how to fix it."""
        doc = load_history(history, network=load_network(network))
        relations = sum(len(r["relations"]) for r in doc["rounds"])
        typer.echo(
            f"ok: {len(doc['rounds'])} rounds, {relations} relations, "
            f"{len(doc['feedback'])} answers"
        )
