"""The pages of a member key: its own profile (the fields a member may edit,
the others shown with why not), its recommendations with their reasons,
its published partners with their contact persons, and its feedback: every
relation it was in (pairs, exchanges, circles of published and archived
rounds) with its answer and a form to change it. Each page's address names
the member; a member key opening another member's is refused."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from matcher import default_taxonomy, geo
from service import usecases
from service.console.pages import language, render
from service.console.security import CsrfChecked, Refused, require
from service.contract import MEMBER_EDITABLE_FIELDS, FeedbackIn
from service.documents.capacity_map import group_label
from service.documents.labels import recommendations_answer
from service.store.db import write_session
from service.translations import N_
from service.usecases.console_sessions import ConsoleUser
from service.usecases.errors import Conflict, Invalid, NotFound
from service.usecases.feedback import member_relations
from service.usecases.partners import published_partners

router = APIRouter(prefix="/console", include_in_schema=False)
MemberUser = Annotated[ConsoleUser, Depends(require("member"))]
SEE_OTHER = 303
SECTIONS = ("profile", "recommendations", "partners", "my-feedback")
DIRECTIONS = {
    "mentors": N_("Who can help us"),
    "mentees": N_("Whom we can help"),
    "exchanges": N_("Two-way exchanges"),
}
RECOMMENDATIONS_SHOWN = 10
EMPTY = {
    "no_needs": N_("Your profile states no need at a level that asks for help."),
    "no_mentee_capacity": N_("Your profile takes no mentor this round (mentee capacity 0)."),
    "no_mentor_capacity": N_("Your profile takes no mentee this round (mentor capacity 0)."),
    "no_shared_language": N_("No member who could help shares a working language with you."),
    "no_stronger_peer": N_("No member is more expert than you in the themes you need."),
    "no_weaker_peer": N_("No member needs the themes you are expert in."),
    "all_excluded": N_("Every member who would fit is excluded from pairing with you."),
    "no_two_way_peer": N_("No member can both help you and be helped by you."),
}
"""Why a member has no recommendations (``matcher.EMPTY_CODES``), in its words."""
FEEDBACK_PROBLEMS = {
    "met": N_("Say whether you met: yes or no."),
    "usefulness": N_("Choose how useful it was, from 1 (not at all) to 5 (very)."),
    "comment": N_("Keep the comment under 2,000 characters."),
    "themes_learned": N_("Choose themes from the list."),
    "continued": N_("Say whether it went on: yes, no or not sure."),
}
"""What to fix in each field of the feedback form (``FeedbackIn``)."""


def _own(user, member_id: str) -> None:
    # A member key opens its own member's pages only; the same refusal
    # whether the other member exists or not.
    if user.principal.member_id != member_id:
        raise Refused(403, "role")


def _to_own(section: str):
    async def own(user: MemberUser) -> RedirectResponse:
        return RedirectResponse(f"/console/{section}/{user.principal.member_id}", SEE_OTHER)

    return own


for _section in SECTIONS:  # the navigation's entries: the member's own page
    router.add_api_route(f"/{_section}", _to_own(_section), methods=["GET"])


# ---- profile ---------------------------------------------------------------


@router.get("/profile/{member_id}")
def profile(request: Request, user: MemberUser, member_id: str, saved: bool = False):
    _own(user, member_id)
    with Session(request.app.state.engine) as session:
        view = usecases.member_view(usecases.get_member(session, member_id), contacts=True)
    return _profile(request, view, saved=saved)


def _profile(request: Request, view: dict[str, Any], *, saved=False, errors=None, status=200):
    lang = language(request)
    taxonomy = default_taxonomy()
    themes = sorted(taxonomy.keys, key=lambda k: taxonomy.label(k, lang))
    return render(
        request,
        "member_profile.html",
        title=N_("My profile"),
        status=status,
        member=view,
        themes=[(k, taxonomy.label(k, lang)) for k in themes],
        kind=group_label(view["kind"], lang),
        region=group_label(view["region"], lang),
        side=group_label("global_south" if view.get("global_south") else "global_north", lang),
        saved=saved,
        errors=errors or {},
    )


@router.post("/profile/{member_id}", dependencies=[CsrfChecked])
async def save_profile(request: Request, user: MemberUser, member_id: str):
    _own(user, member_id)
    changes = profile_changes(await request.form())
    # The form is read on the event loop; the database is written off it.
    return await run_in_threadpool(_save_profile, request, user, member_id, changes)


def _save_profile(request: Request, user, member_id: str, changes: dict[str, Any]):
    try:
        with write_session(request.app.state.engine) as session:
            usecases.update_member(
                session, member_id=member_id, changes=changes, who=user.principal
            )
    except (Invalid, Conflict) as refusal:
        errors = _field_errors(refusal)
        with Session(request.app.state.engine) as session:
            stored = usecases.member_view(usecases.get_member(session, member_id), contacts=True)
        return _profile(request, {**stored, **changes}, errors=errors, status=422)
    return RedirectResponse(f"/console/profile/{member_id}?saved=1", SEE_OTHER)


def profile_changes(form: FormData) -> dict[str, Any]:
    """The profile form as the fields a member may change. Numbers that do
    not read as numbers are passed on as written, for the contract to say
    what is wrong with them.

    >>> form = FormData([("name", " Kenya "), ("languages", "en, sw"), ("exp-budget_tracking", "3"),
    ...                  ("need-gender", "0"), ("mentor_capacity", "two"), ("contact_email", "")])
    >>> changes = profile_changes(form)
    >>> changes["languages"], changes["expertise"], changes["needs"], changes["mentor_capacity"]
    (['en', 'sw'], {'budget_tracking': 3}, {}, 'two')
    >>> changes["contact_email"] is None
    True
    """
    text = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    changes: dict[str, Any] = {
        "name": text.get("name", ""),
        "description": text.get("description", ""),
        "languages": [c.strip() for c in text.get("languages", "").split(",") if c.strip()],
        "expertise": _levels(text, "exp-"),
        "needs": _levels(text, "need-"),
    }
    for field in ("mentor_capacity", "mentee_capacity"):
        raw = text.get(field, "").strip()
        changes[field] = int(raw) if raw.isdigit() else raw
    for field in ("contact_name", "contact_email"):
        changes[field] = text.get(field, "").strip() or None
    assert set(changes) <= set(MEMBER_EDITABLE_FIELDS)
    return changes


def _levels(text: dict[str, str], prefix: str) -> dict[str, int]:
    return {
        k.removeprefix(prefix): int(v)
        for k, v in text.items()
        if k.startswith(prefix) and v.isdigit() and int(v) > 0
    }


def _field_errors(refusal: Invalid | Conflict) -> dict[str, list[str]]:
    """The contract's problems by the form's field (the first part of their
    location); a problem about no one field goes under ``""``."""
    found: dict[str, list[str]] = {}
    for e in refusal.errors or [{"field": "", "message": refusal.detail}]:
        field = str(e.get("field") or "").split(".")[0]
        field = field if field in MEMBER_EDITABLE_FIELDS else ""
        found.setdefault(field, []).append(str(e.get("message", "")))
    return found


# ---- recommendations -------------------------------------------------------


@router.get("/recommendations/{member_id}")
def recommendations(
    request: Request,
    user: MemberUser,
    member_id: str,
    direction: Annotated[str, Query()] = "mentors",
):
    _own(user, member_id)
    direction = direction if direction in DIRECTIONS else "mentors"
    lang = language(request)
    cache = request.app.state.cache
    with Session(request.app.state.engine) as session:
        snap, recs = usecases.recommendations(
            session, cache, member_id=member_id, k=RECOMMENDATIONS_SHOWN, direction=direction
        )
    why = None if recs else usecases.why_empty(snap, member_id, direction=direction)
    answer = recommendations_answer(
        member_id,
        recs,
        names=snap.names,
        direction=direction,
        k=RECOMMENDATIONS_SHOWN,
        version=snap.version,
        lang=lang,
        empty=why,
    )
    return render(
        request,
        "member_recommendations.html",
        title=N_("My recommendations"),
        answer=answer,
        directions=DIRECTIONS,
        shown=direction,
        empty_words=EMPTY,
        language_names=geo.LANGUAGE_NAMES,
    )


# ---- partners and feedback -------------------------------------------------


@router.get("/partners/{member_id}")
def partners(request: Request, user: MemberUser, member_id: str):
    """The member's published partners with their contacts; feedback is
    given on the My feedback page, which lists archived rounds too."""
    _own(user, member_id)
    with Session(request.app.state.engine) as session:
        found = published_partners(
            session, member_id=member_id, who=user.principal, lang=language(request)
        )
    return render(
        request,
        "member_partners.html",
        title=N_("My partners"),
        member_id=member_id,
        found=found,
    )


# ---- feedback on every relation --------------------------------------------

CONTINUED = {"yes": True, "no": False, "unsure": None}
"""The feedback form's answers to "did it go on after the round?"."""


