"""`peermatch member-data ID`: the CLI twin of GET /v1/members/{id}/data
(registered on the main CLI app by service.cli; docs/personal-data.md)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from service.cli.support import fail


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command("member-data")
    def member_data(
        member_id: Annotated[str, typer.Argument(metavar="ID", help="The member's id.")],
    ) -> None:
        """Print everything stored about one member as one JSON document
        (profile and contact, pairs, proposals, feedback, keys, audit
        records), for a data-protection request."""
        from sqlmodel import Session

        from service.documents.encoding import dumps
        from service.usecases import members, setup
        from service.usecases.errors import NotFound

        try:
            engine = setup.open_engine()
        except setup.ConfigurationError as exc:
            raise fail(str(exc)) from None
        with Session(engine) as session:
            try:
                document = members.member_data(session, member_id=member_id)
            except NotFound as exc:
                raise fail(str(exc)) from None
        sys.stdout.write(dumps(document))
