"""The network and its arrays for the newest stored version, shared by a
worker's requests, with recommendations memoised per version."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from matcher import (
    Network,
    NetworkArrays,
    ScoringPolicy,
    default_taxonomy,
    network_arrays,
    recommend,
)
from matcher.scoring import BlockScorer
from service import metrics
from service.usecases.errors import not_found
from service.usecases.network import network_document, network_version, validated_network


@dataclass(frozen=True)
class Snapshot:
    version: int
    network: Network
    arrays: NetworkArrays
    ids: frozenset[str]
    names: dict[str, str]
    scorer: BlockScorer


class NetworkCache:
    """The network and its arrays for the newest stored version, shared by a
    worker's requests; recommendations are memoised per version. Any write
    bumps the version, so every worker sees its change on its next request."""

    def __init__(self, engine: Engine, *, max_recommendations: int = 4096) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._recs: OrderedDict[tuple, Any] = OrderedDict()
        self._max = max_recommendations

    def snapshot(self, session: Session, *, version: int | None = None) -> Snapshot:
        """The cached snapshot if it is ``version`` (read from the database
        when not given), else a fresh one."""
        version = network_version(session) if version is None else version
        current = self._snapshot
        if current is not None and current.version >= version:
            return current
        with self._lock:
            current = self._snapshot
            if current is None or current.version < version:
                # Version and members from one transaction: consistent.
                started = time.perf_counter()
                fresh_version = network_version(session)
                network = validated_network(network_document(session))
                arrays = network_arrays(network, default_taxonomy())
                names = {m.id: m.name for m in network.members}
                scorer = BlockScorer(arrays, policy=ScoringPolicy())
                current = Snapshot(fresh_version, network, arrays, frozenset(names), names, scorer)
                self._snapshot = current
                self._recs.clear()
                metrics.snapshot_rebuilt(time.perf_counter() - started)
            return current

    def peek(self, version: int, member: str, *, k: int, direction: str):
        """``(snapshot, recommendations)`` from memory when the snapshot is at
        least ``version`` and they were computed already, else None; no I/O,
        so an event loop may call it."""
        snap = self._snapshot
        if snap is None or snap.version < version:
            return None
        if member not in snap.ids:
            raise not_found("member", member)
        with self._lock:
            found = self._recs.get((snap.version, member, k, direction))
        return None if found is None else (snap, found)

    def recommendations(self, snap: Snapshot, member: str, *, k: int, direction: str):
        key = (snap.version, member, k, direction)
        with self._lock:
            if key in self._recs:
                self._recs.move_to_end(key)
                return self._recs[key]
        found = recommend(
            snap.arrays,
            member,
            k=k,
            direction=direction,
            policy=snap.scorer.policy,
            scorer=snap.scorer,
        )
        with self._lock:
            if self._snapshot is snap:
                self._recs[key] = found
                while len(self._recs) > self._max:
                    self._recs.popitem(last=False)
        return found
