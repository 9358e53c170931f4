"""`peermatch map` (registered on the main CLI app by service.cli)."""

import typer


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""
