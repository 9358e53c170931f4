"""How the console renders a page: one Jinja2 environment per language
(the report's gettext catalogues installed in it), the language chosen from
the ``console_lang`` cookie or ``Accept-Language``, and :func:`render`, which
every route calls with its template, title and data."""

from __future__ import annotations

from datetime import UTC
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from matcher.taxonomy import LABEL_LANGUAGES
from service.console.nav import NAV, visible
from service.console.security import csrf_token, current_user, set_anonymous_csrf
from service.translations import (
    RIGHT_TO_LEFT,
    gettext_for,
    language_tag,
    locale_for,
    negotiate,
)
from service.translations.formats import format_number

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LANG_COOKIE = "console_lang"
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "pt": "Português (Brasil)",
    "ar": "العربية",
}
"""Each label language in its own words, for the language switch."""
SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)
"""Every console page: only this server's scripts, styles and images (no
inline script), never inside another site's frame (clickjacking)."""


@cache
def environment(lang: str) -> Environment:
    """The templates, with ``_``/``gettext``/``ngettext`` in ``lang``."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(gettext_for(lang), newstyle=False)  # type: ignore[attr-defined]
    locale = locale_for(lang)
    env.filters["number"] = lambda n: format_number(n, lang)
    # Times are stored and shown in UTC, and say so.
    env.filters["when"] = lambda moment: (
        format_datetime(moment, "medium", tzinfo=UTC, locale=locale) + " UTC"
    )
    return env


def language(request: Request) -> str:
    """The reader's language: the switch's cookie, else Accept-Language."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LABEL_LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language"))


def render(
    request: Request,
    template: str,
    *,
    title: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **data: Any,
) -> HTMLResponse:
    """The page ``template`` (which extends ``base.html``) under ``title``
    (an English catalogue message, marked ``N_``: translated here), for the
    signed-in user if any."""
    lang = language(request)
    user = current_user(request)
    context = {
        "request": request,
        "title": gettext_for(lang).gettext(title),
        "lang": lang,
        "lang_tag": language_tag(lang),
        "direction": "rtl" if lang in RIGHT_TO_LEFT else "ltr",
        "languages": LANGUAGE_NAMES,
        "user": user,
        "nav": visible(NAV, user.principal.role) if user else [],
        "csrf_token": csrf_token(request),
        "here": _local_path(request),
        **data,
    }
    body = environment(lang).get_template(template).render(context)
    response = HTMLResponse(body, status_code=status, headers=headers)
    response.headers["Content-Language"] = language_tag(lang)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = SECURITY_POLICY
    set_anonymous_csrf(request, response)
    return response


def _local_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
