"""The stored network as the matcher reads it: the network document built
from the tables, its version counter, and the check that keeps it valid."""

from __future__ import annotations

import re
from copy import copy
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from matcher import (
    Network,
    default_taxonomy,
)
from service.contract import (
    CONTACT_FIELDS,
    PROFILE_FIELDS,
    SCHEMA_VERSION,
    UNLOCK_OR_FIX,
    NetworkError,
    Problem,
    validate_network,
)
from service.store.models import (
    Member,
    NetworkState,
    Relation,
)
from service.usecases.access import Principal, may_see_all_contacts
from service.usecases.errors import Forbidden, network_problems


def bump_version(session: Session) -> None:
    session.exec(
        sa.update(NetworkState).where(NetworkState.id == 1).values(version=NetworkState.version + 1)
    )


def network_version(session: Session) -> int:
    return session.exec(select(NetworkState.version).where(NetworkState.id == 1)).one()


OVERRIDES = ("region", "global_south")
"""Profile fields written only when set: unset, the engine derives them from
the country."""


def member_document(m: Member, *, contacts: bool = False) -> dict[str, Any]:
    """A member row as the network document writes it, fields in the
    contract's order (lists and levels copied, not shared with the row)."""
    doc: dict[str, Any] = {}
    for field in ("id", *PROFILE_FIELDS):
        value = getattr(m, field)
        if value is None and field in OVERRIDES:
            continue
        doc[field] = copy(value) if isinstance(value, list | dict) else value
    if contacts:
        doc.update((field, getattr(m, field)) for field in CONTACT_FIELDS)
    return doc


def network_document(session: Session, *, contacts: bool = False) -> dict[str, Any]:
    """The stored network as a network-contract document (members by id)."""
    members = session.exec(select(Member).order_by(Member.id)).all()
    relations = session.exec(
        select(Relation).order_by(Relation.kind, Relation.a, Relation.b, Relation.label)
    ).all()
    return {
        "schema_version": SCHEMA_VERSION,
        "taxonomy_version": default_taxonomy().version,
        "members": [member_document(m, contacts=contacts) for m in members],
        "exclusions": [[r.a, r.b] for r in relations if r.kind == "exclusion"],
        "locked": [{"mentor": r.a, "mentee": r.b} for r in relations if r.kind == "locked"],
        "history": [
            {"mentor": r.a, "mentee": r.b, "round": r.label}
            for r in relations
            if r.kind == "history"
        ],
    }


def readable_network_document(
    session: Session, who: Principal, *, contacts: bool = False
) -> dict[str, Any]:
    """The stored network as ``who`` may read it (:func:`network_document`):
    contact persons only when asked for, and only for those who may see
    them all; anyone else asking is refused rather than silently given less."""
    if contacts and not may_see_all_contacts(who):
        raise Forbidden(
            "only admin keys may read contact persons: leave out contacts=true, or use an admin key"
        )
    return network_document(session, contacts=contacts)


def validated_network(document: dict[str, Any], *, relabel=None) -> Network:
    """``relabel``: a function applied to each problem before it is reported
    (default: name the route that removes a stored lock)."""
    relabel = relabel or with_unlock_route
    try:
        return validate_network(document, source="database")
    except NetworkError as exc:
        exc = NetworkError([relabel(p) for p in exc.problems], source=exc.source)
        raise network_problems(exc, conflict=True) from None


def with_unlock_route(problem: Problem) -> Problem:
    """A stored lock's problem, with the route that removes the lock."""
    pair = problem.value
    if not (isinstance(pair, dict) and {"mentor", "mentee"} <= pair.keys()):
        return problem
    route = f"DELETE /v1/locks/{pair['mentor']}/{pair['mentee']}"
    fix = f"Remove the lock ({route}) or fix the profiles"
    return replace(problem, message=problem.message.replace(UNLOCK_OR_FIX, fix))


def check_member_locks(session: Session, member_id: str) -> None:
    """Refuse a profile change that breaks a stored lock of ``member_id`` (no
    shared language any more, nothing to teach, capacity below its locks).
    Locks are the only constraints between members that a profile takes part
    in, so the check reads the member, its locked partners and those locks
    only: its cost follows what the write touches, not the network's size."""
    session.flush()
    locks = session.exec(
        select(Relation)
        .where(Relation.kind == "locked", sa.or_(Relation.a == member_id, Relation.b == member_id))
        .order_by(Relation.a, Relation.b)
    ).all()
    if not locks:
        return
    ids = {member_id} | {r.a for r in locks} | {r.b for r in locks}
    members = session.exec(select(Member).where(col(Member.id).in_(ids)).order_by(Member.id))
    validated_network(
        {
            "schema_version": SCHEMA_VERSION,
            "taxonomy_version": default_taxonomy().version,
            "members": [member_document(m) for m in members],
            "locked": [{"mentor": r.a, "mentee": r.b} for r in locks],
        }
    )


def lock_position(problem: Problem) -> int | None:
    """``k`` of a problem about the document's ``locked[k]``, else None."""
    found = re.fullmatch(r"locked\[(\d+)\]", problem.where)
    return int(found[1]) if found else None
