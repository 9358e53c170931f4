"""The benefit of a mentor for a mentee, and the reasons that make it up.

The score and its terms are defined in :mod:`matcher.terms`; block scoring,
for whole networks, is :mod:`matcher.blocks`. This module explains scores
(:func:`explain`, :func:`explain_pairs`: every score decomposes into
:class:`Reason` objects that sum to it) and is where the engine's scoring is
imported from.
"""

from __future__ import annotations

from itertools import islice

import numpy as np

from matcher.blocks import BlockScorer, Columns
from matcher.terms import (
    SOFT_TERMS,
    THEME_SCALE,
    Reason,
    ScoringPolicy,
    pair_scores,
    pair_violations,
    soft_terms,
    text_similarity,
    theme_gains,
)
from matcher.vectors import MAX_EXPERTISE, MAX_NEED, NetworkArrays

__all__ = [
    "SOFT_TERMS",
    "BlockScorer",
    "Columns",
    "Reason",
    "ScoringPolicy",
    "explain",
    "explain_pairs",
    "pair_scores",
    "pair_violations",
    "soft_terms",
    "text_similarity",
    "theme_gains",
]


def explain(
    arrays: NetworkArrays, mentee: int, mentor: int, *, policy: ScoringPolicy
) -> tuple[Reason, ...]:
    """The reasons of one pair's score: one per contributing theme (largest
    first), then one per non-zero soft term. They sum to :func:`pair_scores`.

    >>> from matcher.examples import example_arrays
    >>> arrays, policy = example_arrays(), ScoringPolicy()
    >>> reasons = explain(arrays, 1, 0, policy=policy)  # fr-ngo for ke-coalition
    >>> [(r.kind, r.key, r.contribution) for r in reasons]
    [('theme', 'budget_tracking', 0.75), ('north_south', 'north_south', 0.1)]
    >>> total = float(pair_scores(arrays, [1], [0], policy=policy)[0])
    >>> total == sum(r.contribution for r in reasons)
    True
    """
    return explain_pairs(arrays, np.array([mentee]), np.array([mentor]), policy=policy)[0]


def explain_pairs(
    arrays: NetworkArrays, mentees: np.ndarray, mentors: np.ndarray, *, policy: ScoringPolicy
) -> list[tuple[Reason, ...]]:
    """:func:`explain` for aligned arrays of pairs, vectorised.

    >>> from matcher.examples import example_arrays
    >>> both = explain_pairs(example_arrays(), [1, 3], [3, 1], policy=ScoringPolicy())
    >>> [[r.key for r in reasons] for reasons in both]
    [['budget_tracking', 'south_south', 'same_region'],
     ['campaigning_mobilisation', 'south_south', 'same_region']]
    """
    mentees = np.asarray(mentees, dtype=np.int64)
    mentors = np.asarray(mentors, dtype=np.int64)
    # need * gap is a small integer, so a theme has a handful of possible
    # contributions: pairs share one Reason per (theme, contribution) and per
    # soft term value, and only those distinct reasons are built in Python.
    levels = theme_gains(arrays, mentees, mentors)
    values = policy.theme_weight * THEME_SCALE * np.arange(MAX_NEED * MAX_EXPERTISE + 1)
    n_values, n_themes = len(values), len(arrays.themes)
    rows, cols = np.nonzero((values != 0)[levels])
    level = levels[rows, cols]
    codes, which = np.unique(cols * n_values + level, return_inverse=True)
    contribution = values.tolist()
    table = [
        Reason("theme", arrays.themes[c // n_values], contribution[c % n_values])
        for c in codes.tolist()
    ]
    # Rank within a pair: themes by contribution descending then key, then
    # the soft terms in their order.
    descending = n_values - np.unique(values, return_inverse=True)[1]
    key_rank = np.empty(n_themes, dtype=np.int64)
    key_rank[sorted(range(n_themes), key=arrays.themes.__getitem__)] = np.arange(n_themes)
    first_soft = (n_values + 1) * n_themes
    pair_of, rank_of, reason_of = [rows], [descending[level] * n_themes + key_rank[cols]], [which]
    soft = soft_terms(arrays, mentees, mentors, policy=policy)
    for s, (kind, terms) in enumerate(soft.items()):
        at = np.flatnonzero(terms != 0)
        distinct, which = np.unique(terms[at], return_inverse=True)
        pair_of.append(at)
        rank_of.append(np.full(len(at), first_soft + s))
        reason_of.append(len(table) + which)
        table += [Reason(kind, kind, value) for value in distinct.tolist()]
    pair_of = np.concatenate(pair_of)
    order = np.argsort(pair_of * (first_soft + len(soft)) + np.concatenate(rank_of))
    reasons = np.empty(len(table), dtype=object)
    reasons[:] = table
    ordered = iter(reasons[np.concatenate(reason_of)[order]].tolist())
    return [
        tuple(islice(ordered, count))
        for count in np.bincount(pair_of, minlength=len(mentees)).tolist()
    ]
