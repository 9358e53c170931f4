"""The capacity map of the stored network."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from matcher import (
    capacity_map,
    default_taxonomy,
)
from service.documents.capacity_map import map_document
from service.usecases.cache import NetworkCache


def capacity_map_document(
    session: Session, cache: NetworkCache, *, by: str, lang: str
) -> dict[str, Any]:
    snap = cache.snapshot(session)
    tax = default_taxonomy()
    return map_document(capacity_map(snap.arrays, by=by), snap.network, tax, lang=lang)
