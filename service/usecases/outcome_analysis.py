"""Which practices work, for whom: the stored history through the outcome
analysis (:mod:`matcher.outcomes`) into the document every surface renders,
and, for the secretariat only, the comments behind it.

The analysis is memoised per database state (what the history reads:
published rounds, their relations, the feedback, the network version), so a
page reloaded or a Hub polling does not recompute it."""

from __future__ import annotations

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
from service.usecases.cache import NetworkCache
from service.usecases.history import FORMAT_OF_KIND
from service.usecases.rounds import LIVE
from service.usecases.stored_history import derived, stored_history

SEED = 0
"""The bootstrap's seed: the same history always shows the same intervals."""


def analysis(session: Session, cache: NetworkCache) -> OutcomeAnalysis:
    """The outcome analysis of the stored history (memoised with it per
    database state), members grouped as the stored network has them now."""
    stored = stored_history(session, cache)
    return derived(stored, "outcomes", lambda h: outcome_analysis(h, seed=SEED))


def outcomes(
    session: Session, cache: NetworkCache, *, lang: str, audience: Audience
) -> OutcomesDocument:
    """The outcomes document of the stored history for ``audience``."""
    return outcomes_document(analysis(session, cache), lang=lang, audience=audience)


KIND_OF_FORMAT = {fmt: kind for kind, fmt in FORMAT_OF_KIND.items()}


def _themes(p: Proposal) -> list[str]:
    """The relation's themes, as the history reads them."""
    if p.kind == "pair":
        return [r["key"] for r in p.reasons if r.get("kind") == "theme"]
    if p.kind == "exchange":
        return list(dict.fromkeys(t for m in p.members for t in m.get("teaches", [])))
    return [p.theme] if p.theme else []


def _side(p: Proposal, member: str | None) -> str | None:
    if member is None:
        return None
    if p.kind == "pair":
        return "mentor" if member == p.mentor else "mentee"
    return {m["member"]: m["role"] for m in p.members}.get(member)


def comments(
    session: Session,
    *,
    round_id: int | None = None,
    format: str | None = None,
    theme: str | None = None,
    limit: int,
    offset: int,
) -> Page[OutcomeComment]:
    """A page of the answers that carry a comment on the published relations
    (the history's), newest round first, then as given; filtered by round,
    format (``mentoring``, ``exchange``, ``circle``) and theme (the relation
    is on it). Admins only: comments can name people. Only the commented
    answers are read, not the whole history."""
    query = (
        select(Feedback, Proposal, Round)
        .join(Proposal, col(Proposal.id) == Feedback.proposal_id)
        .join(Round, col(Round.id) == Proposal.round_id)
        .where(
            col(Feedback.comment) != "",
            col(Proposal.status).in_(LIVE),
            col(Round.status).in_(("published", "archived")),
        )
        .order_by(col(Round.published_at).desc(), col(Round.id).desc(), col(Feedback.id))
    )
    if round_id is not None:
        query = query.where(col(Round.id) == round_id)
    if format is not None:
        query = query.where(col(Round.kind) == KIND_OF_FORMAT[format])
    found = []
    for f, p, r in session.exec(query).all():
        themes = _themes(p)
        if theme is not None and theme not in themes:
            continue
        found.append(
            OutcomeComment(
                relation=p.id,
                round=r.id,
                format=FORMAT_OF_KIND[r.kind],  # type: ignore[arg-type]
                themes=themes,
                member=f.member_id,
                side=_side(p, f.member_id),  # type: ignore[arg-type]
                met=f.met,
                usefulness=f.usefulness,
                themes_learned=list(f.themes_learned),
                continued=f.continued,
                comment=f.comment,
                author=f.author,
                at=f.updated_at or f.created_at,
            )
        )
    return Page[OutcomeComment](
        total=len(found), limit=limit, offset=offset, items=found[offset : offset + limit]
    )
