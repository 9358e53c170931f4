"""Locks and exclusions from the console: listed a page at a time with who
stored each, why and when; added one at a time and removed (after a
confirmation) through the use cases the API calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from service import usecases
from service.console import tables
from service.console.pages import render
from service.console.security import AdminUser, CsrfChecked
from service.contract import ExclusionIn, LockIn
from service.store.db import write_session
from service.translations import N_
from service.usecases.directory import member_directory
from service.usecases.errors import Conflict, Invalid, NotFound

router = APIRouter(prefix="/console", include_in_schema=False)
COLUMNS = tables.Columns(("pair", "note", "by", "when", "action"))
CONTRACT = {
    "locked": (LockIn, ("mentor", "mentee")),
    "exclusion": (ExclusionIn, ("member_a", "member_b")),
}
"""Each kind's body in the API, and its names of the two members."""
SEE_OTHER = 303


@router.get("/constraints")
def constraints(request: Request, user: AdminUser, kind: Annotated[str, Query()] = "locked"):
    return _page(request, _kind(kind))


def _kind(kind: str) -> str:
    """The kind of list asked for; anything else shows the locks."""
    return kind if kind in CONTRACT else "locked"


def _page(request: Request, kind: str, *, form=None, problems=None, conflict=None, status=200):
    page, _, _ = tables.requested(request, COLUMNS)
    with Session(request.app.state.engine) as session:
        listed = usecases.list_relations(
            session, kind=kind, limit=tables.PAGE_SIZE, offset=(page - 1) * tables.PAGE_SIZE
        )
        directory = member_directory(session)
    rows = [_row(kind, item) for item in listed.items]
    return render(
        request,
        "constraints.html",
        title=N_("Locks and exclusions"),
        status=status,
        kind=kind,
        table=tables.table(request, rows, listed.total, COLUMNS),
        names={k: e.name for k, e in directory.items()},
        form=form or {"a": "", "b": "", "note": ""},
        problems=problems or {},
        conflict=conflict,
        removed=request.query_params.get("removed") == "1",
        added=request.query_params.get("added") == "1",
    )


def _row(kind: str, item) -> dict:
    a, b = (item.mentor, item.mentee) if kind == "locked" else (item.member_a, item.member_b)
    return {
        "a": a,
        "b": b,
        **item.model_dump(include={"note", "created_by", "created_at", "round_id"}),
    }


@router.post("/constraints", dependencies=[CsrfChecked])
def add(
    request: Request,
    user: AdminUser,
    kind: Annotated[str, Form()] = "locked",
    a: Annotated[str, Form()] = "",
    b: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
):
    kind = _kind(kind)
    form = {"a": a.strip(), "b": b.strip(), "note": note}
    body, fields = CONTRACT[kind]
    try:
        checked = body.model_validate(
            dict(zip(fields, (form["a"], form["b"]), strict=True), note=note)
        )
    except ValidationError as exc:
        problems = {_field(e["loc"][0], fields): "format" for e in exc.errors()}
        return _page(request, kind, form=form, problems=problems, status=422)
    try:
        with write_session(request.app.state.engine) as session:
            usecases.store_relation(
                session,
                kind=kind,
                a=getattr(checked, fields[0]),
                b=getattr(checked, fields[1]),
                note=checked.note,
                who=user.principal,
                fields=("a", "b"),
            )
    except Invalid as exc:
        problems = {
            e["field"]: "same" if e["message"].startswith("the same") else "unknown"
            for e in exc.errors or ()
        }
        return _page(request, kind, form=form, problems=problems, status=422)
    except Conflict as exc:
        return _page(request, kind, form=form, conflict=exc.detail, status=409)
    return RedirectResponse(f"/console/constraints?kind={kind}&added=1", status_code=SEE_OTHER)


def _field(name, fields: tuple[str, str]) -> str:
    return {fields[0]: "a", fields[1]: "b"}.get(name, "note")


@router.get("/constraints/remove")
def confirm_remove(
    request: Request,
    user: AdminUser,
    kind: Annotated[str, Query()] = "",
    a: Annotated[str, Query()] = "",
    b: Annotated[str, Query()] = "",
):
    kind = _kind(kind)
    with Session(request.app.state.engine) as session:
        directory = member_directory(session)
    names = {k: e.name for k, e in directory.items()}
    return render(
        request,
        "constraints_remove.html",
        title=N_("Remove a lock or an exclusion"),
        kind=kind,
        a=a,
        b=b,
        names=names,
    )


@router.post("/constraints/remove", dependencies=[CsrfChecked])
def remove(
    request: Request,
    user: AdminUser,
    kind: Annotated[str, Form()] = "",
    a: Annotated[str, Form()] = "",
    b: Annotated[str, Form()] = "",
) -> RedirectResponse:
    kind = _kind(kind)
    try:
        with write_session(request.app.state.engine) as session:
            usecases.delete_relation(session, kind=kind, a=a, b=b, who=user.principal)
    except NotFound:
        pass  # removed meanwhile (another tab, the API): what was asked holds
    return RedirectResponse(f"/console/constraints?kind={kind}&removed=1", status_code=SEE_OTHER)
