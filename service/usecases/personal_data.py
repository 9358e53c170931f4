"""A member's personal data: every stored trace of it, found once, so that
deleting the member pseudonymises exactly what exporting it shows
(docs/personal-data.md).

Besides the member row and its pairs (deleted), a member leaves traces in
the secretariat's records, which stay: proposals (``mentor``, ``mentee``,
``members``, a ``note``), round summaries (``unmatched``, ``left_out``),
feedback on its proposals and feedback its keys wrote, its API keys (their
``member_id`` and name, the actor of its audit lines and the author of its
feedback), audit records (actor, object id, detail), and the notes and
comments on other pairs that name it. Recommendations are computed on
request and never stored.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from service.contract.fields import PSEUDONYM_PREFIX
from service.store.models import ApiKey, AuditRecord, Feedback, Member, Proposal, Relation, Round
from service.usecases.network import member_document

_ID_CHAR = r"[A-Za-z0-9_-]|\.[A-Za-z0-9]"
"""What may continue a member id (a full stop only inside one, so an id that
ends a sentence is still found)."""


class Needles:
    """The strings that identify a member in free text: its id as a whole
    token, its name, contact name and email as whole words, in any case.

    >>> m = Member(id="ke-1", name="Kenya Coalition", kind="national_coalition",
    ...            languages=["en"], expertise={}, needs={}, contact_email="a@ke.org")
    >>> n = Needles.of(m)
    >>> n.replace("member ke-1 (kenya coalition) was deleted.", "deleted-0a1b2c3d")
    'member deleted-0a1b2c3d (deleted-0a1b2c3d) was deleted.'
    >>> n.found("ke-12 and ke-1.5"), n.found("mail A@KE.ORG")
    (False, True)
    """

    def __init__(self, member_id: str, words: list[str]) -> None:
        self.member_id = member_id
        self.words = words
        id_token = rf"(?<![A-Za-z0-9._-]){re.escape(member_id)}(?!{_ID_CHAR})"
        word = [rf"(?<!\w){re.escape(w)}(?!\w)" for w in words]
        self.pattern = re.compile("|".join([id_token, *word]), re.IGNORECASE)

    @classmethod
    def of(cls, member: Member) -> Needles:
        words = [member.name, member.contact_name, member.contact_email]
        # Longest first, so a name holding the contact's is replaced whole.
        return cls(member.id, sorted({w for w in words if w}, key=len, reverse=True))

    def found(self, text: str | None) -> bool:
        return bool(text) and self.pattern.search(text) is not None

    def replace(self, text: str, pseudonym: str) -> str:
        return self.pattern.sub(pseudonym, text)

    def like(self, column) -> Any:
        """A condition that holds for (at least) every row whose ``column``,
        as text, may hold a needle: the database narrows, :meth:`found`
        decides. JSON columns store non-ASCII characters as escapes."""
        text = sa.func.lower(sa.cast(column, sa.Text))
        forms = {self.member_id.lower()}
        for w in self.words:
            forms |= {w.lower(), json.dumps(w.lower())[1:-1]}
        return sa.or_(*(text.contains(f, autoescape=True) for f in sorted(forms)))


def in_json(value: Any, needles: Needles) -> bool:
    """Whether any string in a JSON value holds a needle."""
    if isinstance(value, str):
        return needles.found(value)
    if isinstance(value, dict):
        return any(in_json(v, needles) for v in value.values())
    if isinstance(value, list):
        return any(in_json(v, needles) for v in value)
    return False


def replace_in_json(value: Any, needles: Needles, pseudonym: str) -> Any:
    if isinstance(value, str):
        return needles.replace(value, pseudonym)
    if isinstance(value, dict):
        return {k: replace_in_json(v, needles, pseudonym) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_in_json(v, needles, pseudonym) for v in value]
    return value


SUMMARY_LISTS = ("unmatched", "left_out")
"""The lists of a round summary that name members (``member``)."""


@dataclass
class Traces:
    """Every stored row that names one member, besides its own row."""

    member: Member
    needles: Needles
    relations: list[Relation] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    """Rounds whose summary names the member (and the rounds of its proposals)."""
    keys: list[ApiKey] = field(default_factory=list)
    feedback_given: list[Feedback] = field(default_factory=list)
    feedback_received: list[Feedback] = field(default_factory=list)
    noted_in: list[Proposal] = field(default_factory=list)
    """Other members' proposals whose note names it."""
    commented_in: list[Feedback] = field(default_factory=list)
    """Feedback on other members' proposals whose comment names it."""
    audit: list[AuditRecord] = field(default_factory=list)


