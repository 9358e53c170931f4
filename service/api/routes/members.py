"""Members: profiles, import and export, recommendations, published partners."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from service import usecases
from service.api.auth import (
    Admin,
    AdminOrHub,
    AdminOrMember,
    Anyone,
)
from service.api.deps import (
    CacheDep,
    EngineDep,
    Paging,
    SessionDep,
    SettingsDep,
    paging,
    paging_or_all,
)
from service.api.etag import NOT_MODIFIED, conditional
from service.api.language import LanguageDep
from service.api.problems import ApiError
from service.contract import (
    MEMBER_ID_PATTERN,
    Direction,
    ImportReport,
    IsoTime,
    MemberCreate,
    MemberList,
    MemberPrivate,
    MemberPublic,
    MemberUpdate,
    Published,
    Recommendations,
)
from service.documents import members_csv
from service.documents.labels import recommendations_answer
from service.safe_text import escape_controls
from service.store.db import write_session
from service.usecases.access import Principal, may_see_contact, may_see_member
from service.usecases.errors import not_found

router = APIRouter(prefix="/v1/members", tags=["members"])
MemberPath = Annotated[str, Path(pattern=MEMBER_ID_PATTERN, max_length=64)]


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def _view(row, who: Principal) -> MemberPublic | MemberPrivate:
    if may_see_contact(who, row.id):
        return MemberPrivate(**usecases.member_view(row, contacts=True))
    return MemberPublic(**usecases.member_view(row, contacts=False))


def _own(who: Principal, member_id: str) -> None:
    """A member key sees only itself: anyone else's data is 'not found'."""
    if not may_see_member(who, member_id):
        raise not_found("member", member_id)


@router.get("")
def list_members(
    who: AdminOrHub,
    session: SessionDep,
    page: Annotated[Paging, paging(200, 1000)],
    updated_since: Annotated[
        IsoTime | None,
        Query(
            description="only members whose profile changed (created, updated or "
            "imported with changes) after this ISO 8601 time; without an offset, UTC. "
            "A change is dated when it is written and seen once committed, so poll "
            "from your previous poll's start minus a margin longer than a write "
            "(a minute is plenty) and apply answers by id: a member seen twice is harmless",
            examples=["2026-12-01T00:00:00Z"],
        ),
    ] = None,
) -> MemberList:
    """Members by id; contact persons for the secretariat only."""
    total, rows = usecases.list_members(
        session, limit=page.limit, offset=page.offset, updated_since=updated_since
    )
    return MemberList(
        total=total, limit=page.limit, offset=page.offset, items=[_view(r, who) for r in rows]
    )


@router.post("", status_code=201)
def create_member(who: Admin, engine: EngineDep, body: MemberCreate) -> MemberPrivate:
    """Add a member (409 if the id exists)."""
    with write_session(engine) as session:
        row = usecases.create_member(session, data=body.model_dump(), who=who)
        return MemberPrivate(**usecases.member_view(row, contacts=True))


_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/import",
    openapi_extra=_IMPORT_BODY,
    responses={415: {"description": "Neither application/json nor text/csv"}},
)
async def import_members(
    who: Admin, engine: EngineDep, settings: SettingsDep, request: Request
) -> ImportReport:
    """Upsert members by id from a network JSON document or a CSV survey
    export (docs/csv-format.md): all or nothing; importing twice changes
    nothing."""
    data = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("text/csv", "application/csv", "application/json"):
        raise ApiError(
            415,
            "send Content-Type application/json (a network document) or text/csv",
            kind="unsupported-media-type",
        )
    upload = usecases.read_upload(data, "json" if kind == "application/json" else "csv")

    def run():
        with write_session(engine) as session:
            return usecases.import_network(
                session, who=who, max_members=settings.max_import_members, **upload.arguments()
            )

    result = await run_in_threadpool(run)
    return ImportReport(**result.__dict__)


