"""The outcomes and audit page: which formats work, for whom (the outcome
analysis as tables with plain-words verdicts and a figure with its
intervals), the comments behind it filtered by round, format and theme,
and the audit trail filtered by actor, action and dates, paged and sorted
in the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session

from matcher.history import FORMATS
from matcher.outcomes import GROUPINGS, NO_THEME
from service.console import tables
from service.console.pages import language, render
from service.console.security import AdminUser
from service.documents.outcomes import OutcomesDocument
from service.report.outcome_figures import figure_svg, outcomes_figure
from service.translations import N_, gettext_for
from service.translations.formats import format_number, format_share
from service.usecases import outcome_analysis
from service.usecases.audit import audit_choices, list_audit

router = APIRouter(prefix="/console", include_in_schema=False)
AUDIT_COLUMNS = tables.Columns(
    ("at", "actor", "action", "object", "detail"), sortable=("at", "actor", "action")
)
DATE_PROBLEMS = {
    "format": N_("Write the date as YYYY-MM-DD, e.g. 2026-03-31."),
    "order": N_("The end date comes before the start date."),
}
COMMENTS_PAGE = 20
"""Comments shown per page."""
COMMENT_FILTERS = ("c_round", "c_format", "c_theme")


@router.get("/outcomes")
def outcomes(request: Request, user: AdminUser):
    query = request.query_params
    actor = query.get("actor") or None
    action = query.get("action") or None
    since, until, problems = audit_dates(query.get("from", ""), query.get("to", ""))
    page, sort, descending = tables.requested(request, AUDIT_COLUMNS)
    if sort is None:
        sort, descending = "at", True
    by = query.get("by") if query.get("by") in GROUPINGS else "direction"
    chosen_comments, comments_page = comment_filters(query)
    lang = language(request)
    with Session(request.app.state.engine) as session:
        document = outcome_analysis.outcomes(
            session, request.app.state.cache, lang=lang, audience="admin"
        )
        comments = outcome_analysis.comments(
            session,
            round_id=int(chosen_comments["c_round"]) if chosen_comments["c_round"] else None,
            format=chosen_comments["c_format"] or None,
            theme=chosen_comments["c_theme"] or None,
            limit=COMMENTS_PAGE,
            offset=(comments_page - 1) * COMMENTS_PAGE,
        )
        actors, actions = audit_choices(session)
        found = list_audit(
            session,
            limit=tables.PAGE_SIZE,
            offset=(page - 1) * tables.PAGE_SIZE,
            actor=actor,
            action=action,
            since=since,
            until=until,
            sort=sort,
            descending=descending,
        )
    table = tables.table(request, found.items, found.total, AUDIT_COLUMNS)
    figure = figure_svg(
        outcomes_figure(document),
        label=gettext_for(lang).gettext(
            "Share of answers saying the goal was met and mean usefulness, "
            "by format and direction, with the range each likely lies in"
        ),
    )
    pages = max(1, -(-comments.total // COMMENTS_PAGE))
    return render(
        request,
        "outcomes.html",
        title=N_("Outcomes & audit"),
        status=422 if problems else 200,
        document=document,
        figure=figure,
        by=by,
        groupings=GROUPINGS,
        choices=comment_choices(document),
        comments=comments,
        comments_chosen=chosen_comments,
        comments_page=comments_page,
        comments_pages=pages,
        comments_link=lambda n: _comments_link(request, n),
        share=lambda x: format_share(x, lang),
        decimal=lambda x: format_number(x, lang, 1),
        table=table,
        actors=actors,
        actions=actions,
        chosen={"actor": actor or "", "action": action or "", **_dates(query)},
        problems=problems,
        date_problems=DATE_PROBLEMS,
    )


def comment_filters(query) -> tuple[dict[str, str], int]:
    """The comment filters the query asks for (an unreadable one is left
    out, as the audit's dates are) and the comments' page (from 1).

    >>> comment_filters({"c_round": "3", "c_format": "chat", "c_page": "2"})
    ({'c_round': '3', 'c_format': '', 'c_theme': ''}, 2)
    """
    round_id = query.get("c_round", "")
    fmt = query.get("c_format", "")
    theme = query.get("c_theme", "")[:100]
    raw = query.get("c_page", "1")
    return (
        {
            "c_round": round_id if round_id.isdigit() and 0 < int(round_id) < 2**31 else "",
            "c_format": fmt if fmt in FORMATS else "",
            "c_theme": theme,
        },
        int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else 1,
    )


def comment_choices(document: OutcomesDocument) -> dict[str, list[tuple[str, str]]]:
    """The rounds, formats and themes the comments can be filtered by:
    (value, label), as the analysis lists them."""
    rounds, themes = {}, {}
    for f in document.formats:
        for grouping in f.groupings:
            if grouping.grouping == "round":
                rounds.update({g.key: f"{g.label} · {f.label}" for g in grouping.groups})
            if grouping.grouping == "theme":
                themes.update({g.key: g.label for g in grouping.groups if g.key != NO_THEME})
    return {
        "c_round": sorted(rounds.items(), key=lambda kv: -int(kv[0])),
        "c_format": [(f.format, f.label) for f in document.formats],
        "c_theme": sorted(themes.items(), key=lambda kv: kv[1]),
    }


def _comments_link(request: Request, page: int) -> str:
    keep = {k: v for k, v in request.query_params.items() if k != "c_page"}
    return f"{request.url.path}?{urlencode({**keep, 'c_page': page})}#comments-h"


def _dates(query) -> dict[str, str]:
    return {"from": query.get("from", ""), "to": query.get("to", "")}


def audit_dates(start: str, end: str) -> tuple[datetime | None, datetime | None, dict[str, str]]:
    """The audit filter's dates (UTC days, both included) as a half-open
    range of moments, and the problem of each field that does not read as a
    date (a problem drops no other filter: that field only is ignored).

    >>> [moment.isoformat() for moment in audit_dates("2026-03-01", "2026-03-31")[:2]]
    ['2026-03-01T00:00:00+00:00', '2026-04-01T00:00:00+00:00']
    >>> audit_dates("1 March", "")[2], audit_dates("2026-03-02", "2026-03-01")[2]
    ({'from': 'format'}, {'to': 'order'})
    """
    problems: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for field, text in (("from", start.strip()), ("to", end.strip())):
        try:
            days[field] = date.fromisoformat(text) if text else None
        except ValueError:
            days[field], problems[field] = None, "format"
    first, last = days["from"], days["to"]
    if first and last and last < first:
        last, problems["to"] = None, "order"
    since = datetime.combine(first, time(), UTC) if first else None
    ends = last is not None and last < date.max
    until = datetime.combine(last + timedelta(days=1), time(), UTC) if ends else None
    return since, until, problems
