"""Database tables and the API's request/response models.

One family per entity, as in the FastAPI full-stack template: ``*Base`` holds
the shared fields, ``*Create`` / ``*Update`` validate input (unknown fields
rejected), ``*Public`` is what a response shows. The member profile itself is
the network contract's :class:`~service.contract.MemberDoc`, so the API and the
CLI accept exactly the same members.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field as DbField
from sqlmodel import SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- tables -----------------------------------------------------------------


class Member(SQLModel, table=True):
    id: str = DbField(primary_key=True, max_length=64)
    name: str = DbField(max_length=200)
    kind: str = DbField(max_length=32)
    country: str | None = DbField(default=None, max_length=2)
    region: str | None = DbField(default=None, max_length=32)
    global_south: bool | None = None
    languages: list[str] = DbField(sa_column=Column(JSON, nullable=False))
    expertise: dict[str, int] = DbField(sa_column=Column(JSON, nullable=False))
    needs: dict[str, int] = DbField(sa_column=Column(JSON, nullable=False))
    mentor_capacity: int = 1
    mentee_capacity: int = 1
    description: str = ""
    contact_name: str | None = DbField(default=None, max_length=200)
    contact_email: str | None = DbField(default=None, max_length=254)
    # Bookkeeping, not part of the profile: when a create, update or import
    # last changed the profile (a write that changes nothing leaves it).
    updated_at: datetime = DbField(default_factory=utcnow, index=True)


MEMBER_BOOKKEEPING_COLUMNS = ("updated_at",)
"""The member table's columns that are not declared member fields."""


class Relation(SQLModel, table=True):
    """A pair-level constraint of the network contract: ``exclusion`` (a, b
    sorted), ``locked`` or ``history`` (a = mentor, b = mentee)."""

    __table_args__ = (UniqueConstraint("kind", "a", "b", "label"),)
    id: int | None = DbField(default=None, primary_key=True)
    kind: str = DbField(max_length=16, index=True)
    a: str = DbField(max_length=64, index=True)
    b: str = DbField(max_length=64, index=True)
    label: str = DbField(default="", max_length=100)
    # Who stored an exclusion or a lock, why and when (a decision's round, if
    # any); null for those stored before they were recorded, and for imports.
    created_by: str | None = DbField(default=None, max_length=100)
    note: str = ""
    created_at: datetime | None = None
    round_id: int | None = None


class NetworkState(SQLModel, table=True):
    """One row: a counter bumped by every write to members or relations, so
    every worker knows when its cached network is stale."""

    id: int = DbField(default=1, primary_key=True)
    version: int = 0


class Round(SQLModel, table=True):
    id: int | None = DbField(default=None, primary_key=True)
    kind: str = DbField(max_length=16)
    status: str = DbField(default="draft", max_length=16, index=True)
    objective: str | None = DbField(default=None, max_length=16)
    seed: int | None = None
    options: dict[str, Any] = DbField(sa_column=Column(JSON, nullable=False))
    taxonomy_version: str = DbField(max_length=16)
    input_sha256: str = DbField(max_length=64)
    revision: int = 1
    summary: dict[str, Any] = DbField(sa_column=Column(JSON, nullable=False))
    created_at: datetime = DbField(default_factory=utcnow)
    created_by: str = DbField(max_length=100)
    published_at: datetime | None = None


class Proposal(SQLModel, table=True):
    """A proposed pair (``mentor``, ``mentee``) or circle (``theme``,
    ``language``, ``members``) of a round, with its review status."""

    id: int | None = DbField(default=None, primary_key=True)
    round_id: int = DbField(foreign_key="round.id", index=True)
    revision: int = 1
    kind: str = DbField(max_length=16)
    status: str = DbField(default="proposed", max_length=16, index=True)
    mentor: str | None = DbField(default=None, max_length=64, index=True)
    mentee: str | None = DbField(default=None, max_length=64, index=True)
    theme: str | None = DbField(default=None, max_length=64)
    language: str | None = DbField(default=None, max_length=8)
    members: list[dict[str, Any]] = DbField(sa_column=Column(JSON, nullable=False))
    languages: list[str] = DbField(sa_column=Column(JSON, nullable=False))
    score: float = 0.0
    reasons: list[dict[str, Any]] = DbField(sa_column=Column(JSON, nullable=False))
    note: str = ""
    decided_by: str | None = DbField(default=None, max_length=100)


class Job(SQLModel, table=True):
    """A round created or re-run in the background (``Prefer: respond-async``):
    queued → running (with a coarse stage and fraction) → done (``round_id``)
    or failed (``problem``: kind, detail, errors, as the synchronous answer
    would have said)."""

    id: int | None = DbField(default=None, primary_key=True)
    kind: str = DbField(max_length=32)
    status: str = DbField(default="queued", max_length=16, index=True)
    stage: str | None = DbField(default=None, max_length=16)
    fraction: float = 0.0
    params: dict[str, Any] = DbField(sa_column=Column(JSON, nullable=False))
    created_by: str = DbField(max_length=100)
    created_at: datetime = DbField(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    round_id: int | None = DbField(default=None, foreign_key="round.id")
    problem: dict[str, Any] | None = DbField(default=None, sa_column=Column(JSON, nullable=True))


class Feedback(SQLModel, table=True):
    """One answer on a published relation: by ``author`` (an API key's name)
    for ``member_id`` (the side that answered: the mentor or mentee of a
    pair, either member of an exchange, one member of a circle; null for
    answers given before the side was recorded). Every answer is kept: an
    officer may record each side's, and sending again replaces only the
    same author's answer for the same member."""

    __table_args__ = (
        UniqueConstraint(
            "proposal_id", "author", "member_id", name="uq_feedback_proposal_author_member"
        ),
    )
    id: int | None = DbField(default=None, primary_key=True)
    proposal_id: int = DbField(foreign_key="proposal.id", index=True)
    author: str = DbField(max_length=100)
    member_id: str | None = DbField(default=None, max_length=64, index=True)
    met: bool
    usefulness: int
    themes_learned: list[str] = DbField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    continued: bool | None = None
    comment: str = ""
    created_at: datetime = DbField(default_factory=utcnow)
    updated_at: datetime | None = None


class ApiKey(SQLModel, table=True):
    id: int | None = DbField(default=None, primary_key=True)
    name: str = DbField(max_length=100, unique=True)
    key_hash: str = DbField(max_length=64, unique=True)
    role: str = DbField(max_length=16)
    member_id: str | None = DbField(default=None, max_length=64)
    created_at: datetime = DbField(default_factory=utcnow)
    revoked_at: datetime | None = None


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser of the console: only the hash of its cookie's
    token is stored, and the key it signed in with (revoking the key ends
    the session)."""

    __tablename__ = "console_session"
    id: int | None = DbField(default=None, primary_key=True)
    token_hash: str = DbField(max_length=64, unique=True)
    key_id: int = DbField(foreign_key="apikey.id", index=True)
    csrf_secret: str = DbField(max_length=64)
    created_at: datetime = DbField(default_factory=utcnow)
    expires_at: datetime
    last_seen_at: datetime = DbField(default_factory=utcnow)


class AuditRecord(SQLModel, table=True):
    id: int | None = DbField(default=None, primary_key=True)
    at: datetime = DbField(default_factory=utcnow, index=True)
    actor: str = DbField(max_length=100)
    role: str = DbField(max_length=16)
    action: str = DbField(max_length=64)
    object_type: str = DbField(max_length=32)
    object_id: str = DbField(max_length=100)
    detail: dict[str, Any] = DbField(sa_column=Column(JSON, nullable=False))


# --- API models ---------------------------------------------------------------