def traces(session: Session, member: Member) -> Traces:
    """Find every trace of ``member`` (see the module's docstring)."""
    member_id = member.id
    needles = Needles.of(member)
    found = Traces(member, needles)
    found.relations = list(
        session.exec(
            select(Relation)
            .where(sa.or_(Relation.a == member_id, Relation.b == member_id))
            .order_by(Relation.kind, Relation.a, Relation.b, Relation.label)
        ).all()
    )
    found.proposals = [
        p
        for p in session.exec(
            select(Proposal).where(needles.like(Proposal.members)).order_by(Proposal.id)
        ).all()
        if member_id in {m["member"] for m in p.members}
    ]
    round_ids = {p.round_id for p in found.proposals}
    found.rounds = [
        r
        for r in session.exec(
            select(Round)
            .where(sa.or_(col(Round.id).in_(round_ids), needles.like(Round.summary)))
            .order_by(Round.id)
        ).all()
        if r.id in round_ids or _in_summary(r, member_id)
    ]
    found.keys = list(
        session.exec(select(ApiKey).where(ApiKey.member_id == member_id).order_by(ApiKey.id)).all()
    )
    key_names = {k.name for k in found.keys}
    proposal_ids = {p.id for p in found.proposals}
    for f in session.exec(
        select(Feedback)
        .where(
            sa.or_(col(Feedback.proposal_id).in_(proposal_ids), col(Feedback.author).in_(key_names))
        )
        .order_by(Feedback.id)
    ).all():
        (found.feedback_given if f.author in key_names else found.feedback_received).append(f)
    found.noted_in = [
        p
        for p in session.exec(
            select(Proposal).where(needles.like(Proposal.note)).order_by(Proposal.id)
        ).all()
        if p.id not in proposal_ids and needles.found(p.note)
    ]
    seen = {f.id for f in found.feedback_given + found.feedback_received}
    found.commented_in = [
        f
        for f in session.exec(
            select(Feedback).where(needles.like(Feedback.comment)).order_by(Feedback.id)
        ).all()
        if f.id not in seen and needles.found(f.comment)
    ]
    found.audit = [
        a
        for a in session.exec(
            select(AuditRecord)
            .where(
                sa.or_(
                    col(AuditRecord.actor).in_(key_names),
                    needles.like(AuditRecord.object_id),
                    needles.like(AuditRecord.detail),
                    sa.and_(
                        AuditRecord.object_type == "api_key",
                        col(AuditRecord.object_id).in_(key_names),
                    ),
                )
            )
            .order_by(AuditRecord.id)
        ).all()
        if a.actor in key_names
        or (a.object_type == "api_key" and a.object_id in key_names)
        or needles.found(a.object_id)
        or in_json(a.detail, needles)
    ]
    return found


def _in_summary(row: Round, member_id: str) -> bool:
    return any(
        x.get("member") == member_id for name in SUMMARY_LISTS for x in row.summary.get(name, [])
    )


def new_pseudonym(session: Session) -> str:
    """A pseudonym no earlier deletion used. Random and stored with nothing
    that leads back: no secret can turn it into the member again."""
    while True:
        candidate = PSEUDONYM_PREFIX + secrets.token_hex(4)
        used = session.exec(
            select(AuditRecord.id).where(
                AuditRecord.action == "member.delete", AuditRecord.object_id == candidate
            )
        ).first()
        if used is None:
            return candidate


def pseudonymise(session: Session, found: Traces, pseudonym: str) -> dict[str, int]:
    """Replace the member by ``pseudonym`` in every trace that stays, erase
    the feedback comments on its pairs (on other pairs, only the words naming
    it are replaced), delete its pairs; returns what it changed, by kind.
    Its keys are renamed ``<pseudonym>-key<n>`` (names are unique), wherever
    a key name is stored."""
    member_id, needles = found.member.id, found.needles
    for r in found.relations:
        session.delete(r)
    for p in found.proposals:
        if p.mentor == member_id:
            p.mentor = pseudonym
        if p.mentee == member_id:
            p.mentee = pseudonym
        p.members = [
            {**m, "member": pseudonym} if m["member"] == member_id else m for m in p.members
        ]
        # A circle's reasons name each credited learner.
        p.reasons = [
            {**r, "key": pseudonym}
            if r.get("kind") == "learner" and r.get("key") == member_id
            else r
            for r in p.reasons
        ]
        p.note = needles.replace(p.note, pseudonym)
        session.add(p)
    for r in found.rounds:
        summary = dict(r.summary)
        for name in SUMMARY_LISTS:
            if name in summary:
                summary[name] = [
                    {**x, "member": pseudonym} if x.get("member") == member_id else x
                    for x in summary[name]
                ]
        r.summary = summary
        session.add(r)
    renamed = {k.name: f"{pseudonym}-key{n}" for n, k in enumerate(found.keys, start=1)}
    # Feedback rows are unique per author: rename keys' feedback and keys
    # before any row could clash with an old name.
    # Others' words about it stay, without naming it.
    for p in found.noted_in:
        p.note = needles.replace(p.note, pseudonym)
        session.add(p)
    for f in found.commented_in:
        f.comment = needles.replace(f.comment, pseudonym)
        session.add(f)
    for f in found.feedback_given + found.feedback_received:
        f.comment = ""
        f.author = renamed.get(f.author, f.author)
        if f.member_id == member_id:  # the side that answered
            f.member_id = pseudonym
        session.add(f)
    for k in found.keys:
        k.name, k.member_id = renamed[k.name], pseudonym
        session.add(k)
    for a in found.audit:
        a.actor = renamed.get(a.actor, a.actor)
        if a.object_type == "api_key" and a.object_id in renamed:
            a.object_id = renamed[a.object_id]
        else:
            a.object_id = needles.replace(a.object_id, pseudonym)
        a.detail = replace_in_json(a.detail, needles, pseudonym)
        session.add(a)
    return {
        "relations_deleted": len(found.relations),
        "proposals": len(found.proposals),
        "feedback_erased": len(found.feedback_given) + len(found.feedback_received),
        "texts_naming_it": len(found.noted_in) + len(found.commented_in),
        "audit_records": len(found.audit),
    }


