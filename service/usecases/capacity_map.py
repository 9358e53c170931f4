"""The capacity map of the stored network."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from sqlmodel import Session

from matcher import (
    CapacityMap,
    capacity_map,
    default_taxonomy,
)
from service.documents.capacity_map import map_document
from service.usecases.cache import NetworkCache, Snapshot

_MAPS: WeakKeyDictionary[NetworkCache, dict[str, tuple[Snapshot, CapacityMap]]] = (
    WeakKeyDictionary()
)
"""The last map of each breakdown, per cache, with the snapshot it was made
on: brokers' betweenness takes seconds at 10,000 members, and the map changes
only with the network."""


def capacity_map_of(
    session: Session, cache: NetworkCache, *, by: str
) -> tuple[CapacityMap, Snapshot]:
    """The map of the network's current snapshot (the one the API reads),
    broken down ``by`` region, North/South or kind, and that snapshot;
    computed once per snapshot and breakdown."""
    snap = cache.snapshot(session)
    memo = _MAPS.setdefault(cache, {})
    found = memo.get(by)
    if found is None or found[0] is not snap:
        found = memo[by] = (snap, capacity_map(snap.arrays, by=by))
    return found[1], snap


def capacity_map_document(
    session: Session, cache: NetworkCache, *, by: str, lang: str
) -> dict[str, Any]:
    cmap, snap = capacity_map_of(session, cache, by=by)
    return map_document(cmap, snap.network, default_taxonomy(), lang=lang)
