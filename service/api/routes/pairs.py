"""Stored pair constraints: locks and exclusions, listed, added and removed
one at a time (an import adds them in bulk; deleting a member removes its
own; a decision on a proposal may add one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from service import usecases
from service.api.auth import Admin
from service.api.deps import EngineDep, Paging, SessionDep, paging
from service.contract import (
    MEMBER_ID_PATTERN,
    ExclusionIn,
    ExclusionPublic,
    LockIn,
    LockPublic,
    Page,
)
from service.store.db import write_session

router = APIRouter(prefix="/v1", tags=["pairs"])
MemberPath = Annotated[str, Path(pattern=MEMBER_ID_PATTERN, max_length=64)]
PairPaging = Annotated[Paging, paging(200, 1000)]


@router.get("/locks")
def list_locks(_: Admin, session: SessionDep, page: PairPaging) -> Page[LockPublic]:
    """The locked pairs every round contains, by mentor and mentee, with who
    stored each, why and when."""
    return usecases.list_relations(session, kind="locked", limit=page.limit, offset=page.offset)


@router.post("/locks", status_code=201)
def create_lock(who: Admin, engine: EngineDep, body: LockIn) -> LockPublic:
    """Lock a pair: every later round contains it until it is removed. 422
    for unknown or identical members; 409 if it is stored already, would
    exceed a capacity, or contradicts an exclusion or the profiles."""
    with write_session(engine) as session:
        row = usecases.store_relation(
            session, kind="locked", a=body.mentor, b=body.mentee, note=body.note, who=who
        )
        return usecases.lock_view(row)


@router.delete("/locks/{mentor}/{mentee}", status_code=204)
def delete_lock(who: Admin, engine: EngineDep, mentor: MemberPath, mentee: MemberPath) -> Response:
    """Unlock a pair: later rounds no longer have to contain it."""
    with write_session(engine) as session:
        usecases.delete_relation(session, kind="locked", a=mentor, b=mentee, who=who)
    return Response(status_code=204)


@router.get("/exclusions")
def list_exclusions(_: Admin, session: SessionDep, page: PairPaging) -> Page[ExclusionPublic]:
    """The pairs no round proposes, by member ids, with who stored each, why
    and when."""
    return usecases.list_relations(session, kind="exclusion", limit=page.limit, offset=page.offset)


@router.post("/exclusions", status_code=201)
def create_exclusion(who: Admin, engine: EngineDep, body: ExclusionIn) -> ExclusionPublic:
    """Never propose a pair (the two members in either order). 422 for
    unknown or identical members; 409 if it is stored already or a lock
    names the pair."""
    with write_session(engine) as session:
        row = usecases.store_relation(
            session,
            kind="exclusion",
            a=body.member_a,
            b=body.member_b,
            note=body.note,
            who=who,
            fields=("member_a", "member_b"),
        )
        return usecases.exclusion_view(row)


@router.delete("/exclusions/{member_a}/{member_b}", status_code=204)
def delete_exclusion(
    who: Admin, engine: EngineDep, member_a: MemberPath, member_b: MemberPath
) -> Response:
    """Allow a pair again (the two members in either order)."""
    with write_session(engine) as session:
        usecases.delete_relation(session, kind="exclusion", a=member_a, b=member_b, who=who)
    return Response(status_code=204)
