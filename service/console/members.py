"""The secretariat's member pages: the list (searched, filtered, sorted and
paged in the database by :func:`service.usecases.members.search_members`),
a profile to add or edit (the contract validates it, every problem shown
next to its field), and deletion after a confirmation page (the use case of
``DELETE /v1/members/{id}``)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from matcher import geo
from matcher.taxonomy import default_taxonomy
from service.console import member_form, tables
from service.console.pages import language, render
from service.console.security import AdminUser, CsrfChecked, Refused
from service.contract import MEMBER_ID_PATTERN, MemberCreate, MemberUpdate
from service.store.db import write_session
from service.translations import N_
from service.usecases import members as usecase
from service.usecases.errors import Conflict, DomainError, Invalid, NotFound

router = APIRouter(prefix="/console", include_in_schema=False)
SEE_OTHER = 303
PAGE_SIZE = 25
MemberId = Annotated[str, Path(pattern=MEMBER_ID_PATTERN, max_length=64)]
COLUMNS = tables.Columns(
    ("name", "id", "kind", "country", "region", "languages", "updated"),
    sortable=usecase.MEMBER_SORTS,
)


async def _form(request: Request) -> Any:
    # Read here (async) so that the route itself runs in the thread pool.
    return await request.form()


Form = Annotated[Any, Depends(_form)]


def _filters(request: Request) -> usecase.MemberFilter:
    """The filters of the query string; a value the lists do not offer is
    no filter."""
    q = request.query_params
    side = q.get("side", "either")
    return usecase.MemberFilter(
        text=q.get("q", "")[:200],
        region=q.get("region") if q.get("region") in (*geo.REGIONS, geo.INTERNATIONAL) else None,
        language=q.get("language") if q.get("language") in geo.LANGUAGE_NAMES else None,
        kind=q.get("kind") if q.get("kind") in member_form.KIND_LABELS else None,
        theme=q.get("theme") if q.get("theme") in default_taxonomy() else None,
        theme_side=side if side in usecase.THEME_SIDES else "either",
    )


def _choices(lang: str) -> dict[str, Any]:
    return {
        "regions": member_form.region_choices(lang),
        "language_options": member_form.language_choices(lang),
        "themes": member_form.theme_rows(lang),
        "region_names": dict(member_form.region_choices(lang)),
    }


@router.get("/members")
def members(request: Request, user: AdminUser, deleted: Annotated[str | None, Query()] = None):
    filters = _filters(request)
    page, sort, descending = tables.requested(request, COLUMNS)
    with Session(request.app.state.engine) as session:
        total, rows = usecase.search_members(
            session,
            filters=filters,
            sort=sort or "name",
            descending=descending,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    shown = [{"m": m, "region": usecase.derived_side(m)[0]} for m in rows]
    return render(
        request,
        "members.html",
        title=N_("Members"),
        table=tables.table(request, shown, total, COLUMNS, size=PAGE_SIZE),
        filters=filters,
        deleted=deleted,
        kinds=member_form.KIND_LABELS,
        **_choices(language(request)),
    )


def _profile(request: Request, *, values, member=None, problems=None, status=200, saved=False):
    lang = language(request)
    title = N_("New member") if member is None else N_("Member profile")
    return render(
        request,
        "member.html",
        title=title,
        status=status,
        values=values,
        member=member,
        side=usecase.derived_side(member) if member is not None else None,
        problems=problems or {},
        saved=saved,
        kinds=member_form.KIND_LABELS,
        field_labels=member_form.FIELD_LABELS,
        sides=member_form.SIDES,
        expertise_levels=member_form.EXPERTISE_LEVELS,
        need_levels=member_form.NEED_LEVELS,
        **_choices(lang),
    )


@router.get("/members/new")
def new_member(request: Request, user: AdminUser):
    return _profile(request, values=member_form.blank())


@router.post("/members/new", dependencies=[CsrfChecked])
def create_member(request: Request, user: AdminUser, form: Form):
    values = member_form.from_form(form)
    fields = {"id": values["id"].strip(), **member_form.contract_fields(values)}
    try:
        body = MemberCreate.model_validate(fields)
        with write_session(request.app.state.engine) as session:
            usecase.create_member(session, data=body.model_dump(), who=user.principal)
    except ValidationError as exc:
        problems = member_form.validation_problems(exc)
    except Conflict as exc:
        problems = {"id": [exc.detail]}
    else:
        return RedirectResponse(f"/console/members/{body.id}?saved=1", status_code=SEE_OTHER)
    return _profile(request, values=values, problems=problems, status=422)


@router.get("/members/{member_id}")
def member(request: Request, user: AdminUser, member_id: MemberId):
    with Session(request.app.state.engine) as session:
        row = _get(session, member_id)
    saved = request.query_params.get("saved") == "1"
    return _profile(request, values=member_form.from_member(row), member=row, saved=saved)


def _get(session: Session, member_id: str):
    try:
        return usecase.get_member(session, member_id)
    except NotFound:
        raise Refused(404, "missing") from None


@router.post("/members/{member_id}", dependencies=[CsrfChecked])
def update_member(request: Request, user: AdminUser, member_id: MemberId, form: Form):
    values = {**member_form.from_form(form), "id": member_id}
    changes = member_form.contract_fields(values)
    try:
        MemberUpdate.model_validate(changes)
        with write_session(request.app.state.engine) as session:
            _get(session, member_id)
            usecase.update_member(session, member_id=member_id, changes=changes, who=user.principal)
    except ValidationError as exc:
        problems = member_form.validation_problems(exc)
    except Invalid as exc:
        problems = member_form.problems_by_field(exc.errors or [{"message": exc.detail}])
    except DomainError as exc:  # e.g. a capacity that a stored lock needs
        problems = {"": [exc.detail, *(e.get("message", "") for e in exc.errors or [])]}
    else:
        return RedirectResponse(f"/console/members/{member_id}?saved=1", status_code=SEE_OTHER)
    with Session(request.app.state.engine) as session:
        row = _get(session, member_id)
    return _profile(request, values=values, member=row, problems=problems, status=422)


@router.get("/members/{member_id}/delete")
def confirm_delete(request: Request, user: AdminUser, member_id: MemberId):
    with Session(request.app.state.engine) as session:
        row = _get(session, member_id)
    return render(request, "member_delete.html", title=N_("Delete a member"), member=row)


@router.post("/members/{member_id}/delete", dependencies=[CsrfChecked])
def delete_member(request: Request, user: AdminUser, member_id: MemberId):
    with write_session(request.app.state.engine) as session:
        _get(session, member_id)
        usecase.delete_member(session, member_id=member_id, who=user.principal)
    return RedirectResponse(
        f"/console/members?{urlencode({'deleted': member_id})}", status_code=SEE_OTHER
    )
