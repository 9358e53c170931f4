"""Recommendations for one member, from the cached network."""

from __future__ import annotations

from sqlmodel import Session

from service.usecases.cache import NetworkCache, Snapshot
from service.usecases.errors import not_found


def recommendations(
    session: Session,
    cache: NetworkCache,
    *,
    member_id: str,
    k: int,
    direction: str,
    version: int | None = None,
) -> tuple[Snapshot, tuple]:
    """``version``: the network version the caller already read, if any."""
    snap = cache.snapshot(session, version=version)
    if member_id not in snap.ids:
        raise not_found("member", member_id)
    return snap, cache.recommendations(snap, member_id, k=k, direction=direction)
