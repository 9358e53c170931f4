"""Decisions on a draft's proposals, one or many in one transaction, each
made (optionally) on a revision of the round: a round that moved on since
refuses it and says what changed."""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.store.models import AuditRecord, Member, Proposal, Relation, Round
from service.usecases.access import Principal
from service.usecases.audit import audit
from service.usecases.constraints import store_relation
from service.usecases.errors import Conflict, DomainError, not_found
from service.usecases.rounds import LIVE, locked_round


def decide(
    session: Session,
    *,
    round_id: int,
    proposal_id: int,
    decision: str,
    note: str,
    who: Principal,
    never_again: bool = False,
    lock: bool = False,
    revision: int | None = None,
) -> Proposal:
    """Decide on one proposal of a draft (see :class:`DecisionIn`); with
    ``revision``, only if the round has not changed since that revision."""
    row = _draft_for_decisions(session, round_id, revision)
    return _decide_one(
        session, row, proposal_id, decision, note, never_again=never_again, lock=lock, who=who
    )


def decide_many(
    session: Session, *, round_id: int, decisions: list, who: Principal, revision: int | None
) -> list[Proposal]:
    """Every decision of ``decisions`` (each with ``proposal_id`` and the
    fields of :class:`DecisionIn`), in order, or none: every refusal is
    listed in one problem and the caller's transaction rolls back."""
    row = _draft_for_decisions(session, round_id, revision)
    done, errors = [], []
    for k, d in enumerate(decisions):
        try:
            # A savepoint each: a refused decision leaves nothing half-done
            # for the later ones to be judged against.
            with session.begin_nested():
                done.append(
                    _decide_one(
                        session,
                        row,
                        d.proposal_id,
                        d.decision,
                        d.note,
                        never_again=d.never_again,
                        lock=d.lock,
                        who=who,
                    )
                )
        except DomainError as exc:
            errors.append(
                {
                    "where": "body",
                    "field": f"decisions.{k}",
                    "value": d.proposal_id,
                    "message": "; ".join([exc.detail, *(e["message"] for e in exc.errors or [])]),
                }
            )
    if errors:
        raise Conflict(
            f"{len(errors)} of {len(decisions)} decisions refused; none was taken: fix or "
            "remove those listed in errors, then send them again",
            errors,
        )
    return done


def _draft_for_decisions(session: Session, round_id: int, revision: int | None) -> Round:
    row = locked_round(session, round_id)
    if row.status != "draft":
        raise Conflict(f"round {round_id} is {row.status}; decisions are taken on drafts")
    if revision is not None and revision != row.revision:
        raise _stale(session, row, revision)
    return row


def _stale(session: Session, row: Round, revision: int) -> Conflict:
    """The refusal of a decision made on ``revision`` of a round now at a
    later one: what changed since, by whom, from the audit trail."""
    if revision > row.revision:
        return Conflict(
            f"round {row.id} is at revision {row.revision}, not {revision}; "
            f'send If-Match: "{row.revision}" after reading it again'
        )
    records = session.exec(
        select(AuditRecord)
        .where(
            AuditRecord.detail["round"].as_integer() == row.id,
            AuditRecord.detail["revision"].as_integer() > revision,
        )
        .order_by(AuditRecord.id)
    ).all()
    errors = [
        {
            "where": r.object_type,
            "field": "revision",
            "value": r.detail["revision"],
            "message": f"{r.action} by {r.actor} at {r.at.isoformat()}",
            "action": r.action,
            "actor": r.actor,
            "object_id": r.object_id,
        }
        for r in records
    ]
    changed = sorted({int(r.object_id) for r in records if r.object_type == "proposal"})
    what = f"proposals {', '.join(map(str, changed))} were decided on" if changed else ""
    return Conflict(
        f"round {row.id} changed since revision {revision} (now {row.revision})"
        + (f": {what}" if what else "")
        + "; read the round again, then decide on what it shows now",
        errors,
        kind="stale-revision",
    )


