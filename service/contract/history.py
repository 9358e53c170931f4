"""The history document (see :mod:`service.usecases.history`): parsing and
validation against a network.

Every problem is reported at once, each naming where it is
(``rounds[2].relations[5]`` · ``mentee``, ``feedback[14]`` · ``member``),
the bad value and how to fix it: the shape (pydantic, extra fields
refused), then what the shape cannot see — members not in the network,
theme keys not in the taxonomy, feedback on an unknown relation or by a
member who is not part of it, repeated ids, rounds out of order.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
)

from matcher import Network
from matcher.suggest import closest
from matcher.taxonomy import Taxonomy, default_taxonomy
from service.contract.fields import IsoTime, MemberId, MultiLine, SingleLine
from service.contract.problems import NetworkError, Problem, in_order

Id = Annotated[StrictInt, Field(ge=1)]


def _written_as_text(value: object) -> object:
    # A document writes times as ISO 8601 text; pydantic would read a number
    # as Unix seconds.
    if not isinstance(value, str):
        raise ValueError('write the time as ISO 8601 text, e.g. "2025-11-03T09:00:00+00:00"')
    return value


Time = Annotated[IsoTime, BeforeValidator(_written_as_text)]
ThemeKey = Annotated[str, Field(max_length=64)]
Language = Annotated[str, Field(max_length=8)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PairDoc(_Strict):
    id: Id
    kind: Literal["pair"]
    mentor: MemberId
    mentee: MemberId
    themes: list[ThemeKey]
    languages: list[Language]


class ExchangeDoc(_Strict):
    id: Id
    kind: Literal["exchange"]
    a: MemberId
    b: MemberId
    a_teaches: list[ThemeKey]
    b_teaches: list[ThemeKey]
    languages: list[Language]


class CircleMemberDoc(_Strict):
    member: MemberId
    role: Literal["anchor", "learner"]


class CircleDoc(_Strict):
    id: Id
    kind: Literal["circle"]
    theme: ThemeKey
    language: Language | None
    members: Annotated[list[CircleMemberDoc], Field(min_length=1)]


RelationDoc = Annotated[PairDoc | ExchangeDoc | CircleDoc, Field(discriminator="kind")]

RELATION_OF_ROUND = {"mentoring": "pair", "exchanges": "exchange", "circles": "circle"}
"""The kind of relation each kind of round holds."""


class PastRoundDoc(_Strict):
    id: Id
    kind: Literal["mentoring", "exchanges", "circles"]
    status: Literal["published", "archived"]
    published_at: Time
    relations: list[RelationDoc]


class FeedbackDoc(_Strict):
    relation: Id
    member: MemberId | None
    met: StrictBool
    usefulness: Annotated[StrictInt, Field(ge=1, le=5)]
    themes_learned: list[ThemeKey] = Field(default_factory=list)
    continued: StrictBool | None = None
    comment: Annotated[MultiLine, Field(max_length=2000)] = ""
    author: Annotated[SingleLine, Field(min_length=1, max_length=100)]
    at: Time


class HistoryDocument(_Strict):
    """A history document: rounds, oldest published first, and feedback."""

    model_config = ConfigDict(extra="forbid", title="peermatch history")
    rounds: list[PastRoundDoc]
    feedback: list[FeedbackDoc] = Field(default_factory=list)


_FIXES = {
    "missing": "add this required field",
    "extra_forbidden": "remove it (unknown field)",
    "less_than_equal": "lower it to the maximum allowed",
    "greater_than_equal": "raise it to the minimum allowed",
    "literal_error": "use one of the allowed values",
    "union_tag_invalid": "write kind 'pair', 'exchange' or 'circle'",
    "union_tag_not_found": "add kind: 'pair', 'exchange' or 'circle'",
    "string_pattern_mismatch": "use letters, digits, '.', '_' or '-' (at most 64)",
    "int_type": "write a whole number, without quotes (e.g. 2)",
    "bool_type": "write true or false",
    "datetime_from_date_parsing": "write an ISO 8601 time, e.g. 2025-11-03T09:00:00+00:00",
    "datetime_parsing": "write an ISO 8601 time, e.g. 2025-11-03T09:00:00+00:00",
    "list_type": "write a list, e.g. []",
    "string_type": "write text in quotes",
}


def _where(loc: tuple) -> tuple[str, str, tuple[int, ...]]:
    """A pydantic location as (where, field, sort position): the path of the
    round, relation or answer, then the field within it."""
    parts: list[str] = []
    rest = list(loc)
    at: list[int] = []
    while len(rest) >= 2 and rest[0] in _ENTRIES and isinstance(rest[1], int):
        parts.append(f"{rest[0]}[{rest[1]}]")
        at += [_ENTRIES[rest[0]], rest[1]]
        rest = rest[2:]
        if rest and rest[0] in ("pair", "exchange", "circle"):
            rest = rest[1:]  # the discriminated union's branch
    field = ""
    for part in rest:
        field += f"[{part}]" if isinstance(part, int) else f"{'.' if field else ''}{part}"
    return ".".join(parts) or "document", field, tuple(at)


_ENTRIES = {"rounds": 0, "feedback": 1, "relations": 2}
"""Sort positions of the entries: rounds before feedback; a round's relations
after its own fields (``_position``: id 0, published_at 1)."""


def _position(*path: int | str) -> tuple[int, ...]:
    """Sort key of an entry (as :func:`_where` makes them)."""
    return tuple(p if isinstance(p, int) else _ENTRIES[p] for p in path)


def _shape_problems(data: Any) -> tuple[HistoryDocument | None, list[Problem]]:
    try:
        return HistoryDocument.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where, field, at = _where(err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            if fix := _FIXES.get(err["type"]):
                message = f"{message}; {fix}"
            value = None if err["type"] == "missing" else err.get("input")
            if isinstance(value, dict | list):
                value = None
            problems.append(Problem(where, field, value, message, at=at))
        return None, problems


def _items(data: Any, key: str) -> list:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


class _Checker:
    """The checks beyond the shape, on the document as written (so that they
    run whatever else is wrong with it)."""

    def __init__(self, members: set[str], taxonomy: Taxonomy) -> None:
        self.members, self.themes = members, set(taxonomy.keys)
        self.problems: list[Problem] = []

    def add(self, where: str, field: str, value: Any, message: str, at: tuple) -> None:
        self.problems.append(Problem(where, field, value, message, at=at))

    def member(self, where: str, field: str, value: Any, at: tuple) -> None:
        if isinstance(value, str) and value not in self.members:
            guess = closest(value, self.members)
            fix = f"did you mean '{guess}'?" if guess else "add the member to the network"
            self.add(where, field, value, f"no member of the network has this id; {fix}", at)

    def theme(self, where: str, field: str, value: Any, at: tuple) -> None:
        if isinstance(value, str) and value not in self.themes:
            guess = closest(value, self.themes)
            fix = f"did you mean '{guess}'?" if guess else "see `peermatch taxonomy`"
            self.add(where, field, value, f"not a theme of the taxonomy; {fix}", at)

    def themes_in(self, where: str, field: str, values: Any, at: tuple) -> None:
        for k, value in enumerate(values if isinstance(values, list) else []):
            self.theme(where, f"{field}[{k}]", value, at)


def _relation_members(rel: dict) -> list[str]:
    if rel.get("kind") == "pair":
        names = [rel.get("mentor"), rel.get("mentee")]
    elif rel.get("kind") == "exchange":
        names = [rel.get("a"), rel.get("b")]
    else:
        names = [m.get("member") for m in _items(rel, "members") if isinstance(m, dict)]
    return [n for n in names if isinstance(n, str)]


def _round_problems(c: _Checker, data: Any) -> dict[int, list[str]]:
    """Check the rounds and their relations; returns each relation id's members."""
    relations: dict[int, list[str]] = {}
    relation_ids: Counter = Counter()
    round_ids: Counter = Counter()
    previous: tuple[datetime, str] | None = None
    for r, rnd in enumerate(_items(data, "rounds")):
        if not isinstance(rnd, dict):
            continue
        where = f"rounds[{r}]"
        rid = rnd.get("id")
        if isinstance(rid, int) and round_ids[rid]:
            c.add(
                where,
                "id",
                rid,
                "another round has this id; give each round its own",
                _position("rounds", r, 0),
            )
        round_ids[rid] += 1
        published = _time(rnd.get("published_at"))
        if published is not None:
            if previous is not None and published < previous[0]:
                c.add(
                    where,
                    "published_at",
                    rnd["published_at"],
                    f"published before {previous[1]}; list rounds oldest published first",
                    _position("rounds", r, 1),
                )
            previous = (published, where)
        expected = RELATION_OF_ROUND.get(rnd.get("kind"))
        for k, rel in enumerate(_items(rnd, "relations")):
            if not isinstance(rel, dict):
                continue
            at = _position("rounds", r, "relations", k)
            rwhere = f"{where}.relations[{k}]"
            if (
                expected
                and rel.get("kind") in RELATION_OF_ROUND.values()
                and rel["kind"] != expected
            ):
                c.add(
                    rwhere,
                    "kind",
                    rel["kind"],
                    f"a {rnd['kind']} round holds only '{expected}' relations; "
                    "move it to a round of its kind",
                    at,
                )
            rel_id = rel.get("id")
            if isinstance(rel_id, int) and not isinstance(rel_id, bool):
                if relation_ids[rel_id]:
                    c.add(
                        rwhere,
                        "id",
                        rel_id,
                        "another relation has this id; relation ids are unique across rounds",
                        at,
                    )
                relation_ids[rel_id] += 1
                relations.setdefault(rel_id, _relation_members(rel))
            _relation_problems(c, rel, rwhere, at)
    return relations


