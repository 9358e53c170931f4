"""What the HTTP API answers about members, recommendations and the audit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    Field,
)

from matcher.recommend import DIRECTIONS, EMPTY_CODES
from service.contract.members import MemberPrivate, MemberPublic

Direction = StrEnum("Direction", [(d, d) for d in DIRECTIONS])
"""Whom recommendations are about: the engine's directions."""


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


class EmptyReasonOut(BaseModel):
    code: str = Field(description="one of " + ", ".join(EMPTY_CODES))
    text: str


class Recommendations(BaseModel):
    member: str
    direction: str
    k: int
    network_version: int = Field(
        description="the stored network's version these were computed on: right after a "
        "write they may come from the version before it, until the next snapshot is built"
    )
    recommendations: list[RecommendationOut]
    empty_reason: EmptyReasonOut | None = Field(
        None, description="only when recommendations is empty: why no peer fits"
    )


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