@router.get("/my-feedback/{member_id}")
def my_feedback(request: Request, user: MemberUser, member_id: str, saved: int | None = None):
    _own(user, member_id)
    return _my_feedback(request, user, member_id, saved=saved)


def _my_feedback(request, user, member_id, *, saved=None, errors=None, typed=None, status=200):
    lang = language(request)
    taxonomy = default_taxonomy()
    with Session(request.app.state.engine) as session:
        found = member_relations(session, member_id=member_id, author=user.principal.name)
    return render(
        request,
        "member_feedback.html",
        title=N_("My feedback"),
        status=status,
        member_id=member_id,
        relations=found,
        label=lambda key: taxonomy.label(key, lang),
        themes=sorted(taxonomy.keys, key=lambda k: taxonomy.label(k, lang)),
        saved=saved,
        errors=errors or {},
        typed=typed or {},
    )


def feedback_form(form: FormData) -> dict[str, Any]:
    """The feedback form as a :class:`FeedbackIn` body (what cannot be read
    is passed on as written, for the contract to refuse).

    >>> form = FormData([("met", "yes"), ("usefulness", "4"), ("themes_learned", "mel"),
    ...                  ("other_theme", "teachers"), ("continued", "unsure"), ("comment", "ok")])
    >>> feedback_form(form)
    {'met': True, 'usefulness': 4, 'comment': 'ok', 'themes_learned': ['mel', 'teachers'], \
'continued': None}
    """
    text = {k: v for k, v in form.items() if isinstance(v, str)}
    use = text.get("usefulness", "")
    themes = [str(t) for t in form.getlist("themes_learned")] + [text.get("other_theme", "")]
    continued = text.get("continued", "")
    return {
        "met": {"yes": True, "no": False}.get(text.get("met", "")),
        "usefulness": int(use) if use.isdigit() and len(use) < 3 else None,
        "comment": text.get("comment", ""),
        "themes_learned": list(dict.fromkeys(t for t in themes if t)),
        "continued": CONTINUED[continued] if continued in CONTINUED else continued,
    }


