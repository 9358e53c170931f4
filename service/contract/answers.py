"""What the HTTP API answers about members, recommendations and the audit,
and the one shape of every list it answers (:class:`Page`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    Field,
    computed_field,
)

from matcher.recommend import DIRECTIONS, EMPTY_CODES
from service.contract.members import MemberPrivate, MemberPublic

Direction = StrEnum("Direction", [(d, d) for d in DIRECTIONS])
"""Whom recommendations are about: the engine's directions."""


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list: every list the API answers has this shape, and takes
    ``limit`` and ``offset`` query parameters. Walking the pages (``offset``
    += ``limit`` while ``offset`` < ``total``) gives each item once, in the
    list's order, as long as the list does not change meanwhile."""

    total: int = Field(description="how many items the whole list has")
    limit: int = Field(description="the most items a page holds: `limit`, or its default")
    offset: int = Field(description="how many items of the list come before this page")
    items: list[T] = Field(description="this page's items, in the list's order")


def deprecated_alias(
    item: Any, keep: Callable[[Any], bool] | None = None, *, what: str = "The same list as"
) -> Any:
    """A field of a page kept under the name it had before ``items``: the page's
    items (those ``keep`` accepts), marked deprecated in the OpenAPI document.
    It stays until /v2 (docs/api-versioning.md)."""

    def alias(page: Page) -> list:
        return page.items if keep is None else [x for x in page.items if keep(x)]

    return computed_field(
        property(alias),
        return_type=list[item],
        description=f"Deprecated (until /v2): {what} `items`; read `items`.",
        json_schema_extra={"deprecated": True},
    )


class MemberList(Page[MemberPrivate | MemberPublic]):
    members = deprecated_alias(MemberPrivate | MemberPublic)


class ImportReport(BaseModel):
    members: int
    created: int
    updated: int
    unchanged: int
    relations_added: int
    warnings: list[dict[str, Any]] = Field(
        default_factory=list,
        description="what was imported but left to a default: a member without a country "
        "and without region or global_south (counted 'international' and Global North); "
        "each with where (line or position and id), field and how to fix it",
    )


class ReasonOut(BaseModel):
    kind: str
    key: str
    contribution: float
    label: str | None = Field(
        default=None,
        description="what the reason is about, in the answer's language (`Content-Language`): "
        "a theme's label or the name of a score's other term; null for another `kind` "
        "(a circle's `learner`, whose `key` is the member)",
    )


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


class AuditList(Page[AuditPublic]):
    """Who did what, newest first."""

    records = deprecated_alias(AuditPublic)
