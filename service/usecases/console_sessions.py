"""The console's sessions: an admin or member signs in once with an API key
and the browser keeps a random token in a cookie; only the token's SHA-256 is
stored, with the key it stands for and a CSRF secret.

A session ends when it has been idle for :data:`IDLE`, at :data:`LIFETIME`
after sign-in whatever its use, at sign-out, or when its key is revoked (the
lookup only accepts sessions of unrevoked keys)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from service.store.db import write_session
from service.store.models import ApiKey, ConsoleSession, utcnow
from service.usecases.access import Principal
from service.usecases.audit import audit
from service.usecases.keys import hash_key

IDLE = timedelta(hours=8)
"""A session unused this long is over (a working day)."""
LIFETIME = timedelta(hours=24)
"""A session is over this long after sign-in, however busy."""
_TOUCH_EVERY = timedelta(minutes=1)
"""How stale ``last_seen_at`` may get: one write a minute, not one per page."""
SIGN_IN_ROLES = ("admin", "member")
"""Hub keys are for machines: they do not sign in."""


class SignInRefused(Exception):
    """Why a key may not sign in, in words for the sign-in page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ConsoleUser:
    """Who a session is: the key's principal and the session's CSRF secret."""

    principal: Principal
    csrf: str
    session_id: int


def sign_in(engine, key: str, *, now: datetime | None = None) -> tuple[str, datetime]:
    """A new session for ``key``: the token for the cookie (never stored)
    and when the session expires at the latest. :class:`SignInRefused` says
    ``"unknown"`` for a key that is unknown or revoked (one answer for both,
    so the page reveals nothing about which keys exist) and ``"hub"`` for a
    hub key."""
    now = now or utcnow()
    with write_session(engine) as session:
        row = session.exec(
            select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
        ).first()
        if row is None:
            raise SignInRefused("unknown")
        if row.role not in SIGN_IN_ROLES:
            raise SignInRefused("hub")
        token = secrets.token_urlsafe(32)
        expires = now + LIFETIME
        session.add(
            ConsoleSession(
                token_hash=hash_key(token),
                key_id=row.id,
                csrf_secret=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=expires,
                last_seen_at=now,
            )
        )
        who = Principal(name=row.name, role=row.role, member_id=row.member_id)
        audit(session, who, "console.sign_in", "api_key", row.name)
        return token, expires


def session_user(
    engine, token: str, *, now: datetime | None = None, touch: bool = True
) -> ConsoleUser | None:
    """Who the session of cookie ``token`` is, or None when there is no such
    live session (expired, idle too long, signed out, its key revoked). The
    use is recorded (``last_seen_at``) unless ``touch`` is false (a read-only
    service)."""
    now = now or utcnow()
    with Session(engine) as session:
        found = session.exec(
            select(ConsoleSession, ApiKey)
            .join(ApiKey, ApiKey.id == ConsoleSession.key_id)
            .where(ConsoleSession.token_hash == hash_key(token), ApiKey.revoked_at.is_(None))
        ).first()
    if found is None:
        return None
    row, key = found
    if _aware(row.expires_at) <= now or _aware(row.last_seen_at) + IDLE <= now:
        return None
    if touch and now - _aware(row.last_seen_at) >= _TOUCH_EVERY:
        with write_session(engine) as session:
            stored = session.get(ConsoleSession, row.id)
            if stored is not None:
                stored.last_seen_at = now
                session.add(stored)
    return ConsoleUser(
        Principal(name=key.name, role=key.role, member_id=key.member_id), row.csrf_secret, row.id
    )


def sign_out(engine, token: str) -> None:
    """End the session of cookie ``token`` (nothing when there is none)."""
    with write_session(engine) as session:
        session.exec(delete(ConsoleSession).where(ConsoleSession.token_hash == hash_key(token)))


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
