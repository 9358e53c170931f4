"""Rounds (draft → decisions → re-run → publish), published results, feedback."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from service import usecases
from service.api.auth import Admin, AdminOrHub, AdminOrMember
from service.api.deps import (
    EngineDep,
    Paging,
    RevisionDep,
    SessionDep,
    paging,
    paging_or_all,
)
from service.api.etag import NOT_MODIFIED, conditional
from service.api.language import LanguageDep
from service.api.routes.jobs import ACCEPTED, RespondAsync, accepted
from service.contract import (
    DecisionIn,
    DecisionsIn,
    FeedbackIn,
    FeedbackPublic,
    Page,
    ProposalPublic,
    Published,
    PublishIn,
    PublishPreview,
    RoundCreate,
    RoundList,
    RoundPublic,
)
from service.store.db import write_session
from service.usecases.feedback import KEEP, feedback_view

router = APIRouter(prefix="/v1", tags=["rounds"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
PublishedPaging = Annotated[Paging, paging_or_all(10_000)]
"""Published results: without ``limit``, all of them (as before they were paged)."""


@router.post("/rounds", status_code=201, response_model=RoundPublic, responses=ACCEPTED)
def create_round(
    who: Admin,
    engine: EngineDep,
    body: RoundCreate,
    language: LanguageDep,
    request: Request,
    respond_async: RespondAsync,
) -> RoundPublic | JSONResponse:
    """Compute a mentoring round or learning circles on the current members
    and store it as a draft with its proposals, each with reasons. With
    ``Prefer: respond-async``: 202 at once, the job in ``Location`` (invalid
    options are still refused at once)."""
    if respond_async:
        return accepted(request, request.app.state.jobs.create_round(spec=body, who=who))
    round_id = usecases.create_round(engine, spec=body, who=who)
    with Session(engine) as session:
        return usecases.round_view(session, round_id, proposals=True, lang=language.code)


@router.get("/rounds")
def list_rounds(
    _: Admin, session: SessionDep, page: Annotated[Paging, paging(50, 500)]
) -> RoundList:
    """Rounds, newest first, without their proposals."""
    return usecases.list_rounds(session, limit=page.limit, offset=page.offset)


@router.get("/rounds/{round_id}")
def get_round(_: Admin, session: SessionDep, round_id: Id, language: LanguageDep) -> RoundPublic:
    """A round with its proposals, their review status and outcome figures."""
    return usecases.round_view(session, round_id, proposals=True, lang=language.code)


@router.get("/rounds/{round_id}/proposals")
def list_proposals(
    _: Admin,
    session: SessionDep,
    round_id: Id,
    language: LanguageDep,
    page: Annotated[Paging, paging(200, 1000)],
) -> Page[ProposalPublic]:
    """A round's proposals by id, as `GET /v1/rounds/{round_id}` shows them."""
    return usecases.list_proposals(
        session, round_id=round_id, limit=page.limit, offset=page.offset, lang=language.code
    )


@router.get("/rounds/{round_id}/feedback")
def list_feedback(
    _: Admin,
    session: SessionDep,
    round_id: Id,
    page: Annotated[Paging, paging(200, 1000)],
    language: LanguageDep,
) -> Page[FeedbackPublic]:
    """The answers given on a round's relations, oldest first."""
    return usecases.list_feedback(
        session, round_id=round_id, limit=page.limit, offset=page.offset, lang=language.code
    )


@router.post("/rounds/{round_id}/proposals/{proposal_id}/decision")
def decide_proposal(
    who: Admin,
    engine: EngineDep,
    round_id: Id,
    proposal_id: Id,
    body: DecisionIn,
    language: LanguageDep,
    revision: RevisionDep,
) -> ProposalPublic:
    """Approve (optionally locking the pair for later rounds) or decline
    (optionally never again) a proposal of a draft; `pin` is a deprecated
    alias of `approve`. 409 if approving would exceed a member's capacity,
    or if `If-Match` names a revision the round has moved on from."""
    with write_session(engine) as session:
        row = usecases.decide(
            session,
            round_id=round_id,
            proposal_id=proposal_id,
            decision=body.decision,
            note=body.note,
            never_again=body.never_again,
            lock=body.lock,
            revision=revision,
            who=who,
        )
        return usecases.proposal_view(row, language.code)


