"""Feedback collected offline, imported as CSV (docs/feedback.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from service.api.auth import Admin
from service.api.deps import EngineDep
from service.api.problems import ApiError
from service.contract import FeedbackImportReport
from service.store.db import write_session
from service.usecases.feedback_import import import_feedback

router = APIRouter(prefix="/v1", tags=["rounds"])

_CSV_BODY = {
    "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
}


@router.post(
    "/feedback/import",
    openapi_extra=_CSV_BODY,
    responses={415: {"description": "Not text/csv"}},
)
async def import_feedback_csv(
    who: Admin, engine: EngineDep, request: Request
) -> FeedbackImportReport:
    """Answers collected offline, one per line (docs/feedback.md): all or
    nothing, every problem listed with its line and column. The key
    importing is their author: a line replaces its earlier answer for the
    same relation and member; importing twice changes nothing."""
    data = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("text/csv", "application/csv"):
        raise ApiError(415, "send Content-Type text/csv", kind="unsupported-media-type")

    def run() -> FeedbackImportReport:
        with write_session(engine) as session:
            plan = import_feedback(session, data, who)
            return FeedbackImportReport(
                answers=len(plan.answers),
                created=plan.count("created"),
                updated=plan.count("updated"),
                unchanged=plan.count("unchanged"),
            )

    return await run_in_threadpool(run)
