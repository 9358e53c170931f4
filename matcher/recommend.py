"""Top-k peers for one member: the mentors who can help it most, the mentees
it can help most, or the partners it can exchange with, each with score,
shared languages and reasons."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.exchanges import recommend_exchanges
from matcher.ranking import best_first
from matcher.scoring import BlockScorer, Reason, ScoringPolicy, explain_pairs, pair_scores
from matcher.vectors import NetworkArrays

DIRECTIONS = ("mentors", "mentees", "exchanges")
EMPTY_CODES = (
    "no_needs",
    "no_mentee_capacity",
    "no_mentor_capacity",
    "no_shared_language",
    "no_stronger_peer",
    "no_weaker_peer",
    "all_excluded",
    "no_two_way_peer",
)
"""Why a member's recommendations are empty (see :func:`empty_reason`)."""


@dataclass(frozen=True)
class EmptyReason:
    """Why :func:`recommend` found no peer: ``code`` is one of
    :data:`EMPTY_CODES`, ``text`` says it in words.

    >>> from matcher.examples import example_arrays
    >>> empty_reason(example_arrays(), "pe-coalition")
    EmptyReason(code='no_shared_language',
                text='no member offering mentor slots shares a working language (es)')
    """

    code: str
    text: str


@dataclass(frozen=True)
class Recommendation:
    """A recommended peer (``member``) for the member asked about.

    ``reasons`` always sum to ``score``. For ``"exchanges"``, ``score`` is
    the harmonic mean of the two directions' scores and ``reasons`` are both
    directions' reasons weighted as :func:`~matcher.exchanges.reciprocal_reasons`
    says; ``gives`` are the unweighted reasons of what the member asked about
    teaches the peer (they sum to that direction's score) and ``receives``
    those of what the peer teaches it. Both are empty for the other
    directions.

    >>> from matcher.examples import example_arrays
    >>> best = recommend(example_arrays(), "ke-coalition", direction="exchanges")[0]
    >>> best.member, round(best.score, 4), round(sum(r.contribution for r in best.reasons), 4)
    ('sn-coalition', 1.0065, 1.0065)
    >>> [r.key for r in best.gives], [r.key for r in best.receives]  # ke teaches, ke learns
    (['campaigning_mobilisation', 'south_south', 'same_region'],
     ['budget_tracking', 'south_south', 'same_region'])
    >>> round(sum(r.contribution for r in best.gives), 4)  # ke as sn's mentor
    0.8667
    """

    member: str
    score: float
    languages: tuple[str, ...]
    reasons: tuple[Reason, ...]
    gives: tuple[Reason, ...] = ()
    receives: tuple[Reason, ...] = ()


