"""The score of a (mentee, mentor) pair, term by term.

For mentee ``i`` and mentor ``j`` (see ``docs/scoring.md``)::

    score = sum_t  w_theme * need[i,t]/3 * max(0, exp[j,t] - exp[i,t])/4   (theme terms)
          + south_south_bonus  if both are in the Global South
          + north_south_bonus  if the mentor is Northern and the mentee Southern
          + same_region_bonus  if both are in the same region
          - history_penalty    if the pair met in an earlier round
          + text_weight * cosine(TF-IDF(description_i), TF-IDF(description_j))

A pair is *allowed* only when the theme terms are positive and the hard
constraints hold: different members, a shared working language, not an
excluded pair, mentor capacity > 0 and mentee capacity > 0
(:func:`pair_violations` names those that fail). Everything here is also
importable from :mod:`matcher.scoring`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from matcher.geo import REGIONS
from matcher.vectors import MAX_EXPERTISE, MAX_NEED, NetworkArrays

__all__ = [
    "SOFT_TERMS",
    "THEME_SCALE",
    "Reason",
    "ScoringPolicy",
    "pair_scores",
    "pair_violations",
    "side_terms",
    "soft_terms",
    "text_similarity",
    "theme_gains",
]

THEME_SCALE = 1.0 / (MAX_NEED * MAX_EXPERTISE)
"""A theme term per unit of ``need * gap``: a full need met by a full expert is 1."""
_CHUNK = 250_000  # pairs scored at once: bounds the (chunk, n_themes) temporaries


@dataclass(frozen=True)
class ScoringPolicy:
    """Weights of the score, in score units (one unit = a full need met by a
    full expert on one theme). All must be ≥ 0; the defaults are documented in
    ``docs/scoring.md``.

    ``south_south_bonus`` and ``north_south_bonus`` are the policy knob for
    South–South and North→South exchanges; set both to 0 for a neutral round.

    >>> ScoringPolicy(south_south_bonus=0, north_south_bonus=0).theme_weight
    1.0
    >>> ScoringPolicy(text_weight=-1)
    Traceback (most recent call last):
        ...
    ValueError: ScoringPolicy.text_weight must be a finite number >= 0, got -1
    """

    theme_weight: float = 1.0
    south_south_bonus: float = 0.15
    north_south_bonus: float = 0.10
    same_region_bonus: float = 0.05
    history_penalty: float = 0.30
    text_weight: float = 0.10

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not (isinstance(value, int | float) and np.isfinite(value) and value >= 0):
                raise ValueError(
                    f"ScoringPolicy.{f.name} must be a finite number >= 0, got {value!r}"
                )
        if self.theme_weight == 0:
            raise ValueError(
                "ScoringPolicy.theme_weight must be > 0: themes are what a mentor offers"
            )


@dataclass(frozen=True)
class Reason:
    """One named part of a score. ``kind`` is ``"theme"`` (``key`` = theme key)
    or a soft term: ``south_south``, ``north_south``, ``same_region``,
    ``history``, ``text``.

    >>> from matcher.examples import example_arrays
    >>> from matcher.scoring import explain
    >>> explain(example_arrays(), 1, 3, policy=ScoringPolicy())[0]  # what sn offers ke
    Reason(kind='theme', key='budget_tracking', contribution=1.0)
    """

    kind: str
    key: str
    contribution: float


SOFT_TERMS = ("south_south", "north_south", "same_region", "history", "text")


def soft_terms(
    arrays: NetworkArrays,
    mentees: np.ndarray,
    mentors: np.ndarray,
    *,
    policy: ScoringPolicy,
    text: bool = True,
    similarity: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Soft terms for aligned arrays of pairs, each of shape (n_pairs,), float64;
    ``text=False`` leaves out the (costliest) text term, ``similarity`` gives
    :func:`text_similarity` of the pairs if already known.

    >>> from matcher.examples import example_arrays
    >>> terms = soft_terms(example_arrays(), np.array([1, 1]), np.array([3, 0]),
    ...                    policy=ScoringPolicy())  # ke with sn, then with fr-ngo
    >>> {kind: values.tolist() for kind, values in terms.items() if values.any()}
    {'south_south': [0.15, 0.0], 'north_south': [0.0, 0.1], 'same_region': [0.05, 0.0]}
    """
    seen = (
        np.asarray(arrays.history[mentees, mentors]).ravel().astype(bool)
        if len(mentees)
        else np.zeros(0, dtype=bool)
    )
    south, region = arrays.south, arrays.region
    terms = side_terms(policy, south[mentees], south[mentors], region[mentees], region[mentors])
    terms["history"] = -policy.history_penalty * seen
    if text:
        if similarity is None:
            similarity = text_similarity(arrays, mentees, mentors)
        terms["text"] = policy.text_weight * similarity
    return terms


def side_terms(policy: ScoringPolicy, south_i, south_j, region_i, region_j) -> dict:
    """The soft terms that depend only on each side's South flag and region
    (mentee ``i``, mentor ``j``; any broadcastable shapes).

    >>> south, region = np.array([True, False]), np.array([0, 3])  # Africa; Europe-N. America
    >>> terms = side_terms(ScoringPolicy(), south, south[0], region, region[0])  # mentor 0
    >>> {kind: values.tolist() for kind, values in terms.items()}
    {'south_south': [0.15, 0.0], 'north_south': [0.0, 0.0], 'same_region': [0.05, 0.0]}
    """
    return {
        "south_south": policy.south_south_bonus * (south_i & south_j),
        "north_south": policy.north_south_bonus * (south_i & ~south_j),
        "same_region": policy.same_region_bonus
        * ((region_i == region_j) & (region_i < len(REGIONS))),
    }


