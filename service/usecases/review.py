"""Reviewing a round: decisions, publication, published results and feedback."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from service.contract import (
    FeedbackPublic,
    Page,
    ProposalPublic,
    Published,
    PublishedCircle,
    PublishedExchange,
    PublishedPair,
    PublishPreview,
    RoundList,
    RoundPublic,
)
from service.documents.labels import labelled_reasons, theme_label
from service.store.models import (
    Feedback,
    Member,
    Proposal,
    Relation,
    Round,
    utcnow,
)
from service.usecases.access import Principal
from service.usecases.audit import audit
from service.usecases.errors import Conflict, Invalid, not_found
from service.usecases.feedback import (
    KEEP,
    feedback_view,
    is_answerable,
    record_answer,
    side_error,
    sides,
    theme_errors,
)
from service.usecases.network import bump_version, network_document, validated_network
from service.usecases.rounds import LIVE, locked_round, with_approvals


def _publish_plan(
    session: Session, row: Round, undecided: str | None
) -> tuple[list[Proposal], list[Proposal], list[Proposal]]:
    """What publishing ``row`` does, given the choice for ``undecided``
    proposals: (published, withdrawn, undecided), each by id."""
    proposals = session.exec(
        select(Proposal).where(Proposal.round_id == row.id).order_by(Proposal.id)
    ).all()
    waiting = [p for p in proposals if p.status == "proposed"]
    live = [p for p in proposals if p.status in LIVE]
    if undecided == "approve":
        return sorted(live + waiting, key=lambda p: p.id), [], waiting
    return live, waiting if undecided == "withdraw" else [], waiting


def publish_preview(
    session: Session, *, round_id: int, undecided: str | None, lang: str
) -> PublishPreview:
    """What :func:`publish` would publish and withdraw, given ``undecided``."""
    row = _round(session, round_id)
    if row.status != "draft":
        raise Conflict(f"round {round_id} is {row.status}; only a draft can be published")
    live, withdrawn, waiting = _publish_plan(session, row, undecided)
    return PublishPreview(
        round_id=row.id,
        revision=row.revision,
        undecided_choice=undecided,
        choice_needed=bool(waiting) and undecided is None,
        published=[proposal_view(p, lang) for p in live],
        withdrawn=[proposal_view(p, lang) for p in withdrawn],
        undecided=[proposal_view(p, lang) for p in waiting],
    )


def _members_of(p: Proposal) -> str:
    if p.kind == "pair":
        return f"{p.mentor} mentors {p.mentee}"
    if p.kind == "exchange":
        return f"{p.mentor} and {p.mentee} teach each other"
    return f"{p.theme} circle in {p.language}: " + ", ".join(m["member"] for m in p.members)


def publish(
    session: Session, *, round_id: int, who: Principal, undecided: str | None = None
) -> Round:
    """Publish a draft in one transaction: its approved proposals become what
    the Hub shows (replacing the round of the same kind published before),
    pairs join the history (penalised in later rounds). Undecided proposals
    are withdrawn or approved as ``undecided`` says; without a choice, any
    undecided proposal refuses the publication (nothing dropped silently)."""
    row = locked_round(session, round_id)
    if row.status != "draft":
        raise Conflict(f"round {round_id} is {row.status}; only a draft can be published")
    live, withdrawn, waiting = _publish_plan(session, row, undecided)
    if waiting and undecided is None:
        raise Conflict(
            f"round {round_id} has {len(waiting)} undecided proposal(s): decide on them, or "
            'publish with {"undecided": "withdraw"} or {"undecided": "approve"}',
            [
                {
                    "where": "proposal",
                    "field": "status",
                    "value": p.id,
                    "proposal_id": p.id,
                    "members": [m["member"] for m in p.members],
                    "message": f"proposal {p.id} ({_members_of(p)}) is undecided",
                }
                for p in waiting
            ],
            kind="undecided-proposals",
        )
    if not live:
        raise Conflict(f"round {round_id} has no approved proposal; approve some first")
    for p in waiting:
        if undecided == "approve":
            p.status, p.decided_by = "approved", who.name
        else:
            p.status = "withdrawn"
        session.add(p)
    if row.kind == "mentoring":
        # Profiles may have changed since the pairs were approved.
        document, relabel = with_approvals(network_document(session), live)
        validated_network(document, relabel=relabel)
    for old in session.exec(
        select(Round).where(Round.kind == row.kind, Round.status == "published").with_for_update()
    ).all():
        old.status = "archived"
        session.add(old)
    history = 0
    if row.kind == "mentoring":
        label = f"round-{round_id}"
        for p in live:
            exists = session.exec(
                select(Relation.id).where(
                    Relation.kind == "history",
                    Relation.a == p.mentor,
                    Relation.b == p.mentee,
                    Relation.label == label,
                )
            ).first()
            if exists is None and session.get(Member, p.mentor) and session.get(Member, p.mentee):
                session.add(Relation(kind="history", a=p.mentor, b=p.mentee, label=label))
                history += 1
        if history:
            bump_version(session)
    row.status, row.published_at = "published", utcnow()
    row.revision += 1
    session.add(row)
    audit(
        session,
        who,
        "round.publish",
        "round",
        round_id,
        round=round_id,
        revision=row.revision,
        published=len(live),
        withdrawn=len(withdrawn),
        undecided=undecided,
    )
    return row


def round_counts(session: Session, round_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Proposal.status, func.count())
        .where(Proposal.round_id == round_id)
        .group_by(Proposal.status)
    ).all()
    return {status: n for status, n in rows}


def round_outcomes(session: Session, round_id: int) -> dict[str, Any]:
    n, met, mean = session.exec(
        select(
            func.count(Feedback.id),
            func.coalesce(func.sum(sa.case((Feedback.met, 1), else_=0)), 0),
            func.avg(Feedback.usefulness),
        )
        .join(Proposal, Proposal.id == Feedback.proposal_id)
        .where(Proposal.round_id == round_id)
    ).one()
    return {
        "feedback": n,
        "met": int(met),
        "mean_usefulness": None if mean is None else float(mean),
    }


def published(session: Session, *, member_id: str | None = None) -> list[tuple[Proposal, Round]]:
    query = (
        select(Proposal, Round)
        .join(Round, Round.id == Proposal.round_id)
        .where(Round.status == "published", col(Proposal.status).in_(LIVE))
        .order_by(Proposal.round_id, Proposal.id)
    )
    rows = session.exec(query).all()
    if member_id is not None:
        rows = [(p, r) for p, r in rows if member_id in {m["member"] for m in p.members}]
    return list(rows)


def add_feedback(
    session: Session,
    *,
    proposal_id: int,
    met: bool,
    usefulness: int,
    comment: str,
    who: Principal,
    member: str | None = None,
    themes_learned: list[str] | Any = KEEP,
    continued: bool | None | Any = KEEP,
) -> tuple[Feedback, bool]:
    """Record one side's answer on a relation of a published or archived
    round (``member``: the side, see :func:`~service.usecases.feedback.side_error`),
    or replace the same author's answer for the same side; returns the row
    and whether it is new. ``themes_learned`` and ``continued`` left as
    ``KEEP`` keep a replaced answer's. A member key sees only published
    relations it is part of: anything else is 'not found', so drafts stay
    invisible."""
    proposal = session.get(Proposal, proposal_id)
    round_row = session.get(Round, proposal.round_id) if proposal else None
    published = proposal is not None and is_answerable(proposal, round_row)
    involved = proposal is not None and who.member_id in sides(proposal)
    if proposal is None or (who.role == "member" and not (involved and published)):
        raise not_found("proposal", proposal_id)
    if not published:
        raise Conflict(f"proposal {proposal_id} was not published; feedback is on published ones")
    member, refusal = side_error(proposal, member, who)
    errors = [{"where": "body", "field": "member", "value": member, "message": refusal}]
    errors = (errors if refusal else []) + theme_errors(
        [] if themes_learned is KEEP else themes_learned
    )
    if errors:
        raise Invalid(f"{len(errors)} problem(s) in the feedback; nothing was saved", errors)
    row, status = record_answer(
        session,
        proposal_id,
        author=who.name,
        member=member,
        met=met,
        usefulness=usefulness,
        comment=comment,
        themes_learned=themes_learned,
        continued=continued,
    )
    action = "feedback.create" if status == "created" else "feedback.update"
    audit(session, who, action, "proposal", proposal_id, feedback=row.id, member=member)
    return row, status == "created"


def round_view(session: Session, round_id: int, *, proposals: bool, lang: str) -> RoundPublic:
    """A round as the API shows it: its row, counts, outcomes and (with
    ``proposals``) its proposals, labels in ``lang``."""
    row = _round(session, round_id)
    view = _round_view(session, row)
    if proposals:
        rows = session.exec(
            select(Proposal).where(Proposal.round_id == row.id).order_by(Proposal.id)
        ).all()
        view.proposals = [proposal_view(p, lang) for p in rows]
    return view


def _round(session: Session, round_id: int) -> Round:
    row = session.get(Round, round_id)
    if row is None:
        raise not_found("round", round_id)
    return row


def list_rounds(session: Session, *, limit: int, offset: int) -> RoundList:
    """A page of the rounds, newest first, without their proposals."""
    total = session.exec(select(func.count()).select_from(Round)).one()
    rows = session.exec(select(Round).order_by(Round.id.desc()).limit(limit).offset(offset)).all()
    return RoundList(
        total=total,
        limit=limit,
        offset=offset,
        items=[_round_view(session, r) for r in rows],
    )


def _round_view(session: Session, row: Round) -> RoundPublic:
    return RoundPublic(
        **row.model_dump(),
        counts=round_counts(session, row.id),
        outcomes=round_outcomes(session, row.id),
    )


def proposal_view(row: Proposal, lang: str) -> ProposalPublic:
    """A proposal as the API shows it, labels in ``lang``."""
    return ProposalPublic.model_validate(
        {
            **row.model_dump(),
            "reasons": labelled_reasons(row.reasons, lang),
            "theme_label": None if row.theme is None else theme_label(row.theme, lang),
        }
    )


def list_proposals(
    session: Session, *, round_id: int, limit: int, offset: int, lang: str
) -> Page[ProposalPublic]:
    """A page of a round's proposals by id, as the round's view shows them."""
    _round(session, round_id)
    where = Proposal.round_id == round_id
    total = session.exec(select(func.count()).select_from(Proposal).where(where)).one()
    rows = session.exec(
        select(Proposal).where(where).order_by(Proposal.id).limit(limit).offset(offset)
    ).all()
    return Page[ProposalPublic](
        total=total, limit=limit, offset=offset, items=[proposal_view(p, lang) for p in rows]
    )


def list_feedback(
    session: Session, *, round_id: int, limit: int, offset: int, lang: str = "en"
) -> Page[FeedbackPublic]:
    """A page of the feedback on a round's proposals, oldest first."""
    _round(session, round_id)
    query = (
        select(Feedback)
        .join(Proposal, Proposal.id == Feedback.proposal_id)
        .where(Proposal.round_id == round_id)
    )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Feedback.id).limit(limit).offset(offset)).all()
    return Page[FeedbackPublic](
        total=total,
        limit=limit,
        offset=offset,
        items=[feedback_view(f, lang) for f in rows],
    )


