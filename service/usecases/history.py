"""The history the outcome analysis and the flow map read: every round that
was published (the current ones and the archived), its published relations
and the feedback on them.

One path: the database (or a history document file, for the report and the
notebooks) → a *history document* (plain JSON, below) → :func:`to_history`
→ :class:`matcher.history.History`.

A history document::

    {"rounds": [{"id": 3, "kind": "mentoring" | "exchanges" | "circles",
                 "status": "published" | "archived", "published_at": ISO 8601,
                 "relations": [
                   {"id": 11, "kind": "pair", "mentor": m, "mentee": e,
                    "themes": [...], "languages": [...]},
                   {"id": 12, "kind": "exchange", "a": a, "b": b,
                    "a_teaches": [...], "b_teaches": [...], "languages": [...]},
                   {"id": 13, "kind": "circle", "theme": t, "language": l,
                    "members": [{"member": m, "role": "anchor" | "learner"}]}]}],
     "feedback": [{"relation": 11, "member": e | null, "met": true,
                   "usefulness": 4, "themes_learned": [...],
                   "continued": true | null, "comment": "...",
                   "author": key name, "at": ISO 8601}]}

Rounds come oldest published first; ``relation`` is the id of a relation of
any round (ids are unique across rounds, as proposal ids are).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, select

from matcher import Network
from matcher.history import (
    Answer,
    Flow,
    History,
    PastRound,
    Person,
    Relation,
    check_history,
)
from service.store.models import Feedback, Proposal, Round
from service.usecases.network import network_document, validated_network
from service.usecases.rounds import LIVE

FORMAT_OF_KIND = {"mentoring": "mentoring", "exchanges": "exchange", "circles": "circle"}
"""A round's kind → the format of its relations."""


_PROPOSAL_COLUMNS = (
    Proposal.id,
    Proposal.round_id,
    Proposal.kind,
    Proposal.mentor,
    Proposal.mentee,
    Proposal.theme,
    Proposal.language,
    Proposal.members,
    Proposal.languages,
    # Only a pair's themes are read from its reasons; a circle's are long.
    case((col(Proposal.kind) == "pair", Proposal.reasons), else_=None).label("reasons"),
)
_FEEDBACK_COLUMNS = (
    Feedback.proposal_id,
    Feedback.member_id,
    Feedback.met,
    Feedback.usefulness,
    Feedback.themes_learned,
    Feedback.continued,
    Feedback.comment,
    Feedback.author,
    Feedback.created_at,
    Feedback.updated_at,
)
"""The columns a history reads: whole ORM rows cost three times as much
(10,000 members × 10 rounds: 7 s against 2 s)."""


def _relation_document(row) -> dict[str, Any]:
    # Unpacked by position: a Row's attributes by name cost more than the rest.
    rid, _, kind, mentor, mentee, theme, language, members, languages, reasons = row
    if kind == "pair":
        return {
            "id": rid,
            "kind": "pair",
            "mentor": mentor,
            "mentee": mentee,
            "themes": [r["key"] for r in reasons if r.get("kind") == "theme"],
            "languages": list(languages),
        }
    if kind == "exchange":
        a, b = members
        return {
            "id": rid,
            "kind": "exchange",
            "a": a["member"],
            "b": b["member"],
            "a_teaches": list(a.get("teaches", [])),
            "b_teaches": list(b.get("teaches", [])),
            "languages": list(languages),
        }
    return {
        "id": rid,
        "kind": "circle",
        "theme": theme,
        "language": language,
        "members": [{"member": m["member"], "role": m["role"]} for m in members],
    }


def _answer_document(row) -> dict[str, Any]:
    relation, member, met, usefulness, learned, continued, comment, author, created, updated = row
    return {
        "relation": relation,
        "member": member,
        "met": met,
        "usefulness": usefulness,
        "themes_learned": list(learned),
        "continued": continued,
        "comment": comment,
        "author": author,
        "at": (updated or created).isoformat(),
    }


def history_document(session: Session) -> dict[str, Any]:
    """The stored history as a history document (see the module docstring)."""
    rounds = session.exec(
        select(Round.id, Round.kind, Round.status, Round.published_at)
        .where(col(Round.status).in_(("published", "archived")))
        .order_by(col(Round.published_at), col(Round.id))
    ).all()
    by_round: dict[int, list[dict]] = {r.id: [] for r in rounds}
    # Core rows through the session's connection: the ORM's row handling
    # would double the time of these two reads.
    proposals = (
        session.connection()
        .execute(
            select(*_PROPOSAL_COLUMNS)
            .join(Round, col(Round.id) == Proposal.round_id)
            .where(col(Round.status).in_(("published", "archived")), col(Proposal.status).in_(LIVE))
            .order_by(col(Proposal.id))
        )
        .all()
    )
    for p in proposals:
        by_round[p[1]].append(_relation_document(p))
    feedback = (
        session.connection()
        .execute(
            select(*_FEEDBACK_COLUMNS)
            .join(Proposal, col(Proposal.id) == Feedback.proposal_id)
            .join(Round, col(Round.id) == Proposal.round_id)
            .where(col(Round.status).in_(("published", "archived")), col(Proposal.status).in_(LIVE))
            .order_by(col(Feedback.id))
        )
        .all()
    )
    return {
        "rounds": [
            {
                "id": r.id,
                "kind": r.kind,
                "status": r.status,
                "published_at": r.published_at.isoformat() if r.published_at else None,
                "relations": by_round[r.id],
            }
            for r in rounds
        ],
        "feedback": [_answer_document(f) for f in feedback],
    }


