"""Which practices work, for whom: the stored history through the outcome
analysis (:mod:`matcher.outcomes`) into the document every surface renders,
and, for the secretariat only, the comments behind it.

The analysis is memoised per database state (what the history reads:
published rounds, their relations, the feedback, the network version), so a
page reloaded or a Hub polling does not recompute it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from matcher.outcomes import OutcomeAnalysis, outcome_analysis
from service.contract import Page
from service.documents.outcomes import (
    Audience,
    OutcomeComment,
    OutcomesDocument,
    outcomes_document,
)
from service.store.models import Feedback, Proposal, Round
from service.usecases.history import FORMAT_OF_KIND, history_document, to_history
from service.usecases.network import network_document, network_version, validated_network

SEED = 0
"""The bootstrap's seed: the same history always shows the same intervals."""
KEPT = 4
"""Analyses memoised (one per database state; a few engines in tests)."""

_lock = threading.Lock()
_memo: OrderedDict[tuple, OutcomeAnalysis] = OrderedDict()


def _state(session: Session) -> tuple:
    """What the analysis depends on, cheaply: changes whenever a round is
    published or archived, a proposal withdrawn, feedback given or edited,
    or the network changes (members' sides, regions, languages)."""
    rounds = session.exec(
        select(func.count(), func.max(Round.id), func.max(Round.published_at)).where(
            col(Round.status).in_(("published", "archived"))
        )
    ).one()
    proposals = session.exec(
        select(func.count(), func.max(Proposal.id))
        .join(Round, col(Round.id) == Proposal.round_id)
        .where(col(Round.status).in_(("published", "archived")))
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
        network_version(session),
        tuple(rounds),
        tuple(tuple(p) for p in proposals),
        tuple(feedback),
    )


def analysis(session: Session) -> OutcomeAnalysis:
    """The outcome analysis of the stored history (memoised per state)."""
    state = _state(session)
    with _lock:
        if state in _memo:
            _memo.move_to_end(state)
            return _memo[state]
    network = validated_network(network_document(session))
    found = outcome_analysis(to_history(network, history_document(session)), seed=SEED)
    with _lock:
        _memo[state] = found
        while len(_memo) > KEPT:
            _memo.popitem(last=False)
    return found


def outcomes(session: Session, *, lang: str, audience: Audience) -> OutcomesDocument:
    """The outcomes document of the stored history for ``audience``."""
    return outcomes_document(analysis(session), lang=lang, audience=audience)


def _themes(relation: dict[str, Any]) -> list[str]:
    if relation["kind"] == "pair":
        return list(relation["themes"])
    if relation["kind"] == "exchange":
        return list(dict.fromkeys([*relation["a_teaches"], *relation["b_teaches"]]))
    return [relation["theme"]] if relation["theme"] else []


def _side(relation: dict[str, Any], member: str | None) -> str | None:
    if member is None:
        return None
    if relation["kind"] == "pair":
        return "mentor" if member == relation["mentor"] else "mentee"
    if relation["kind"] == "exchange":
        return "partner"
    roles = {m["member"]: m["role"] for m in relation["members"]}
    return roles.get(member)


def comments(
    session: Session,
    *,
    round_id: int | None = None,
    format: str | None = None,
    theme: str | None = None,
    limit: int,
    offset: int,
) -> Page[OutcomeComment]:
    """A page of the answers that carry a comment, newest round first (then
    as given), filtered by round, format (``mentoring``, ``exchange``,
    ``circle``) and theme (the relation is on it). Admins only: comments
    can name people."""
    document = history_document(session)
    where: dict[int, tuple[dict, dict]] = {}
    for r in document["rounds"]:
        for rel in r["relations"]:
            where[rel["id"]] = (r, rel)
    order = {r["id"]: k for k, r in enumerate(document["rounds"])}
    found = []
    for f in document["feedback"]:
        if not f["comment"]:
            continue
        r, rel = where[f["relation"]]
        fmt, themes = FORMAT_OF_KIND[r["kind"]], _themes(rel)
        if round_id is not None and r["id"] != round_id:
            continue
        if format is not None and fmt != format:
            continue
        if theme is not None and theme not in themes:
            continue
        found.append(
            OutcomeComment(
                relation=rel["id"],
                round=r["id"],
                format=fmt,  # type: ignore[arg-type]
                themes=themes,
                member=f["member"],
                side=_side(rel, f["member"]),  # type: ignore[arg-type]
                met=f["met"],
                usefulness=f["usefulness"],
                themes_learned=f["themes_learned"],
                continued=f["continued"],
                comment=f["comment"],
                author=f["author"],
                at=f["at"],
            )
        )
    # Stable: within a round, the feedback keeps the order it was given in.
    found.sort(key=lambda c: -order[c.round])
    return Page[OutcomeComment](
        total=len(found), limit=limit, offset=offset, items=found[offset : offset + limit]
    )
