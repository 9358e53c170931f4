"""The outcomes and audit page: the feedback on each published round, and
the audit trail filtered by actor, action and dates, paged and sorted in the
database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Request
from sqlmodel import Session

from service.console import tables
from service.console.pages import render
from service.console.security import AdminUser
from service.translations import N_
from service.usecases.audit import audit_choices, list_audit
from service.usecases.outcomes import published_outcomes

router = APIRouter(prefix="/console", include_in_schema=False)
AUDIT_COLUMNS = tables.Columns(
    ("at", "actor", "action", "object", "detail"), sortable=("at", "actor", "action")
)
DATE_PROBLEMS = {
    "format": N_("Write the date as YYYY-MM-DD, e.g. 2026-03-31."),
    "order": N_("The end date comes before the start date."),
}


@router.get("/outcomes")
def outcomes(request: Request, user: AdminUser):
    query = request.query_params
    actor = query.get("actor") or None
    action = query.get("action") or None
    since, until, problems = audit_dates(query.get("from", ""), query.get("to", ""))
    page, sort, descending = tables.requested(request, AUDIT_COLUMNS)
    if sort is None:
        sort, descending = "at", True
    with Session(request.app.state.engine) as session:
        rounds = published_outcomes(session)
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
    return render(
        request,
        "outcomes.html",
        title=N_("Outcomes & audit"),
        status=422 if problems else 200,
        rounds=rounds,
        table=table,
        actors=actors,
        actions=actions,
        chosen={"actor": actor or "", "action": action or "", **_dates(query)},
        problems=problems,
        date_problems=DATE_PROBLEMS,
    )


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
