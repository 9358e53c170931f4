"""Member profiles: read, create, update, delete; what a member key may edit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import String, case, cast, func, or_
from sqlmodel import Session, col, select

from matcher import (
    geo,
)
from service.contract import (
    CONTACT_FIELDS,
    MEMBER_EDITABLE_FIELDS,
    NULLABLE_FIELDS,
    PROFILE_FIELDS,
    MemberCreate,
)
from service.store.models import (
    Member,
    Relation,
    utcnow,
)
from service.usecases import personal_data
from service.usecases.access import Principal
from service.usecases.audit import audit
from service.usecases.errors import Conflict, Forbidden, Invalid, NotFound, not_found
from service.usecases.network import bump_version, check_member_locks, member_document


def derived_side(m: Member) -> tuple[str, bool]:
    """The member's region and Global South flag, as the matcher derives them."""
    return geo.region_and_side(m.country, m.region, m.global_south)


def member_view(m: Member, *, contacts: bool) -> dict[str, Any]:
    region, south = derived_side(m)
    view = member_document(m, contacts=contacts)
    view.update(region=region, global_south=south)
    return view


def list_members(
    session: Session, *, limit: int, offset: int, updated_since: datetime | None = None
) -> tuple[int, list[Member]]:
    """A page of the members by id, and how many there are; with
    ``updated_since``, only those whose profile changed after that moment (a
    time without an offset is UTC)."""
    where = []
    if updated_since is not None:
        where.append(col(Member.updated_at) > _utc(updated_since))
    total = session.exec(select(func.count()).select_from(Member).where(*where)).one()
    rows = session.exec(
        select(Member).where(*where).order_by(Member.id).limit(limit).offset(offset)
    ).all()
    return total, list(rows)


MEMBER_SORTS = ("name", "country", "region", "updated")
"""What :func:`search_members` sorts by."""
THEME_SIDES = ("either", "expertise", "needs")


@dataclass(frozen=True)
class MemberFilter:
    """Which members a search keeps: ``text`` in the id or name (any case),
    a derived ``region``, a working ``language``, a ``kind``, and a
    ``theme`` the member has some expertise in, some need of, or either."""

    text: str = ""
    region: str | None = None
    language: str | None = None
    kind: str | None = None
    theme: str | None = None
    theme_side: str = "either"


