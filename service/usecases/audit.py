"""Who did what: one audit record per write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from service.contract import AuditList, AuditPublic
from service.store.models import (
    AuditRecord,
)
from service.usecases.access import Principal


def audit(
    session: Session,
    who: Principal,
    action: str,
    object_type: str,
    object_id: object,
    **detail: Any,
) -> None:
    session.add(
        AuditRecord(
            actor=who.name,
            role=who.role,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
        )
    )


AUDIT_SORTS = {"at": AuditRecord.id, "actor": AuditRecord.actor, "action": AuditRecord.action}
"""What the audit trail sorts by (time by id: ids grow with time); ties by id."""


def list_audit(
    session: Session,
    *,
    limit: int,
    offset: int,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: str = "at",
    descending: bool = True,
) -> AuditList:
    """A page of who did what, when: newest first unless ``sort`` (a key of
    :data:`AUDIT_SORTS`) says otherwise; only ``actor``'s, only ``action``,
    only from ``since`` (included) to ``until`` (excluded), if given."""
    where = []
    if actor is not None:
        where.append(AuditRecord.actor == actor)
    if action is not None:
        where.append(AuditRecord.action == action)
    if since is not None:
        where.append(col(AuditRecord.at) >= since)
    if until is not None:
        where.append(col(AuditRecord.at) < until)
    total = session.exec(select(func.count()).select_from(AuditRecord).where(*where)).one()
    order = [AUDIT_SORTS[sort], AuditRecord.id]
    rows = session.exec(
        select(AuditRecord)
        .where(*where)
        .order_by(*(sa.desc(c) if descending else sa.asc(c) for c in order))
        .limit(limit)
        .offset(offset)
    ).all()
    return AuditList(
        total=total,
        limit=limit,
        offset=offset,
        items=[AuditPublic.model_validate(r.model_dump()) for r in rows],
    )


def audit_choices(session: Session) -> tuple[list[str], list[str]]:
    """The actors and the actions found in the audit trail, sorted: what its
    filters offer."""
    actors = session.exec(select(AuditRecord.actor).distinct().order_by(AuditRecord.actor)).all()
    actions = session.exec(select(AuditRecord.action).distinct().order_by(AuditRecord.action)).all()
    return list(actors), list(actions)