NOT_STORED = {
    "recommendations": "computed on request from the current profiles; never stored",
}


def member_data(session: Session, member: Member) -> dict[str, Any]:
    """Everything stored about ``member``, as one JSON-ready document: its
    profile and contact, its pairs, the proposals and round summaries that
    name it, the feedback it gave and received, its API keys (never their
    hashes), the audit records about it and the notes and comments on other
    pairs that name it. Feedback others gave on its proposals is shown
    without their names."""
    found = traces(session, member)
    rounds = {r.id: r for r in found.rounds}
    relations = found.relations
    return {
        "schema_version": 1,
        "member": {
            **member_document(member, contacts=True),
            "updated_at": _iso(member.updated_at),
        },
        "exclusions": [
            r.b if r.a == member.id else r.a for r in relations if r.kind == "exclusion"
        ],
        "locked": [{"mentor": r.a, "mentee": r.b} for r in relations if r.kind == "locked"],
        "history": [
            {"mentor": r.a, "mentee": r.b, "round": r.label}
            for r in relations
            if r.kind == "history"
        ],
        "proposals": [
            {
                "id": p.id,
                "round": _round_ref(rounds[p.round_id]),
                "revision": p.revision,
                "kind": p.kind,
                "status": p.status,
                "mentor": p.mentor,
                "mentee": p.mentee,
                "theme": p.theme,
                "language": p.language,
                "members": p.members,
                "languages": p.languages,
                "score": p.score,
                "reasons": p.reasons,
                "note": p.note,
                "decided_by": p.decided_by,
            }
            for p in found.proposals
        ],
        "round_summaries": [
            {
                **_round_ref(r),
                **{
                    name: [x for x in r.summary.get(name, []) if x.get("member") == member.id]
                    for name in SUMMARY_LISTS
                    if name in r.summary
                },
            }
            for r in found.rounds
            if _in_summary(r, member.id)
        ],
        "feedback_given": [{**_feedback(f), "author": f.author} for f in found.feedback_given],
        "feedback_received": [_feedback(f) for f in found.feedback_received],
        "named_in": [{"proposal_id": p.id, "note": p.note} for p in found.noted_in]
        + [{"feedback_id": f.id, "comment": f.comment} for f in found.commented_in],
        "api_keys": [
            {
                "name": k.name,
                "role": k.role,
                "created_at": _iso(k.created_at),
                "revoked_at": _iso(k.revoked_at),
            }
            for k in found.keys
        ],
        "audit": [
            {
                "id": a.id,
                "at": _iso(a.at),
                "actor": a.actor,
                "role": a.role,
                "action": a.action,
                "object_type": a.object_type,
                "object_id": a.object_id,
                "detail": a.detail,
            }
            for a in found.audit
        ],
        "not_stored": NOT_STORED,
    }


def _round_ref(r: Round) -> dict[str, Any]:
    return {
        "round_id": r.id,
        "round_kind": r.kind,
        "round_status": r.status,
        "published_at": _iso(r.published_at),
    }


def _feedback(f: Feedback) -> dict[str, Any]:
    return {
        "id": f.id,
        "proposal_id": f.proposal_id,
        "member": f.member_id,
        "met": f.met,
        "usefulness": f.usefulness,
        "themes_learned": list(f.themes_learned),
        "continued": f.continued,
        "comment": f.comment,
        "created_at": _iso(f.created_at),
        "updated_at": _iso(f.updated_at),
    }


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC (SQLite gives back times without their offset)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
