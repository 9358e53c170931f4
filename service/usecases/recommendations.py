"""Recommendations for one member, from the cached network."""

from __future__ import annotations

from sqlmodel import Session

from matcher import EmptyReason, empty_reason
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


def why_empty(snap: Snapshot, member_id: str, *, direction: str) -> EmptyReason | None:
    """Why ``member_id`` has no recommendations in ``direction`` on ``snap``
    (None if it has some): one member's row of scores, cheap enough to
    compute only for the rare empty answer rather than memoise."""
    return empty_reason(
        snap.arrays,
        member_id,
        direction=direction,
        policy=snap.scorer.policy,
        scorer=snap.scorer,
    )
