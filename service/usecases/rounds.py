"""The only bridge between the database and the matcher.

Every function takes a session (or the engine, when it must compute outside a
write transaction) and keyword-only data, and returns table rows or plain
results; routes stay thin. A write function runs inside the caller's write
transaction (``service.store.db.write_session``) and adds exactly one audit record.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from matcher import (
    Network,
    NetworkArrays,
    ScoringPolicy,
    capacity_map,
    default_taxonomy,
    form_circles,
    geo,
    mentoring_round,
    network_arrays,
    recommend,
)
from matcher.circles import MAX_SIZE as MAX_CIRCLE_SIZE
from matcher.network import INTERNATIONAL
from matcher.scoring import BlockScorer
from service.api.auth import Principal
from service.api.problems import ApiError, conflict, invalid, network_invalid, not_found
from service.contract import (
    SCHEMA_VERSION,
    UNLOCK_OR_FIX,
    NetworkError,
    Problem,
    validate_network,
)
from service.documents.capacity_map import map_document
from service.documents.circles import circles_document
from service.documents.mentoring import round_document
from service.store.db import read_session, write_session
from service.store.models import (
    ApiKey,
    AuditRecord,
    Contact,
    Feedback,
    Member,
    NetworkState,
    Proposal,
    Relation,
    Round,
    RoundCreate,
    utcnow,
)

PROFILE_FIELDS = (
    "name",
    "kind",
    "country",
    "languages",
    "expertise",
    "needs",
    "mentor_capacity",
    "mentee_capacity",
    "description",
    "region",
    "global_south",
)
CONTACT_FIELDS = ("contact_name", "contact_email")
NULLABLE_FIELDS = ("country", "region", "global_south", *CONTACT_FIELDS)
"""Fields a PATCH may set to null (null means none, or derived from the country)."""
MEMBER_EDITABLE_FIELDS = (
    "name",
    "languages",
    "expertise",
    "needs",
    "mentor_capacity",
    "mentee_capacity",
    "description",
    *CONTACT_FIELDS,
)
"""What a member key may change in its own profile. Kind, country, region and
North/South set a member's bonuses in rounds: only the secretariat changes them."""
LIVE = ("approved", "pinned")
"""Statuses of proposals that a re-run keeps and a publication tells."""


# --- the network, as the matcher sees it --------------------------------------


def audit(
    session: Session,
    who: Principal,
    action: str,
    object_type: str,
    object_id: object,
    **detail: Any,
) -> None:
    session.add(
        AuditRecord(
            actor=who.name,
            role=who.role,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
        )
    )


def _bump(session: Session) -> None:
    session.exec(
        sa.update(NetworkState).where(NetworkState.id == 1).values(version=NetworkState.version + 1)
    )


def network_version(session: Session) -> int:
    return session.exec(select(NetworkState.version).where(NetworkState.id == 1)).one()


def member_document(m: Member, *, contacts: bool = False) -> dict[str, Any]:
    """A member row as the network contract writes it (overrides only when set)."""
    doc: dict[str, Any] = {
        "id": m.id,
        "name": m.name,
        "kind": m.kind,
        "country": m.country,
        "languages": list(m.languages),
        "expertise": dict(m.expertise),
        "needs": dict(m.needs),
        "mentor_capacity": m.mentor_capacity,
        "mentee_capacity": m.mentee_capacity,
        "description": m.description,
    }
    if m.region is not None:
        doc["region"] = m.region
    if m.global_south is not None:
        doc["global_south"] = m.global_south
    if contacts:
        doc["contact_name"] = m.contact_name
        doc["contact_email"] = m.contact_email
    return doc


def network_document(session: Session, *, contacts: bool = False) -> dict[str, Any]:
    """The stored network as a network-contract document (members by id)."""
    members = session.exec(select(Member).order_by(Member.id)).all()
    relations = session.exec(
        select(Relation).order_by(Relation.kind, Relation.a, Relation.b, Relation.label)
    ).all()
    return {
        "schema_version": SCHEMA_VERSION,
        "taxonomy_version": default_taxonomy().version,
        "members": [member_document(m, contacts=contacts) for m in members],
        "exclusions": [[r.a, r.b] for r in relations if r.kind == "exclusion"],
        "locked": [{"mentor": r.a, "mentee": r.b} for r in relations if r.kind == "locked"],
        "history": [
            {"mentor": r.a, "mentee": r.b, "round": r.label}
            for r in relations
            if r.kind == "history"
        ],
    }


@dataclass(frozen=True)
class Snapshot:
    version: int
    network: Network
    arrays: NetworkArrays
    ids: frozenset[str]
    names: dict[str, str]
    scorer: BlockScorer