def _region_column() -> Any:
    # The region as derived_side derives it, in SQL: stated, else the country's.
    by_country = {code: c.region for code, c in geo.COUNTRIES.items()}
    return func.coalesce(
        Member.region, case(by_country, value=Member.country, else_=geo.INTERNATIONAL)
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_members(
    session: Session,
    *,
    filters: MemberFilter,
    sort: str = "name",
    descending: bool = False,
    limit: int,
    offset: int,
) -> tuple[int, list[Member]]:
    """A page of the members ``filters`` keeps, sorted by one of
    :data:`MEMBER_SORTS` (then by id), and how many it keeps: filtered,
    sorted and paged in the database, so a page costs the same at 10,000
    members. Codes and keys are the contract's (an unknown one keeps none).
    Case is folded for ASCII letters only (SQLite's ``lower``)."""
    where: list[Any] = []
    if text := filters.text.strip():
        pattern = _like(text)
        where.append(
            or_(
                func.lower(Member.id).like(pattern, escape="\\"),
                func.lower(Member.name).like(pattern, escape="\\"),
            )
        )
    if filters.region:
        where.append(_region_column() == filters.region)
    if filters.kind:
        where.append(Member.kind == filters.kind)
    if filters.language:
        # Stored as a JSON list of lower-case codes: '["en", "fr"]'.
        code = filters.language.lower().replace('"', "")
        where.append(cast(Member.languages, String).like(f'%"{code}"%'))
    if filters.theme:
        sides = ("expertise", "needs") if filters.theme_side == "either" else (filters.theme_side,)
        # Stored levels are 1 and up: a level 0 is never stored.
        where.append(
            or_(*(getattr(Member, side)[filters.theme].as_integer() > 0 for side in sides))
        )
    order = {
        "name": func.lower(Member.name),
        "country": func.coalesce(Member.country, ""),
        "region": _region_column(),
        "updated": Member.updated_at,
    }[sort]
    order = order.desc() if descending else order.asc()
    total = session.exec(select(func.count()).select_from(Member).where(*where)).one()
    rows = session.exec(
        select(Member).where(*where).order_by(order, Member.id).limit(limit).offset(offset)
    ).all()
    return total, list(rows)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # an offset pushes it past year 1 or 9999
        extreme = datetime.max if moment.year > 1 else datetime.min
        return extreme.replace(tzinfo=UTC)


def get_member(session: Session, member_id: str) -> Member:
    row = session.get(Member, member_id)
    if row is None:
        raise not_found("member", member_id)
    return row


def delete_relation(session: Session, *, kind: str, a: str, b: str, who: Principal) -> None:
    """Remove a stored lock (``a`` mentors ``b``) or exclusion (``a`` and
    ``b`` in either order); 404 if there is none."""
    if kind == "exclusion":
        a, b = sorted((a, b))
    rows = session.exec(
        select(Relation).where(Relation.kind == kind, Relation.a == a, Relation.b == b)
    ).all()
    if not rows:
        noun = "lock" if kind == "locked" else "exclusion"
        raise NotFound(f"no {noun} of {a} and {b}")
    for row in rows:
        session.delete(row)
    bump_version(session)
    audit(session, who, f"{kind}.delete", kind, f"{a} {b}")


def create_member(session: Session, *, data: dict[str, Any], who: Principal) -> Member:
    if session.get(Member, data["id"]) is not None:
        raise Conflict(f"member '{data['id']}' exists; PATCH /v1/members/{data['id']} to change it")
    # A new member has no pairs yet, so its valid profile cannot break one.
    row = Member(**member_columns(data))
    session.add(row)
    bump_version(session)
    audit(session, who, "member.create", "member", row.id)
    return row


def member_columns(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: data.get(k) for k in ("id", *PROFILE_FIELDS, *CONTACT_FIELDS)}
    out["description"] = out["description"] or ""
    for field in ("mentor_capacity", "mentee_capacity"):
        out[field] = 1 if out[field] is None else out[field]
    out["expertise"] = dict(sorted((out["expertise"] or {}).items()))
    out["needs"] = dict(sorted((out["needs"] or {}).items()))
    return out


def update_member(
    session: Session, *, member_id: str, changes: dict[str, Any], who: Principal
) -> Member:
    if who.role == "member" and (denied := sorted(set(changes) - set(MEMBER_EDITABLE_FIELDS))):
        raise Forbidden(
            f"a member key may not change {', '.join(denied)}: they set the member's place "
            "in rounds, so the secretariat (an admin key) changes them; leave them out",
            kind="forbidden-field",
            errors=[
                {"where": "body", "field": f, "message": "only an admin key may change this field"}
                for f in denied
            ],
        )
    row = get_member(session, member_id)
    nulls = sorted(k for k, v in changes.items() if v is None and k not in NULLABLE_FIELDS)
    if nulls:
        raise Invalid(
            f"member '{member_id}': {', '.join(nulls)} cannot be null; leave a field out to "
            "keep it, or send its new value",
            [{"where": "body", "field": k, "message": "cannot be null"} for k in nulls],
        )
    merged = {**member_document(row, contacts=True), **changes}
    merged = {k: v for k, v in merged.items() if v is not None or k in changes}
    try:
        valid = MemberCreate.model_validate({k: v for k, v in merged.items() if v is not None})
    except ValidationError as exc:
        raise Invalid(
            f"member '{member_id}': the change makes the profile invalid; nothing was written",
            [
                {
                    "where": f"member '{member_id}'",
                    "field": ".".join(str(p) for p in e["loc"]),
                    "message": e["msg"].removeprefix("Value error, "),
                }
                for e in exc.errors()
            ],
        ) from None
    values = member_columns(valid.model_dump())
    fields = (*PROFILE_FIELDS, *CONTACT_FIELDS)
    if all(values[field] == getattr(row, field) for field in fields):
        # A write that changes nothing changes nothing: no version, no audit,
        # so no snapshot rebuild for every recommendation reader.
        return row
    for field in fields:
        setattr(row, field, values[field])
    row.updated_at = utcnow()
    session.add(row)
    check_member_locks(session, member_id)
    bump_version(session)
    audit(session, who, "member.update", "member", member_id, fields=sorted(changes))
    return row


def delete_member(session: Session, *, member_id: str, who: Principal) -> str:
    """Delete a member in one transaction: its row, its pairs (exclusions,
    locks, history) and its keys' access go; in the records that stay
    (proposals, round summaries, feedback, keys, the audit trail) a random
    pseudonym replaces it and feedback comments on its pairs are erased;
    its proposals in draft rounds are withdrawn. Returns the pseudonym."""
    row = get_member(session, member_id)
    found = personal_data.traces(session, row)
    pseudonym = personal_data.new_pseudonym(session)
    drafts = {r.id for r in found.rounds if r.status == "draft"}
    withdrawn = 0
    for p in found.proposals:
        if p.round_id in drafts and p.status != "withdrawn":
            p.status, p.note = "withdrawn", f"member {member_id} was deleted"
            withdrawn += 1
    revoked = 0
    for key in found.keys:
        if key.revoked_at is None:
            # A member created later with the same id must not inherit its keys.
            key.revoked_at = utcnow()
            revoked += 1
    changed = personal_data.pseudonymise(session, found, pseudonym)
    session.delete(row)
    bump_version(session)
    audit(
        session,
        who,
        "member.delete",
        "member",
        pseudonym,
        proposals_withdrawn=withdrawn,
        keys_revoked=revoked,
        **changed,
    )
    return pseudonym


def member_data(session: Session, *, member_id: str) -> dict[str, Any]:
    """Everything stored about one member, as one document (404 if none)."""
    return personal_data.member_data(session, get_member(session, member_id))
