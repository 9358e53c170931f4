"""Database tables and the API's request/response models.

One family per entity, as in the FastAPI full-stack template: ``*Base`` holds
the shared fields, ``*Create`` / ``*Update`` validate input (unknown fields
rejected), ``*Public`` is what a response shows. The member profile itself is
the network contract's :class:`~service.contract.MemberDoc`, so the API and the
CLI accept exactly the same members.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field as DbField
from sqlmodel import SQLModel

from matcher.circles import DEFAULT_SIZE
from service.contract import MAX_CAPACITY, MemberDoc, MemberId, MultiLine, SingleLine

EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$"


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


class Relation(SQLModel, table=True):
    """A pair-level constraint of the network contract: ``exclusion`` (a, b
    sorted), ``locked`` or ``history`` (a = mentor, b = mentee)."""

    __table_args__ = (UniqueConstraint("kind", "a", "b", "label"),)
    id: int | None = DbField(default=None, primary_key=True)
    kind: str = DbField(max_length=16, index=True)
    a: str = DbField(max_length=64, index=True)
    b: str = DbField(max_length=64, index=True)
    label: str = DbField(default="", max_length=100)


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


class Feedback(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("proposal_id", "author", name="uq_feedback_proposal_author"),
    )
    id: int | None = DbField(default=None, primary_key=True)
    proposal_id: int = DbField(foreign_key="proposal.id", index=True)
    author: str = DbField(max_length=100)
    met: bool
    usefulness: int
    comment: str = ""
    created_at: datetime = DbField(default_factory=utcnow)


class ApiKey(SQLModel, table=True):
    id: int | None = DbField(default=None, primary_key=True)
    name: str = DbField(max_length=100, unique=True)
    key_hash: str = DbField(max_length=64, unique=True)
    role: str = DbField(max_length=16)
    member_id: str | None = DbField(default=None, max_length=64)
    created_at: datetime = DbField(default_factory=utcnow)
    revoked_at: datetime | None = None


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

Strict = ConfigDict(extra="forbid")
ContactName = Annotated[SingleLine, Field(min_length=1, max_length=200)]
ContactEmail = Annotated[SingleLine, Field(pattern=EMAIL, max_length=254)]


class Contact(BaseModel):
    # Stripped like MemberCreate's, which stores what this one validated.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    contact_name: ContactName | None = Field(default=None, description="personal data")
    contact_email: ContactEmail | None = Field(default=None, description="personal data")


class MemberCreate(MemberDoc):
    """A member profile (the network contract's member) plus its contact person."""

    contact_name: ContactName | None = Field(default=None, description="personal data")
    contact_email: ContactEmail | None = Field(default=None, description="personal data")


class MemberUpdate(BaseModel):
    """Fields to change; the id never changes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Annotated[SingleLine, Field(min_length=1, max_length=200)] | None = None
    kind: Literal["national_coalition", "regional_network", "international_ngo"] | None = None
    country: str | None = None
    languages: Annotated[list[str], Field(min_length=1, max_length=10)] | None = None
    # Strict like the network contract: no "2", true or 2.0 for a level.
    expertise: Annotated[dict[str, StrictInt], Field(max_length=64)] | None = None
    needs: Annotated[dict[str, StrictInt], Field(max_length=64)] | None = None
    mentor_capacity: Annotated[StrictInt, Field(ge=0, le=MAX_CAPACITY)] | None = None
    mentee_capacity: Annotated[StrictInt, Field(ge=0, le=MAX_CAPACITY)] | None = None
    description: Annotated[MultiLine, Field(max_length=5000)] | None = None
    region: str | None = None
    global_south: StrictBool | None = None
    contact_name: ContactName | None = None
    contact_email: ContactEmail | None = None


class MemberPublic(BaseModel):
    """A member as the hub sees it: the profile, derived region and side."""

    id: str
    name: str
    kind: str
    country: str | None
    region: str
    global_south: bool
    languages: list[str]
    expertise: dict[str, int]
    needs: dict[str, int]
    mentor_capacity: int
    mentee_capacity: int
    description: str


class MemberPrivate(MemberPublic):
    """A member as the secretariat and the member itself see it."""

    contact_name: str | None
    contact_email: str | None


class MemberList(BaseModel):
    total: int
    limit: int
    offset: int
    members: list[MemberPrivate] | list[MemberPublic]


class ImportReport(BaseModel):
    members: int
    created: int
    updated: int
    unchanged: int
    relations_added: int


class ReasonOut(BaseModel):
    kind: str
    key: str
    contribution: float


class RecommendationOut(BaseModel):
    member: str
    name: str
    score: float
    languages: list[str]
    reasons: list[ReasonOut]
    gives: list[ReasonOut] | None = None
    receives: list[ReasonOut] | None = None


class Recommendations(BaseModel):
    member: str
    direction: str
    k: int
    recommendations: list[RecommendationOut]


class RoundCreate(BaseModel):
    """Options of a round. Mentoring: ``objective``, ``coverage_first`` and the
    policy knobs; circles: ``themes``, ``size``, ``max_per_member``.

    Strict like a member update: ``true``, ``"7"`` or ``7.0`` is not a seed."""

    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Literal["mentoring", "circles"]
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    objective: Literal["welfare", "stable"] = "welfare"
    coverage_first: bool = True
    south_south_bonus: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] = 0.15
    north_south_bonus: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] = 0.10
    themes: Annotated[list[str], Field(min_length=1, max_length=64)] | None = None
    size: Annotated[list[int], Field(min_length=2, max_length=2)] = list(DEFAULT_SIZE)
    max_per_member: Annotated[int, Field(ge=1, le=10)] = 2


class CircleMemberOut(BaseModel):
    member: str
    role: str


class ProposalPublic(BaseModel):
    id: int
    round_id: int
    revision: int
    kind: str
    status: str
    mentor: str | None
    mentee: str | None
    theme: str | None
    language: str | None
    members: list[dict[str, Any]]
    languages: list[str]
    score: float
    reasons: list[ReasonOut]
    note: str


class Outcomes(BaseModel):
    feedback: int
    met: int
    mean_usefulness: float | None


class RoundPublic(BaseModel):
    id: int
    kind: str
    status: str
    objective: str | None
    seed: int | None
    options: dict[str, Any]
    taxonomy_version: str
    input_sha256: str
    revision: int
    summary: dict[str, Any]
    created_at: datetime
    created_by: str
    published_at: datetime | None
    counts: dict[str, int]
    outcomes: Outcomes
    proposals: list[ProposalPublic] | None = None


class RoundList(BaseModel):
    rounds: list[RoundPublic]


class DecisionIn(BaseModel):
    model_config = Strict
    decision: Literal["approve", "decline", "pin"]
    note: Annotated[MultiLine, Field(max_length=2000)] = ""


class FeedbackIn(BaseModel):
    model_config = Strict
    met: bool
    usefulness: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[MultiLine, Field(max_length=2000)] = ""


class FeedbackPublic(BaseModel):
    id: int
    proposal_id: int
    met: bool
    usefulness: int
    comment: str


class PublishedPair(BaseModel):
    proposal_id: int
    round_id: int
    mentor: str
    mentor_name: str | None
    mentee: str
    mentee_name: str | None
    languages: list[str]
    score: float
    reasons: list[ReasonOut]


class PublishedCircle(BaseModel):
    proposal_id: int
    round_id: int
    theme: str
    language: str | None
    members: list[dict[str, Any]]
    score: float


class Published(BaseModel):
    pairs: list[PublishedPair]
    circles: list[PublishedCircle]


class AuditPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


class AuditList(BaseModel):
    total: int
    records: list[AuditPublic]


MemberIdPath = MemberId
