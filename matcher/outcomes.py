"""Which peer-learning practices work, for whom (issue 16 §1): the outcomes
of a :class:`~matcher.history.History`, by format and, within each format,
by direction, region, language community, theme and round, with the
differences between formats.

Every figure is over *answers* (one answer per side that gave feedback), and
the response rate over *relations* (answered when any side answered), as
:mod:`matcher.history` defines them. A group with fewer than
:data:`~matcher.intervals.MIN_ANSWERS` answers is "too few to tell": it has
no interval and is never ranked. Groups are always listed in a fixed order
(:data:`DIRECTIONS`, :data:`REGIONS`, :data:`LANGUAGES`, theme keys, rounds
by publication), never sorted by their result.

How a relation is grouped (each relation lands in exactly one group of a
grouping, so counts add up — except themes, below):

- direction, by the ``south`` side of giver(s) → receiver: a mentoring pair
  mentor → mentee; a circle member's relation anchors → member. A circle
  relation whose givers are on both sides is ``mixed``; one without a
  giver (an anchor alone, a circle without anchor) or with a side unknown is
  ``unknown``. An exchange is two-way: ``south_south``, ``north_north`` or
  ``north_south`` (either way round), ``unknown`` with a side unknown;
- region: ``same_region`` when every member of the relation (givers and
  receivers) has the same known region, ``cross_region`` when their known
  regions differ, ``unknown`` when one is unknown or when there is no one to
  compare with (a circle relation without giver);
- language community: ``within`` when the relation's language is the first
  language of every member in it, ``across`` when it is not the first
  language of at least one of them, ``unknown`` when the relation's language
  or a member's first language is unknown;
- theme: a relation counts once under *each* of its themes (a pair on two
  themes is in both), so counts add up per theme, not across themes; a
  relation without theme is under :data:`NO_THEME`;
- round: the round it was published in (archived rounds included).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matcher.history import FORMATS, Answer, History, Relation, check_history
from matcher.intervals import CONFIDENCE, enough, wilson_interval

__all__ = [
    "DIRECTIONS",
    "GROUPINGS",
    "LANGUAGES",
    "NO_THEME",
    "REGIONS",
    "Difference",
    "FormatOutcome",
    "GroupOutcome",
    "OutcomeAnalysis",
    "newcombe_interval",
    "outcome_analysis",
]

DIRECTIONS = {
    "mentoring": (
        "north_to_south",
        "south_to_south",
        "south_to_north",
        "north_to_north",
        "unknown",
    ),
    "exchange": ("south_south", "north_south", "north_north", "unknown"),
    "circle": (
        "north_to_south",
        "south_to_south",
        "south_to_north",
        "north_to_north",
        "mixed",
        "unknown",
    ),
}
"""The direction groups of each format, in the order they are listed."""
REGIONS = ("same_region", "cross_region", "unknown")
LANGUAGES = ("within", "across", "unknown")
NO_THEME = "no_theme"
GROUPINGS = ("direction", "region", "language", "theme", "round")
"""The groupings within a format, in the order they are listed."""
RESAMPLES = 2000
"""Bootstrap resamples (as :func:`matcher.intervals.bootstrap_mean_interval`)."""


@dataclass(frozen=True)
class GroupOutcome:
    """The outcomes of one group of relations.

    ``share_met`` and ``mean_usefulness`` are over answers; their intervals
    are None unless ``enough`` (then the group is "too few to tell").
    ``themes_learned`` is the mean number of distinct themes learned per
    answered relation (the union of its answers'); ``continued`` the share of
    the answers that said whether the relation went on which said it did.
    A figure without anything to compute it from is None.

    >>> from matcher.history import EMPTY
    >>> outcome_analysis(EMPTY).formats[0].overall.relations
    0
    """

    key: str
    relations: int
    answered: int
    answers: int
    enough: bool
    response_rate: float | None
    met: int
    share_met: float | None
    share_met_interval: tuple[float, float] | None
    mean_usefulness: float | None
    usefulness_interval: tuple[float, float] | None
    themes_learned: float | None
    continued: float | None


@dataclass(frozen=True)
class FormatOutcome:
    """A format's outcomes (``overall``) and its groups by each of
    :data:`GROUPINGS` (``groups["direction"]`` …), each in a fixed order.

    >>> from matcher.history import EMPTY
    >>> [g.key for g in outcome_analysis(EMPTY).formats[1].groups["direction"]]
    ['south_south', 'north_south', 'north_north', 'unknown']
    """

    format: str
    overall: GroupOutcome
    groups: dict[str, tuple[GroupOutcome, ...]]


@dataclass(frozen=True)
class Difference:
    """``first`` − ``second`` (two formats): of the share met, with Newcombe's
    interval, and of the mean usefulness, with a bootstrap interval. Without
    enough answers on either side (``enough`` false) there is no figure.

    >>> from matcher.history import EMPTY
    >>> d = outcome_analysis(EMPTY).differences[0]
    >>> d.first, d.second, d.enough, d.share_met_interval
    ('mentoring', 'exchange', False, None)
    """

    first: str
    second: str
    enough: bool
    share_met: float | None
    share_met_interval: tuple[float, float] | None
    mean_usefulness: float | None
    usefulness_interval: tuple[float, float] | None


@dataclass(frozen=True)
class OutcomeAnalysis:
    """Every format (in :data:`~matcher.history.FORMATS` order, each present
    even without relations) and the difference of each pair of formats.

    >>> from matcher.history import EMPTY
    >>> found = outcome_analysis(EMPTY)
    >>> [f.format for f in found.formats], len(found.differences)
    (['mentoring', 'exchange', 'circle'], 3)
    """

    formats: tuple[FormatOutcome, ...]
    differences: tuple[Difference, ...]
    confidence: float = CONFIDENCE


def newcombe_interval(
    first: tuple[int, int], second: tuple[int, int], *, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The interval of p₁ − p₂ for ``first`` = (successes, n) and ``second``
    by Newcombe's hybrid score method (Newcombe 1998, *Statistics in
    Medicine* 17:873–890, method 10), built from the two Wilson intervals;
    None when either side has no answer.

    >>> [round(x, 4) for x in newcombe_interval((56, 70), (48, 80))]
    [0.0524, 0.3339]
    """
    a, b = (
        wilson_interval(*first, confidence=confidence),
        wilson_interval(*second, confidence=confidence),
    )
    if a is None or b is None:
        return None
    p1, p2 = first[0] / first[1], second[0] / second[1]
    (l1, u1), (l2, u2) = a, b
    low = p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return max(-1.0, low), min(1.0, high)


SCALE = np.arange(1, 6, dtype=float)
"""The usefulness scale."""


def _resampled_means(counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The means of :data:`RESAMPLES` bootstrap resamples of the answers
    whose usefulness ``counts`` are (how many said 1, 2, … 5).

    A resample of n answers is a multinomial draw of how many give each
    value: the same distribution as drawing the answers one by one (what
    :func:`matcher.intervals.bootstrap_mean_interval` does), in time and
    memory of the scale's size rather than RESAMPLES × n — scipy's bootstrap
    takes seconds per group of 10,000 answers, and an analysis has hundreds
    of groups."""
    n = int(counts.sum())
    return rng.multinomial(n, counts / n, size=RESAMPLES) @ SCALE / n


def _percentile_interval(draws: np.ndarray, point: float, confidence: float) -> tuple[float, float]:
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    # As for Wilson: rounding must not leave the estimate outside its interval.
    return min(float(low), point), max(float(high), point)


def _mean(counts: np.ndarray) -> float:
    return float(counts @ SCALE / counts.sum())


def _direction(relation: Relation, south: dict[str, bool | None]) -> str:
    def side(member: str) -> str | None:
        value = south.get(member)
        return None if value is None else ("south" if value else "north")

    if relation.format == "exchange":
        sides = [side(m) for m in relation.givers]
        if None in sides:
            return "unknown"
        return "_".join(sorted(sides, key=("north", "south").index))
    givers = {side(m) for m in relation.givers}
    receivers = {side(m) for m in relation.receivers}
    if not givers or None in givers or None in receivers:
        return "unknown"
    if len(givers) > 1:
        return "mixed" if relation.format == "circle" else "unknown"
    return f"{givers.pop()}_to_{receivers.pop()}"


def _members(relation: Relation) -> list[str]:
    return list(dict.fromkeys((*relation.givers, *relation.receivers)))


def _region(relation: Relation, region: dict[str, str | None]) -> str:
    regions = [region.get(m) for m in _members(relation)]
    if len(regions) < 2 or None in regions:
        return "unknown"
    return "same_region" if len(set(regions)) == 1 else "cross_region"


def _language(relation: Relation, language: dict[str, str | None]) -> str:
    firsts = [language.get(m) for m in _members(relation)]
    if relation.language is None or not firsts or None in firsts:
        return "unknown"
    return "within" if all(f == relation.language for f in firsts) else "across"


# Columns of a relation's tally (one row per relation, summed per group).
ANSWERED, ANSWERS, MET, LEARNED, CONTINUED, TOLD = range(6)
USEFUL = slice(6, 6 + len(SCALE))
"""How many of its answers gave usefulness 1, 2, … 5."""


def _tally(relation: Relation, answers: Sequence[Answer]) -> list[int]:
    told = [a.continued for a in answers if a.continued is not None]
    row = [
        int(bool(answers)),
        len(answers),
        sum(a.met for a in answers),
        len({t for a in answers for t in a.themes_learned}),
        sum(told),
        len(told),
    ]
    return row + [sum(a.usefulness == u for a in answers) for u in range(1, 6)]


def _group(key: str, rows: np.ndarray, *, seed: int) -> GroupOutcome:
    total = rows.sum(axis=0)
    relations, answered, answers = len(rows), int(total[ANSWERED]), int(total[ANSWERS])
    met, useful = int(total[MET]), total[USEFUL]
    ok = enough(answers)
    return GroupOutcome(
        key=key,
        relations=relations,
        answered=answered,
        answers=answers,
        enough=ok,
        response_rate=answered / relations if relations else None,
        met=met,
        share_met=met / answers if answers else None,
        share_met_interval=wilson_interval(met, answers) if ok else None,
        mean_usefulness=_mean(useful) if answers else None,
        usefulness_interval=(
            _percentile_interval(
                _resampled_means(useful, np.random.default_rng(seed)), _mean(useful), CONFIDENCE
            )
            if ok
            else None
        ),
        themes_learned=int(total[LEARNED]) / answered if answered else None,
        continued=int(total[CONTINUED]) / int(total[TOLD]) if total[TOLD] else None,
    )


def _grouped(
    relations: Sequence[Relation], keys: Sequence[str], key_of
) -> list[tuple[str, list[int]]]:
    """Each group's key and the positions of its relations in ``relations``."""
    found: dict[str, list[int]] = {k: [] for k in keys}
    for i, r in enumerate(relations):
        for k in key_of(r):
            found.setdefault(k, []).append(i)
    return list(found.items())


def _format(
    fmt: str, history: History, answers: dict[str, list[Answer]], *, seed: int
) -> tuple[FormatOutcome, np.ndarray]:
    """A format's outcomes, and its answers' usefulness counts."""
    mine = [r for r in history.relations if r.format == fmt]
    tally = np.array([_tally(r, answers.get(r.key, ())) for r in mine], dtype=np.int64).reshape(
        len(mine), USEFUL.stop
    )
    south = {p.id: p.south for p in history.members}
    region = {p.id: p.region for p in history.members}
    language = {p.id: p.language for p in history.members}
    themes = sorted({t for r in mine for t in r.themes})
    if any(not r.themes for r in mine):
        themes.append(NO_THEME)
    rounds = [str(r.id) for r in sorted(history.rounds, key=lambda r: r.order) if r.format == fmt]
    groupings = {
        "direction": _grouped(mine, DIRECTIONS[fmt], lambda r: [_direction(r, south)]),
        "region": _grouped(mine, REGIONS, lambda r: [_region(r, region)]),
        "language": _grouped(mine, LANGUAGES, lambda r: [_language(r, language)]),
        "theme": _grouped(mine, themes, lambda r: list(dict.fromkeys(r.themes)) or [NO_THEME]),
        "round": _grouped(mine, rounds, lambda r: [str(r.round_id)]),
    }
    outcome = FormatOutcome(
        format=fmt,
        overall=_group(fmt, tally, seed=seed),
        groups={
            name: tuple(_group(k, tally[rows], seed=seed) for k, rows in found)
            for name, found in groupings.items()
        },
    )
    return outcome, tally[:, USEFUL].sum(axis=0)


def _difference(
    first: FormatOutcome,
    second: FormatOutcome,
    useful: dict[str, np.ndarray],
    *,
    seed: int,
) -> Difference:
    a, b = first.overall, second.overall
    if not (a.enough and b.enough):
        return Difference(first.format, second.format, False, None, None, None, None)
    assert a.share_met is not None and b.share_met is not None
    assert a.mean_usefulness is not None and b.mean_usefulness is not None
    rng = np.random.default_rng(seed)
    spread = _resampled_means(useful[first.format], rng) - _resampled_means(
        useful[second.format], rng
    )
    return Difference(
        first=first.format,
        second=second.format,
        enough=True,
        share_met=a.share_met - b.share_met,
        share_met_interval=newcombe_interval((a.met, a.answers), (b.met, b.answers)),
        mean_usefulness=a.mean_usefulness - b.mean_usefulness,
        usefulness_interval=_percentile_interval(
            spread, a.mean_usefulness - b.mean_usefulness, CONFIDENCE
        ),
    )


def outcome_analysis(history: History, *, seed: int = 0) -> OutcomeAnalysis:
    """The outcomes of ``history`` by format and within each format by
    :data:`GROUPINGS`, and the differences between formats. Bootstrap
    intervals are drawn with ``seed``: the same history and seed give the
    same analysis. An empty history gives every format with no relation.

    >>> from matcher.history import Answer, History, PastRound, Person, Relation
    >>> people = (Person("a", "af", True, "fr"), Person("b", "af", True, "fr"))
    >>> pair = Relation("1", 1, "mentoring", ("a",), ("b",), ("a", "b"), ("t",), "fr", ())
    >>> answers = tuple(Answer("1", "b", k < 4, 4) for k in range(5))
    >>> history = History(people, (PastRound(1, "mentoring", 0),), (pair,), answers)
    >>> g = outcome_analysis(history).formats[0].groups["direction"][1]
    >>> g.key, g.relations, g.answers, g.share_met, g.enough
    ('south_to_south', 1, 5, 0.8, True)
    """
    check_history(history)
    answers: dict[str, list[Answer]] = defaultdict(list)
    for a in history.answers:
        answers[a.relation].append(a)
    found = {fmt: _format(fmt, history, answers, seed=seed) for fmt in FORMATS}
    formats = [outcome for outcome, _ in found.values()]
    useful = {fmt: counts for fmt, (_, counts) in found.items()}
    return OutcomeAnalysis(
        formats=tuple(formats),
        differences=tuple(
            _difference(x, y, useful, seed=seed) for x, y in itertools.combinations(formats, 2)
        ),
    )
