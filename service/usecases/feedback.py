"""Answers on published relations: which side may answer, the themes
learned checked against the taxonomy, storing an answer (a new one, or the
same author's for the same side replaced), an answer as the API shows it,
and a member's relations with its answers (the console's feedback page).

A relation is a pair, an exchange, or one member of a circle: a circle's
answer is always one member's, a pair's or an exchange's may be recorded
by the secretariat without knowing which side gave it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from matcher.taxonomy import default_taxonomy
from service.contract import FeedbackPublic
from service.documents.labels import theme_label
from service.store.models import Feedback, Member, Proposal, Round, utcnow
from service.usecases.access import Principal
from service.usecases.rounds import LIVE

ANSWERED_ROUNDS = ("published", "archived")
"""Rounds whose relations take answers: an archived round stays open to them."""


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()
"""An optional field the client did not send: a replaced answer keeps it."""


def sides(p: Proposal) -> list[str]:
    """The members who may answer on ``p``, in its order."""
    found = [p.mentor, p.mentee] if p.kind == "pair" else []
    found += [m["member"] for m in p.members]
    return list(dict.fromkeys(s for s in found if s))


def relation_themes(p: Proposal) -> list[str]:
    """The themes ``p`` was about: a pair's theme reasons, what the partners
    of an exchange teach each other, a circle's theme."""
    if p.kind == "circle":
        return [p.theme] if p.theme else []
    if p.kind == "exchange":
        return list(dict.fromkeys(t for m in p.members for t in m.get("teaches", [])))
    return list(dict.fromkeys(r["key"] for r in p.reasons if r.get("kind") == "theme"))


def is_answerable(p: Proposal, round_row: Round) -> bool:
    return round_row.status in ANSWERED_ROUNDS and p.status in LIVE


def unknown_theme(key: str) -> str:
    """What to write instead of ``key``, which the taxonomy does not know."""
    hint = default_taxonomy().suggest(key)
    return "unknown theme key" + (
        f"; did you mean '{hint}'?" if hint else "; GET /v1/taxonomy lists them"
    )


def theme_errors(keys: list[str]) -> list[dict[str, Any]]:
    """The body's unknown ``themes_learned`` keys, each named by its index."""
    tax = default_taxonomy()
    return [
        {
            "where": "body",
            "field": f"themes_learned.{k}",
            "value": key,
            "message": unknown_theme(key),
        }
        for k, key in enumerate(keys)
        if key not in tax
    ]


def side_error(p: Proposal, member: str | None, who: Principal) -> tuple[str | None, str | None]:
    """The side ``who`` answers as (``member`` or its default) and, if it may
    not, why not and how to fix it."""
    members = sides(p)
    if who.role == "member":
        if member is not None and member != who.member_id:
            return member, (
                f"a member key answers only as itself: leave member out or write '{who.member_id}'"
            )
        member = who.member_id
    elif member is None:
        if p.kind == "circle":
            return None, (
                "name the circle member whose answer this is: one of " + ", ".join(members)
            )
        return None, None
    if member not in members:
        return member, f"'{member}' is not part of relation {p.id}; its members: " + ", ".join(
            members
        )
    return member, None


def stored_answer(session: Session, proposal_id: int, author: str, member: str | None):
    member_is = Feedback.member_id == member if member else col(Feedback.member_id).is_(None)
    return session.exec(
        select(Feedback).where(
            Feedback.proposal_id == proposal_id, Feedback.author == author, member_is
        )
    ).first()


def record_answer(
    session: Session,
    proposal_id: int,
    *,
    author: str,
    member: str | None,
    met: bool,
    usefulness: int,
    comment: str,
    themes_learned: list[str] | Any = KEEP,
    continued: bool | None | Any = KEEP,
) -> tuple[Feedback, str]:
    """Store an answer checked by the caller; returns the row and
    ``"created"``, ``"updated"`` or ``"unchanged"``. Only the same author's
    answer for the same side is replaced; every other answer stays."""
    row = stored_answer(session, proposal_id, author, member)
    new = {"met": met, "usefulness": usefulness, "comment": comment}
    if themes_learned is not KEEP:
        new["themes_learned"] = list(dict.fromkeys(themes_learned))
    if continued is not KEEP:
        new["continued"] = continued
    if row is None:
        row = Feedback(proposal_id=proposal_id, author=author, member_id=member, **new)
        status = "created"
    elif all(getattr(row, k) == v for k, v in new.items()):
        return row, "unchanged"
    else:
        for k, v in new.items():
            setattr(row, k, v)
        row.updated_at = utcnow()
        status = "updated"
    session.add(row)
    session.flush()
    return row, status


def feedback_view(row: Feedback, lang: str) -> FeedbackPublic:
    """An answer as the API shows it, theme labels in ``lang``."""
    data = row.model_dump()
    return FeedbackPublic.model_validate(
        {
            **data,
            "member": row.member_id,
            "themes_learned": list(row.themes_learned),
            "themes_learned_labels": [theme_label(k, lang) for k in row.themes_learned],
        }
    )


@dataclass(frozen=True)
class MemberRelation:
    """One relation of a member as its feedback page shows it."""

    proposal: Proposal
    round: Round
    format: str
    """``mentoring``, ``exchange`` or ``circle``."""
    role: str
    """The member's part: mentor, mentee, partner, anchor or learner."""
    others: list[tuple[str, str]]
    """The other members: (id, name)."""
    themes: list[str]
    answer: Feedback | None
    """The answer the member's key gave, as itself."""


def member_relations(session: Session, *, member_id: str, author: str) -> list[MemberRelation]:
    """Every relation of ``member_id`` in published and archived rounds,
    newest round first, with ``author``'s answer as ``member_id``."""
    rows = session.exec(
        select(Proposal, Round)
        .join(Round, Round.id == Proposal.round_id)
        .where(col(Round.status).in_(ANSWERED_ROUNDS), col(Proposal.status).in_(LIVE))
        .order_by(Round.id.desc(), Proposal.id)
    ).all()
    mine = [(p, r) for p, r in rows if member_id in sides(p)]
    ids = {s for p, _ in mine for s in sides(p)}
    names = dict(session.exec(select(Member.id, Member.name).where(col(Member.id).in_(ids))).all())
    answers = {
        f.proposal_id: f
        for f in session.exec(
            select(Feedback).where(
                col(Feedback.proposal_id).in_([p.id for p, _ in mine]),
                Feedback.author == author,
                Feedback.member_id == member_id,
            )
        ).all()
    }
    found = []
    for p, r in mine:
        if p.kind == "pair":
            role, fmt = ("mentor" if p.mentor == member_id else "mentee"), "mentoring"
        else:
            role = next(m["role"] for m in p.members if m["member"] == member_id)
            fmt = p.kind
        others = [(s, names.get(s, s)) for s in sides(p) if s != member_id]
        found.append(MemberRelation(p, r, fmt, role, others, relation_themes(p), answers.get(p.id)))
    return found
