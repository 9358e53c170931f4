"""Who did what: one audit record per write."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

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
