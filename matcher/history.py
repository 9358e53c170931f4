"""What happened: the published rounds, their relations and the feedback on
them, as the outcome analysis (:mod:`matcher.outcomes`) and the
knowledge-flow map (:mod:`matcher.flow`) read it.

A *relation* is the unit of outcome analysis and of response rates:

- a mentoring pair: ``givers=(mentor,)``, ``receivers=(mentee,)``;
- a reciprocal exchange: both members give and receive; its ``flows`` go
  both ways, each on the themes that side teaches;
- one member of a learning circle: ``receivers=(member,)``, ``givers`` the
  circle's anchors other than that member (an anchor's own relation has
  the other anchors as givers, possibly none), ``flows`` anchor → member on
  the circle's theme.

>>> pair = Relation(key="11", round_id=1, format="mentoring", givers=("sn",),
...                 receivers=("ke",), respondents=("sn", "ke"),
...                 themes=("budget_tracking",), language="fr",
...                 flows=(Flow("sn", "ke", "budget_tracking"),))
>>> history = History(
...     members=(Person("ke", "africa", True, "en", frozenset({"budget_tracking"})),
...              Person("sn", "africa", True, "fr")),
...     rounds=(PastRound(id=1, format="mentoring", order=0),),
...     relations=(pair,),
...     answers=(Answer(relation="11", respondent="ke", met=True, usefulness=4,
...                     themes_learned=("budget_tracking",), continued=True),))
>>> check_history(history)  # holds together: no error

Every relation names who may answer for it (``respondents``): both sides of
a pair or exchange, the member itself in a circle. The service builds a
:class:`History` from its database or from a history document; the engine
only asserts its invariants (:func:`check_history`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FORMATS = ("mentoring", "exchange", "circle")
"""The peer-learning formats, in the order every answer lists them."""


@dataclass(frozen=True)
class Person:
    """A member as the analysis groups it: ``south`` is Global South (None:
    unknown, e.g. a deleted member); ``language`` its first working language,
    the language community it belongs to; ``needs`` the themes it needs now.

    >>> Person("ke", "africa", True, "en").needs
    frozenset()
    """

    id: str
    region: str | None
    south: bool | None
    language: str | None
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PastRound:
    """A published (or since archived) round; ``order`` 0, 1, … by publication time.

    >>> PastRound(id=7, format="circle", order=0).published_at is None
    True
    """

    id: int
    format: str
    order: int
    published_at: datetime | None = None


@dataclass(frozen=True)
class Flow:
    """Know-how that went from ``source`` to ``target`` on ``theme``.

    >>> Flow("sn", "ke", "budget_tracking").source
    'sn'
    """

    source: str
    target: str
    theme: str


@dataclass(frozen=True)
class Relation:
    """One published relation (see the module docstring). ``key`` is unique
    in a history: the proposal id, ``"<proposal id>:<member>"`` for a circle
    member. ``language`` is the language the relation works in.

    >>> circle_member = Relation(key="13:ke", round_id=2, format="circle", givers=("sn",),
    ...                          receivers=("ke",), respondents=("ke",), themes=("fundraising",),
    ...                          language="fr", flows=(Flow("sn", "ke", "fundraising"),))
    >>> circle_member.flows[0].target
    'ke'
    """

    key: str
    round_id: int
    format: str
    givers: tuple[str, ...]
    receivers: tuple[str, ...]
    respondents: tuple[str, ...]
    themes: tuple[str, ...]
    language: str | None
    flows: tuple[Flow, ...]


@dataclass(frozen=True)
class Answer:
    """One answer on a relation: ``respondent`` is the member who answered
    (None when unknown: feedback given before respondents were recorded).

    >>> Answer(relation="11", respondent=None, met=False, usefulness=2).themes_learned
    ()
    """

    relation: str
    respondent: str | None
    met: bool
    usefulness: int
    themes_learned: tuple[str, ...] = ()
    continued: bool | None = None


@dataclass(frozen=True)
class History:
    """Members (all of them, also those never in a relation), rounds by
    ``order``, relations and answers.

    >>> EMPTY.relations, EMPTY.answers
    ((), ())
    """

    members: tuple[Person, ...]
    rounds: tuple[PastRound, ...]
    relations: tuple[Relation, ...]
    answers: tuple[Answer, ...]


EMPTY = History(members=(), rounds=(), relations=(), answers=())


def check_history(history: History) -> None:
    """Raise ``ValueError`` unless ``history`` holds together: unique keys and
    round ids, rounds ordered 0..n-1, formats known, every relation in a round
    of its format, every answer on a known relation with usefulness 1–5.

    >>> check_history(History((), (PastRound(1, "mentoring", 0),) * 2, (), ()))
    Traceback (most recent call last):
    ...
    ValueError: round ids repeat
    """
    rounds = {r.id: r for r in history.rounds}
    if len(rounds) != len(history.rounds):
        raise ValueError("round ids repeat")
    if sorted(r.order for r in history.rounds) != list(range(len(rounds))):
        raise ValueError("round orders are not 0..n-1")
    keys = {r.key for r in history.relations}
    if len(keys) != len(history.relations):
        raise ValueError("relation keys repeat")
    for r in history.relations:
        if r.round_id not in rounds or rounds[r.round_id].format != r.format:
            raise ValueError(f"relation {r.key}: round {r.round_id} is not a {r.format} round")
        if r.format not in FORMATS:
            raise ValueError(f"relation {r.key}: unknown format {r.format!r}")
    for a in history.answers:
        if a.relation not in keys:
            raise ValueError(f"answer on unknown relation {a.relation!r}")
        if not 1 <= a.usefulness <= 5:
            raise ValueError(f"answer on {a.relation}: usefulness {a.usefulness} not in 1..5")
