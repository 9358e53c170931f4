"""The network document (schema_version 1): parsing and validation.

Every problem in a document is reported at once, each naming where it is
(member id or position), the field, the bad value and how to fix it. Only a
document without problems becomes a :class:`matcher.network.Network`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from matcher import geo
from matcher.network import KINDS, HistoryEntry, Member, Network, make_network
from matcher.scoring import pair_violations
from matcher.suggest import closest
from matcher.taxonomy import Taxonomy, default_taxonomy
from matcher.vectors import network_arrays
from service.contract.fields import MemberId, SingleLine
from service.contract.members import HINTS, MEMBER_FIELDS, MemberDoc
from service.contract.problems import MAX_LISTED, NetworkError, Problem, in_order
from service.gc_pause import collector_paused

SCHEMA_VERSION = 1


MAX_MEMBERS = 200_000


class MentorPairDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mentor: MemberId
    mentee: MemberId


class HistoryDoc(MentorPairDoc):
    round: Annotated[SingleLine, Field(max_length=100)] = ""


class NetworkDoc(BaseModel):
    """A network document, ``schema_version`` 1 (see docs/network-format.md)."""

    model_config = ConfigDict(
        extra="forbid", title="peermatch network", json_schema_extra={"$id": "peermatch-network-1"}
    )

    schema_version: Literal[1]

    @field_validator("schema_version", mode="before")
    @classmethod
    def _the_integer_one(cls, value: Any) -> Any:
        # Literal[1] alone would take true and 1.0.
        if type(value) is not int:
            raise ValueError("write the integer 1")
        return value

    taxonomy_version: SingleLine | None = Field(
        default=None, description="taxonomy the theme keys come from; defaults to the current one"
    )
    members: Annotated[list[MemberDoc], Field(max_length=MAX_MEMBERS)]
    exclusions: list[Annotated[list[MemberId], Field(min_length=2, max_length=2)]] = Field(
        default_factory=list, description="pairs of members never to be matched"
    )
    locked: list[MentorPairDoc] = Field(
        default_factory=list, description="pairs every round must contain"
    )
    history: list[HistoryDoc] = Field(
        default_factory=list, description="pairs from earlier rounds (penalised)"
    )


def network_json_schema() -> dict:
    """The JSON Schema of the network document, with the taxonomy's keys."""
    schema = NetworkDoc.model_json_schema()
    keys = list(default_taxonomy().keys)
    member = schema["$defs"]["MemberDoc"]["properties"]
    for field in ("expertise", "needs"):
        member[field]["propertyNames"] = {"enum": keys}
    return schema


def parse_network(text: str | bytes, *, source: str = "network") -> Network:
    """Parse and validate a network document given as JSON text.

    Raises :class:`NetworkError` listing every problem (bad JSON with its line
    and column included).
    """
    with collector_paused():
        return _parse_network(text, source=source)


def _parse_network(text: str | bytes, *, source: str) -> Network:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NetworkError(
            [Problem("document", "", None, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno)],
            source=source,
        ) from None
    except UnicodeDecodeError as exc:
        raise NetworkError(
            [Problem("document", "", None, f"not UTF-8 text ({exc.reason} at byte {exc.start})")],
            source=source,
        ) from None
    except RecursionError:
        message = "nested too deeply to read; a network document has at most 4 levels"
        raise NetworkError([Problem("document", "", None, message)], source=source) from None
    except ValueError as exc:
        # Python refuses to read integers of over 4,300 digits.
        message = (
            "a number is too long to read; levels and capacities are small integers"
            if "digits" in str(exc)
            else f"not valid JSON: {exc}"
        )
        raise NetworkError([Problem("document", "", None, message)], source=source) from None
    return validate_network(data, source=source)


