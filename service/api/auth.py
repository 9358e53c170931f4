"""Who is calling: the API key in the request, checked against the stored
hashes, and the role a route needs (roles: ``service.usecases.access``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from sqlalchemy import text

from service.api.problems import ApiError
from service.usecases.access import ROLES, Principal
from service.usecases.keys import hash_key

_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key")


# The key lookup also reads the network version (one row): the Hub's hot
# path, recommendations, then costs one database round trip in all.
_LOOKUP = text(
    "SELECT apikey.name, apikey.role, apikey.member_id, networkstate.version "
    "FROM apikey, networkstate "
    "WHERE apikey.key_hash = :key_hash AND apikey.revoked_at IS NULL AND networkstate.id = 1"
)


async def principal(
    request: Request, key: Annotated[str | None, Depends(_header)] = None
) -> Principal:
    # One indexed lookup, run on the event loop: shorter than the thread-pool
    # round trip a sync dependency costs on every request.
    if not key:
        raise ApiError(401, "send an API key in the X-API-Key header", kind="unauthorized")
    with request.app.state.auth_engine.connect() as connection:
        row = connection.execute(_LOOKUP, {"key_hash": hash_key(key)}).first()
    if row is None:
        raise ApiError(401, "unknown or revoked API key", kind="unauthorized")
    request.state.network_version = row.version
    request.state.key_name = row.name  # for the request log (never the key)
    return Principal(name=row.name, role=row.role, member_id=row.member_id)


def require(*roles: str):
    """A dependency that lets only ``roles`` through (403 for the others)."""

    async def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in roles:
            raise ApiError(
                403,
                f"the '{who.role}' role may not do this (allowed: {', '.join(roles)})",
                kind="forbidden",
            )
        return who

    check.roles = frozenset(roles)  # type: ignore[attr-defined]  # read by service.api.openapi
    return check


Admin = Annotated[Principal, Depends(require("admin"))]
AdminOrHub = Annotated[Principal, Depends(require("admin", "hub"))]
Anyone = Annotated[Principal, Depends(require(*ROLES))]
AdminOrMember = Annotated[Principal, Depends(require("admin", "member"))]
