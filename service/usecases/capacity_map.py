"""The capacity map of the stored network."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from matcher import (
    CapacityMap,
    capacity_map,
    default_taxonomy,
)
from service.documents.capacity_map import map_document
from service.usecases.cache import NetworkCache, Snapshot


def capacity_map_of(
    session: Session, cache: NetworkCache, *, by: str
) -> tuple[CapacityMap, Snapshot]:
    """The map of the network's current snapshot (the one the API reads),
    broken down ``by`` region, North/South or kind, and that snapshot."""
    snap = cache.snapshot(session)
    return capacity_map(snap.arrays, by=by), snap


def capacity_map_document(
    session: Session, cache: NetworkCache, *, by: str, lang: str
) -> dict[str, Any]:
    cmap, snap = capacity_map_of(session, cache, by=by)
    return map_document(cmap, snap.network, default_taxonomy(), lang=lang)
