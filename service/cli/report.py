"""`peermatch report` (registered on the main CLI app by service.cli): the
visual report for the secretariat, one self-contained HTML file."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from matcher import default_taxonomy
from service.cli.history import load_history
from service.cli.support import (
    Demo,
    Lang,
    NetworkArg,
    check_output,
    fail,
    load_network,
    write_output,
)
from service.gc_pause import collector_paused
from service.usecases.history import to_history


def _step(name: str) -> None:
    # stderr, so `peermatch report --demo > report.html` still works.
    typer.echo(f"report: {name}…", err=True)


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command()
    def report(
        network: NetworkArg = None,
        demo: Demo = False,
        out: Annotated[
            Path | None,
            typer.Option(
                help="Write the HTML to this file instead of stdout (stdout must not be a "
                "terminal)."
            ),
        ] = None,
        lang: Lang = "en",
        history: Annotated[
            Path | None,
            typer.Option(
                help="History document of the network's past rounds and feedback "
                "(with --demo: the demo's synthetic history unless given)."
            ),
        ] = None,
    ) -> None:
        """A visual report to share: capacity map, mentoring round with its
        reasons, learning circles and the help graph, in one HTML file with
        its images inside (Arabic is laid out right to left)."""
        # matplotlib and pandas load only for this command: every other
        # command starts ~0.5 s sooner.
        from service.report import analyse, render_report

        # Checked before the work starts, so a typo costs nothing: the HTML
        # (~700 KB with its images) is never wanted in a terminal, and a
        # missing --out directory would only show once everything is drawn.
        if out is None and sys.stdout.isatty():
            raise fail(
                "not printing the HTML report to a terminal: write it with --out report.html "
                "(or redirect: > report.html)"
            )
        if out is not None:
            check_output(out, inputs=(network, history))
        tax = default_taxonomy()
        with collector_paused():
            _step("reading the network")
            net = load_network(network, demo=demo)
            past = None
            if history is not None or demo:
                _step("reading the history")
                past = to_history(net, load_history(history, network=net, demo=demo))
            analysis = analyse(net, taxonomy=tax, progress=_step, history=past)
        # Drawing makes cyclic garbage (matplotlib's figures): collector back on.
        html = render_report(analysis, lang=lang, progress=_step)
        write_output(html, out, inputs=(network, history))
