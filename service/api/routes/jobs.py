"""Jobs: a round created or re-run in the background when the client sends
``Prefer: respond-async`` (RFC 7240): 202 with ``Location`` to the job, then
``GET /v1/jobs/{job_id}`` until it is done (``round_url``) or failed
(``problem``, the problem document the synchronous call would have answered)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from service.api.auth import Admin
from service.api.deps import SessionDep
from service.api.problem_kinds import KINDS, problem_type
from service.api.problems import SafeJSONResponse
from service.contract import JobProgress, JobPublic
from service.store.models import Job
from service.usecases import jobs

router = APIRouter(prefix="/v1", tags=["rounds"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def respond_async(
    prefer: Annotated[
        str | None,
        Header(
            description="`respond-async`: answer 202 at once with `Location` to a job "
            "(`GET /v1/jobs/{job_id}`) instead of waiting for the round "
            "(RFC 7240; other preferences are ignored)"
        ),
    ] = None,
) -> bool:
    """Whether the client prefers an asynchronous answer."""
    if not prefer:
        return False
    names = (p.split(";")[0].split("=")[0].strip().lower() for p in prefer.split(","))
    return "respond-async" in names


RespondAsync = Annotated[bool, Depends(respond_async)]
ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {
        "model": JobPublic,
        "description": "with `Prefer: respond-async`: the job, queued; poll its `Location`",
        "headers": {
            "Location": {"description": "the job", "schema": {"type": "string"}},
            "Preference-Applied": {
                "description": "`respond-async`",
                "schema": {"type": "string"},
            },
        },
    }
}
"""The asynchronous answer of an operation that takes ``Prefer: respond-async``."""


def job_view(request: Request, row: Job) -> JobPublic:
    problem = None
    if row.problem is not None:
        kind = row.problem["kind"]
        problem = {
            "type": problem_type(request, kind),
            "title": KINDS[kind].title,
            "status": KINDS[kind].status,
            **{k: v for k, v in row.problem.items() if k != "kind"},
            "instance": request.url_for("get_job", job_id=row.id).path,
        }
    round_url = None
    if row.status == "done" and row.round_id is not None:
        round_url = str(request.url_for("get_round", round_id=row.round_id))
    return JobPublic(
        id=row.id or 0,
        kind=row.kind,  # type: ignore[arg-type]
        status=row.status,  # type: ignore[arg-type]
        progress=JobProgress(stage=row.stage, fraction=row.fraction),  # type: ignore[arg-type]
        params=row.params,
        created_by=row.created_by,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        round_id=row.round_id,
        round_url=round_url,
        problem=problem,
    )


def accepted(request: Request, job_id: int) -> JSONResponse:
    """The 202 answer for a job just queued."""
    with Session(request.app.state.engine) as session:
        view = job_view(request, jobs.get_job(session, job_id))
    headers = {
        "Location": str(request.url_for("get_job", job_id=job_id)),
        "Preference-Applied": "respond-async",
    }
    return SafeJSONResponse(view.model_dump(mode="json"), status_code=202, headers=headers)


POLL_SECONDS = 1
"""What ``Retry-After`` suggests while a job is unfinished: rounds of the
demo network take about a second; one of 10,000 members, a few."""


@router.get("/jobs/{job_id}")
def get_job(
    _: Admin, session: SessionDep, request: Request, response: Response, job_id: Id
) -> JobPublic:
    """A round being created or re-run in the background: queued, running
    (with its stage), done (``round_url``) or failed (``problem``). While it
    is unfinished, ``Retry-After`` says when to ask again."""
    view = job_view(request, jobs.get_job(session, job_id))
    if view.status in ("queued", "running"):
        response.headers["Retry-After"] = str(POLL_SECONDS)
    return view
