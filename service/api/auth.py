"""API keys and roles.

A key is shown once, when it is created, and only its SHA-256 is stored: keys
are 256-bit random tokens, so a fast hash is as safe as a slow one and keeps
every request cheap. Roles: ``admin`` (the secretariat: everything), ``hub``
(the Learning Hub: public data, recommendations, published results, capacity
map; no contact persons, no drafts, no writes) and ``member`` (its own profile,
recommendations and published partners).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from sqlalchemy import text
from sqlmodel import Session, select

from service.api.problems import ApiError
from service.store.models import ApiKey, utcnow

ROLES = ("admin", "hub", "member")
KEY_PREFIX = "pm_"
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's name (the audit trail's actor) and role."""

    name: str
    role: str
    member_id: str | None = None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, *, name: str, role: str, member_id: str | None) -> str:
    """Store a new key's hash and return the key itself (shown only once)."""
    assert role in ROLES
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, key_hash=hash_key(key), role=role, member_id=member_id))
    return key


def revoke_key(session: Session, *, name: str) -> bool:
    row = session.exec(select(ApiKey).where(ApiKey.name == name)).first()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    session.add(row)
    return True


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

    return check


Admin = Annotated[Principal, Depends(require("admin"))]
AdminOrHub = Annotated[Principal, Depends(require("admin", "hub"))]
Anyone = Annotated[Principal, Depends(require(*ROLES))]
AdminOrMember = Annotated[Principal, Depends(require("admin", "member"))]


def may_see_member(who: Principal, member_id: str) -> bool:
    """Whether ``who`` may read ``member_id``'s own data (profile,
    recommendations, published partners)."""
    return who.role in ("admin", "hub") or who.member_id == member_id


def may_see_contact(who: Principal, member_id: str) -> bool:
    return who.role == "admin" or (who.role == "member" and who.member_id == member_id)
