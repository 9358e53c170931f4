"""Who the members are by id (name and contact), for the pages and exports
that show names where the stored results keep ids."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from service.store.models import Member


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    contact_name: str | None
    contact_email: str | None


def member_directory(session: Session) -> dict[str, Entry]:
    """Every member by id, in id order."""
    rows = session.exec(select(Member).order_by(Member.id)).all()
    return {m.id: Entry(m.id, m.name, m.contact_name, m.contact_email) for m in rows}
