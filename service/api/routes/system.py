"""Health, taxonomy, capacity map and the audit trail."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from matcher import default_taxonomy
from service import usecases
from service.api.auth import Admin, AdminOrHub, Anyone
from service.api.deps import CacheDep, SessionDep
from service.contract import AuditList
from service.usecases import capacity_map_document

router = APIRouter()


class Lang(StrEnum):
    en = "en"
    fr = "fr"
    es = "es"
    pt = "pt"
    ar = "ar"


class Grouping(StrEnum):
    region = "region"
    north_south = "north_south"
    kind = "kind"


@router.head("/health", include_in_schema=False)
async def health_head() -> Response:
    """Liveness for load balancers that probe with HEAD."""
    return Response(status_code=200)


@router.get("/health", tags=["system"])
async def health() -> dict:
    """Liveness: no key needed."""
    return {"status": "ok"}


@router.get("/v1/taxonomy", tags=["system"])
def get_taxonomy(_: Anyone, lang: Lang = Lang.en) -> dict:
    """The theme taxonomy, with each theme's label in ``lang``."""
    tax = default_taxonomy()
    doc = tax.to_dict()
    for theme in doc["themes"]:
        theme["label"] = theme["labels"][lang.value]
    return doc


@router.get("/v1/capacity-map", tags=["system"])
def get_capacity_map(
    _: AdminOrHub,
    session: SessionDep,
    cache: CacheDep,
    by: Grouping = Grouping.region,
    lang: Lang = Lang.en,
) -> dict:
    """Supply and demand per theme broken down ``by`` region, North/South or
    kind; unmet needs, single points of failure, brokers."""
    return capacity_map_document(session, cache, by=by.value, lang=lang.value)


@router.get("/v1/audit", tags=["system"])
def list_audit(
    _: Admin,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> AuditList:
    """Who did what, when: newest first."""
    return usecases.list_audit(session, limit=limit, offset=offset)
