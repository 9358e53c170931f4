"""Who is signed in, and the guards of every console request: the session
cookie, the CSRF token of every form, and where a sign-in may send back to.

The session cookie is HttpOnly, SameSite=Strict, Path=/console, and Secure
when the request came over HTTPS (directly or through a trusted proxy's
``X-Forwarded-Proto``, which ``peermatch serve --forwarded-allow-ips``
governs). Before sign-in there is no session, so the sign-in form's CSRF
token is a random value in a cookie of its own, repeated in the form
(double submit)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from service.usecases.console_sessions import ConsoleUser, session_user

SESSION_COOKIE = "console_session"
CSRF_COOKIE = "console_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
"""htmx sends the token in this header (``hx-headers`` on ``<body>``)."""
PATH = "/console"
HOME = "/console/"


class SignInNeeded(Exception):
    """No live session: answered with a redirect to the sign-in page that
    comes back to ``next``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Refused(Exception):
    """A console request refused: answered with an error page (403 for a
    missing CSRF token or a role that may not see the page)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, token: str, expires: datetime) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        expires=expires,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=PATH, httponly=True, samesite="strict", secure=_secure(request)
    )


def current_user(request: Request) -> ConsoleUser | None:
    """The session's user (looked up once per request), or None."""
    if not hasattr(request.state, "console_user"):
        token = request.cookies.get(SESSION_COOKIE)
        writable = not request.app.state.settings.read_only
        request.state.console_user = (
            session_user(request.app.state.engine, token, touch=writable) if token else None
        )
    return request.state.console_user


def csrf_token(request: Request) -> str:
    """The token this request's forms carry: the session's secret, or before
    sign-in the CSRF cookie's value (a new one, set by :func:`set_anonymous_csrf`)."""
    user = current_user(request)
    if user is not None:
        return user.csrf
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = getattr(request.state, "new_csrf_cookie", None) or secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = token
    return token


def set_anonymous_csrf(request: Request, response: Response) -> None:
    """Send the CSRF cookie :func:`csrf_token` made for this page, if it did."""
    token = getattr(request.state, "new_csrf_cookie", None)
    if token is not None:
        response.set_cookie(
            CSRF_COOKIE, token, path=PATH, httponly=True, samesite="strict", secure=_secure(request)
        )


async def check_csrf(request: Request) -> None:
    """Refuse (403) a form whose token, in its field or its header, is not
    this session's (or, before sign-in, this browser's CSRF cookie)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    user = current_user(request)
    expected = user.csrf if user is not None else request.cookies.get(CSRF_COOKIE)
    if not sent or not expected or not secrets.compare_digest(sent, expected):
        raise Refused(403, "csrf")


def safe_next(value: str | None) -> str:
    """Where to go after sign-in: a console path of this site, else home
    (never another site: ``//host``, ``/\\host`` and full URLs are refused).

    >>> safe_next("/console/keys?page=2"), safe_next("//evil.example/console")
    ('/console/keys?page=2', '/console/')
    >>> safe_next("https://evil.example/"), safe_next("/console\\\\x"), safe_next(None)
    ('/console/', '/console/', '/console/')
    """
    if (
        not value
        or not value.startswith(PATH)
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 0x20 for c in value)
    ):
        return HOME
    return value


async def _signed_in(request: Request) -> ConsoleUser:
    user = current_user(request)
    if user is None:
        query = request.url.query
        raise SignInNeeded(request.url.path + (f"?{query}" if query else ""))
    return user


def require(*roles: str):
    """A dependency: the signed-in user when their role is one of ``roles``
    (else a 403 page); without a session, a redirect to sign-in."""

    async def check(user: Annotated[ConsoleUser, Depends(_signed_in)]) -> ConsoleUser:
        if user.principal.role not in roles:
            raise Refused(403, "role")
        return user

    return check


SignedIn = Annotated[ConsoleUser, Depends(require("admin", "member"))]
AdminUser = Annotated[ConsoleUser, Depends(require("admin"))]
CsrfChecked = Depends(check_csrf)
"""Add to every POST route: ``dependencies=[CsrfChecked]``."""
