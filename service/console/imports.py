"""The import page: upload a survey CSV or a network JSON, read a preview
(per member: added, changed field by field, or unchanged; the pairs it adds;
its warnings; or every problem with its line, field and fix), then apply it,
all or nothing, with the use case of ``POST /v1/members/import``.

Nothing is stored between the preview and the apply: the preview's form
carries the upload itself, the network version it was computed on, and an
HMAC of both keyed by the session's CSRF secret. Applying checks the HMAC
(the document is the one previewed, in this session) and the version, in
the write transaction: if the stored network changed meanwhile, nothing is
written and the new preview is shown."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from matcher.taxonomy import default_taxonomy
from service.console import member_form
from service.console.pages import language, render
from service.console.security import AdminUser, CsrfChecked, csrf_token
from service.store.db import write_session
from service.translations import N_, gettext_for
from service.usecases import imports, network
from service.usecases.errors import Invalid

router = APIRouter(prefix="/console", include_in_schema=False)
SEE_OTHER = 303
SHOWN = 500
"""Members listed per status in a preview; the rest are counted."""
KINDS = ("csv", "json")


async def _form(request: Request) -> Any:
    return await request.form()


Form = Annotated[Any, Depends(_form)]


def kind_of(filename: str, data: bytes) -> str:
    """``json`` for a ``.json`` file or one that starts with ``{``, else ``csv``.

    >>> kind_of("survey.CSV", b"{"), kind_of("network.json", b""), kind_of("x", b" {")
    ('csv', 'json', 'json')
    """
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".json") or data.lstrip().startswith(b"{"):
        return "json"
    return "csv"


def seal(request: Request, *, kind: str, version: int, data: bytes) -> str:
    """The HMAC that ties a preview's document and network version to this
    session (its CSRF secret is the key)."""
    message = f"{kind}:{version}:".encode() + hashlib.sha256(data).digest()
    return hmac.new(csrf_token(request).encode(), message, hashlib.sha256).hexdigest()


@router.get("/import")
def import_page(request: Request, user: AdminUser):
    q = request.query_params
    done = {k: q.get(k, "0") for k in ("created", "updated", "unchanged", "pairs")}
    return render(request, "import.html", title=N_("Import"), done=done if "created" in q else None)


@router.post("/import", dependencies=[CsrfChecked])
async def preview(request: Request, user: AdminUser, form: Form):
    upload = form.get("document")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return render(request, "import.html", title=N_("Import"), status=422, missing=True)
    data = await upload.read()
    kind = kind_of(upload.filename, data)
    return await run_in_threadpool(_preview, request, data, kind, upload.filename)


def _preview(request: Request, data: bytes, kind: str, filename: str, *, stale: bool = False):
    with Session(request.app.state.engine) as session:
        version = network.network_version(session)
        try:
            plan = imports.plan_import(
                session,
                max_members=request.app.state.settings.max_import_members,
                **imports.read_upload(data, kind).arguments(),
            )
        except Invalid as exc:
            plan, problems, detail = None, exc.errors or [], exc.detail
        else:
            problems, detail = [], None
    lang = language(request)
    return render(
        request,
        "import_preview.html",
        title=N_("Import preview"),
        status=422 if problems else 200,
        filename=filename,
        kind=kind,
        plan=plan,
        groups=_groups(plan, lang) if plan else None,
        problems=problems,
        detail=detail,
        stale=stale,
        apply={
            "content": base64.b64encode(data).decode(),
            "kind": kind,
            "filename": filename,
            "version": str(version),
            "seal": seal(request, kind=kind, version=version, data=data),
        },
    )


def _groups(plan: imports.ImportPlan, lang: str) -> dict[str, Any]:
    out = {}
    for status in ("added", "changed", "unchanged"):
        members = [m for m in plan.members if m.status == status]
        out[status] = {
            "total": len(members),
            "members": [(m, _changes(m, lang)) for m in members[:SHOWN]],
        }
    return out


def _changes(member: imports.MemberPlan, lang: str) -> list[tuple[str, str, str]]:
    """Each changed field as (field, old, new) in words; a theme's level
    change as its own row under its label."""
    rows = []
    name = gettext_for(lang).gettext
    for field, old, new in member.changes:
        if field in member_form.THEMES:
            for key in sorted(set(old) | set(new), key=default_taxonomy().index):
                if old.get(key, 0) != new.get(key, 0):
                    label = f"{name(member_form.FIELD_LABELS[field])}: "
                    label += default_taxonomy().label(key, lang)
                    rows.append((label, str(old.get(key, 0)), str(new.get(key, 0))))
        else:
            rows.append((name(member_form.FIELD_LABELS[field]), _text(old), _text(new)))
    return rows


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


@router.post("/import/apply", dependencies=[CsrfChecked])
def apply(request: Request, user: AdminUser, form: Form):
    kind, filename = str(form.get("kind", "")), str(form.get("filename", ""))
    try:
        data = base64.b64decode(str(form.get("content", "")), validate=True)
        version = int(str(form.get("version", "")))
    except (binascii.Error, ValueError):
        data, version = b"", -1
    expected = seal(request, kind=kind, version=version, data=data)
    if kind not in KINDS or not hmac.compare_digest(expected, str(form.get("seal", ""))):
        return render(request, "import.html", title=N_("Import"), status=422, tampered=True)
    result = None
    with write_session(request.app.state.engine) as session:
        stale = network.network_version(session) != version
        if not stale:
            try:
                result = imports.import_network(
                    session,
                    who=user.principal,
                    max_members=request.app.state.settings.max_import_members,
                    **imports.read_upload(data, kind).arguments(),
                )
            except Invalid:
                pass  # a document with problems is never applied: the preview lists them
    if result is None:
        return _preview(request, data, kind, filename, stale=stale)
    done = {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "pairs": result.relations_added,
    }
    return RedirectResponse(f"/console/import?{urlencode(done)}", status_code=SEE_OTHER)
