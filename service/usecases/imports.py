"""Importing a network document or a CSV survey: all or nothing, every
problem named by its line or position."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from service.contract import (
    CONTACT_FIELDS,
    PROFILE_FIELDS,
    Contact,
    MemberCreate,
    NetworkError,
    Problem,
    document_position,
    geography_warnings,
    in_order,
    listed,
    reserved_id_problem,
    validate_network,
)
from service.documents import members_csv
from service.store.models import Member, Relation, utcnow
from service.usecases.access import Principal
from service.usecases.audit import audit
from service.usecases.errors import Invalid
from service.usecases.members import member_columns
from service.usecases.network import (
    bump_version,
    lock_position,
    network_document,
    with_unlock_route,
)


@dataclass(frozen=True)
class ImportResult:
    members: int
    created: int
    updated: int
    unchanged: int
    relations_added: int
    warnings: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    """What was imported but left to a default worth knowing about (see
    :func:`~service.contract.geography_warnings`), each as a problem: where,
    field, message with how to fix it."""


@dataclass(frozen=True)
class Upload:
    """An uploaded network document or CSV survey, read: the arguments of
    :func:`import_network` and :func:`plan_import` that depend on it."""

    document: Any
    source: str
    partial: bool
    """A CSV may leave columns out: they keep the stored values."""
    labels: list[str] | None = None
    problems: list[Problem] = dataclasses.field(default_factory=list)
    """Those found in reading the cells, listed with the contract's."""

    def arguments(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "source": self.source,
            "labels": self.labels,
            "partial": self.partial,
            "problems": self.problems,
        }


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number; write a finite number")


def read_upload(data: bytes, kind: str) -> Upload:
    """Read a CSV survey (``kind`` ``"csv"``, docs/csv-format.md) or a
    network document (``"json"``); raises
    :class:`~service.usecases.errors.Invalid` if it cannot be read at all.

    >>> csv = b"id,name,kind,country,languages\\nke,Kenya,national_coalition,KE,en\\n"
    >>> up = read_upload(csv, "csv")
    >>> up.source, up.labels, up.document["members"][0]["languages"]
    ('the CSV', ["line 2 (id 'ke')"], ['en'])
    """
    if kind == "csv":
        try:
            members, lines, problems = members_csv.read_members(data)
        except members_csv.CsvError as exc:
            raise Invalid(
                f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} "
                "in the CSV; nothing was written",
                [p.to_dict() for p in exc.problems],
            ) from None
        labels = [
            f"line {n}" + (f" (id '{m['id']}')" if m.get("id") else "")
            for n, m in zip(lines, members, strict=True)
        ]
        document = {"schema_version": 1, "members": members}
        return Upload(document, "the CSV", True, labels, list(problems))
    try:
        document = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        raise Invalid(
            "the body is not valid JSON; nothing was written",
            [{"where": "body", "field": "", "message": str(exc), "line": line, "column": column}],
        ) from None
    return Upload(document, "the document", False)


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
        if reserved := reserved_id_problem(m.get("id")):
            at = document_position(("members", k, "id"))
            problems.append(Problem(labels[k], "id", m["id"], reserved, at=at))
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
                field = str(e["loc"][0])
                at = document_position(("members", k, field))
                problems.append(Problem(labels[k], field, e.get("input"), e["msg"], at=at))
        profiles.append(profile)
        contacts.append(contact)
    return profiles, contacts, problems


@dataclass(frozen=True)
class MemberPlan:
    """What an import does to one member: ``added``, ``changed`` (each
    changed field with its stored and its new value) or ``unchanged``."""

    id: str
    where: str
    """Where the member is in the upload (e.g. its CSV line)."""
    status: str
    changes: tuple[tuple[str, Any, Any], ...] = ()
    values: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class ImportPlan:
    """Everything an import would write, computed without writing: its
    members, the pairs it adds (kind, a, b, label) and its warnings."""

    members: tuple[MemberPlan, ...]
    relations: tuple[tuple[str, str, str, str], ...]
    warnings: list[dict[str, Any]]

    def count(self, status: str) -> int:
        return sum(m.status == status for m in self.members)


