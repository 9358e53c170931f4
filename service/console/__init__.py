"""The secretariat's web console: server-rendered pages (Jinja2 templates in
``templates/``, static files in ``static/``) under ``/console``, served by the
same app as the API (``service.api.app`` calls :func:`install`). Its routes
call the use cases and document builders the API calls. How to add a page:
``service/console/README.md``."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from service.console import capacity, constraints, flow, member_pages, outcomes, publishing
from service.console.feedback_import import router as feedback_import_router
from service.console.imports import router as imports_router
from service.console.members import router as members_router
from service.console.pages import STATIC, render
from service.console.rounds import router as rounds_router
from service.console.routes import router
from service.console.security import Refused, SignInNeeded
from service.translations import N_

STATIC_PATH = "/console/static"
VENDOR_PATH = f"{STATIC_PATH}/vendor"
"""htmx and Swagger UI, as fetched by scripts/vendor-assets.sh (VENDORED.md)."""
REFUSALS = {
    "csrf": (
        N_("This form has expired"),
        N_(
            "The form was sent without its security token, or with an old one. "
            "Go back, reload the page and send it again."
        ),
    ),
    "role": (
        N_("Not for this key"),
        N_("The key you signed in with may not open this page."),
    ),
    "missing": (
        N_("Not found"),
        N_("Nothing is stored at this address: it may have been deleted. Go back to the list."),
    ),
}


async def _sign_in_needed(request: Request, exc: SignInNeeded) -> RedirectResponse:
    return RedirectResponse(f"/console/sign-in?next={quote(exc.next_path, safe='/')}", 303)


async def _refused(request: Request, exc: Refused):
    title, explanation = REFUSALS[exc.reason]
    return render(request, "refused.html", title=title, status=exc.status, explanation=explanation)


def install(app: FastAPI) -> None:
    """Serve the console on ``app``: its pages, its static files, and its
    refusals as pages (not problem documents)."""
    app.include_router(router)
    app.include_router(publishing.router)
    app.include_router(constraints.router)
    app.include_router(members_router)
    app.include_router(imports_router)
    app.include_router(feedback_import_router)
    app.include_router(member_pages.router)
    app.include_router(capacity.router)
    app.include_router(flow.router)
    app.include_router(outcomes.router)
    app.include_router(rounds_router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="console-static")
    app.add_exception_handler(SignInNeeded, _sign_in_needed)
    app.add_exception_handler(Refused, _refused)
