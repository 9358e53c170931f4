"""Recommendations for one member, from the cached network."""

from __future__ import annotations

from sqlmodel import Session

from service.store.models import Member
from service.usecases.cache import NetworkCache, Snapshot
from service.usecases.errors import not_found
from service.usecases.network import network_version


def recommendations(
    session: Session,
    cache: NetworkCache,
    *,
    member_id: str,
    k: int,
    direction: str,
    version: int | None = None,
) -> tuple[Snapshot, tuple]:
    """On the last good snapshot (see :class:`NetworkCache`); ``version``:
    the network version the caller already read, if any."""
    snap = cache.snapshot(session, version=version)
    if member_id not in snap.ids:
        # Perhaps created since the snapshot: only then wait for a newer one.
        if session.get(Member, member_id) is None:
            raise not_found("member", member_id)
        snap = cache.snapshot_at_least(session, network_version(session))
    return snap, cache.recommendations(snap, member_id, k=k, direction=direction)
