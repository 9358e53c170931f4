"""The command line (typer): wiring only; the work is in the layers below."""

from service.cli.main import app

__all__ = ["app"]
