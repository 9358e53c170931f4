"""A member's published partners as the member sees them: the published
pairs, exchanges and circles (the same use case as ``GET /v1/members/{id}/published``),
its partners' contact persons — publishing is so that they can reach each
other — and the feedback it already gave on each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from service.contract import CONTACT_FIELDS, Published
from service.store.models import Feedback, Member
from service.usecases.access import Principal, may_see_partners_contacts
from service.usecases.errors import Forbidden
from service.usecases.members import get_member
from service.usecases.review import published_results


@dataclass(frozen=True)
class Partners:
    published: Published
    contacts: dict[str, dict[str, str | None]]
    """Each partner's contact person (``contact_name``, ``contact_email``)."""
    feedback: dict[int, Feedback]
    """The feedback ``who`` gave, by proposal id."""


def published_partners(session: Session, *, member_id: str, who: Principal, lang: str) -> Partners:
    """``member_id``'s published pairs, exchanges and circles, labels in ``lang``, with
    the contact persons of its partners and ``who``'s feedback on them.
    Only the member itself and the secretariat may ask (``Forbidden``)."""
    if not may_see_partners_contacts(who, member_id):
        raise Forbidden(f"only member '{member_id}' and the secretariat see its partners' contacts")
    get_member(session, member_id)
    published = published_results(session, lang=lang, member_id=member_id)
    partners = set()
    for item in published.items:
        if item.type == "pair":
            partners |= {item.mentor, item.mentee}
        elif item.type == "exchange":
            partners |= {item.a, item.b}
        else:
            partners |= {m["member"] for m in item.members}
    partners.discard(member_id)
    rows = session.exec(select(Member).where(col(Member.id).in_(sorted(partners)))).all()
    contacts = {m.id: {f: getattr(m, f) for f in CONTACT_FIELDS} for m in rows}
    ids = [item.proposal_id for item in published.items]
    given = session.exec(
        select(Feedback).where(col(Feedback.proposal_id).in_(ids), Feedback.author == who.name)
    ).all()
    return Partners(published, contacts, {f.proposal_id: f for f in given})
