"""The Flow page: who learned from whom, on what, across the published
rounds — the flow map's document (``service.documents.flow``, what
``GET /v1/flow`` answers an admin) with its figures
(``service.report.flow_figures``) and the members by name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session

from matcher.flow import MEMBER_STATUSES
from service.console.pages import language, render
from service.console.security import AdminUser
from service.documents.flow import flow_document, member_rows
from service.report.flow_figures import (
    figure_svg,
    flow_graph_figure,
    region_flow_figure,
    svg_data_uri,
)
from service.translations import N_
from service.translations.formats import format_share
from service.usecases.flow_map import flow_map_of

router = APIRouter(prefix="/console", include_in_schema=False)

NAMES_SHOWN = 10
"""Members named per list, and knowledge deserts listed (most members in
need first); ``GET /v1/flow/members`` and ``GET /v1/flow`` have them all."""

MEMBER_LISTS = {
    "never_reached": N_("Never reached: in no published relation"),
    "only_receiving": N_("Only received, never gave"),
    "only_giving": N_("Only gave, never received"),
    "needs_unmet": N_("Needs never met: a theme they need reached them in no round"),
}
"""The member lists the page shows (the other statuses are counted only)."""


@router.get("/flow")
def flow_page(request: Request, user: AdminUser, round: Annotated[int | None, Query()] = None):
    lang = language(request)
    with Session(request.app.state.engine) as session:
        fmap, snap = flow_map_of(session, request.app.state.cache)
    doc = flow_document(fmap, lang=lang, audience="admin", names=snap.names)
    chosen = next((r for r in fmap.rounds if r.round_id == round), None)
    chosen = chosen or (fmap.rounds[-1] if fmap.rounds else None)
    regions = {m.id: m.region for m in snap.network.members}
    figures = {}
    if fmap.rounds:
        figures["regions"] = svg_data_uri(figure_svg(region_flow_figure(fmap, lang=lang)))
        figures["graph"] = svg_data_uri(
            figure_svg(flow_graph_figure(fmap, chosen, regions, lang=lang))
        )
    lists = {
        status: (member_rows(fmap, status, snap.names)[:NAMES_SHOWN], doc["member_counts"][status])
        for status in MEMBER_LISTS
    }
    return render(
        request,
        "flow.html",
        title=N_("Knowledge flow"),
        doc=doc,
        chosen=chosen,
        figures=figures,
        lists=lists,
        list_titles=MEMBER_LISTS,
        statuses=MEMBER_STATUSES,
        names=snap.names,
        themes=sorted(doc["themes"], key=lambda t: (-t["flows"], -t["demand"], t["theme"])),
        deserts=sorted(doc["deserts"], key=lambda d: -d["demand"])[:NAMES_SHOWN],
        share=lambda value: "—" if value is None else format_share(value, lang, 0),
        density=lambda value: "—" if value is None else format_share(value, lang, 1),
    )