def _relation_problems(c: _Checker, rel: dict, where: str, at: tuple) -> None:
    kind = rel.get("kind")
    if kind == "pair":
        for field in ("mentor", "mentee"):
            c.member(where, field, rel.get(field), at)
        if isinstance(rel.get("mentor"), str) and rel.get("mentor") == rel.get("mentee"):
            c.add(where, "mentee", rel["mentee"], "a member cannot mentor itself; fix the pair", at)
        c.themes_in(where, "themes", rel.get("themes"), at)
    elif kind == "exchange":
        for field in ("a", "b"):
            c.member(where, field, rel.get(field), at)
        if isinstance(rel.get("a"), str) and rel.get("a") == rel.get("b"):
            c.add(where, "b", rel["b"], "an exchange needs two different members; fix it", at)
        c.themes_in(where, "a_teaches", rel.get("a_teaches"), at)
        c.themes_in(where, "b_teaches", rel.get("b_teaches"), at)
    elif kind == "circle":
        c.theme(where, "theme", rel.get("theme"), at)
        seen = set()
        for k, m in enumerate(_items(rel, "members")):
            if isinstance(m, dict):
                c.member(where, f"members[{k}].member", m.get("member"), at)
                if isinstance(m.get("member"), str) and m["member"] in seen:
                    c.add(
                        where,
                        f"members[{k}].member",
                        m["member"],
                        "listed twice in this circle; keep one",
                        at,
                    )
                seen.add(m.get("member"))


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _feedback_problems(c: _Checker, data: Any, relations: dict[int, list[str]]) -> None:
    answered: set[tuple] = set()
    for k, f in enumerate(_items(data, "feedback")):
        if not isinstance(f, dict):
            continue
        where, at = f"feedback[{k}]", _position("feedback", k)
        same = (f.get("relation"), f.get("member"), f.get("author"))
        if all(isinstance(x, str | int) for x in same) and same in answered:
            # Stored feedback keeps one answer per relation, side and author.
            c.add(
                where,
                "",
                None,
                "this author already answered for this member on this relation; keep one",
                at,
            )
        answered.add(same)
        rel = f.get("relation")
        if isinstance(rel, int) and not isinstance(rel, bool) and rel not in relations:
            c.add(
                where,
                "relation",
                rel,
                "no relation of any round has this id; fix the id or remove the answer",
                at,
            )
        member = f.get("member")
        c.member(where, "member", member, at)
        if (
            rel in relations
            and isinstance(member, str)
            and member in c.members
            and member not in relations[rel]
        ):
            c.add(
                where,
                "member",
                member,
                f"not part of relation {rel} ({', '.join(relations[rel])}); "
                "name the side that answered",
                at,
            )
        c.themes_in(where, "themes_learned", f.get("themes_learned"), at)


