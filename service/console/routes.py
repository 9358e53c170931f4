"""The console's pages: sign-in and sign-out, the language switch, the
overview and the keys.
Routes stay thin: they call the use cases the API calls and render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from matcher.taxonomy import LABEL_LANGUAGES
from service.console import tables
from service.console.nav import home
from service.console.pages import LANG_COOKIE, language, render
from service.console.security import (
    SESSION_COOKIE,
    AdminUser,
    CsrfChecked,
    SignedIn,
    clear_session_cookie,
    current_user,
    safe_next,
    set_session_cookie,
)
from service.translations import N_
from service.usecases import console_sessions, keys
from service.usecases.access import ROLES
from service.usecases.overview import overview as overview_data

router = APIRouter(prefix="/console", include_in_schema=False)
SEE_OTHER = 303


@router.get("")
@router.get("/")
async def start(request: Request) -> RedirectResponse:
    user = current_user(request)
    target = home(user.principal.role) if user else "/console/sign-in"
    return RedirectResponse(target, status_code=SEE_OTHER)


@router.get("/sign-in")
def sign_in_page(request: Request, next: Annotated[str | None, Query()] = None):
    return render(request, "sign_in.html", title=N_("Sign in"), next=safe_next(next), refused=None)


@router.post("/sign-in", dependencies=[CsrfChecked])
def sign_in(
    request: Request,
    key: Annotated[str, Form()] = "",
    next: Annotated[str | None, Form()] = None,
):
    try:
        token, expires = console_sessions.sign_in(request.app.state.engine, key.strip())
    except console_sessions.SignInRefused as refusal:
        return render(
            request,
            "sign_in.html",
            title=N_("Sign in"),
            status=401 if refusal.reason == "unknown" else 403,
            next=safe_next(next),
            refused=refusal.reason,
        )
    if previous := request.cookies.get(SESSION_COOKIE):  # signing in again: one session
        console_sessions.sign_out(request.app.state.engine, previous)
    user = console_sessions.session_user(request.app.state.engine, token)
    assert user is not None
    target = safe_next(next)
    if target == "/console/":
        target = home(user.principal.role)
    response = RedirectResponse(target, status_code=SEE_OTHER)
    set_session_cookie(request, response, token, expires)
    return response


@router.post("/sign-out", dependencies=[CsrfChecked])
def sign_out(request: Request, _user: SignedIn) -> RedirectResponse:
    console_sessions.sign_out(request.app.state.engine, request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/console/sign-in", status_code=SEE_OTHER)
    clear_session_cookie(request, response)
    return response


@router.get("/language")
async def switch_language(
    request: Request, lang: Annotated[str, Query()], next: Annotated[str | None, Query()] = None
) -> RedirectResponse:
    """Remember the chosen language (a year) and go back to the page."""
    response = RedirectResponse(safe_next(next), status_code=SEE_OTHER)
    if lang in LABEL_LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, path="/console", samesite="lax"
        )
    return response


@router.get("/overview")
def overview(request: Request, user: AdminUser):
    with Session(request.app.state.engine) as session:
        data = overview_data(session, request.app.state.cache, lang=language(request))
    return render(request, "overview.html", title=N_("Overview"), data=data)


KEY_COLUMNS = tables.Columns(
    ("name", "role", "member", "created", "status", "action"),
    sortable=("name", "role", "created"),
)


@router.get("/keys")
def keys_page(request: Request, user: AdminUser):
    return _keys(request, user)


def _keys(request: Request, user, *, created=None, problem=None, status=200):
    table = tables.page_of(
        request, keys.key_rows(request.app.state.engine), KEY_COLUMNS, _key_sort_value
    )
    return render(
        request,
        "keys.html",
        title=N_("Keys"),
        status=status,
        table=table,
        created=created,
        problem=problem,
    )


def _key_sort_value(row, column: str):
    return {"name": row.name, "role": row.role, "created": row.created_at}[column]


@router.post("/keys", dependencies=[CsrfChecked])
def create_key(
    request: Request,
    user: AdminUser,
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    member: Annotated[str, Form()] = "",
):
    name, member_id = name.strip(), member.strip() or None
    if role not in ROLES:
        return _keys(request, user, problem="role", status=422)
    try:
        key = keys.create_api_key(
            request.app.state.engine, name=name, role=role, member=member_id, actor=user.principal
        )
    except keys.KeyRequestInvalid as refusal:
        return _keys(request, user, problem=refusal.code, status=422)
    return _keys(request, user, created={"name": name, "key": key})


@router.get("/keys/revoke")
def confirm_revoke(request: Request, user: AdminUser, name: Annotated[str, Query()]):
    return render(request, "keys_revoke.html", title=N_("Revoke a key"), name=name)


@router.post("/keys/revoke", dependencies=[CsrfChecked])
def revoke_key(
    request: Request, user: AdminUser, name: Annotated[str, Form()] = ""
) -> RedirectResponse:
    keys.revoke_api_key(request.app.state.engine, name=name, actor=user.principal)
    response = RedirectResponse("/console/keys", status_code=SEE_OTHER)
    if name == user.principal.name:  # revoked its own key: the session ended with it
        clear_session_cookie(request, response)
    return response
