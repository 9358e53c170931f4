"""The stored history, read once per database state and shared by the
outcome analysis and the flow map (and whatever else is derived from it).

At 10,000 members × 10 rounds reading the history costs seconds; the Hub
polls, the console reloads, and both analyses need the same history. So the
history and each result derived from it are memoised per *state*: a cheap
fingerprint of what they read (published rounds, their proposals, the
feedback, the network version) that changes whenever a round is published or
archived, a proposal withdrawn, feedback given or edited, or a member
changed or deleted."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from matcher.history import History
from service.store.models import Feedback, Proposal, Round
from service.usecases.cache import NetworkCache, Snapshot
from service.usecases.history import history_document, to_history
from service.usecases.network import network_version

KEPT = 4
"""States memoised (one per database state; a few engines in tests)."""

T = TypeVar("T")
_lock = threading.Lock()
_memo: OrderedDict[tuple, dict[str, Any]] = OrderedDict()


@dataclass(frozen=True)
class StoredHistory:
    """The history of one database ``state``, its members as ``snapshot`` (the
    network snapshot the API reads, of the newest version) has them."""

    history: History
    snapshot: Snapshot
    state: tuple


def history_state(session: Session, version: int) -> tuple:
    """What a history reads, cheaply (four aggregate queries)."""
    published = col(Round.status).in_(("published", "archived"))
    rounds = session.exec(
        select(func.count(), func.max(Round.id), func.max(Round.published_at)).where(published)
    ).one()
    proposals = session.exec(
        select(col(Proposal.status), func.count(), func.max(Proposal.id))
        .join(Round, col(Round.id) == Proposal.round_id)
        .where(published)
        .group_by(col(Proposal.status))
        .order_by(col(Proposal.status))
    ).all()
    feedback = session.exec(
        select(
            func.count(),
            func.max(Feedback.id),
            func.max(Feedback.created_at),
            func.max(Feedback.updated_at),
            func.sum(Feedback.usefulness),
            func.sum(case((col(Feedback.met), 1), else_=0)),
        )
    ).one()
    return (
        str(session.get_bind().url),
        version,
        tuple(rounds),
        tuple(tuple(p) for p in proposals),
        tuple(feedback),
    )


def stored_history(session: Session, cache: NetworkCache) -> StoredHistory:
    """The stored history (memoised per state), members as the newest network
    snapshot has them (waiting for it if the shared one is older)."""
    version = network_version(session)
    state = history_state(session, version)
    with _lock:
        entry = _memo.get(state)
        if entry is not None:
            _memo.move_to_end(state)
            return entry["_history"]
    snapshot = cache.snapshot(session, version=version)
    if snapshot.version < version:
        snapshot = cache.snapshot_at_least(session, version)
    found = StoredHistory(to_history(snapshot.network, history_document(session)), snapshot, state)
    with _lock:
        _memo.setdefault(state, {})["_history"] = found
        _memo.move_to_end(state)
        while len(_memo) > KEPT:
            _memo.popitem(last=False)
    return found


def derived(stored: StoredHistory, name: str, compute: Callable[[History], T]) -> T:
    """``compute(stored.history)``, memoised with the history's state under ``name``."""
    with _lock:
        entry = _memo.get(stored.state)
        if entry is not None and name in entry:
            return entry[name]
    value = compute(stored.history)
    with _lock:
        entry = _memo.get(stored.state)
        if entry is not None:  # else dropped meanwhile: a newer state is being read
            entry[name] = value
    return value


def forget() -> None:
    """Drop every memoised history (the benchmark times a cold read)."""
    with _lock:
        _memo.clear()