class NetworkCache:
    """The network and its arrays for the newest stored version, shared by a
    worker's requests; recommendations are memoised per version. Any write
    bumps the version, so every worker sees its change on its next request."""

    def __init__(self, engine: Engine, *, max_recommendations: int = 4096) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._recs: OrderedDict[tuple, Any] = OrderedDict()
        self._max = max_recommendations

    def snapshot(self, session: Session, *, version: int | None = None) -> Snapshot:
        """The cached snapshot if it is ``version`` (read from the database
        when not given), else a fresh one."""
        version = network_version(session) if version is None else version
        current = self._snapshot
        if current is not None and current.version >= version:
            return current
        with self._lock:
            current = self._snapshot
            if current is None or current.version < version:
                # Version and members from one transaction: consistent.
                fresh_version = network_version(session)
                network = _validated(network_document(session))
                arrays = network_arrays(network, default_taxonomy())
                names = {m.id: m.name for m in network.members}
                scorer = BlockScorer(arrays, policy=ScoringPolicy())
                current = Snapshot(fresh_version, network, arrays, frozenset(names), names, scorer)
                self._snapshot = current
                self._recs.clear()
            return current

    def peek(self, version: int, member: str, *, k: int, direction: str):
        """``(snapshot, recommendations)`` from memory when the snapshot is at
        least ``version`` and they were computed already, else None; no I/O,
        so an event loop may call it."""
        snap = self._snapshot
        if snap is None or snap.version < version:
            return None
        if member not in snap.ids:
            raise not_found("member", member)
        with self._lock:
            found = self._recs.get((snap.version, member, k, direction))
        return None if found is None else (snap, found)

    def recommendations(self, snap: Snapshot, member: str, *, k: int, direction: str):
        key = (snap.version, member, k, direction)
        with self._lock:
            if key in self._recs:
                self._recs.move_to_end(key)
                return self._recs[key]
        found = recommend(
            snap.arrays,
            member,
            k=k,
            direction=direction,
            policy=snap.scorer.policy,
            scorer=snap.scorer,
        )
        with self._lock:
            if self._snapshot is snap:
                self._recs[key] = found
                while len(self._recs) > self._max:
                    self._recs.popitem(last=False)
        return found


# --- members ------------------------------------------------------------------


def derived_side(m: Member) -> tuple[str, bool]:
    """The member's region and Global South flag, as the matcher derives them."""
    country = geo.country(m.country) if m.country else None
    region = m.region or (country.region if country else INTERNATIONAL)
    south = m.global_south if m.global_south is not None else bool(country and country.global_south)
    return region, south


def member_view(m: Member, *, contacts: bool) -> dict[str, Any]:
    region, south = derived_side(m)
    view = member_document(m, contacts=contacts)
    view.update(region=region, global_south=south)
    return view


def list_members(session: Session, *, limit: int, offset: int) -> tuple[int, list[Member]]:
    total = session.exec(select(func.count()).select_from(Member)).one()
    rows = session.exec(select(Member).order_by(Member.id).limit(limit).offset(offset)).all()
    return total, list(rows)


def get_member(session: Session, member_id: str) -> Member:
    row = session.get(Member, member_id)
    if row is None:
        raise not_found("member", member_id)
    return row


def _check_network(session: Session) -> None:
    """Refuse a write that would leave the stored network invalid (e.g. a
    locked pair that no longer shares a language)."""
    session.flush()
    _validated(network_document(session))


def _with_unlock_route(problem: Problem) -> Problem:
    """A stored lock's problem, with the route that removes the lock."""
    pair = problem.value
    if not (isinstance(pair, dict) and {"mentor", "mentee"} <= pair.keys()):
        return problem
    route = f"DELETE /v1/locks/{pair['mentor']}/{pair['mentee']}"
    fix = f"Remove the lock ({route}) or fix the profiles"
    return replace(problem, message=problem.message.replace(UNLOCK_OR_FIX, fix))


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
        raise ApiError(404, f"no {noun} of {a} and {b}", kind="not-found")
    for row in rows:
        session.delete(row)
    _bump(session)
    audit(session, who, f"{kind}.delete", kind, f"{a} {b}")


RESERVED_MEMBER_IDS = frozenset({"export"})
"""Ids that GET /v1/members/{id} could never reach: a route of that name
comes first."""


def _reserved(member_id: Any) -> str | None:
    if isinstance(member_id, str) and member_id in RESERVED_MEMBER_IDS:
        return (
            f"'{member_id}' is reserved (GET /v1/members/{member_id} is a route); choose another id"
        )
    return None


def create_member(session: Session, *, data: dict[str, Any], who: Principal) -> Member:
    if reserved := _reserved(data["id"]):
        raise invalid(reserved, [{"where": "body", "field": "id", "message": reserved}])
    if session.get(Member, data["id"]) is not None:
        raise conflict(f"member '{data['id']}' exists; PATCH /v1/members/{data['id']} to change it")
    row = Member(**_columns(data))
    session.add(row)
    _check_network(session)
    _bump(session)
    audit(session, who, "member.create", "member", row.id)
    return row


