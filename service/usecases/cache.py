"""The network and its arrays for the newest stored version, shared by a
worker's requests, with recommendations memoised per version."""

from __future__ import annotations

import dataclasses
import logging
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
from service.usecases.network import network_document, network_version, validated_network

log = logging.getLogger(__name__)


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
    worker's requests; recommendations are memoised per version.

    Any write bumps the stored version. The next reader then gets the last
    good snapshot at once, while the next one is built on a background thread
    (one build at a time): a member writing its profile every second never
    makes the Hub's readers wait for rebuilds. Answers say which version they
    were computed on. Only the very first reader waits for a build."""

    def __init__(self, engine: Engine, *, max_recommendations: int = 4096) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._builder: threading.Thread | None = None
        self._recs: OrderedDict[tuple, Any] = OrderedDict()
        self._max = max_recommendations
        self._built_at, self._build_seconds = 0.0, 0.0

    def snapshot(self, session: Session, *, version: int | None = None) -> Snapshot:
        """The last good snapshot; when the stored network is newer than it
        (``version``, read from the database when not given), a rebuild starts
        in the background and this snapshot answers meanwhile."""
        current = self._snapshot
        if current is None:
            return self._build_now(session)
        version = network_version(session) if version is None else version
        if current.version < version:
            self.refresh()
        return current

    def snapshot_at_least(self, session: Session, version: int) -> Snapshot:
        """A snapshot of ``version`` or newer, waiting for (or making) it: for
        a member created after the last snapshot, which it cannot answer for."""
        self.refresh()
        self.wait()
        current = self._snapshot
        if current is not None and current.version >= version:
            return current
        return self._build_now(session)

    def refresh(self) -> None:
        """Build the newest snapshot on a background thread, unless a build
        is under way (it reads the newest version when it starts)."""
        with self._lock:
            if self._builder is not None and self._builder.is_alive():
                return
            self._builder = threading.Thread(
                target=self._build_in_background, name="peermatch-snapshot", daemon=True
            )
            self._builder.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background build under way, if any; whether none is
        left running (for a new member, tests and benchmarks)."""
        builder = self._builder
        if builder is None:
            return True
        builder.join(timeout)
        return not builder.is_alive()

    def _build_in_background(self) -> None:
        # Builds take turns with the readers for the interpreter: at most a
        # quarter of the time goes to them, however often members write.
        time.sleep(max(0.0, self._built_at + 3 * self._build_seconds - time.monotonic()))
        try:
            with Session(self.engine) as session:
                self._build_now(session)
        except Exception:
            # The last good snapshot keeps answering; the next write retries.
            log.exception("building the network snapshot failed; serving the last good one")

    def _build_now(self, session: Session) -> Snapshot:
        with self._build_lock:
            # Version first: a write committed while the members are read
            # makes this snapshot look older than it is, never newer.
            version = network_version(session)
            current = self._snapshot
            if current is not None and current.version >= version:
                return current
            started = time.monotonic()
            network = validated_network(network_document(session))
            arrays = network_arrays(network, default_taxonomy())
            names = {m.id: m.name for m in network.members}
            scorer = BlockScorer(arrays, policy=ScoringPolicy())
            fresh = Snapshot(version, network, arrays, frozenset(names), names, scorer)
            with self._lock:
                previous, self._snapshot = self._snapshot, fresh
                self._recs = _still_valid(self._recs, previous, fresh)
                self._built_at, self._build_seconds = time.monotonic(), time.monotonic() - started
            metrics.snapshot_rebuilt(self._build_seconds)
            return fresh

    def peek(self, version: int, member: str, *, k: int, direction: str):
        """``(snapshot, recommendations)`` from memory when they were computed
        already on the last good snapshot (a rebuild starts when ``version``
        is newer), else None; no I/O, so an event loop may call it."""
        snap = self._snapshot
        if snap is None:
            return None
        if snap.version < version:
            self.refresh()
        if member not in snap.ids:
            return None
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


IRRELEVANT_FIELDS = {
    "mentors": frozenset({"name", "needs", "mentee_capacity"}),
    "mentees": frozenset({"name", "mentor_capacity"}),
    "exchanges": frozenset({"name"}),
}
"""For each direction, the fields of *other* members that a member's
recommendations do not depend on: a mentor's own needs never enter its score
as a mentor, nor a mentee's mentor capacity. (Names are looked up when an
answer is written, not memoised.)"""


def _still_valid(memo: OrderedDict, old: Snapshot | None, new: Snapshot) -> OrderedDict:
    """The memoised recommendations that ``new`` would compute the same, moved
    to its version: when only some members' fields changed, those members'
    own answers go, and so do the answers that depend on a changed field. A
    member who changes a need level then costs the other readers nothing."""
    kept: OrderedDict = OrderedDict()
    changed = None if old is None else _changed_fields(old.network, new.network)
    if changed is None:
        return kept
    members, fields = changed
    for (version, member, k, direction), found in memo.items():
        if (
            version == old.version
            and member not in members
            and fields <= IRRELEVANT_FIELDS[direction]
        ):
            kept[(new.version, member, k, direction)] = found
    return kept


def _changed_fields(old: Network, new: Network) -> tuple[set[str], set[str]] | None:
    """(members whose profile changed, the fields that changed), or None when
    members came or went or a pair constraint changed."""
    if (
        len(old.members) != len(new.members)
        or old.exclusions != new.exclusions
        or old.locked != new.locked
        or old.history != new.history
    ):
        return None
    members: set[str] = set()
    fields: set[str] = set()
    for a, b in zip(old.members, new.members, strict=True):
        if a.id != b.id:
            return None
        if a != b:
            members.add(a.id)
            fields |= {
                f.name for f in dataclasses.fields(a) if getattr(a, f.name) != getattr(b, f.name)
            }
    return members, fields
