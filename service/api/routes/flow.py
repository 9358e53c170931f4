"""The knowledge-flow map: who learned from whom, on what, across the
published rounds (``matcher.flow``; the document: ``service.documents.flow``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from service.api.auth import Admin, AdminOrHub
from service.api.deps import CacheDep, Paging, SessionDep, paging
from service.api.language import LanguageDep
from service.contract import Page
from service.documents.flow import LISTED_STATUSES
from service.usecases.flow_map import flow_members, stored_flow_document

router = APIRouter(prefix="/v1", tags=["flow"])


class Indicators(BaseModel):
    """One round's measures, or all rounds' (definitions: ``matcher.flow``)."""

    flows: int = Field(description="know-how flows: one per giver, receiver and theme")
    ties: int = Field(description="distinct giver → receiver ties")
    new_ties: int = Field(description="ties no earlier round had")
    repeated_ties: int = Field(
        description="per round: ties an earlier round had; overall: ties that came back"
    )
    members_in_relation: int
    giving: int
    receiving: int
    giving_and_receiving: int
    reciprocity: float | None = Field(
        description="share of the members in a relation who both give and receive"
    )
    south_south_ties: int
    south_south_density: float | None = Field(
        description="South→South ties / ordered pairs of Southern members"
    )
    crossing_regions: int
    regions_known: int
    crossing_region_share: float | None
    crossing_languages: int
    languages_known: int
    crossing_language_share: float | None


class RoundFlowOut(BaseModel):
    round: int
    order: int
    format: str
    indicators: Indicators
    matrix: list[list[int | None]] = Field(
        description="flows from the row's region to the column's (`regions` order); "
        "null: fewer than 5 flows, left out for a hub key"
    )
    unplaced: int = Field(description="flows with an end of unknown region")
    suppressed_cells: int


class CumulativeFlow(BaseModel):
    indicators: Indicators
    matrix: list[list[int | None]]
    unplaced: int
    suppressed_cells: int


class MemberCounts(BaseModel):
    never_reached: int = Field(description="in no published relation")
    only_receiving: int
    only_giving: int
    both: int = Field(description="gave and received")
    no_flow: int = Field(description="in a relation without any flow")
    needs_unmet: int = Field(description="members with a need they never received")


class ThemeReachOut(BaseModel):
    theme: str
    receivers: int
    sources: int
    flows: int
    demand: int = Field(description="members who need the theme now")
    needs_unmet: int


class DesertOut(BaseModel):
    theme: str
    region: str
    demand: int


class FlowBrokerOut(BaseModel):
    member: str
    name: str | None
    score: float = Field(description="betweenness on the realised ties")
    gives_to: int
    receives_from: int


class Suppressed(BaseModel):
    min_flows: int | None = Field(description="the threshold (hub keys), else null")
    matrix_cells: int
    themes: int


class FlowLabels(BaseModel):
    lang: str
    themes: dict[str, str]
    regions: dict[str, str]
    formats: dict[str, str]


class FlowMapOut(BaseModel):
    """The knowledge-flow map (``service.documents.flow``)."""

    schema_version: int
    audience: str
    members: int
    regions: list[str]
    rounds: list[RoundFlowOut]
    cumulative: CumulativeFlow
    member_counts: MemberCounts
    themes: list[ThemeReachOut]
    deserts: list[DesertOut] = Field(description="themes needed in a region that never reached it")
    brokers_count: int
    broker_sources: int | None
    suppressed: Suppressed
    labels: FlowLabels
    brokers: list[FlowBrokerOut] | None = Field(None, description="admin keys only")


MemberStatus = StrEnum("MemberStatus", {s: s for s in LISTED_STATUSES})


class FlowMember(BaseModel):
    member: str
    name: str | None
    themes: list[str] = Field(description="for needs_unmet: the needs never received")


@router.get("/flow", response_model=FlowMapOut, response_model_exclude_none=False)
def get_flow(who: AdminOrHub, session: SessionDep, cache: CacheDep, language: LanguageDep) -> dict:
    """Who learned from whom, on what, round by round and overall: new and
    repeated ties, reciprocity, South–South ties, flows crossing regions and
    languages, the region × region flows, theme reach, knowledge deserts,
    how many members were never reached, and (admin keys) the brokers.
    A hub key gets aggregates only: no member, and counts under 5 flows
    left out. Members by name: `GET /v1/flow/members`."""
    return stored_flow_document(session, cache, lang=language.code, audience=who.role)


@router.get("/flow/members")
def list_flow_members(
    _: Admin,
    session: SessionDep,
    cache: CacheDep,
    page: Annotated[Paging, paging(100, 1000)],
    status: MemberStatus = MemberStatus.never_reached,
) -> Page[FlowMember]:
    """The members never reached, only receiving, only giving, giving and
    receiving, in a relation without flow, or with a need never received
    (`needs_unmet`, with those themes), by id."""
    return flow_members(session, cache, status=status.value, limit=page.limit, offset=page.offset)