def _decide_one(
    session: Session,
    row: Round,
    proposal_id: int,
    decision: str,
    note: str,
    *,
    never_again: bool,
    lock: bool,
    who: Principal,
) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.round_id != row.id:
        raise not_found("proposal in this round", proposal_id)
    if proposal.status in ("superseded", "withdrawn"):
        raise Conflict(
            f"proposal {proposal_id} is {proposal.status}; decide on the current proposals"
        )
    if never_again and proposal.kind == "circle":
        raise Conflict(
            f"proposal {proposal_id} is a circle; never_again is for pairs and exchanges"
        )
    if lock and proposal.kind != "pair":
        # A lock is "mentor mentors mentee" in later mentoring rounds: an
        # exchange has no such direction, so storing one would say more
        # than was decided.
        what = "an exchange" if proposal.kind == "exchange" else "a circle"
        raise Conflict(
            f"proposal {proposal_id} is {what}; lock is for mentoring pairs: "
            "approve it without lock"
        )
    status = "declined" if decision == "decline" else "approved"
    if status == "declined" and proposal.kind == "pair":
        _refuse_declining_a_lock(session, proposal)
    if status in LIVE and proposal.status not in LIVE:
        _check_capacity(session, row, proposal)
    proposal.status, proposal.note, proposal.decided_by = status, note, who.name
    session.add(proposal)
    if never_again:
        _store_once(session, "exclusion", proposal, note, who)
    if lock:
        _store_once(session, "locked", proposal, note, who)
    row.revision += 1
    session.add(row)
    audit(
        session,
        who,
        f"proposal.{decision}",
        "proposal",
        proposal_id,
        round=row.id,
        revision=row.revision,
        never_again=never_again,
        lock=lock,
    )
    session.flush()
    return proposal


def _refuse_declining_a_lock(session: Session, p: Proposal) -> None:
    """A stored lock puts its pair in every round: declining it here would
    make the round's next re-run contradict itself."""
    lock = session.exec(
        select(Relation).where(
            Relation.kind == "locked", Relation.a == p.mentor, Relation.b == p.mentee
        )
    ).first()
    if lock is not None:
        by = f" by {lock.created_by}" if lock.created_by else ""
        raise Conflict(
            f"proposal {p.id} ({p.mentor} mentors {p.mentee}) is a locked pair (stored{by}); "
            f"remove the lock first (DELETE /v1/locks/{p.mentor}/{p.mentee}), then decline it"
        )


def _store_once(session: Session, kind: str, p: Proposal, note: str, who: Principal) -> None:
    a, b = (p.mentor, p.mentee) if kind == "locked" else sorted((p.mentor, p.mentee))
    stored = session.exec(
        select(Relation.id).where(Relation.kind == kind, Relation.a == a, Relation.b == b)
    ).first()
    if stored is None:
        store_relation(session, kind=kind, a=a, b=b, note=note, who=who, round_id=p.round_id)


def _check_capacity(session: Session, row: Round, proposal: Proposal) -> None:
    live = session.exec(
        select(Proposal).where(Proposal.round_id == row.id, col(Proposal.status).in_(LIVE))
    ).all()
    if proposal.kind == "pair":
        for role, field in (("mentor", "mentor_capacity"), ("mentee", "mentee_capacity")):
            member_id = getattr(proposal, role)
            member = session.get(Member, member_id)
            if member is None:
                raise Conflict(f"member {member_id} no longer exists")
            taken = sum(1 for p in live if getattr(p, role) == member_id)
            limit = getattr(member, field)
            if taken + 1 > limit:
                raise Conflict(
                    f"{member_id} already has {taken} approved or pinned pair(s) as {role} "
                    f"and its {field} is {limit}; decline one first or raise {field}"
                )
        return
    if proposal.kind == "exchange":
        for m in proposal.members:
            taken = [p.id for p in live if m["member"] in {x["member"] for x in p.members}]
            if taken:
                raise Conflict(
                    f"{m['member']} is already in approved exchange {taken[0]}; "
                    "a member is in at most one exchange: decline that one first"
                )
        return
    limit = row.options.get("max_per_member", 2)
    for m in proposal.members:
        taken = sum(1 for p in live if m["member"] in {x["member"] for x in p.members})
        if taken + 1 > limit:
            raise Conflict(
                f"{m['member']} is already in {taken} approved or pinned circle(s); "
                f"the round allows {limit}"
            )