def plan_import(
    session: Session,
    *,
    document: Any,
    source: str,
    labels: list[str] | None = None,
    max_members: int,
    partial: bool = False,
    problems: Sequence[Problem] = (),
) -> ImportPlan:
    """What :func:`import_network` would do with these arguments, writing
    nothing: the same checks (raises the same
    :class:`~service.usecases.errors.Invalid`), then each member's diff
    against the stored network and the pairs to add."""
    if not isinstance(document, dict) or not isinstance(document.get("members"), list):
        raise Invalid(
            "expected a network document: an object with schema_version 1 and a members list",
            [{"where": "document", "field": "members", "message": "missing or not a list"}],
        )
    incoming = document["members"]
    if len(incoming) > max_members:
        raise Invalid(
            f"{len(incoming)} members in one import; the limit is {max_members}",
            [{"where": "document", "field": "members", "message": "split the file"}],
        )
    default_labels = [
        f"members[{k}]" + (f" (id '{m['id']}')" if isinstance(m, dict) and "id" in m else "")
        for k, m in enumerate(incoming)
    ]
    labels = labels or default_labels
    profiles, contacts, found = _split_contacts(incoming, labels)
    found += problems
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
        found += [
            _stored_lock(_relabel(p, labels, default_labels), own_locks) for p in exc.problems
        ]
    if found:
        n = len(found)
        raise Invalid(
            f"{n} problem{'s' if n != 1 else ''} in {source}; nothing was written",
            [p.to_dict() for p in listed(in_order(found))],
        )
    plans = []
    for profile, contact, where in zip(profiles, contacts, labels, strict=True):
        values = member_columns(MemberCreate.model_validate({**profile, **contact}).model_dump())
        row = session.get(Member, values["id"])
        if row is None:
            plans.append(MemberPlan(values["id"], where, "added", values=values))
            continue
        changes = tuple(
            (field, getattr(row, field), values[field])
            for field in (*PROFILE_FIELDS, *CONTACT_FIELDS)
            # An import without contacts keeps the stored ones.
            if (field not in CONTACT_FIELDS or field in contact)
            and values[field] != getattr(row, field)
        )
        status = "changed" if changes else "unchanged"
        plans.append(MemberPlan(values["id"], where, status, changes, values))
    warnings = [p.to_dict() for p in listed(geography_warnings(profiles, labels))]
    return ImportPlan(tuple(plans), tuple(_new_relations(session, document)), warnings)


def import_network(
    session: Session,
    *,
    document: Any,
    who: Principal,
    source: str,
    labels: list[str] | None = None,
    max_members: int,
    partial: bool = False,
    problems: Sequence[Problem] = (),
) -> ImportResult:
    """Upsert a network document's members (by id) and add its pairs, all or
    nothing. ``labels`` names each member's origin (e.g. its CSV line) in
    problems. ``partial``: a field a member leaves out keeps its stored value
    (a CSV without some columns) instead of taking the contract's default.
    ``problems``: those already found in reading the document (e.g. its CSV
    cells), listed with the others in the document's order.
    Raises :class:`~service.usecases.errors.Invalid` listing every problem."""
    plan = plan_import(
        session,
        document=document,
        source=source,
        labels=labels,
        max_members=max_members,
        partial=partial,
        problems=problems,
    )
    now = utcnow()  # one time for the whole import: it is one write
    for member in plan.members:
        if member.status == "added":
            session.add(Member(**member.values, updated_at=now))
        elif member.status == "changed":
            row = session.get(Member, member.id)
            for field, _old, new in member.changes:
                setattr(row, field, new)
            row.updated_at = now
            session.add(row)
    for kind, a, b, label in plan.relations:
        session.add(Relation(kind=kind, a=a, b=b, label=label))
    created, updated = plan.count("added"), plan.count("changed")
    added = len(plan.relations)
    if created or updated or added:
        bump_version(session)
    audit(
        session,
        who,
        "members.import",
        "network",
        source,
        created=created,
        updated=updated,
        unchanged=plan.count("unchanged"),
        relations_added=added,
    )
    return ImportResult(
        len(plan.members), created, updated, plan.count("unchanged"), added, plan.warnings
    )


def _stored_lock(problem: Problem, own_locks: int) -> Problem:
    """A problem of a lock stored before the import (the merged document
    lists them after the ``own_locks`` the import brings): said as such."""
    position = lock_position(problem)
    if position is None or position < own_locks:
        return problem
    return replace(with_unlock_route(problem), where="stored locked pair")


def _relabel(p: Problem, labels: list[str], default_labels: list[str]) -> Problem:
    if labels is default_labels:
        return p
    for k, label in enumerate(default_labels):
        if p.where == label or p.where == f"members[{k}]":
            return replace(p, where=labels[k])
    return p


def _new_relations(session: Session, document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The document's pairs (kind, a, b, label) not stored yet, each once."""
    have = {(r.kind, r.a, r.b, r.label) for r in session.exec(select(Relation)).all()}
    wanted = [("exclusion", *sorted(pair), "") for pair in document.get("exclusions", [])]
    wanted += [("locked", p["mentor"], p["mentee"], "") for p in document.get("locked", [])]
    wanted += [
        ("history", h["mentor"], h["mentee"], h.get("round", ""))
        for h in document.get("history", [])
    ]
    return [w for w in dict.fromkeys(wanted) if w not in have]
