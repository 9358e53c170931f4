"""Health, readiness, taxonomy, capacity map and the audit trail."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from matcher import default_taxonomy
from service import usecases
from service.api.auth import Admin, AdminOrHub, Anyone
from service.api.deps import CacheDep, Paging, SessionDep, paging
from service.api.language import LanguageDep
from service.api.problems import PROBLEM_JSON, not_ready_response
from service.contract import AuditList
from service.store.db import readiness
from service.usecases import capacity_map_document

router = APIRouter()


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


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    database: Literal["ok"] = "ok"
    migrations: Literal["current"] = "current"
    read_only: bool


_NOT_READY = {
    503: {
        "description": "Not ready: the database does not answer, or its schema is "
        "not the newest migration's; `checks` says which (with Retry-After)",
        "content": {PROBLEM_JSON: {}},
    }
}


def _ready(request: Request) -> Ready | JSONResponse:
    state = readiness(request.app.state.engine)
    read_only = request.app.state.settings.read_only
    if state.ready:
        return Ready(read_only=read_only)
    if state.database != "ok":
        logging.getLogger(__name__).warning("not ready: the database: %s", state.error)
        detail = "not ready: the database does not answer (down, unreachable or locked)"
    else:
        detail = (
            "not ready: the migrations are not current (the database is at revision "
            f"{state.revision or 'none, never migrated'}, this release needs "
            f"{state.head}); start the service read-write once to migrate it"
        )
    checks = {"database": state.database, "migrations": state.migrations, "read_only": read_only}
    return not_ready_response(request, detail, checks)


@router.head("/ready", include_in_schema=False)
def ready_head(request: Request) -> Response:
    """Readiness for load balancers that probe with HEAD."""
    answer = _ready(request)
    if isinstance(answer, Ready):
        return Response(status_code=200)
    retry = {"Retry-After": answer.headers["retry-after"]}
    return Response(status_code=answer.status_code, headers=retry)


@router.get("/ready", tags=["system"], response_model=Ready, responses=_NOT_READY)
def ready(request: Request) -> Ready | JSONResponse:
    """Readiness, no key needed: 200 when the database answers and its schema
    is the newest migration's, else a 503 problem saying which check failed
    (/health only says that the process is up)."""
    return _ready(request)


@router.get("/v1/taxonomy", tags=["system"])
def get_taxonomy(_: Anyone, language: LanguageDep) -> dict:
    """The theme taxonomy, with each theme's label in the answer's language."""
    tax = default_taxonomy()
    doc = tax.to_dict()
    for theme in doc["themes"]:
        theme["label"] = theme["labels"][language.code]
    return doc


@router.get("/v1/capacity-map", tags=["system"])
def get_capacity_map(
    _: AdminOrHub,
    session: SessionDep,
    cache: CacheDep,
    language: LanguageDep,
    by: Grouping = Grouping.region,
) -> dict:
    """Supply and demand per theme broken down ``by`` region, North/South or
    kind; unmet needs, single points of failure, brokers."""
    return capacity_map_document(session, cache, by=by.value, lang=language.code)


@router.get("/v1/audit", tags=["system"])
def list_audit(
    _: Admin, session: SessionDep, page: Annotated[Paging, paging(100, 1000)]
) -> AuditList:
    """Who did what, when: newest first."""
    return usecases.list_audit(session, limit=page.limit, offset=page.offset)
