"""Stored pair constraints: removing a lock or an exclusion (an import adds
them; deleting a member removes its own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from service import usecases
from service.api.auth import Admin
from service.api.deps import EngineDep
from service.contract import MEMBER_ID_PATTERN
from service.store.db import write_session

router = APIRouter(prefix="/v1", tags=["pairs"])
MemberPath = Annotated[str, Path(pattern=MEMBER_ID_PATTERN, max_length=64)]


@router.delete("/locks/{mentor}/{mentee}", status_code=204)
def delete_lock(who: Admin, engine: EngineDep, mentor: MemberPath, mentee: MemberPath) -> Response:
    """Unlock a pair: later rounds no longer have to contain it."""
    with write_session(engine) as session:
        usecases.delete_relation(session, kind="locked", a=mentor, b=mentee, who=who)
    return Response(status_code=204)


@router.delete("/exclusions/{member_a}/{member_b}", status_code=204)
def delete_exclusion(
    who: Admin, engine: EngineDep, member_a: MemberPath, member_b: MemberPath
) -> Response:
    """Allow a pair again (the two members in either order)."""
    with write_session(engine) as session:
        usecases.delete_relation(session, kind="exclusion", a=member_a, b=member_b, who=who)
    return Response(status_code=204)