def check_history_document(
    data: Any, *, network: Network, taxonomy: Taxonomy | None = None, source: str = "history"
) -> HistoryDocument:
    """The validated history document; a :class:`NetworkError` named
    ``source`` lists every problem, in the document's order."""
    taxonomy = taxonomy or default_taxonomy()
    if not isinstance(data, dict):
        problem = Problem(
            "document", "", None, "must be a JSON object with 'rounds' and 'feedback'"
        )
        raise NetworkError([problem], source=source)
    doc, problems = _shape_problems(data)
    checker = _Checker(set(network.ids), taxonomy)
    relations = _round_problems(checker, data)
    _feedback_problems(checker, data, relations)
    problems += checker.problems
    if problems or doc is None:
        raise NetworkError(in_order(problems), source=source)
    return doc


def parse_history(
    document: Any, *, network: Network, taxonomy: Taxonomy | None = None, source: str = "history"
) -> dict:
    """Validate a history document (a decoded dict, or JSON text or bytes)
    against ``network``; returns it as a plain dict, as
    :func:`service.usecases.history.to_history` reads it.

    Raises :class:`NetworkError` (named ``source``) listing every problem."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            problem = Problem(
                "document", "", None, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno
            )
            raise NetworkError([problem], source=source) from None
        except UnicodeDecodeError as exc:
            problem = Problem("document", "", None, f"not UTF-8 text ({exc.reason})")
            raise NetworkError([problem], source=source) from None
    doc = check_history_document(document, network=network, taxonomy=taxonomy, source=source)
    return doc.model_dump(mode="json")