def _columns(data: dict[str, Any]) -> dict[str, Any]:
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
    from service.store.models import MemberCreate

    if who.role == "member" and (denied := sorted(set(changes) - set(MEMBER_EDITABLE_FIELDS))):
        raise ApiError(
            403,
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
        raise invalid(
            f"member '{member_id}': {', '.join(nulls)} cannot be null; leave a field out to "
            "keep it, or send its new value",
            [{"where": "body", "field": k, "message": "cannot be null"} for k in nulls],
        )
    merged = {**member_document(row, contacts=True), **changes}
    merged = {k: v for k, v in merged.items() if v is not None or k in changes}
    try:
        valid = MemberCreate.model_validate({k: v for k, v in merged.items() if v is not None})
    except ValidationError as exc:
        raise invalid(
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
    values = _columns(valid.model_dump())
    for field in (*PROFILE_FIELDS, *CONTACT_FIELDS):
        setattr(row, field, values[field])
    session.add(row)
    _check_network(session)
    _bump(session)
    audit(session, who, "member.update", "member", member_id, fields=sorted(changes))
    return row


def delete_member(session: Session, *, member_id: str, who: Principal) -> None:
    row = get_member(session, member_id)
    session.exec(
        sa.delete(Relation).where(sa.or_(Relation.a == member_id, Relation.b == member_id))
    )
    drafts = select(Round.id).where(Round.status == "draft")
    proposals = session.exec(
        select(Proposal).where(col(Proposal.round_id).in_(drafts), Proposal.status != "withdrawn")
    ).all()
    withdrawn = 0
    for p in proposals:
        if member_id in {m["member"] for m in p.members}:
            p.status, p.note = "withdrawn", f"member {member_id} was deleted"
            session.add(p)
            withdrawn += 1
    keys = session.exec(
        select(ApiKey).where(ApiKey.member_id == member_id, ApiKey.revoked_at.is_(None))
    ).all()
    for key in keys:
        # A member created later with the same id must not inherit its keys.
        key.revoked_at = utcnow()
        session.add(key)
    session.delete(row)
    _bump(session)
    audit(
        session,
        who,
        "member.delete",
        "member",
        member_id,
        proposals_withdrawn=withdrawn,
        keys_revoked=len(keys),
    )


# --- import / export ------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    members: int
    created: int
    updated: int
    unchanged: int
    relations_added: int


def _split_contacts(members: list[Any], labels: list[str]) -> tuple[list[Any], list, list[Problem]]:
    """Members without their contact fields (the network contract has none),
    the validated contacts, and the problems with them."""
    profiles, contacts, problems = [], [], []
    for k, m in enumerate(members):
        if not isinstance(m, dict):
            profiles.append(m)
            contacts.append({})
            continue
        profile = {f: v for f, v in m.items() if f not in CONTACT_FIELDS}
        if reserved := _reserved(m.get("id")):
            problems.append(Problem(labels[k], "id", m["id"], reserved))
        # A blank cell (or only spaces) is no contact, as in a CSV.
        contact = {
            f: m[f]
            for f in CONTACT_FIELDS
            if m.get(f) is not None and not (isinstance(m[f], str) and not m[f].strip())
        }
        try:
            Contact.model_validate(contact)
        except ValidationError as exc:
            for e in exc.errors():
                problems.append(Problem(labels[k], str(e["loc"][0]), e.get("input"), e["msg"]))
        profiles.append(profile)
        contacts.append(contact)
    return profiles, contacts, problems


def import_network(
    session: Session,
    *,
    document: Any,
    who: Principal,
    source: str,
    labels: list[str] | None = None,
    max_members: int,
    partial: bool = False,
) -> ImportResult:
    """Upsert a network document's members (by id) and add its pairs, all or
    nothing. ``labels`` names each member's origin (e.g. its CSV line) in
    problems. ``partial``: a field a member leaves out keeps its stored value
    (a CSV without some columns) instead of taking the contract's default.
    Raises a 422 :class:`ApiError` listing every problem."""
    if not isinstance(document, dict) or not isinstance(document.get("members"), list):
        raise invalid(
            "expected a network document: an object with schema_version 1 and a members list",
            [{"where": "document", "field": "members", "message": "missing or not a list"}],
        )
    incoming = document["members"]
    if len(incoming) > max_members:
        raise invalid(
            f"{len(incoming)} members in one import; the limit is {max_members}",
            [{"where": "document", "field": "members", "message": "split the file"}],
        )
    default_labels = [
        f"members[{k}]" + (f" (id '{m['id']}')" if isinstance(m, dict) and "id" in m else "")
        for k, m in enumerate(incoming)
    ]
    labels = labels or default_labels
    profiles, contacts, problems = _split_contacts(incoming, labels)
    existing = network_document(session, contacts=False)
    incoming_ids = {
        m["id"] for m in profiles if isinstance(m, dict) and isinstance(m.get("id"), str)
    }
    if partial:
        stored = {m["id"]: m for m in existing["members"]}
        profiles = [
            {**stored[m["id"]], **m} if isinstance(m, dict) and m.get("id") in stored else m
            for m in profiles
        ]
    # Incoming members and pairs first, in file order: the positions in the
    # validator's problems are then the file's own.
    merged = {
        **{k: v for k, v in document.items() if k != "members"},
        "members": profiles + [m for m in existing["members"] if m["id"] not in incoming_ids],
    }
    for section in ("exclusions", "locked", "history"):
        mine = document.get(section, [])
        # Anything but a list goes to the validator as it is, to be reported.
        merged[section] = (
            mine + [x for x in existing[section] if x not in mine]
            if isinstance(mine, list)
            else mine
        )
    try:
        validate_network(merged, source=source)
    except NetworkError as exc:
        own_locks = (
            len(document.get("locked", [])) if isinstance(document.get("locked"), list) else 0
        )
        problems += [
            _stored_lock(_relabel(p, labels, default_labels), own_locks) for p in exc.problems
        ]
    if problems:
        n = len(problems)
        raise invalid(
            f"{n} problem{'s' if n != 1 else ''} in {source}; nothing was written",
            [p.to_dict() for p in problems],
        )
    created = updated = unchanged = 0
    for profile, contact in zip(profiles, contacts, strict=True):
        from service.store.models import MemberCreate

        values = _columns(MemberCreate.model_validate({**profile, **contact}).model_dump())
        row = session.get(Member, values["id"])
        if row is None:
            session.add(Member(**values))
            created += 1
            continue
        before = member_document(row, contacts=True)
        for field in (*PROFILE_FIELDS, *CONTACT_FIELDS):
            if field in CONTACT_FIELDS and field not in contact:
                continue  # an import without contacts keeps the stored ones
            setattr(row, field, values[field])
        if member_document(row, contacts=True) == before:
            unchanged += 1
        else:
            updated += 1
            session.add(row)
    added = _add_relations(session, document)
    if created or updated or added:
        _bump(session)
    audit(
        session,
        who,
        "members.import",
        "network",
        source,
        created=created,
        updated=updated,
        unchanged=unchanged,
        relations_added=added,
    )
    return ImportResult(len(profiles), created, updated, unchanged, added)


def _stored_lock(problem: Problem, own_locks: int) -> Problem:
    """A problem of a lock stored before the import (the merged document
    lists them after the ``own_locks`` the import brings): said as such."""
    position = _lock_position(problem)
    if position is None or position < own_locks:
        return problem
    return replace(_with_unlock_route(problem), where="stored locked pair")


def _lock_position(problem: Problem) -> int | None:
    """``k`` of a problem about the document's ``locked[k]``, else None."""
    found = re.fullmatch(r"locked\[(\d+)\]", problem.where)
    return int(found[1]) if found else None


def _relabel(p: Problem, labels: list[str], default_labels: list[str]) -> Problem:
    if labels is default_labels:
        return p
    for k, label in enumerate(default_labels):
        if p.where == label or p.where == f"members[{k}]":
            return Problem(labels[k], p.field, p.value, p.message)
    return p


def _add_relations(session: Session, document: dict[str, Any]) -> int:
    have = {(r.kind, r.a, r.b, r.label) for r in session.exec(select(Relation)).all()}
    wanted = [("exclusion", *sorted(pair), "") for pair in document.get("exclusions", [])]
    wanted += [("locked", p["mentor"], p["mentee"], "") for p in document.get("locked", [])]
    wanted += [
        ("history", h["mentor"], h["mentee"], h.get("round", ""))
        for h in document.get("history", [])
    ]
    added = 0
    for kind, a, b, label in dict.fromkeys(wanted):
        if (kind, a, b, label) not in have:
            session.add(Relation(kind=kind, a=a, b=b, label=label))
            added += 1
    return added


# --- recommendations and the capacity map ------------------------------------------


def recommendations(
    session: Session,
    cache: NetworkCache,
    *,
    member_id: str,
    k: int,
    direction: str,
    version: int | None = None,
) -> tuple[Snapshot, tuple]:
    """``version``: the network version the caller already read, if any."""
    snap = cache.snapshot(session, version=version)
    if member_id not in snap.ids:
        raise not_found("member", member_id)
    return snap, cache.recommendations(snap, member_id, k=k, direction=direction)


def capacity_map_document(
    session: Session, cache: NetworkCache, *, by: str, lang: str
) -> dict[str, Any]:
    snap = cache.snapshot(session)
    tax = default_taxonomy()
    return map_document(capacity_map(snap.arrays, by=by), snap.network, tax, lang=lang)


# --- rounds ---------------------------------------------------------------------


def _validated(document: dict[str, Any], *, status: int = 409, relabel=None) -> Network:
    """``relabel``: a function applied to each problem before it is reported
    (default: name the route that removes a stored lock)."""
    relabel = relabel or _with_unlock_route
    try:
        return validate_network(document, source="database")
    except NetworkError as exc:
        exc = NetworkError([relabel(p) for p in exc.problems], source=exc.source)
        raise network_invalid(exc, status=status) from None


def _with_approvals(document: dict[str, Any], kept: list[Proposal]):
    """``document`` with a round's approved and pinned pairs added as locked
    pairs, and the relabel (see :func:`_validated`) that names them."""
    stored = document["locked"]
    approved = [p for p in kept if {"mentor": p.mentor, "mentee": p.mentee} not in stored]
    locked = stored + [{"mentor": p.mentor, "mentee": p.mentee} for p in approved]
    return {**document, "locked": locked}, _approvals_as_locks(len(stored), approved)


def _approvals_as_locks(stored: int, approved: list[Proposal]):
    """A re-run locks its approved and pinned pairs after the ``stored``
    locks; when one of them no longer fits the profiles, the fix is a decision
    on that proposal, not a lock to remove."""

    def relabel(problem: Problem) -> Problem:
        position = _lock_position(problem)
        if position is not None and position >= stored:
            p = approved[position - stored]
            decide = f"POST /v1/rounds/{p.round_id}/proposals/{p.id}/decision"
            fix = f"Decline proposal {p.id} ({decide}) or fix the profiles"
            return replace(
                problem,
                where=f"proposal {p.id} ({p.mentor} mentors {p.mentee}, {p.status})",
                message=problem.message.replace(UNLOCK_OR_FIX, fix),
            )
        if problem.where == "locked":
            note = " (this round's approved and pinned pairs count as locked pairs)"
            return replace(problem, message=problem.message + note)
        return _with_unlock_route(problem)

    return relabel


MENTORING_OPTIONS = frozenset(
    {"objective", "coverage_first", "south_south_bonus", "north_south_bonus"}
)
CIRCLE_OPTIONS = frozenset({"themes", "size", "max_per_member"})


def _check_round_options(spec: RoundCreate) -> None:
    tax = default_taxonomy()
    errors = []
    for k, key in enumerate(spec.themes or []):
        if key not in tax:
            hint = tax.suggest(key)
            errors.append(
                {
                    "where": "body",
                    "field": f"themes.{k}",
                    "value": key,
                    "message": "unknown theme key"
                    + (f"; did you mean '{hint}'?" if hint else "; GET /v1/taxonomy lists them"),
                }
            )
    low, high = spec.size
    if not 2 <= low <= high <= MAX_CIRCLE_SIZE:
        errors.append(
            {
                "where": "body",
                "field": "size",
                "value": f"{low}-{high}",
                "message": f"size must be [min, max] with 2 <= min <= max <= {MAX_CIRCLE_SIZE}, "
                "e.g. [4, 8]",
            }
        )
    # An option of the other kind would be silently ignored: say so instead
    # (a form that always sends every field, with its default, is fine).
    other_kind = CIRCLE_OPTIONS if spec.kind == "mentoring" else MENTORING_OPTIONS
    for field in sorted(spec.model_fields_set & other_kind):
        if getattr(spec, field) == type(spec).model_fields[field].get_default(
            call_default_factory=True
        ):
            continue
        errors.append(
            {
                "where": "body",
                "field": field,
                "message": f"a {spec.kind} round has no {field} option; remove it",
            }
        )
    if errors:
        raise invalid("invalid round options; nothing was created", errors)


def _compute(
    spec: RoundCreate, document: dict[str, Any], *, declined_circles=frozenset(), relabel=None
):
    """Run the matcher on ``document``; returns (summary, proposals as dicts,
    input hash). ``relabel``: see :func:`_validated`."""
    network = _validated(document, relabel=relabel)
    tax = default_taxonomy()
    if spec.kind == "mentoring":
        policy = ScoringPolicy(
            south_south_bonus=spec.south_south_bonus, north_south_bonus=spec.north_south_bonus
        )
        result = mentoring_round(
            network,
            taxonomy=tax,
            policy=policy,
            objective=spec.objective,
            coverage_first=spec.coverage_first,
            seed=spec.seed,
        )
        doc = round_document(result, network, seed=spec.seed)
        summary = {**doc["summary"], "unmatched": doc["unmatched"]}
        proposals = [
            {
                "kind": "pair",
                "mentor": p["mentor"],
                "mentee": p["mentee"],
                "members": [
                    {"member": p["mentor"], "role": "mentor"},
                    {"member": p["mentee"], "role": "mentee"},
                ],
                "languages": p["languages"],
                "score": p["score"],
                "reasons": p["reasons"],
            }
            for p in doc["pairs"]
        ]
        return summary, proposals, doc["summary"]["input_sha256"]
    result = form_circles(
        network_arrays(network, tax),
        themes=spec.themes,
        size=tuple(spec.size),
        max_per_member=spec.max_per_member,
        seed=spec.seed,
    )
    doc = circles_document(result, network)
    proposals, dropped = [], 0
    for c in doc["circles"]:
        identity = (c["theme"], frozenset(m["member"] for m in c["members"]))
        if identity in declined_circles:
            dropped += 1
            continue
        proposals.append(
            {
                "kind": "circle",
                "theme": c["theme"],
                "language": c["language"],
                "members": [{"member": m["member"], "role": m["role"]} for m in c["members"]],
                "languages": [c["language"]],
                "score": c["score"],
                "reasons": c["reasons"],
            }
        )
    summary = {**doc["summary"], "left_out": doc["left_out"], "declined_dropped": dropped}
    return summary, proposals, doc["summary"]["input_sha256"]


def _options(spec: RoundCreate) -> dict[str, Any]:
    if spec.kind == "mentoring":
        keys = ("coverage_first", "south_south_bonus", "north_south_bonus")
    else:
        keys = ("themes", "size", "max_per_member")
    return {k: getattr(spec, k) for k in keys}


def create_round(engine: Engine, *, spec: RoundCreate, who: Principal) -> int:
    """Compute a round on the current network and store it as a draft. The
    computation reads a snapshot; the write is one short transaction, so two
    rounds created at once are two valid drafts."""
    _check_round_options(spec)
    with read_session(engine) as session:
        document = network_document(session)
    summary, proposals, sha = _compute(spec, document)
    with write_session(engine) as session:
        row = Round(
            kind=spec.kind,
            objective=spec.objective if spec.kind == "mentoring" else None,
            seed=spec.seed,
            options=_options(spec),
            taxonomy_version=default_taxonomy().version,
            input_sha256=sha,
            summary=summary,
            created_by=who.name,
        )
        session.add(row)
        session.flush()
        for p in proposals:
            session.add(Proposal(round_id=row.id, revision=1, **p))
        audit(session, who, "round.create", "round", row.id, kind=spec.kind, seed=spec.seed)
        return row.id


def _locked_round(session: Session, round_id: int) -> Round:
    """The round row, locked against concurrent decisions on PostgreSQL (SQLite
    serialises writers with BEGIN IMMEDIATE)."""
    row = session.exec(select(Round).where(Round.id == round_id).with_for_update()).first()
    if row is None:
        raise not_found("round", round_id)
    return row


def _spec(row: Round) -> RoundCreate:
    return RoundCreate(
        kind=row.kind, seed=row.seed, objective=row.objective or "welfare", **row.options
    )


def _review_state(session: Session, round_id: int) -> tuple[tuple[int, str], ...]:
    rows = session.exec(
        select(Proposal.id, Proposal.status)
        .where(Proposal.round_id == round_id)
        .order_by(Proposal.id)
    ).all()
    return tuple((i, s) for i, s in rows)


def rerun_round(engine: Engine, *, round_id: int, who: Principal) -> None:
    """Re-optimise a draft: approved and pinned proposals are kept (as locked
    pairs), declined ones are never proposed again (as exclusions), the rest is
    proposed anew. If the round is decided on meanwhile, 409: run it again."""
    with read_session(engine) as session:
        row = session.get(Round, round_id)
        if row is None:
            raise not_found("round", round_id)
        if row.status != "draft":
            raise conflict(f"round {round_id} is {row.status}; only a draft can be re-run")
        state = _review_state(session, round_id)
        proposals = session.exec(select(Proposal).where(Proposal.round_id == round_id)).all()
        document = network_document(session)
        spec, revision = _spec(row), row.revision
    kept = [p for p in proposals if p.status in LIVE]
    declined = [p for p in proposals if p.status == "declined"]
    declined_circles = frozenset()
    relabel = None
    if spec.kind == "mentoring":
        document, relabel = _with_approvals(document, kept)
        document["exclusions"] = document["exclusions"] + [
            sorted([p.mentor, p.mentee]) for p in declined
        ]
    else:
        declined_circles = frozenset(
            (p.theme, frozenset(m["member"] for m in p.members)) for p in declined
        )
        document = _without_full_members(document, kept, max_per_member=spec.max_per_member)
    summary, fresh, sha = _compute(
        spec, document, declined_circles=declined_circles, relabel=relabel
    )
    if spec.kind == "circles":
        fitting = _fit_circles(fresh, kept, max_per_member=spec.max_per_member)
        summary = {
            **summary,
            "circles": len(kept) + len(fitting),
            "kept": len(kept),
            "dropped_to_fit": len(fresh) - len(fitting),
        }
        fresh = fitting
    with write_session(engine) as session:
        row = _locked_round(session, round_id)
        if row.revision != revision or _review_state(session, round_id) != state:
            raise conflict(f"round {round_id} changed while it was re-run; re-run it again")
        for p in proposals:
            if p.status == "proposed":
                p.status = "superseded"
                session.add(p)
        keep_keys = {_identity(p.kind, p.mentor, p.mentee, p.theme, p.members) for p in kept}
        row.revision += 1
        for p in fresh:
            key = _identity(
                p["kind"], p.get("mentor"), p.get("mentee"), p.get("theme"), p["members"]
            )
            if key not in keep_keys:
                session.add(Proposal(round_id=round_id, revision=row.revision, **p))
        row.summary, row.input_sha256 = summary, sha
        session.add(row)
        audit(session, who, "round.rerun", "round", round_id, revision=row.revision)


def _identity(kind, mentor, mentee, theme, members) -> tuple:
    if kind == "pair":
        return ("pair", mentor, mentee)
    return ("circle", theme, frozenset(m["member"] for m in members))


def _circle_load(kept: list[Proposal]) -> dict[str, int]:
    load: dict[str, int] = {}
    for p in kept:
        for m in p.members:
            load[m["member"]] = load.get(m["member"], 0) + 1
    return load


def _without_full_members(
    document: dict[str, Any], kept: list[Proposal], *, max_per_member: int
) -> dict[str, Any]:
    """The network without the members that kept circles already fill to
    ``max_per_member`` (and the pairs that name them): the re-run then
    spends its effort on the others."""
    full = {i for i, n in _circle_load(kept).items() if n >= max_per_member}
    if not full:
        return document
    return {
        **document,
        "members": [m for m in document["members"] if m["id"] not in full],
        "exclusions": [x for x in document["exclusions"] if not full & set(x)],
        "locked": [x for x in document["locked"] if not full & {x["mentor"], x["mentee"]}],
        "history": [x for x in document["history"] if not full & {x["mentor"], x["mentee"]}],
    }


def _fit_circles(fresh: list[dict], kept: list[Proposal], *, max_per_member: int) -> list[dict]:
    """The new circles that fit beside the kept ones: none repeats a kept
    circle, and no member joins more than ``max_per_member`` in all."""
    load = _circle_load(kept)
    kept_ids = {(p.theme, frozenset(m["member"] for m in p.members)) for p in kept}
    out = []
    for c in fresh:
        ids = [m["member"] for m in c["members"]]
        if (c["theme"], frozenset(ids)) in kept_ids:
            continue
        if any(load.get(i, 0) >= max_per_member for i in ids):
            continue
        for i in ids:
            load[i] = load.get(i, 0) + 1
        out.append(c)
    return out


def decide(
    session: Session, *, round_id: int, proposal_id: int, decision: str, note: str, who: Principal
) -> Proposal:
    row = _locked_round(session, round_id)
    if row.status != "draft":
        raise conflict(f"round {round_id} is {row.status}; decisions are taken on drafts")
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.round_id != round_id:
        raise not_found("proposal in this round", proposal_id)
    if proposal.status in ("superseded", "withdrawn"):
        raise conflict(
            f"proposal {proposal_id} is {proposal.status}; decide on the current proposals"
        )
    status = {"approve": "approved", "decline": "declined", "pin": "pinned"}[decision]
    if status in LIVE and proposal.status not in LIVE:
        _check_capacity(session, row, proposal)
    proposal.status, proposal.note, proposal.decided_by = status, note, who.name
    session.add(proposal)
    audit(session, who, f"proposal.{decision}", "proposal", proposal_id, round=round_id)
    return proposal


def _check_capacity(session: Session, row: Round, proposal: Proposal) -> None:
    live = session.exec(
        select(Proposal).where(Proposal.round_id == row.id, col(Proposal.status).in_(LIVE))
    ).all()
    if proposal.kind == "pair":
        for role, field in (("mentor", "mentor_capacity"), ("mentee", "mentee_capacity")):
            member_id = getattr(proposal, role)
            member = session.get(Member, member_id)
            if member is None:
                raise conflict(f"member {member_id} no longer exists")
            taken = sum(1 for p in live if getattr(p, role) == member_id)
            limit = getattr(member, field)
            if taken + 1 > limit:
                raise conflict(
                    f"{member_id} already has {taken} approved or pinned pair(s) as {role} "
                    f"and its {field} is {limit}; decline one first or raise {field}"
                )
        return
    limit = row.options.get("max_per_member", 2)
    for m in proposal.members:
        taken = sum(1 for p in live if m["member"] in {x["member"] for x in p.members})
        if taken + 1 > limit:
            raise conflict(
                f"{m['member']} is already in {taken} approved or pinned circle(s); "
                f"the round allows {limit}"
            )


def publish(session: Session, *, round_id: int, who: Principal) -> Round:
    """Publish a draft in one transaction: its approved and pinned proposals
    become what the Hub shows (replacing the round of the same kind published
    before), pairs join the history (penalised in later rounds), undecided
    proposals are withdrawn."""
    row = _locked_round(session, round_id)
    if row.status != "draft":
        raise conflict(f"round {round_id} is {row.status}; only a draft can be published")
    proposals = session.exec(select(Proposal).where(Proposal.round_id == round_id)).all()
    live = [p for p in proposals if p.status in LIVE]
    if not live:
        raise conflict(f"round {round_id} has no approved or pinned proposal; approve some first")
    if row.kind == "mentoring":
        # Profiles may have changed since the pairs were approved.
        document, relabel = _with_approvals(network_document(session), live)
        _validated(document, relabel=relabel)
    for old in session.exec(
        select(Round).where(Round.kind == row.kind, Round.status == "published").with_for_update()
    ).all():
        old.status = "archived"
        session.add(old)
    for p in proposals:
        if p.status == "proposed":
            p.status = "withdrawn"
            session.add(p)
    history = 0
    if row.kind == "mentoring":
        label = f"round-{round_id}"
        for p in live:
            exists = session.exec(
                select(Relation.id).where(
                    Relation.kind == "history",
                    Relation.a == p.mentor,
                    Relation.b == p.mentee,
                    Relation.label == label,
                )
            ).first()
            if exists is None and session.get(Member, p.mentor) and session.get(Member, p.mentee):
                session.add(Relation(kind="history", a=p.mentor, b=p.mentee, label=label))
                history += 1
        if history:
            _bump(session)
    row.status, row.published_at = "published", utcnow()
    session.add(row)
    audit(session, who, "round.publish", "round", round_id, published=len(live))
    return row


def round_counts(session: Session, round_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Proposal.status, func.count())
        .where(Proposal.round_id == round_id)
        .group_by(Proposal.status)
    ).all()
    return {status: n for status, n in rows}


def round_outcomes(session: Session, round_id: int) -> dict[str, Any]:
    n, met, mean = session.exec(
        select(
            func.count(Feedback.id),
            func.coalesce(func.sum(sa.case((Feedback.met, 1), else_=0)), 0),
            func.avg(Feedback.usefulness),
        )
        .join(Proposal, Proposal.id == Feedback.proposal_id)
        .where(Proposal.round_id == round_id)
    ).one()
    return {
        "feedback": n,
        "met": int(met),
        "mean_usefulness": None if mean is None else float(mean),
    }


def published(session: Session, *, member_id: str | None = None) -> list[tuple[Proposal, Round]]:
    query = (
        select(Proposal, Round)
        .join(Round, Round.id == Proposal.round_id)
        .where(Round.status == "published", col(Proposal.status).in_(LIVE))
        .order_by(Proposal.round_id, Proposal.id)
    )
    rows = session.exec(query).all()
    if member_id is not None:
        rows = [(p, r) for p, r in rows if member_id in {m["member"] for m in p.members}]
    return list(rows)


def add_feedback(
    session: Session, *, proposal_id: int, met: bool, usefulness: int, comment: str, who: Principal
) -> tuple[Feedback, bool]:
    """Record (or replace: one per author and proposal) feedback on a
    published proposal; returns the row and whether it is new. A member key
    sees only published proposals it is part of: anything else is 'not
    found', so drafts stay invisible."""
    proposal = session.get(Proposal, proposal_id)
    round_row = session.get(Round, proposal.round_id) if proposal else None
    published = (
        proposal is not None
        and round_row.status in ("published", "archived")
        and proposal.status in LIVE
    )
    involved = proposal is not None and who.member_id in {m["member"] for m in proposal.members}
    if proposal is None or (who.role == "member" and not (involved and published)):
        raise not_found("proposal", proposal_id)
    if not published:
        raise conflict(f"proposal {proposal_id} was not published; feedback is on published ones")
    row = session.exec(
        select(Feedback).where(Feedback.proposal_id == proposal_id, Feedback.author == who.name)
    ).first()
    created = row is None
    if created:
        row = Feedback(proposal_id=proposal_id, author=who.name, met=met, usefulness=usefulness)
    row.met, row.usefulness, row.comment = met, usefulness, comment
    session.add(row)
    session.flush()
    action = "feedback.create" if created else "feedback.update"
    audit(session, who, action, "proposal", proposal_id, feedback=row.id)
    return row, created