@router.post("/rounds/{round_id}/decisions")
def decide_proposals(
    who: Admin,
    engine: EngineDep,
    round_id: Id,
    body: DecisionsIn,
    language: LanguageDep,
    revision: RevisionDep,
) -> list[ProposalPublic]:
    """Several decisions on a draft in one transaction: all taken, or none
    and a 409 listing every refusal. `If-Match` as for one decision."""
    with write_session(engine) as session:
        rows = usecases.decide_many(
            session, round_id=round_id, decisions=body.decisions, revision=revision, who=who
        )
        return [usecases.proposal_view(r, language.code) for r in rows]


@router.post("/rounds/{round_id}/rerun", response_model=RoundPublic, responses=ACCEPTED)
def rerun_round(
    who: Admin,
    engine: EngineDep,
    round_id: Id,
    language: LanguageDep,
    request: Request,
    respond_async: RespondAsync,
) -> RoundPublic | JSONResponse:
    """Re-optimise a draft: keeps approved and pinned proposals, never proposes
    a declined one again. With ``Prefer: respond-async``: 202 at once, the job
    in ``Location``."""
    if respond_async:
        return accepted(request, request.app.state.jobs.rerun_round(round_id=round_id, who=who))
    usecases.rerun_round(engine, round_id=round_id, who=who)
    with Session(engine) as session:
        return usecases.round_view(session, round_id, proposals=True, lang=language.code)


Undecided = Query(None, description="what becomes of the undecided proposals: withdraw or approve")


@router.get("/rounds/{round_id}/publish-preview")
def publish_preview(
    _: Admin,
    session: SessionDep,
    round_id: Id,
    language: LanguageDep,
    undecided: Literal["withdraw", "approve"] | None = Undecided,
) -> PublishPreview:
    """What `POST /v1/rounds/{round_id}/publish` would publish and withdraw
    with the same `undecided` choice."""
    return usecases.publish_preview(
        session, round_id=round_id, undecided=undecided, lang=language.code
    )


@router.post("/rounds/{round_id}/publish")
def publish_round(
    who: Admin,
    engine: EngineDep,
    round_id: Id,
    language: LanguageDep,
    request: Request,
    body: PublishIn | None = None,
) -> RoundPublic:
    """Publish the approved proposals (one transaction); undecided ones are
    withdrawn or approved as `undecided` says, and without that choice they
    refuse the publication (409 listing them). Then, if the operators set
    one, the webhook gets a ``round.published`` event."""
    undecided = body.undecided if body else None
    with write_session(engine) as session:
        usecases.publish(session, round_id=round_id, who=who, undecided=undecided)
    with Session(engine) as session:
        view = usecases.round_view(session, round_id, proposals=True, lang=language.code)
    # After the commit, queued for the webhook's thread: the receiver can
    # neither undo nor delay the publish.
    if webhook := request.app.state.webhook:
        webhook.round_published(view, published_url=str(request.url_for("get_published")))
    return view


@router.get("/published", response_model=Published, responses=NOT_MODIFIED)
def get_published(
    _: AdminOrHub,
    session: SessionDep,
    request: Request,
    language: LanguageDep,
    page: PublishedPaging,
) -> Response:
    """What the Hub shows: the pairs and circles of the published rounds, by
    round and proposal (all of them without ``limit``). The ``ETag`` is a
    hash of the answer and its language: send it back in ``If-None-Match`` to
    get 304 (no body) while nothing has changed."""
    answer = usecases.published_results(
        session, lang=language.code, limit=page.limit, offset=page.offset
    )
    return conditional(request, answer, language)


@router.post(
    "/proposals/{proposal_id}/feedback",
    status_code=201,
    responses={200: {"description": "the author's earlier answer for that side, replaced"}},
)
def give_feedback(
    who: AdminOrMember,
    engine: EngineDep,
    proposal_id: Id,
    body: FeedbackIn,
    response: Response,
    language: LanguageDep,
) -> FeedbackPublic:
    """One side's answer on a relation of a published or archived round (a
    pair, an exchange, one member of a circle): whether it met its goal, how
    useful it was, the themes learned, whether it continued. One per author
    and side: sending again replaces that answer (200) and keeps every other;
    ``themes_learned`` and ``continued`` left out keep what it said."""
    sent = body.model_fields_set
    with write_session(engine) as session:
        row, created = usecases.add_feedback(
            session,
            proposal_id=proposal_id,
            met=body.met,
            usefulness=body.usefulness,
            comment=body.comment,
            who=who,
            member=body.member,
            themes_learned=body.themes_learned if "themes_learned" in sent else KEEP,
            continued=body.continued if "continued" in sent else KEEP,
        )
        if not created:
            response.status_code = 200
        return feedback_view(row, language.code)
