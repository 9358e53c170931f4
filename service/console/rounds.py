"""The console's rounds: the list and the create form (a round is computed
as a job, its progress polled), and a round's review table with bulk
decisions made on the revision the page showed, and re-run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from annotated_types import Ge, Le
from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from matcher import default_taxonomy
from matcher.pairing import OBJECTIVES
from service.console import tables
from service.console.pages import language, render
from service.console.security import AdminUser, CsrfChecked
from service.contract import ProposalDecisionIn, RoundCreate
from service.store.db import write_session
from service.translations import N_
from service.usecases import decide_many, list_rounds, round_view
from service.usecases.errors import Conflict, DomainError
from service.usecases.jobs import get_job
from service.usecases.review_table import STATUSES, Filters, review_page

router = APIRouter(prefix="/console", include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
SEE_OTHER = 303
POLL = "every 1s"


@dataclass(frozen=True)
class Knob:
    """A field of the create form: a :class:`RoundCreate` option, its
    label and help (catalogue messages); its default and bounds are read from
    the contract, where they are declared."""

    name: str
    label: str
    help: str
    kinds: tuple[str, ...]

    @property
    def default(self) -> Any:
        value = RoundCreate.model_fields[self.name].get_default(call_default_factory=True)
        return "" if value is None else value

    @property
    def bounds(self) -> tuple[Any, Any]:
        meta = RoundCreate.model_fields[self.name].metadata
        low = next((m.ge for m in meta if isinstance(m, Ge)), None)
        high = next((m.le for m in meta if isinstance(m, Le)), None)
        return low, high


KNOBS = (
    Knob(
        "objective",
        N_("Objective"),
        N_(
            "Welfare: the highest total score. Stable: no mentor and mentee would both "
            "rather be paired together than with whom they got; it may cost some score."
        ),
        ("mentoring",),
    ),
    Knob(
        "south_south_bonus",
        N_("South–South bonus"),
        N_("Added to the score of a pair whose mentor and mentee are both in the Global South."),
        ("mentoring", "exchanges"),
    ),
    Knob(
        "north_south_bonus",
        N_("North→South bonus"),
        N_("Added to the score of a pair whose mentor is in the North and mentee in the South."),
        ("mentoring", "exchanges"),
    ),
    Knob(
        "same_region_bonus",
        N_("Same-region bonus"),
        N_("Added to the score of a pair whose mentor and mentee are in the same region."),
        ("mentoring", "exchanges"),
    ),
    Knob(
        "history_penalty",
        N_("Repeat-pair penalty"),
        N_("Taken from the score of a pair that met in an earlier round."),
        ("mentoring", "exchanges"),
    ),
    Knob(
        "seed",
        N_("Seed"),
        N_("Breaks ties: the same members and seed give the same round. Empty: none."),
        ("mentoring", "circles", "exchanges"),
    ),
    Knob(
        "themes",
        N_("Themes"),
        N_("The circles' themes; none chosen: every theme members need."),
        ("circles",),
    ),
    Knob(
        "size",
        N_("Circle size"),
        N_("The fewest and the most members a circle has."),
        ("circles",),
    ),
    Knob(
        "max_per_member",
        N_("Circles per member"),
        N_("The most circles one member joins."),
        ("circles",),
    ),
)
KNOB = {k.name: k for k in KNOBS}
OBJECTIVE_NAMES = {"welfare": N_("Welfare (highest total)"), "stable": N_("Stable")}
assert set(OBJECTIVE_NAMES) == set(OBJECTIVES)


def _spec_from_form(form) -> tuple[RoundCreate | None, dict[str, str]]:
    """The round the form asks for, or the fields it got wrong (field →
    the contract's message)."""
    kind = form.get("kind")
    data: dict[str, Any] = {"kind": kind}
    for knob in KNOBS:
        if kind not in knob.kinds:
            continue
        if knob.name == "themes":
            if themes := form.getlist("themes"):
                data["themes"] = themes
        elif knob.name == "size":
            data["size"] = [form.get("size_min", "").strip(), form.get("size_max", "").strip()]
        elif (value := form.get(knob.name, "").strip()) != "":
            data[knob.name] = value
    try:
        # The form sends text: lax mode reads "0.15" as a number.
        return RoundCreate.model_validate(data, strict=False), {}
    except ValidationError as exc:
        return None, {str(e["loc"][0]) if e["loc"] else "kind": e["msg"] for e in exc.errors()}


@router.get("/rounds")
def rounds_page(request: Request, user: AdminUser):
    return _rounds(request)


def _rounds(request: Request, *, problems: dict[str, str] | None = None, form=None, status=200):
    page, _, _ = tables.requested(request, ROUND_COLUMNS)
    size = tables.PAGE_SIZE
    with Session(request.app.state.engine) as session:
        found = list_rounds(session, limit=size, offset=(page - 1) * size)
    table = tables.table(request, found.items, found.total, ROUND_COLUMNS)
    tax = default_taxonomy()
    lang = language(request)
    return render(
        request,
        "rounds.html",
        title=N_("Rounds"),
        status=status,
        table=table,
        knobs=KNOB,
        objectives=OBJECTIVE_NAMES,
        themes=sorted(((k, tax.label(k, lang)) for k in tax.keys), key=lambda t: t[1]),
        problems=problems or {},
        form=form,
    )


ROUND_COLUMNS = tables.Columns(("id", "kind", "status", "created", "counts"))


@router.post("/rounds", dependencies=[CsrfChecked])
async def create_round(request: Request, user: AdminUser):
    form = await request.form()
    spec, problems = _spec_from_form(form)
    if spec is not None:
        try:
            job_id = request.app.state.jobs.create_round(spec=spec, who=user.principal)
        except DomainError as exc:
            problems = {
                str(e.get("field", "kind")).split(".")[0]: e["message"] for e in exc.errors or []
            } or {"kind": exc.detail}
        else:
            return RedirectResponse(f"/console/rounds/jobs/{job_id}", status_code=SEE_OTHER)
    return _rounds(request, problems=problems, form=form, status=422)


@router.get("/rounds/jobs/{job_id}")
def job_page(request: Request, user: AdminUser, job_id: Id):
    with Session(request.app.state.engine) as session:
        job = get_job(session, job_id)
    if job.status == "done":  # finished before the page was asked for
        return RedirectResponse(f"/console/rounds/{job.round_id}", status_code=SEE_OTHER)
    return render(request, "rounds_job.html", title=N_("Computing a round"), job=job, poll=POLL)


@router.get("/rounds/jobs/{job_id}/progress")
def job_progress(request: Request, user: AdminUser, job_id: Id):
    """The progress fragment htmx polls; once the job is done, htmx goes to
    the round (``HX-Redirect``)."""
    with Session(request.app.state.engine) as session:
        job = get_job(session, job_id)
    headers = {}
    if job.status == "done":
        headers["HX-Redirect"] = f"/console/rounds/{job.round_id}"
    return render(request, "rounds_progress.html", title="", job=job, poll=POLL, headers=headers)


REVIEW_COLUMNS = tables.Columns(
    ("pick", "id", "people", "themes", "languages", "score", "why", "status")
)
REVIEW_PAGE = 50


def _filters(request: Request) -> Filters:
    q = request.query_params
    status = q.get("status") or None
    return Filters(
        status=status if status in STATUSES else None,
        theme=q.get("theme") or None,
        region=q.get("region") or None,
        language=q.get("language") or None,
    )


@router.get("/rounds/{round_id}")
def review(request: Request, user: AdminUser, round_id: Id):
    return _review(request, round_id)


def _review(
    request: Request,
    round_id: int,
    *,
    refused: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    status: int = 200,
):
    lang = language(request)
    filters = _filters(request)
    page, _, _ = tables.requested(request, REVIEW_COLUMNS)
    with Session(request.app.state.engine) as session:
        view = round_view(session, round_id, proposals=False, lang=lang)
        found = review_page(
            session,
            round_id=round_id,
            filters=filters,
            offset=(page - 1) * REVIEW_PAGE,
            limit=REVIEW_PAGE,
            lang=lang,
        )
    table = tables.table(request, found.rows, found.total, REVIEW_COLUMNS, size=REVIEW_PAGE)
    return render(
        request,
        "rounds_review.html",
        title=N_("Review a round"),
        status=status,
        round=view,
        table=table,
        filters=filters,
        choices=found.choices,
        statuses=STATUSES,
        refused=refused,
        problems=problems or {},
        decided=request.query_params.get("decided"),
        query=urlencode({k: v for k, v in request.query_params.items() if k != "decided"}),
    )


@router.post("/rounds/{round_id}/decisions", dependencies=[CsrfChecked])
async def decide(request: Request, user: AdminUser, round_id: Id):
    """The chosen rows approved or declined together, on the revision the
    page showed: all or none."""
    form = await request.form()
    action = form.get("action")
    note = form.get("note", "").strip()
    ids = [int(i) for i in form.getlist("ids") if i.isdigit()]
    revision = form.get("revision", "")
    problems: dict[str, str] = {}
    if not ids:
        problems["ids"] = "none"
    if action not in ("approve", "decline"):
        problems["action"] = "none"
    decisions: list[ProposalDecisionIn] = []
    if not problems:
        try:
            decisions = [
                ProposalDecisionIn(
                    proposal_id=i,
                    decision=action,
                    note=note,
                    never_again=action == "decline" and "never_again" in form,
                    lock=action == "approve" and "lock" in form,
                )
                for i in ids
            ]
        except ValidationError:
            # The one rule a form can break: never again needs a note.
            problems["note"] = "never-again"
    if problems:
        return _review(request, round_id, problems=problems, status=422)
    try:
        with write_session(request.app.state.engine) as session:
            decide_many(
                session,
                round_id=round_id,
                decisions=decisions,
                who=user.principal,
                revision=int(revision) if revision.isdigit() else None,
            )
    except Conflict as exc:
        refusal = {"kind": exc.kind, "detail": exc.detail, "errors": exc.errors or []}
        return _review(request, round_id, refused=refusal, status=409)
    # The review again with its filters, as a GET: reloading it decides nothing twice.
    query = urlencode({**request.query_params, "decided": len(decisions)})
    return RedirectResponse(f"/console/rounds/{round_id}?{query}", status_code=SEE_OTHER)


@router.post("/rounds/{round_id}/rerun", dependencies=[CsrfChecked])
def rerun(request: Request, user: AdminUser, round_id: Id):
    job_id = request.app.state.jobs.rerun_round(round_id=round_id, who=user.principal)
    return RedirectResponse(f"/console/rounds/jobs/{job_id}", status_code=SEE_OTHER)
