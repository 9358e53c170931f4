"""Who did what: one audit record per write."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

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


def list_audit(session: Session, *, limit: int, offset: int) -> AuditList:
    """A page of who did what, when: newest first."""
    total = session.exec(select(func.count()).select_from(AuditRecord)).one()
    rows = session.exec(
        select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit).offset(offset)
    ).all()
    return AuditList(
        total=total,
        limit=limit,
        offset=offset,
        items=[AuditPublic.model_validate(r.model_dump()) for r in rows],
    )