def published_results(
    session: Session,
    *,
    lang: str,
    member_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Published:
    """What the Hub shows (of ``member_id`` only, if given): a page of the
    pairs, circles and exchanges of the published rounds (the whole list without
    ``limit``), by round and proposal, with the members' names and the
    labels in ``lang``. A deleted member is left out: its pairs and
    exchanges, and its place in circles."""
    found = published(session, member_id=member_id)
    named = select(Member.id, Member.name)
    if member_id is not None:  # a few partners: not the whole network's names
        ids = sorted({m["member"] for p, _ in found for m in p.members})
        named = named.where(col(Member.id).in_(ids))
    names = dict(session.exec(named).all())
    rows = [(p, r) for p, r in found if p.kind == "circle" or {p.mentor, p.mentee} <= names.keys()]
    end = None if limit is None else offset + limit
    items: list[PublishedPair | PublishedCircle | PublishedExchange] = []
    for p, r in rows[offset:end]:
        if p.kind == "exchange":
            items.append(_published_exchange(p, r, names, lang))
        elif p.kind == "pair":
            items.append(
                PublishedPair(
                    proposal_id=p.id,
                    round_id=r.id,
                    mentor=p.mentor,
                    mentor_name=names.get(p.mentor),
                    mentee=p.mentee,
                    mentee_name=names.get(p.mentee),
                    languages=p.languages,
                    score=p.score,
                    reasons=labelled_reasons(p.reasons, lang),
                )
            )
        else:
            items.append(
                PublishedCircle(
                    proposal_id=p.id,
                    round_id=r.id,
                    theme=p.theme,
                    theme_label=theme_label(p.theme, lang),
                    language=p.language,
                    members=[
                        {**m, "name": names[m["member"]]} for m in p.members if m["member"] in names
                    ],
                    score=p.score,
                )
            )
    return Published(total=len(rows), limit=limit, offset=offset, items=items)


def _published_exchange(p: Proposal, r: Round, names: dict, lang: str) -> PublishedExchange:
    a, b = p.members
    return PublishedExchange(
        proposal_id=p.id,
        round_id=r.id,
        a=p.mentor,
        a_name=names.get(p.mentor),
        b=p.mentee,
        b_name=names.get(p.mentee),
        a_teaches=[{"key": k, "label": theme_label(k, lang)} for k in a.get("teaches", [])],
        b_teaches=[{"key": k, "label": theme_label(k, lang)} for k in b.get("teaches", [])],
        languages=p.languages,
        score=p.score,
        reasons=labelled_reasons(p.reasons, lang),
    )