@router.get("/export", response_class=Response)
def export_members(
    _: Admin,
    session: SessionDep,
    format: ExportFormat = ExportFormat.json,
    contacts: bool = False,
) -> Response:
    """The whole network as a network document (``format=json``, valid input
    for the CLI) or as CSV; contact persons only with ``contacts=true``."""
    document = usecases.network_document(session, contacts=contacts)
    if format is ExportFormat.csv:
        return PlainTextResponse(
            members_csv.write_members(document["members"]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="members.csv"'},
        )
    return Response(
        escape_controls(json.dumps(document, ensure_ascii=False, sort_keys=False)),
        media_type="application/json",
    )


@router.get("/{member_id}")
def get_member(
    who: Anyone, session: SessionDep, member_id: MemberPath
) -> MemberPrivate | MemberPublic:
    """One member; a member key sees only itself."""
    _own(who, member_id)
    return _view(usecases.get_member(session, member_id), who)


@router.patch("/{member_id}")
def update_member(
    who: AdminOrMember, engine: EngineDep, member_id: MemberPath, body: MemberUpdate
) -> MemberPrivate:
    """Change profile fields (never the id). A member key changes only its own
    profile, and only its name, languages, expertise, needs, mentor and mentee
    capacities, description and contact (``contact_name``, ``contact_email``);
    any other field gets 403 naming it."""
    _own(who, member_id)
    with write_session(engine) as session:
        row = usecases.update_member(
            session, member_id=member_id, changes=body.model_dump(exclude_unset=True), who=who
        )
        return MemberPrivate(**usecases.member_view(row, contacts=True))


@router.delete("/{member_id}", status_code=204)
def delete_member(who: Admin, engine: EngineDep, member_id: MemberPath) -> Response:
    """Remove a member, its pairs (exclusions, locks, history) and its personal
    data: in the records that stay (proposals, round summaries, feedback, the
    audit trail) a pseudonym replaces it and feedback comments on its pairs
    are erased; it leaves the published results; its proposals in draft
    rounds are withdrawn. All or nothing (docs/personal-data.md)."""
    with write_session(engine) as session:
        usecases.delete_member(session, member_id=member_id, who=who)
    return Response(status_code=204)


@router.get("/{member_id}/data")
def get_member_data(_: Admin, session: SessionDep, member_id: MemberPath) -> dict[str, Any]:
    """Everything stored about one member, as one JSON document: profile and
    contact, pairs, proposals, round summaries, feedback given and received,
    API keys (never their hashes) and audit records (docs/personal-data.md)."""
    return usecases.member_data(session, member_id=member_id)


@router.get(
    "/{member_id}/recommendations",
    response_model=Recommendations,
    response_model_exclude_none=True,
    responses=NOT_MODIFIED,
)
async def get_recommendations(
    who: Anyone,
    request: Request,
    engine: EngineDep,
    cache: CacheDep,
    member_id: MemberPath,
    language: LanguageDep,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    direction: Direction = Direction.mentors,
) -> Response:
    """The ``k`` best peers: who can help the member (``mentors``), whom it can
    help (``mentees``) or with whom it can exchange (``exchanges``). The
    ``ETag`` is a hash of the answer and its language: send it back in ``If-None-Match`` to get
    304 (no body) while it would be the same."""
    _own(who, member_id)
    version = request.state.network_version
    # The Hub's hot path: a memoised answer is served on the event loop; a
    # computation (and a rebuild of the network after a write) goes to a
    # worker thread, so it never stalls the loop.
    found = cache.peek(version, member_id, k=k, direction=direction.value)
    if found is None:

        def compute():
            with Session(engine) as session:
                return usecases.recommendations(
                    session,
                    cache,
                    member_id=member_id,
                    k=k,
                    direction=direction.value,
                    version=version,
                )

        found = await run_in_threadpool(compute)
    snap, recs = found
    why = None if recs else usecases.why_empty(snap, member_id, direction=direction.value)
    answer = recommendations_answer(
        member_id,
        recs,
        names=snap.names,
        direction=direction.value,
        k=k,
        version=snap.version,
        lang=language.code,
        empty=why,
    )
    return conditional(request, answer, language, exclude_none=True)


@router.get("/{member_id}/published")
def get_member_published(
    who: Anyone,
    session: SessionDep,
    member_id: MemberPath,
    language: LanguageDep,
    page: Annotated[Paging, paging_or_all(10_000)],
) -> Published:
    """The member's published mentors, mentees and circles (all of them
    without ``limit``)."""
    _own(who, member_id)
    usecases.get_member(session, member_id)
    return usecases.published_results(
        session, member_id=member_id, lang=language.code, limit=page.limit, offset=page.offset
    )
