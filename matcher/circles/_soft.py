"""The soft goals of a circle (:data:`~matcher.circles.SOFT_WEIGHTS`), in hundredths."""

from __future__ import annotations

from matcher.circles._problem import Problem
from matcher.circles.model import SOFT_WEIGHTS
from matcher.geo import REGIONS

INTERNATIONAL = len(REGIONS)
"""The region group of ``international`` members (after every region)."""
W_REGIONS, W_LONELY_REGION, W_LONELY_SIDE, W_KIND_MIX, W_REPEAT = SOFT_WEIGHTS.values()
SOFT_KINDS = tuple(SOFT_WEIGHTS)


def mix_summary(p: Problem, members: list[int]) -> tuple[list[int], int, int, int]:
    """What the soft terms but ``repeat_pair`` depend on: members per region
    group (international last), Southern members, national coalitions, size."""
    counts = [0] * (len(REGIONS) + 1)
    south = coalitions = 0
    for i in members:
        counts[p.region[i]] += 1
        south += p.is_south[i]
        coalitions += p.is_coalition[i]
    return counts, south, coalitions, len(members)


def soft_terms_of_mix(counts: list[int], south: int, coalitions: int, size: int) -> tuple[int, ...]:
    """The soft terms but ``repeat_pair``, in :data:`SOFT_WEIGHTS` order."""
    north = size - south
    # list.count runs in C: this is the local search's innermost function.
    groups = len(counts) - counts.count(0)
    lonely = counts.count(1) - (counts[-1] == 1)  # international members are never alone
    return (
        W_REGIONS * (groups >= 2),
        W_LONELY_REGION * lonely,
        W_LONELY_SIDE * ((south == 1 and north > 0) + (north == 1 and south > 0)),
        W_KIND_MIX * (0 < coalitions < size),
    )


def soft_score_of_mix(counts: list[int], south: int, coalitions: int, size: int) -> int:
    return sum(soft_terms_of_mix(counts, south, coalitions, size))


def soft_terms(p: Problem, members: list[int]) -> dict[str, int]:
    """The soft terms of a circle, in hundredths (see :data:`SOFT_WEIGHTS`)."""
    met = p.met_before
    repeats = sum(
        1 for a, i in enumerate(members) if i in met for j in members[a + 1 :] if j in met[i]
    )
    terms = (*soft_terms_of_mix(*mix_summary(p, members)), W_REPEAT * repeats)
    return dict(zip(SOFT_KINDS, terms, strict=True))


def mix_after_move(p: Problem, summary, out: int | None, into: int | None):
    """A circle's :func:`mix_summary` after ``out`` leaves and ``into`` joins."""
    counts, south, coalitions, size = summary
    counts = list(counts)
    for i, sign in ((out, -1), (into, 1)):
        if i is not None:
            counts[p.region[i]] += sign
            south += sign * p.is_south[i]
            coalitions += sign * p.is_coalition[i]
            size += sign
    return counts, south, coalitions, size


def penalised_members(p: Problem, members: list[int]) -> list[int]:
    """Members a soft term penalises: alone in their region or on their side,
    in a repeated pair; everyone if the circle has one region group."""
    regions = [p.region[i] for i in members]
    if len(set(regions)) < 2:
        return list(members)
    n_south = sum(p.is_south[i] for i in members)
    mixed = 0 < n_south < len(members)
    out = []
    for i, r in zip(members, regions, strict=True):
        side = n_south if p.is_south[i] else len(members) - n_south
        met = p.met_before.get(i)
        if (
            (r != INTERNATIONAL and regions.count(r) == 1)
            or (mixed and side == 1)
            or (met and any(j in met for j in members))
        ):
            out.append(i)
    return out


def repeat_pairs_change(
    p: Problem, members_c: list[int], members_d: list[int], i: int | None, j: int | None
) -> int:
    """Change in the number of history pairs inside two circles when ``i``
    moves from ``members_c`` to ``members_d`` and ``j`` from ``members_d`` to ``members_c``."""
    met, change = p.met_before, 0
    if i is not None and i in met:
        change += sum(x in met[i] for x in members_d if x != j) - sum(
            x in met[i] for x in members_c
        )
    if j is not None and j in met:
        change += sum(x in met[j] for x in members_c if x != i) - sum(
            x in met[j] for x in members_d
        )
    return change
