"""API keys: created, listed and revoked.

A key is shown once, when it is created, and only its SHA-256 is stored: keys
are 256-bit random tokens, so a fast hash is as safe as a slow one and keeps
every request cheap.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete
from sqlmodel import Session, select

from service.safe_text import check_single_line
from service.store.db import write_session
from service.store.models import ApiKey, ConsoleSession, Member, utcnow
from service.usecases.access import ROLES, Principal, cli_actor
from service.usecases.audit import audit

KEY_PREFIX = "pm_"


NAME_LENGTH = 100
"""The longest key name (``ApiKey.name``)."""


class KeyRequestInvalid(ValueError):
    """What is wrong with a request for a new key: the message in the
    command line's words, and ``code`` for a surface that says it in its own
    (``name``, ``member-needed``, ``member-not-wanted``, ``taken``,
    ``no-member``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_key_request(name: str, role: str, member: str | None) -> None:
    """Refuse (:class:`KeyRequestInvalid`) a name that is empty, too long or
    not one line, and a member given for any key but a member key's.

    >>> check_key_request("Amina", "member", None)
    Traceback (most recent call last):
    ...
    service.usecases.keys.KeyRequestInvalid: --member is required for a member key, and only for one
    """
    if not 1 <= len(name) <= NAME_LENGTH:
        raise KeyRequestInvalid("name", f"--name must have 1 to {NAME_LENGTH} characters")
    try:
        check_single_line(name)
    except ValueError as exc:
        raise KeyRequestInvalid("name", f"--name {exc}") from None
    if (role == "member") != (member is not None):
        raise KeyRequestInvalid(
            "member-needed" if role == "member" else "member-not-wanted",
            "--member is required for a member key, and only for one",
        )


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
    # The console's sessions of the key end with it.
    session.exec(delete(ConsoleSession).where(ConsoleSession.key_id == row.id))
    return True


def bootstrap_key(engine) -> str | None:
    """A first admin key when the database has no usable one, so a fresh
    install can be used at once."""
    with write_session(engine) as session:
        active = session.exec(
            select(ApiKey.id).where(ApiKey.role == "admin", ApiKey.revoked_at.is_(None))
        ).first()
        if active is not None:
            return None
        name = "admin"
        taken = {k for k in session.exec(select(ApiKey.name)).all()}
        n = 1
        while name in taken:
            n += 1
            name = f"admin-{n}"
        key = create_key(session, name=name, role="admin", member_id=None)
        audit(session, cli_actor(), "key.create", "api_key", name, role="admin")
        return key


def create_api_key(
    engine, *, name: str, role: str, member: str | None, actor: Principal | None = None
) -> str:
    """A new key (returned once), audited as ``actor``'s (default: the
    command line's user); :class:`KeyRequestInvalid` says what is wrong
    with the request (``name`` is taken as given: strip it first)."""
    check_key_request(name, role, member)
    with write_session(engine) as session:
        if session.exec(select(ApiKey.id).where(ApiKey.name == name)).first() is not None:
            raise KeyRequestInvalid("taken", f"a key named '{name}' exists; choose another --name")
        if member is not None and session.get(Member, member) is None:
            raise KeyRequestInvalid("no-member", f"--member '{member}': no such member")
        key = create_key(session, name=name, role=role, member_id=member)
        audit(session, actor or cli_actor(), "key.create", "api_key", name, role=role)
        return key


def revoke_api_key(engine, *, name: str, actor: Principal | None = None) -> bool:
    with write_session(engine) as session:
        if not revoke_key(session, name=name):
            return False
        audit(session, actor or cli_actor(), "key.revoke", "api_key", name)
        return True


def key_rows(engine) -> list[ApiKey]:
    """Every key's stored row (its hash, never the key), by name."""
    with Session(engine) as session:
        return list(session.exec(select(ApiKey).order_by(ApiKey.name)).all())


def list_api_keys(engine) -> list[tuple[str, str, str | None, bool]]:
    """(name, role, member, active) of every key, by name; never the keys."""
    with write_session(engine) as session:
        rows = session.exec(select(ApiKey).order_by(ApiKey.name)).all()
        return [(k.name, k.role, k.member_id, k.revoked_at is None) for k in rows]