def recommend(
    arrays: NetworkArrays,
    member: str,
    *,
    k: int = 5,
    direction: str = "mentors",
    policy: ScoringPolicy | None = None,
    scorer: BlockScorer | None = None,
) -> tuple[Recommendation, ...]:
    """The ``k`` best peers for ``member``, best first (ties by id).

    ``direction="mentors"``: who can help ``member``; ``"mentees"``: whom
    ``member`` can help; ``"exchanges"``: who can help ``member`` and be helped
    by it (see :mod:`matcher.exchanges`). Only allowed pairs appear (same hard
    constraints as a mentoring round), so fewer than ``k`` may come back.
    ``scorer``: a :class:`~matcher.scoring.BlockScorer` built on the same
    ``arrays`` and ``policy``, to reuse across calls (building one is about
    a third of a call on a small network).

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()
    >>> [(r.member, r.score) for r in recommend(arrays, "ke-coalition", k=3)]
    [('sn-coalition', 1.2), ('fr-ngo', 0.85)]
    >>> [r.member for r in recommend(arrays, "fr-ngo", direction="mentees")]
    ['ke-coalition']
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    policy = policy or ScoringPolicy()
    if direction == "exchanges":
        return tuple(
            Recommendation(
                member=e.b,
                score=e.score,
                languages=e.languages,
                reasons=e.reasons,
                gives=e.a_to_b_reasons,
                receives=e.b_to_a_reasons,
            )
            for e in recommend_exchanges(arrays, member, k=k, policy=policy)
        )
    me = arrays.ids.index(member)
    if scorer is None:
        scorer = BlockScorer(arrays, policy=policy)
    assert scorer.arrays is arrays and scorer.policy == policy, "scorer built on other data"
    peers = scorer.partners(me, mentors=direction == "mentors")
    mine = np.full(len(peers), me)
    mentees, mentors = (mine, peers) if direction == "mentors" else (peers, mine)
    exact = pair_scores(arrays, mentees, mentors, policy=policy)
    order = best_first(arrays, peers, exact, k)
    reasons = explain_pairs(arrays, mentees[order], mentors[order], policy=policy)
    return tuple(
        Recommendation(
            member=arrays.ids[peers[p]],
            score=float(exact[p]),
            languages=arrays.shared_languages(me, int(peers[p])),
            reasons=why,
        )
        for p, why in zip(order, reasons, strict=True)
    )


def empty_reason(
    arrays: NetworkArrays,
    member: str,
    *,
    direction: str = "mentors",
    policy: ScoringPolicy | None = None,
    scorer: BlockScorer | None = None,
) -> EmptyReason | None:
    """Why :func:`recommend` finds no peer for ``member`` in ``direction``
    (the first constraint, from the member's own profile to the pairs), or
    None when it finds some.

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()
    >>> empty_reason(arrays, "fr-ngo")
    EmptyReason(code='no_needs', text='fr-ngo declares no needs')
    >>> empty_reason(arrays, "pe-coalition", direction="mentees").text
    'no member with needs shares a working language (es)'
    >>> empty_reason(arrays, "ke-coalition") is None
    True
    """
    policy = policy or ScoringPolicy()
    scorer = scorer if scorer is not None else BlockScorer(arrays, policy=policy)
    if direction == "exchanges":
        for one_way in ("mentors", "mentees"):
            found = empty_reason(arrays, member, direction=one_way, policy=policy, scorer=scorer)
            if found is not None:
                return found
        if recommend(arrays, member, k=1, direction="exchanges", policy=policy):
            return None
        return EmptyReason("no_two_way_peer", "no peer can both help it and be helped by it")
    me = arrays.ids.index(member)
    langs = ", ".join(
        lang for lang, ok in zip(arrays.languages, arrays.speaks[me], strict=True) if ok
    )
    if direction == "mentors":
        if not (arrays.needs[me] > 0).any():
            return EmptyReason("no_needs", f"{member} declares no needs")
        if arrays.mentee_capacity[me] == 0:
            return EmptyReason(
                "no_mentee_capacity", f"{member} takes no mentor (mentee_capacity 0)"
            )
        peers = np.flatnonzero(arrays.mentor_capacity > 0)
        score, theme, shares = (x[0] for x in scorer.block(np.array([me]), peers))
        where, stronger = "offering mentor slots", "is stronger on its needs"
    else:
        if arrays.mentor_capacity[me] == 0:
            return EmptyReason("no_mentor_capacity", f"{member} offers no mentor slots")
        peers = np.flatnonzero(arrays.wanting)
        score, theme, shares = (x[:, 0] for x in scorer.block(peers, np.array([me])))
        where, stronger = "with needs", f"needs what {member} is stronger at"
    other = peers != me
    if np.isfinite(score[other]).any():
        return None
    if not shares[other].any():
        return EmptyReason(
            "no_shared_language",
            f"no member {where} shares a working language ({langs})",
        )
    if not (shares & (theme > 1e-6))[other].any():
        code = "no_stronger_peer" if direction == "mentors" else "no_weaker_peer"
        return EmptyReason(code, f"no member sharing a working language ({langs}) {stronger}")
    return EmptyReason("all_excluded", "every peer who could be recommended is excluded")