@router.post("/my-feedback/{member_id}/{proposal_id}", dependencies=[CsrfChecked])
async def save_feedback(request: Request, user: MemberUser, member_id: str, proposal_id: int):
    _own(user, member_id)
    form = await request.form()
    return await run_in_threadpool(_save_feedback, request, user, member_id, proposal_id, form)


def _save_feedback(request, user, member_id: str, proposal_id: int, form: FormData):
    body = feedback_form(form)
    typed = {**body, "met": form.get("met", ""), "continued": form.get("continued", "")}
    try:
        answer = FeedbackIn.model_validate(body)
        with write_session(request.app.state.engine) as session:
            usecases.add_feedback(
                session,
                proposal_id=proposal_id,
                who=user.principal,
                **answer.model_dump(exclude={"member"}),
            )
    except (ValidationError, Invalid) as exc:
        wrong = exc.errors() if isinstance(exc, ValidationError) else exc.errors or []
        fields = {str(e.get("loc", [e.get("field", "")])[0]).split(".")[0] for e in wrong}
        errors = {f: FEEDBACK_PROBLEMS.get(f, FEEDBACK_PROBLEMS["met"]) for f in fields}
        return _my_feedback(
            request,
            user,
            member_id,
            errors={proposal_id: errors},
            typed={proposal_id: typed},
            status=422,
        )
    except NotFound:  # not a published relation of this member
        raise Refused(403, "role") from None
    return RedirectResponse(
        f"/console/my-feedback/{member_id}?saved={proposal_id}#p{proposal_id}", SEE_OTHER
    )
