"""The stored network as one network document: what the coordinators'
notebooks read, with a hub key."""

from __future__ import annotations

import json

from fastapi import APIRouter, Response

from service import usecases
from service.api.auth import AdminOrHub
from service.api.deps import SessionDep
from service.safe_text import escape_controls

router = APIRouter(prefix="/v1", tags=["network"])


@router.get("/network", response_class=Response)
def get_network(who: AdminOrHub, session: SessionDep, contacts: bool = False) -> Response:
    """The whole stored network as a network document (valid input for the
    CLI and the notebooks): members, exclusions, locked pairs and history.
    Contact persons only with ``contacts=true``, for admin keys (403 for a
    hub key)."""
    document = usecases.readable_network_document(session, who, contacts=contacts)
    return Response(
        escape_controls(json.dumps(document, ensure_ascii=False)), media_type="application/json"
    )
