"""The knowledge-flow map of the stored history: the published (and archived)
rounds' relations (:mod:`service.usecases.history`) read by
:func:`matcher.flow.flow_map`, as the document of :mod:`service.documents.flow`.

The history is read once per database state and shared with the outcome
analysis (:mod:`service.usecases.stored_history`), with the members of the
network snapshot the API reads (:class:`NetworkCache`) instead of a fresh
validation of the whole stored network. The snapshot is the newest stored
version, so a member added a moment ago is placed in its region.

Brokers are exact up to 2,000 members and estimated beyond from 256 sources
drawn with a fixed seed (:func:`matcher.brokers.broker_scores`): the same
history gives the same brokers, and 10,000 members × 10 rounds take well
under the 5 s budget (``python -m bench --sections insights``, bench/RESULTS.md).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from matcher.flow import FlowMap, flow_map
from service.documents.flow import LISTED_STATUSES, flow_document, member_rows
from service.usecases.cache import NetworkCache, Snapshot
from service.usecases.errors import Invalid
from service.usecases.stored_history import derived, stored_history


def flow_map_of(session: Session, cache: NetworkCache) -> tuple[FlowMap, Snapshot]:
    """The flow map of the stored history (memoised with it per database
    state) and the network snapshot whose members (regions, sides,
    languages, needs, names) it was read with."""
    stored = stored_history(session, cache)
    return derived(stored, "flow", flow_map), stored.snapshot


def stored_flow_document(
    session: Session, cache: NetworkCache, *, lang: str, audience: str
) -> dict[str, Any]:
    """The flow map's document for ``audience`` ("admin" or "hub"), labels in ``lang``."""
    fmap, snap = flow_map_of(session, cache)
    names = snap.names if audience == "admin" else None
    return flow_document(fmap, lang=lang, audience=audience, names=names)


def flow_members(
    session: Session, cache: NetworkCache, *, status: str, limit: int, offset: int
) -> dict[str, Any]:
    """One page of the members of a :data:`LISTED_STATUSES` list (by id), with
    their names: a page of the uniform shape (``total``, ``limit``,
    ``offset``, ``items``)."""
    if status not in LISTED_STATUSES:
        raise Invalid(f"status {status!r} is not one of {', '.join(LISTED_STATUSES)}")
    fmap, snap = flow_map_of(session, cache)
    rows = member_rows(fmap, status, snap.names)
    return {
        "total": len(rows),
        "limit": limit,
        "offset": offset,
        "items": rows[offset : offset + limit],
    }