def validate_network(
    data: Any, *, source: str = "network", taxonomy: Taxonomy | None = None
) -> Network:
    """Validate a decoded network document and build the :class:`Network`.

    Every check runs whatever the others find: the members, the pairs that
    name them, the taxonomy version and the locked pairs whose members are
    valid (a lock with a broken member is checked once that member is fixed),
    so one answer lists every problem, in the document's order."""
    taxonomy = taxonomy or default_taxonomy()
    if not isinstance(data, dict):
        problem = Problem("document", "", None, "must be a JSON object with a 'members' list")
        raise NetworkError([problem], source=source)
    raw_members = data.get("members") if isinstance(data.get("members"), list) else []
    problems: list[Problem] = []
    broken: set[int] = set()
    doc = None
    try:
        doc = NetworkDoc.model_validate(data, context={HINTS: [MAX_LISTED]})
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(_from_pydantic(err, raw_members))
            loc = err["loc"]
            if len(loc) >= 2 and loc[0] == "members" and isinstance(loc[1], int):
                broken.add(loc[1])
    problems += _reference_problems(raw_members, data)
    version = data.get("taxonomy_version")
    if isinstance(version, str) and version != taxonomy.version:
        problems.append(
            Problem(
                "document",
                "taxonomy_version",
                version,
                f"this peermatch knows taxonomy {taxonomy.version}; "
                "re-map the theme keys or drop the field",
                at=document_position(("taxonomy_version",)),
            )
        )
    problems += _locked_problems(data, raw_members, doc, broken, taxonomy)
    if problems or doc is None:
        raise NetworkError(in_order(problems), source=source)
    return _build(doc, taxonomy)


_TOP = ("schema_version", "taxonomy_version", "members", "exclusions", "locked", "history")
_ENTRY_FIELDS = {
    "members": MEMBER_FIELDS,
    "locked": ("mentor", "mentee"),
    "history": ("mentor", "mentee", "round"),
}


def document_position(loc: tuple | list) -> tuple[int, ...]:
    """Where ``loc`` (a pydantic location: section, position, field) is in a
    network document, as a sort key: the top-level fields in the documented
    order, then each entry by position, then its fields in the contract's order.

    >>> document_position(("members", 3, "languages")) < document_position(("locked", 0))
    True
    """
    head, *rest = loc
    at = [_TOP.index(head) if head in _TOP else len(_TOP)]
    if rest and isinstance(rest[0], int):
        at.append(rest[0])
        if len(rest) > 1:
            fields, name = _ENTRY_FIELDS.get(head, ()), rest[1]
            if isinstance(name, int):  # an exclusion's member
                at.append(name)
            else:  # a field; unknown fields last
                at.append(fields.index(name) if name in fields else len(fields))
    return tuple(at)


def _member_label(member: Any, position: int) -> str:
    if isinstance(member, dict) and isinstance(member.get("id"), str):
        return f"members[{position}] (id '{member['id']}')"
    return f"members[{position}]"


_FIXES = {
    "missing": "add this required field",
    "extra_forbidden": "remove it (unknown field; see `peermatch schema`)",
    "less_than_equal": "lower it to the maximum allowed",
    "greater_than_equal": "raise it to the minimum allowed",
    "literal_error": "use one of the allowed values",
    "string_pattern_mismatch": "use letters, digits, '.', '_' or '-' (at most 64)",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "int_type": "write a whole number, without quotes (e.g. 2)",
    "bool_type": "write true or false, or leave the field out",
}


def _from_pydantic(err: dict, raw_members: list) -> Problem:
    at = document_position(err["loc"]) if err["loc"] else ()
    loc = list(err["loc"])
    where = "document"
    if len(loc) >= 2 and loc[0] == "members" and isinstance(loc[1], int):
        position = loc[1]
        where = (
            _member_label(raw_members[position], position)
            if position < len(raw_members)
            else f"members[{position}]"
        )
        loc = loc[2:]
    elif loc and loc[0] in ("exclusions", "locked", "history") and len(loc) >= 2:
        where, loc = f"{loc[0]}[{loc[1]}]", loc[2:]
    if loc and loc[-1] == "[key]":  # a mapping's key, named as its entry
        loc = loc[:-1]
    field = ".".join(str(part) for part in loc)
    message = err["msg"].removeprefix("Value error, ")
    fix = _FIXES.get(err["type"])
    if fix:
        message = f"{message}; {fix}"
    value = None if err["type"] == "missing" else err.get("input")
    if isinstance(value, dict | list):
        value = None
    return Problem(where, field, value, message, at=at)


