"""Outcomes: which peer-learning formats work, for whom (aggregates for the
Hub and the secretariat), and the comments behind them (the secretariat only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from service.api.auth import Admin, AdminOrHub
from service.api.deps import CacheDep, Paging, SessionDep, paging
from service.api.language import LanguageDep
from service.contract import Page
from service.documents.outcomes import OutcomeComment, OutcomesDocument
from service.usecases import outcome_analysis

router = APIRouter(prefix="/v1", tags=["outcomes"])


@router.get("/outcomes", response_model=OutcomesDocument)
def get_outcomes(
    who: AdminOrHub, session: SessionDep, cache: CacheDep, language: LanguageDep
) -> OutcomesDocument:
    """The outcomes of every published round (archived ones included) by
    format, and within each format by direction, region, language community,
    theme and round, with the differences between formats. Groups with fewer
    than 5 answers say "too few to tell" and carry no figure. The Hub gets
    only groups of at least 5 relations (`left_out` counts the others)."""
    audience = "admin" if who.role == "admin" else "hub"
    return outcome_analysis.outcomes(session, cache, lang=language.code, audience=audience)


@router.get("/outcomes/comments")
def list_comments(
    _: Admin,
    session: SessionDep,
    page: Annotated[Paging, paging(50, 500)],
    round_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    format: Annotated[Literal["mentoring", "exchange", "circle"] | None, Query()] = None,
    theme: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> Page[OutcomeComment]:
    """The answers that carry a comment, newest round first, filtered by
    round, format and theme (the relation is on it). Admins only."""
    return outcome_analysis.comments(
        session,
        round_id=round_id,
        format=format,
        theme=theme,
        limit=page.limit,
        offset=page.offset,
    )
