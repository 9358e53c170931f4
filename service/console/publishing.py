"""Publishing a round from the console: the preview of exactly what will be
published and withdrawn (with the explicit choice for undecided proposals),
the publication through the API's use case, the members a round left out
with what would include them, and the published results as CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from service import usecases
from service.console.pages import language, render
from service.console.security import AdminUser, CsrfChecked
from service.documents.labels import theme_label
from service.documents.published_csv import published_csv
from service.store.db import write_session
from service.translations import N_, locale_for
from service.translations.formats import format_list
from service.usecases.directory import member_directory
from service.usecases.errors import Conflict, NotFound

router = APIRouter(prefix="/console", include_in_schema=False)
RoundId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SEE_OTHER = 303


def language_name(code: str | None, lang: str) -> str:
    """A language's name in ``lang`` (its code when unknown).

    >>> language_name("fr", "es"), language_name("sw", "en"), language_name("zz", "en")
    ('francés', 'Swahili', 'zz')
    """
    if not code:
        return ""
    return locale_for(lang).languages.get(code, code)


def words(request: Request) -> dict:
    """What the templates need to show ids and codes in words, in the
    reader's language: give it to a page that includes ``round_left_out.html``."""
    lang = language(request)
    with Session(request.app.state.engine) as session:
        names = {k: e.name for k, e in member_directory(session).items()}

    def languages_listed(codes):
        return format_list([language_name(c, lang) for c in codes], lang)

    return {
        "member_names": names,
        "language_name": lambda code: language_name(code, lang),
        "theme_name": lambda key: theme_label(key, lang) if key else "",
        "listed": lambda items: format_list(list(items), lang),
        "languages_listed": languages_listed,
    }


def _gone(request: Request, round_id: int, status: int):
    """No such round (404), or no longer a draft (409)."""
    return render(
        request,
        "publish_gone.html",
        title=N_("Publish the round"),
        status=status,
        round_id=round_id,
        missing=status == 404,
    )


@router.get("/rounds/{round_id}/publish")
def preview(
    request: Request,
    user: AdminUser,
    round_id: RoundId,
    undecided: Annotated[str | None, Query()] = None,
):
    return _preview(request, round_id, _choice(undecided))


def _choice(undecided: str | None) -> str | None:
    """The choice for undecided proposals; anything else is no choice yet."""
    return undecided if undecided in ("withdraw", "approve") else None


def _preview(request: Request, round_id: int, undecided: str | None, *, refusal=None, status=200):
    try:
        with Session(request.app.state.engine) as session:
            plan = usecases.publish_preview(
                session, round_id=round_id, undecided=undecided, lang=language(request)
            )
    except NotFound:
        return _gone(request, round_id, 404)
    except Conflict:  # no longer a draft: published already, or archived
        return _gone(request, round_id, 409)
    return render(
        request,
        "publish.html",
        title=N_("Publish the round"),
        status=status,
        plan=plan,
        refusal=refusal,
        **words(request),
    )


@router.post("/rounds/{round_id}/publish", dependencies=[CsrfChecked])
def publish(
    request: Request,
    user: AdminUser,
    round_id: RoundId,
    undecided: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
):
    choice = _choice(undecided)
    if confirm != "yes":
        return _preview(request, round_id, choice, refusal={"reason": "confirm"}, status=422)
    try:
        with write_session(request.app.state.engine) as session:
            usecases.publish(session, round_id=round_id, who=user.principal, undecided=choice)
    except NotFound:
        return _gone(request, round_id, 404)
    except Conflict as exc:
        # Undecided proposals without a choice, none approved, or published
        # meanwhile: the preview says which, nothing was written.
        reason = "undecided" if exc.kind == "undecided-proposals" else "conflict"
        refusal = {"reason": reason, "detail": exc.detail}
        return _preview(request, round_id, choice, refusal=refusal, status=409)
    with Session(request.app.state.engine) as session:
        view = usecases.round_view(session, round_id, proposals=True, lang=language(request))
    # As the API does after its commit: the Hub's receiver hears of it.
    if webhook := request.app.state.webhook:
        webhook.round_published(view, published_url=str(request.url_for("get_published")))
    return RedirectResponse(f"/console/rounds/{round_id}/published", status_code=SEE_OTHER)


@router.get("/rounds/{round_id}/published")
def published(request: Request, user: AdminUser, round_id: RoundId):
    try:
        with Session(request.app.state.engine) as session:
            view = usecases.round_view(session, round_id, proposals=False, lang="en")
            results = usecases.published_results(session, lang=language(request))
    except NotFound:
        return _gone(request, round_id, 404)
    items = [i for i in results.items if i.round_id == round_id]
    return render(
        request,
        "published.html",
        title=N_("Published results"),
        round=view,
        items=items,
        **words(request),
    )


@router.get("/rounds/{round_id}/left-out")
def left_out(request: Request, user: AdminUser, round_id: RoundId):
    try:
        with Session(request.app.state.engine) as session:
            view = usecases.round_view(session, round_id, proposals=False, lang="en")
    except NotFound:
        return _gone(request, round_id, 404)
    return render(
        request, "left_out.html", title=N_("Members left out"), round=view, **words(request)
    )


@router.get("/published.csv")
def all_published_csv(request: Request, user: AdminUser):
    return _csv(request, None, "published.csv")


@router.get("/rounds/{round_id}/published.csv")
def round_published_csv(request: Request, user: AdminUser, round_id: RoundId):
    return _csv(request, round_id, f"published-round-{round_id}.csv")


def _csv(request: Request, round_id: int | None, filename: str) -> Response:
    with Session(request.app.state.engine) as session:
        results = usecases.published_results(session, lang=language(request))
        contacts = member_directory(session)
    if round_id is not None:
        results.items = [i for i in results.items if i.round_id == round_id]
    return Response(
        published_csv(results, contacts),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