def working_language(
    languages: list[str], members: tuple[str, ...], first: dict[str, str]
) -> str | None:
    """The language a pair or an exchange worked in, of the ``languages`` its
    members share (which the engine lists in alphabetical order): the first
    language of every member if one is, else the first one of a member's
    (the learner's first: ``members`` in that order), else the first shared.

    >>> working_language(["en", "es"], ("cl", "es"), {"cl": "es", "es": "es"})
    'es'
    >>> working_language(["en", "fr"], ("ke", "sn"), {"ke": "en", "sn": "fr"})
    'en'
    >>> working_language(["en"], ("ma", "sn"), {"ma": "ar", "sn": "fr"})
    'en'
    """
    firsts = [first.get(m) for m in members]
    for lang in firsts:
        if lang in languages and all(f == lang for f in firsts):
            return lang
    for lang in firsts:
        if lang in languages:
            return lang
    return languages[0] if languages else None


def _relations(round_id: int, doc: dict[str, Any], first: dict[str, str]) -> list[Relation]:
    rid = doc["id"]
    if doc["kind"] == "pair":
        mentor, mentee = doc["mentor"], doc["mentee"]
        themes = tuple(doc["themes"])
        return [
            Relation(
                key=str(rid),
                round_id=round_id,
                format="mentoring",
                givers=(mentor,),
                receivers=(mentee,),
                respondents=(mentor, mentee),
                themes=themes,
                language=working_language(doc["languages"], (mentee, mentor), first),
                flows=tuple(Flow(mentor, mentee, t) for t in themes),
            )
        ]
    if doc["kind"] == "exchange":
        a, b = doc["a"], doc["b"]
        flows = [Flow(a, b, t) for t in doc["a_teaches"]] + [
            Flow(b, a, t) for t in doc["b_teaches"]
        ]
        return [
            Relation(
                key=str(rid),
                round_id=round_id,
                format="exchange",
                givers=(a, b),
                receivers=(a, b),
                respondents=(a, b),
                themes=tuple(dict.fromkeys([*doc["a_teaches"], *doc["b_teaches"]])),
                language=working_language(doc["languages"], (a, b), first),
                flows=tuple(flows),
            )
        ]
    theme = doc["theme"]
    anchors = tuple(m["member"] for m in doc["members"] if m["role"] == "anchor")
    out = []
    for m in doc["members"]:
        me = m["member"]
        givers = tuple(x for x in anchors if x != me)
        out.append(
            Relation(
                key=f"{rid}:{me}",
                round_id=round_id,
                format="circle",
                givers=givers,
                receivers=(me,),
                respondents=(me,),
                themes=(theme,),
                language=doc["language"],
                flows=tuple(Flow(g, me, theme) for g in givers),
            )
        )
    return out


def _relation_key(rid: int, member: str | None, kinds: dict[int, str]) -> str:
    if kinds.get(rid) == "circle" and member is not None:
        return f"{rid}:{member}"
    return str(rid)


def to_history(network: Network, document: dict[str, Any]) -> History:
    """The engine's :class:`History` of a history document, members grouped as
    they are in ``network`` now (a member no longer in it is kept with
    unknown region, side and language).

    An answer on a circle whose member is unknown (given before the side was
    recorded) cannot be told apart from the circle's other members' and is
    left out of the analysis; it stays in the comments."""
    first = {m.id: m.languages[0] for m in network.members if m.languages}
    rounds, relations, kinds = [], [], {}
    for order, r in enumerate(document["rounds"]):
        fmt = FORMAT_OF_KIND[r["kind"]]
        when = r.get("published_at")
        rounds.append(
            PastRound(
                id=r["id"],
                format=fmt,
                order=order,
                published_at=datetime.fromisoformat(when) if when else None,
            )
        )
        for rel in r["relations"]:
            kinds[rel["id"]] = rel["kind"]
            relations.extend(_relations(r["id"], rel, first))
    keys = {r.key for r in relations}
    answers = []
    for f in document["feedback"]:
        key = _relation_key(f["relation"], f["member"], kinds)
        if key not in keys:
            continue
        answers.append(
            Answer(
                relation=key,
                respondent=f["member"],
                met=f["met"],
                usefulness=f["usefulness"],
                themes_learned=tuple(f["themes_learned"]),
                continued=f["continued"],
            )
        )
    people = {
        m.id: Person(
            id=m.id,
            region=m.region,
            south=m.global_south,
            language=m.languages[0] if m.languages else None,
            needs=frozenset(t for t, level in m.needs.items() if level > 0),
        )
        for m in network.members
    }
    for rel in relations:
        for who in (*rel.givers, *rel.receivers):
            people.setdefault(who, Person(id=who, region=None, south=None, language=None))
    history = History(
        members=tuple(people[k] for k in sorted(people)),
        rounds=tuple(rounds),
        relations=tuple(relations),
        answers=tuple(answers),
    )
    check_history(history)
    return history


def load_history(session: Session) -> History:
    """The stored history, members as the stored network has them now."""
    return to_history(validated_network(network_document(session)), history_document(session))
