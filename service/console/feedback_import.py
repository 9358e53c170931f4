"""The feedback import page: upload a CSV of answers collected offline
(docs/feedback.md), read the preview (each answer to create, update or
leave unchanged, or every problem with its line, column and fix), then
apply it, all or nothing, with the use case of ``POST /v1/feedback/import``.

As on the member import page, nothing is stored between the preview and the
apply: the form carries the file and an HMAC of it keyed by the session's
CSRF secret. Applying plans the import again in the write transaction: if
answers changed meanwhile so that the file now has problems, nothing is
written and the new preview says why."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from matcher.taxonomy import default_taxonomy
from service.console.imports import Form, seal
from service.console.pages import language, render
from service.console.security import AdminUser, CsrfChecked
from service.store.db import write_session
from service.translations import N_
from service.usecases.errors import Invalid
from service.usecases.feedback_import import import_feedback, plan_feedback_import

router = APIRouter(prefix="/console", include_in_schema=False)
SEE_OTHER = 303
KIND = "feedback-csv"
"""What the seal names, so that a member import's preview cannot be applied here."""
TITLE = N_("Import feedback")


@router.get("/feedback/import")
def import_page(request: Request, user: AdminUser):
    q = request.query_params
    done = {k: q.get(k, "0") for k in ("created", "updated", "unchanged")}
    return render(
        request, "feedback_import.html", title=TITLE, done=done if "created" in q else None
    )


@router.post("/feedback/import", dependencies=[CsrfChecked])
async def preview(request: Request, user: AdminUser, form: Form):
    upload = form.get("document")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return render(request, "feedback_import.html", title=TITLE, status=422, missing=True)
    data = await upload.read()
    return await run_in_threadpool(_preview, request, user, data, upload.filename)


def _preview(request: Request, user, data: bytes, filename: str):
    with Session(request.app.state.engine) as session:
        try:
            plan = plan_feedback_import(session, data, user.principal)
            problems = [p.to_dict() for p in plan.problems]
        except Invalid as exc:  # the file cannot be read at all
            plan, problems = None, exc.errors or []
    lang = language(request)
    taxonomy = default_taxonomy()
    return render(
        request,
        "feedback_import_preview.html",
        title=N_("Feedback import preview"),
        status=422 if problems else 200,
        filename=filename,
        plan=plan,
        problems=problems,
        label=lambda key: taxonomy.label(key, lang),
        counts={s: plan.count(s) for s in ("created", "updated", "unchanged")} if plan else {},
        apply={
            "content": base64.b64encode(data).decode(),
            "filename": filename,
            "seal": seal(request, kind=KIND, version=0, data=data),
        },
    )


@router.post("/feedback/import/apply", dependencies=[CsrfChecked])
def apply(request: Request, user: AdminUser, form: Form):
    filename = str(form.get("filename", ""))
    try:
        data = base64.b64decode(str(form.get("content", "")), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    expected = seal(request, kind=KIND, version=0, data=data)
    if not hmac.compare_digest(expected, str(form.get("seal", ""))):
        return render(request, "feedback_import.html", title=TITLE, status=422, tampered=True)
    plan: Any = None
    with write_session(request.app.state.engine) as session:
        try:
            plan = import_feedback(session, data, user.principal)
        except Invalid:
            pass  # a file with problems is never applied: the preview lists them
    if plan is None:
        return _preview(request, user, data, filename)
    done = {s: plan.count(s) for s in ("created", "updated", "unchanged")}
    return RedirectResponse(f"/console/feedback/import?{urlencode(done)}", status_code=SEE_OTHER)