def text_similarity(arrays: NetworkArrays, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
    """Cosine similarity of the TF-IDF descriptions of aligned pairs, in [0, 1].

    >>> from dataclasses import replace
    >>> from matcher.examples import example_network
    >>> from matcher.network import make_network
    >>> from matcher.taxonomy import default_taxonomy
    >>> from matcher.vectors import network_arrays
    >>> said = {"ke-coalition": "budget tracking with teachers", "fr-ngo": "fundraising campaigns",
    ...         "sn-coalition": "budget tracking of schools", "pe-coalition": "radio campaigns"}
    >>> members = [replace(m, description=said[m.id]) for m in example_network().members]
    >>> arrays = network_arrays(make_network(members), default_taxonomy())
    >>> text_similarity(arrays, np.array([1, 1]), np.array([3, 0])).round(2).tolist()
    [0.38, 0.0]
    """
    out = np.zeros(len(mentees), dtype=np.float64)
    if arrays.text.nnz == 0 or len(mentees) == 0:
        return out
    # One member against many (recommendations): a single sparse product
    # instead of gathering the same row again for every pair.
    for one, many in ((mentees, mentors), (mentors, mentees)):
        if len(one) > 1 and (one == one[0]).all():
            out[:] = (arrays.text[many] @ arrays.text[one[0]].T).toarray().ravel()
            return np.clip(out, 0.0, 1.0)
    for start in range(0, len(mentees), _CHUNK):
        stop = start + _CHUNK
        rows = arrays.text[mentees[start:stop]].multiply(arrays.text[mentors[start:stop]])
        out[start:stop] = np.asarray(rows.sum(axis=1)).ravel()
    return np.clip(out, 0.0, 1.0)


def theme_gains(arrays: NetworkArrays, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
    """(pairs, themes) int16: ``need[i,t] * max(0, exp[j,t] - exp[i,t])`` for
    aligned arrays of pairs; times ``theme_weight / 12`` and summed over the
    themes, the theme part of the score.

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()  # ke-coalition (1) needs budget tracking at 3
    >>> gains = theme_gains(arrays, np.array([1]), np.array([3]))  # sn-coalition knows it at 4
    >>> [(arrays.themes[t], int(g)) for t, g in enumerate(gains[0]) if g]
    [('budget_tracking', 12)]
    """
    gap = np.clip(arrays.expertise[mentors].astype(np.int16) - arrays.expertise[mentees], 0, None)
    return arrays.needs[mentees] * gap


def pair_scores(
    arrays: NetworkArrays,
    mentees: np.ndarray,
    mentors: np.ndarray,
    *,
    policy: ScoringPolicy,
    text: bool = True,
    similarity: np.ndarray | None = None,
) -> np.ndarray:
    """Exact scores (float64) of aligned arrays of (mentee, mentor) indices;
    ``text=False`` leaves out the text term (then at most ``text_weight``
    short); ``similarity``: their :func:`text_similarity`, if already known.

    Does not check the hard constraints (see :func:`pair_violations`).

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()  # ke-coalition (1) with sn-coalition (3), then fr-ngo (0)
    >>> pair_scores(arrays, [1, 1], [3, 0], policy=ScoringPolicy()).tolist()
    [1.2, 0.85]
    """
    mentees = np.asarray(mentees, dtype=np.int64)
    mentors = np.asarray(mentors, dtype=np.int64)
    theme = np.empty(len(mentees), dtype=np.float64)
    for start in range(0, len(mentees), _CHUNK):
        i, j = mentees[start : start + _CHUNK], mentors[start : start + _CHUNK]
        theme[start : start + len(i)] = theme_gains(arrays, i, j).sum(axis=1)
    theme *= policy.theme_weight * THEME_SCALE
    soft = soft_terms(arrays, mentees, mentors, policy=policy, text=text, similarity=similarity)
    return theme + sum(soft.values())


def pair_violations(arrays: NetworkArrays, mentee: int, mentor: int) -> list[str]:
    """The hard constraints that forbid ``mentor`` for ``mentee``, in words
    (empty when the pair is allowed).

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()
    >>> pair_violations(arrays, 2, 0)  # fr-ngo for pe-coalition
    ['they share no working language']
    >>> pair_violations(arrays, 0, 1), pair_violations(arrays, 1, 3)
    (['fr-ngo has no needs'], [])
    """
    a, problems = arrays, []
    if mentee == mentor:  # the only thing to say about such a pair
        return ["a member cannot mentor itself"]
    if not (a.speaks[mentee] & a.speaks[mentor]).any():
        problems.append("they share no working language")
    if a.excluded[mentee, mentor]:
        problems.append("the pair is in exclusions")
    if a.mentor_capacity[mentor] == 0:
        problems.append(f"{a.ids[mentor]} has mentor_capacity 0")
    if a.mentee_capacity[mentee] == 0:
        problems.append(f"{a.ids[mentee]} has mentee_capacity 0")
    if not (a.needs[mentee] > 0).any():
        problems.append(f"{a.ids[mentee]} has no needs")
    elif not ((a.needs[mentee] > 0) & (a.expertise[mentor] > a.expertise[mentee])).any():
        problems.append(f"{a.ids[mentor]} is not stronger than {a.ids[mentee]} on any of its needs")
    return problems