def _reference_problems(members: list, data: dict) -> list[Problem]:
    """Duplicate ids and pairs that name unknown members or a member twice."""
    # Compared as stored: MemberDoc strips the spaces around an id.
    ids = [_id_of(m) for m in members if _id_of(m) is not None]
    problems = []
    known = set(ids)
    # Looking for the repeats member by member is only worth it when there are some.
    if len(known) < len(ids):
        counts = Counter(ids)
        seen: set[str] = set()
        for k, m in enumerate(members):
            member_id = _id_of(m)
            if member_id is not None and counts[member_id] > 1:
                if member_id in seen:
                    problems.append(
                        Problem(
                            _member_label(m, k),
                            "id",
                            member_id,
                            "duplicate id; every member needs its own id",
                            at=document_position(("members", k, "id")),
                        )
                    )
                seen.add(member_id)

    def check(where: str, field: str, value: Any) -> None:
        if isinstance(value, str) and value not in known:
            guess = closest_id(value, known)
            hint = f" (did you mean '{guess}'?)" if guess else ""
            fix = hint or "; add the member or correct the id"
            at = document_position((section, k, int(field) if field.isdecimal() else field))
            problems.append(Problem(where, field, value, f"no member has this id{fix}", at=at))

    for section in ("exclusions", "locked", "history"):
        entries = data.get(section) if isinstance(data.get(section), list) else []
        pairs_seen = set()
        for k, entry in enumerate(entries):
            where = f"{section}[{k}]"
            if section == "exclusions" and isinstance(entry, list):
                for p, value in enumerate(entry):
                    check(where, str(p), value)
                if len(entry) == 2 and isinstance(entry[0], str) and entry[0] == entry[1]:
                    problems.append(
                        Problem(
                            where,
                            "",
                            entry[0],
                            "a member cannot exclude itself",
                            at=document_position((section, k)),
                        )
                    )
            elif isinstance(entry, dict):
                check(where, "mentor", entry.get("mentor"))
                check(where, "mentee", entry.get("mentee"))
                key = (entry.get("mentor"), entry.get("mentee"))
                if section == "history" and isinstance(key[0], str) and key[0] == key[1]:
                    problems.append(
                        Problem(
                            where,
                            "mentee",
                            key[1],
                            "a member cannot have mentored itself; remove this entry",
                            at=document_position((section, k, "mentee")),
                        )
                    )
                if not all(isinstance(x, str) for x in key):
                    continue
                if section == "locked" and key in pairs_seen:
                    problems.append(
                        Problem(
                            where,
                            "",
                            None,
                            "this pair is locked twice; keep one",
                            at=document_position((section, k)),
                        )
                    )
                pairs_seen.add(key)
    return problems


def _id_of(member: Any) -> str | None:
    value = member.get("id") if isinstance(member, dict) else None
    return value.strip() if isinstance(value, str) else None


def closest_id(value: str, known: set[str]) -> str | None:
    """The known id closest to ``value`` (a likely typo), or None."""
    return closest(value, known)


def _member(m: MemberDoc) -> Member:
    region, south = geo.region_and_side(m.country, m.region, m.global_south)
    return Member(
        id=m.id,
        name=m.name,
        kind=m.kind,
        languages=tuple(m.languages),
        region=region,
        global_south=south,
        country=m.country,
        expertise=dict(sorted(m.expertise.items())),
        needs=dict(sorted(m.needs.items())),
        mentor_capacity=m.mentor_capacity,
        mentee_capacity=m.mentee_capacity,
        description=m.description,
    )


def _build(doc: NetworkDoc, taxonomy: Taxonomy) -> Network:
    members = [_member(m) for m in doc.members]
    assert set(KINDS) >= {m.kind for m in members}
    return make_network(
        members,
        exclusions=[tuple(pair) for pair in doc.exclusions],
        locked=[(p.mentor, p.mentee) for p in doc.locked],
        history=[HistoryEntry(h.mentor, h.mentee, h.round) for h in doc.history],
        taxonomy_version=taxonomy.version,
    )


