"""Stored pair constraints added one at a time: locks (a pair every later
round contains) and exclusions (a pair no later round proposes), by a
decision or directly, each recording who stored it, why and when."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from service.contract import ExclusionPublic, LockPublic, Page
from service.store.models import Member, Relation, utcnow
from service.usecases.access import Principal
from service.usecases.audit import audit
from service.usecases.errors import Conflict, Invalid
from service.usecases.network import bump_version, network_document, validated_network

KINDS = {"locked": "lock", "exclusion": "exclusion"}
"""A relation's kind and the noun the API uses for it."""


def store_relation(
    session: Session,
    *,
    kind: str,
    a: str,
    b: str,
    note: str,
    who: Principal,
    round_id: int | None = None,
    fields: tuple[str, str] = ("mentor", "mentee"),
) -> Relation:
    """Store a lock (``a`` mentors ``b``) or an exclusion (``a`` and ``b`` in
    either order) once the network with it is still valid: both members
    exist and differ, a lock fits the capacities and contradicts no
    exclusion. ``fields`` name ``a`` and ``b`` in the problems."""
    errors = [
        {"where": "body", "field": field, "value": ident, "message": "no member with this id"}
        for field, ident in zip(fields, (a, b), strict=True)
        if session.get(Member, ident) is None
    ]
    if a == b:
        errors.append(
            {"where": "body", "field": fields[1], "value": b, "message": "the same member twice"}
        )
    noun = KINDS[kind]
    if errors:
        raise Invalid(f"this {noun} names no valid pair; nothing was stored", errors)
    if kind == "exclusion":
        a, b = sorted((a, b))
    if _find(session, kind, a, b) is not None:
        raise Conflict(f"the {noun} of {a} and {b} is stored already; GET /v1/{noun}s lists it")
    document = network_document(session)
    if kind == "locked":
        document["locked"] = document["locked"] + [{"mentor": a, "mentee": b}]
    else:
        document["exclusions"] = document["exclusions"] + [[a, b]]
    validated_network(document)
    row = Relation(
        kind=kind, a=a, b=b, created_by=who.name, note=note, created_at=utcnow(), round_id=round_id
    )
    session.add(row)
    bump_version(session)
    audit(session, who, f"{kind}.create", kind, f"{a} {b}", note=note, round=round_id)
    return row


def _find(session: Session, kind: str, a: str, b: str) -> Relation | None:
    return session.exec(
        select(Relation).where(Relation.kind == kind, Relation.a == a, Relation.b == b)
    ).first()


def lock_view(row: Relation) -> LockPublic:
    return LockPublic(mentor=row.a, mentee=row.b, **_provenance(row))


def exclusion_view(row: Relation) -> ExclusionPublic:
    return ExclusionPublic(member_a=row.a, member_b=row.b, **_provenance(row))


def _provenance(row: Relation) -> dict:
    return {
        "created_by": row.created_by,
        "note": row.note,
        "created_at": row.created_at,
        "round_id": row.round_id,
    }


def list_relations(session: Session, *, kind: str, limit: int, offset: int) -> Page:
    """A page of the stored locks or exclusions, by member ids."""
    where = Relation.kind == kind
    total = session.exec(select(func.count()).select_from(Relation).where(where)).one()
    rows = session.exec(
        select(Relation).where(where).order_by(Relation.a, Relation.b).limit(limit).offset(offset)
    ).all()
    view, item = (lock_view, LockPublic) if kind == "locked" else (exclusion_view, ExclusionPublic)
    return Page[item](total=total, limit=limit, offset=offset, items=[view(r) for r in rows])
