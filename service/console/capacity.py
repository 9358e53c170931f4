"""The capacity map page: the report's heatmap and tables (the same figures,
drawn by ``service.report.figures`` and built by
``service.documents.capacity_map``), live from the network snapshot the API
reads, broken down by region, North/South or kind of member."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session

from matcher import CapacityMap, default_taxonomy
from service.console.pages import language, render
from service.console.security import AdminUser
from service.documents.capacity_map import (
    TABLE_ROWS,
    brokers_title,
    map_document,
    south_south_sentence,
    unmet_reason,
)
from service.report.figures import capacity_heatmap, figure_png, heatmap_rows
from service.translations import N_
from service.translations.formats import format_number, format_share
from service.usecases.capacity_map import capacity_map_of

router = APIRouter(prefix="/console", include_in_schema=False)
GROUPINGS = {
    "region": N_("Regions"),
    "north_south": N_("North and South"),
    "kind": N_("Kinds of member"),
}
"""The map's breakdowns (``matcher.capacity_map``'s ``by``), as the page offers them."""


_HEATMAPS: dict[tuple[str, str], tuple[CapacityMap, str]] = {}
"""The last heatmap (base64 PNG) of each breakdown and language, with the map
it was drawn from: drawing takes about a second, and the map is the same
object until the network changes (``capacity_map_of``)."""


def _heatmap(cmap: CapacityMap, by: str, lang: str) -> str:
    found = _HEATMAPS.get((by, lang))
    if found is None or found[0] is not cmap:
        png = figure_png(capacity_heatmap(cmap, default_taxonomy(), lang=lang))
        found = _HEATMAPS[by, lang] = (cmap, base64.b64encode(png).decode("ascii"))
    return found[1]


@router.get("/capacity-map")
def capacity_map_page(request: Request, user: AdminUser, by: Annotated[str, Query()] = "region"):
    by = by if by in GROUPINGS else "region"
    lang = language(request)
    taxonomy = default_taxonomy()
    with Session(request.app.state.engine) as session:
        cmap, snap = capacity_map_of(session, request.app.state.cache, by=by)
    document = map_document(cmap, snap.network, taxonomy, lang=lang)
    shown = heatmap_rows(cmap)
    heatmap = _heatmap(cmap, by, lang) if shown else None
    south = cmap.south_south
    share = "—" if south.share is None else format_share(south.share, lang, 1)
    rows = {row["theme"]: row for row in document["themes"]}
    return render(
        request,
        "capacity_map.html",
        title=N_("Capacity map"),
        by=by,
        groupings=GROUPINGS,
        doc=document,
        heatmap=heatmap,
        themes=[rows[key] for key in shown],
        shown_rows=TABLE_ROWS,
        groups=list(cmap.groups),
        unmet_reason=lambda code: unmet_reason(code, lang),
        brokers_title=brokers_title(cmap, lang),
        names=snap.names,
        south_south=south_south_sentence(
            format_number(south.met, lang), format_number(south.needs, lang), share, lang
        ),
    )