UNLOCK_OR_FIX = "Remove the lock or fix the profiles"
"""How a broken locked pair is fixed in a document (callers whose locks come
from elsewhere say it their way)."""


def _locked_problems(
    data: dict, raw_members: list, doc: NetworkDoc | None, broken: set[int], taxonomy: Taxonomy
) -> list[Problem]:
    """Locked pairs that break a hard constraint or a capacity, each named by
    its position in the document.

    Read from the document as written, so that they are checked whatever
    else is wrong with it: a pair is checked when both its ids name exactly
    one member and both members are valid (``broken`` holds the positions of
    the others); a capacity counts every pair naming its member once."""
    written = data.get("locked") if isinstance(data.get("locked"), list) else []
    if not written:
        return []
    named = {
        member_id
        for entry in written
        if isinstance(entry, dict)
        for member_id in (entry.get("mentor"), entry.get("mentee"))
        if isinstance(member_id, str)
    }
    # Where each named id is written: a lock naming an id twice waits for the duplicate.
    found: dict[str, list[int]] = {}
    for k, m in enumerate(raw_members):
        if (member_id := _id_of(m)) in named:
            found.setdefault(member_id, []).append(k)
    position = {member_id: ks[0] for member_id, ks in found.items() if len(ks) == 1}
    pairs: dict[tuple[str, str], int] = {}
    for k, entry in enumerate(written):
        if isinstance(entry, dict):
            pair = (entry.get("mentor"), entry.get("mentee"))
            if all(isinstance(x, str) and x in position for x in pair):
                pairs.setdefault(pair, k)  # a pair locked twice is reported as such
    # Only the members named in locks matter: scoring them alone keeps this
    # cheap on large networks and uses the very constraints a round applies.
    named = {member_id for pair in pairs for member_id in pair}
    members = [
        m
        for member_id in sorted(named)
        if (m := _valid(member_id, position, raw_members, doc, broken))
    ]
    valid = {m.id for m in members}
    exclusions = [
        tuple(pair)
        for pair in (data.get("exclusions") if isinstance(data.get("exclusions"), list) else [])
        if isinstance(pair, list) and all(isinstance(x, str) and x in valid for x in pair)
    ]
    involved = make_network(members, exclusions=exclusions, taxonomy_version=taxonomy.version)
    arrays = network_arrays(involved, taxonomy)
    index = involved.index()
    problems = []
    for (mentor, mentee), k in pairs.items():
        if not {mentor, mentee} <= valid:
            continue
        broken_rules = pair_violations(arrays, index[mentee], index[mentor])
        if broken_rules:
            problems.append(
                Problem(
                    f"locked[{k}]",
                    "",
                    {"mentor": mentor, "mentee": mentee},
                    "breaks a hard constraint: " + "; ".join(broken_rules) + f". {UNLOCK_OR_FIX}",
                    at=document_position(("locked", k)),
                )
            )
    for role, capacity in (("mentor", "mentor_capacity"), ("mentee", "mentee_capacity")):
        locked_as = Counter(pair[0 if role == "mentor" else 1] for pair in pairs)
        for member_id, count in sorted(locked_as.items()):
            if member_id not in valid:
                continue
            limit = getattr(involved.members[index[member_id]], capacity)
            # At 0, every one of its locked pairs with a valid partner is reported above.
            if count > limit > 0:
                problems.append(
                    Problem(
                        "locked",
                        role,
                        member_id,
                        f"locked in {count} pair{'s' if count != 1 else ''} as {role} but "
                        f"its {capacity} is {limit}; "
                        f"raise {capacity} or unlock a pair",
                        at=document_position(("locked", len(written))),
                    )
                )
    return problems


def _valid(
    member_id: str, position: dict, raw_members: list, doc: NetworkDoc | None, broken: set[int]
) -> Member | None:
    """The member ``member_id`` names, if it is valid."""
    k = position[member_id]
    if k in broken:
        return None
    if doc is not None:
        return _member(doc.members[k])
    try:
        # Valid on its own (no problem names it), unless the list as a whole was refused.
        return _member(MemberDoc.model_validate(raw_members[k]))
    except ValidationError:
        return None
