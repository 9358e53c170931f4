"""What would include a mentee a welfare round left out: the smallest
changes, each of which alone would give it a mentor, computed from the round
itself and checked to hold.

Four kinds of change, from the smallest:

``extra_slot``
    One more slot at a mentor it is allowed to, reserved for it. The rest of
    the round stays optimal (the mentee had no pair, so the problem without
    it is the one already solved): the total rises by the pair's score and
    nobody else loses anything.
``accept_language``
    It accepts mentors working in one more language (as a mentee only). The
    mentors who could then take it are those whose new pair would strictly
    improve the optimum (see :mod:`matcher.residual`): then every optimum
    of the changed problem pairs it, whatever the seed. Ties are not offered.
``lift_exclusion``
    An exclusion between it and a mentor is lifted; offered under the same
    strict test, and only when the lifted exclusion would not also let the
    mentee mentor that member (whose new pair could take the gain instead).
``mentor_slot``
    A member stronger on its needs who offers no mentor slot offers one,
    reserved for it: like ``extra_slot``.

:func:`verify_option` solves the changed problem again and checks the claim.
Options are offered for proven welfare rounds only: without a proof (or for a
stable round, which is not an optimum) "the round would still be optimal"
cannot be said.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher import geo
from matcher.blocks import BlockScorer
from matcher.candidates import add_pairs, candidate_matrix
from matcher.certificate import welfare_certificate
from matcher.pairing import Pairing, pair_mentors
from matcher.pricing import score_bound
from matcher.residual import residual_gains
from matcher.terms import ScoringPolicy, pair_scores
from matcher.vectors import NetworkArrays

__all__ = ["GAIN_TOLERANCE", "KINDS", "MAX_OPTIONS", "Option", "round_options", "verify_option"]

KINDS = ("extra_slot", "accept_language", "lift_exclusion", "mentor_slot")
MAX_OPTIONS = 3
"""Options kept per mentee: the best of each kind first, in :data:`KINDS`
order, then the next best of each."""
GAIN_TOLERANCE = 1e-6
"""A new pair must raise the total by more than this (when it covers no
more mentees) to count as a strict gain: smaller gains are ties within the
solver's rounding of scores."""


@dataclass(frozen=True)
class Option:
    """A change that alone would give ``member`` a mentor. ``kind`` is one of
    :data:`KINDS`; ``language`` is set for ``accept_language``; ``mentors``
    are those who could then take it, ``best`` first (the one the optimum
    gains most with), and ``score`` is the best pair's score.

    >>> from matcher.examples import example_network
    >>> from matcher.rounds import mentoring_round
    >>> from matcher.taxonomy import default_taxonomy
    >>> r = mentoring_round(example_network(), taxonomy=default_taxonomy())
    >>> print(r.unmatched[0].options[0].text)  # doctest: +NORMALIZE_WHITESPACE
    if it accepted a mentor working in English (en), 1 mentor could take it
    (best: fr-ngo, score 1.10)
    """

    member: str
    kind: str
    language: str | None
    mentors: tuple[str, ...]
    best: str
    score: float
    text: str


def round_options(
    arrays: NetworkArrays,
    pairing: Pairing,
    benefit: sp.csr_matrix,
    mentees: np.ndarray,
    *,
    policy: ScoringPolicy,
    locked: tuple[tuple[int, int], ...] = (),
    limit: int = MAX_OPTIONS,
) -> dict[int, tuple[Option, ...]]:
    """Options for each of ``mentees`` (member indices with no pair in
    ``pairing``, a welfare optimum of ``benefit`` proven over every allowed
    pair; ``benefit`` may hold only some of them), at most ``limit`` each.

    >>> from matcher.examples import example_arrays
    >>> arrays, policy = example_arrays(), ScoringPolicy()
    >>> benefit = candidate_matrix(arrays, policy=policy)
    >>> pairing = pair_mentors(benefit, arrays.mentor_capacity, arrays.mentee_capacity)
    >>> [(o.kind, o.language, o.best) for o in round_options(
    ...     arrays, pairing, benefit, np.array([2]), policy=policy)[2]]
    [('accept_language', 'en', 'fr-ngo'), ('accept_language', 'fr', 'fr-ngo')]
    """
    if len(mentees) == 0 or limit <= 0:
        return {}
    gains = residual_gains(
        pairing,
        benefit,
        arrays.mentor_capacity,
        arrays.mentee_capacity,
        locked=locked,
        max_benefit=score_bound(arrays, policy=policy),
    )
    scorer = BlockScorer(arrays, policy=policy)
    everyone, open_ = np.arange(arrays.n), arrays.mentor_capacity > 0
    step = max(1, (1 << 22) // max(1, arrays.n))
    found = {}
    for start in range(0, len(mentees), step):
        rows = np.asarray(mentees[start : start + step])
        _, theme, shares = scorer.block(rows, everyone)
        strong = theme > 1e-6
        strong[np.arange(len(rows)), rows] = False
        excluded = arrays.excluded[rows].toarray()
        # Every pair an option could add, scored in one call (the text term
        # costs per call, not per pair).
        masks = _masks(strong, shares, excluded, open_)
        r, t = np.nonzero(np.logical_or.reduce(list(masks.values())))
        score = np.full(strong.shape, np.nan)
        score[r, t] = pair_scores(arrays, rows[r], t, policy=policy)
        for k, i in enumerate(rows.tolist()):
            mine = {kind: mask[k] for kind, mask in masks.items()}
            found[i] = _keep(_options_for(arrays, i, mine, score[k], gains, scorer, limit), limit)
    return found


def _masks(strong, shares, excluded, open_) -> dict[str, np.ndarray]:
    """The members each kind of option could bring in as a mentor (rows:
    mentees; ``open_``: per member, whether it offers mentor slots)."""
    fits = strong & shares & ~excluded
    return {
        "extra_slot": fits & open_,
        "mentor_slot": fits & ~open_,
        "accept_language": strong & ~shares & ~excluded & open_,
        "lift_exclusion": strong & shares & excluded & open_,
    }


def _options_for(arrays, i, masks, score, gains, scorer, limit) -> list[Option]:
    found = []
    for kind in ("extra_slot", "mentor_slot"):
        mentors = np.flatnonzero(masks[kind])
        if not gains.coverage_first:  # then a pair must raise the total to be wanted
            mentors = mentors[score[mentors] > GAIN_TOLERANCE]
        for t in mentors[np.lexsort((mentors, -score[mentors]))[:limit]].tolist():
            found.append(_option(arrays, i, kind, None, [t], float(score[t])))
    # The strict test once for every mentor a new language could bring,
    # then grouped by language.
    mentors, strict, gain = _strict(i, np.flatnonzero(masks["accept_language"]), score, gains)
    spoken = arrays.speaks[mentors[strict]]
    for lang in np.flatnonzero(spoken.any(axis=0) & ~arrays.speaks[i]).tolist():
        chosen = mentors[strict][spoken[:, lang]], gain[strict][spoken[:, lang]]
        found.append(_new_pairs(arrays, i, "accept_language", lang, *chosen, score))
    for t in np.flatnonzero(masks["lift_exclusion"]).tolist():
        if not _could_mentor(arrays, scorer, mentor=i, mentee=t):
            mentors, strict, gain = _strict(i, np.array([t]), score, gains)
            if strict.any():
                found.append(_new_pairs(arrays, i, "lift_exclusion", None, mentors, gain, score))
    return found


def _only(n: int, t: int) -> np.ndarray:
    """A mask of ``n`` members with only ``t`` set."""
    mask = np.zeros(n, dtype=bool)
    mask[t] = True
    return mask


def _strict(i, mentors, score, gains):
    """``mentors``, whether each one's new pair with ``i`` strictly improves
    the optimum, and each one's gain as (covered, change) rows."""
    covered, change = gains.gains(i, mentors, score[mentors])
    strict = (covered > 0) | ((covered == 0) & (change > GAIN_TOLERANCE))
    return mentors, strict, np.stack([covered, change], axis=1)


def _new_pairs(arrays, i, kind, lang, mentors, gain, score) -> Option:
    """The option of new pairs with ``mentors`` (all strict), the one with
    the largest gain first."""
    order = np.lexsort((mentors, -gain[:, 1], -gain[:, 0]))
    language = None if lang is None else arrays.languages[lang]
    ranked = mentors[order].tolist()
    return _option(arrays, i, kind, language, ranked, float(score[ranked[0]]))


def _could_mentor(arrays, scorer, *, mentor: int, mentee: int) -> bool:
    """Whether ``mentor`` could mentor ``mentee`` if their exclusion were lifted."""
    if arrays.mentor_capacity[mentor] == 0 or not arrays.wanting[mentee]:
        return False
    _, theme, shares = scorer.block(np.array([mentee]), np.array([mentor]))
    return bool(theme[0, 0] > 1e-6 and shares[0, 0])


def _option(arrays, i, kind, language, mentors, score) -> Option:
    ids = tuple(arrays.ids[t] for t in mentors)
    best = ids[0]
    if kind == "extra_slot":
        text = (
            f"one more mentor slot at {best}, for it, would match it "
            f"(score {score:.2f}; loses nothing else)"
        )
    elif kind == "mentor_slot":
        text = (
            f"if {best} offered one mentor slot, for it, it would be matched "
            f"(score {score:.2f}; loses nothing else)"
        )
    elif kind == "accept_language":
        many = "mentor" if len(ids) == 1 else "mentors"
        text = (
            f"if it accepted a mentor working in {geo.LANGUAGE_NAMES[language]} ({language}), "
            f"{len(ids)} {many} could "
            f"take it (best: {best}, score {score:.2f})"
        )
    else:
        text = f"lifting its exclusion with {best} would match it (score {score:.2f})"
    return Option(arrays.ids[i], kind, language, ids, best, score, text)


def _keep(options: list[Option], limit: int) -> tuple[Option, ...]:
    """At most ``limit`` options: the first of each kind (in :data:`KINDS`
    order), then the second of each, and so on; within a kind the highest
    score first."""
    seen: dict[str, int] = {}
    ranked = []
    for o in sorted(options, key=_order):
        seen[o.kind] = seen.get(o.kind, -1) + 1
        ranked.append(((seen[o.kind], KINDS.index(o.kind)), o))
    ranked.sort(key=lambda pair: pair[0])
    return tuple(o for _, o in ranked[:limit])


def _order(option: Option):
    return (KINDS.index(option.kind), -option.score, option.best, option.language or "")


def verify_option(
    arrays: NetworkArrays,
    option: Option,
    *,
    policy: ScoringPolicy,
    locked: tuple[tuple[int, int], ...] = (),
    coverage_first: bool = True,
    seed: int | None = None,
) -> bool:
    """Whether ``option`` holds, like ``networkx.is_matching``: the round's
    problem over every allowed pair, changed as the option says and solved
    again with ``seed``, pairs the member and is proven optimal (a
    certificate exists); for the slot kinds the total also rises by exactly
    the option's score (nothing else lost), with one more mentee covered
    when coverage comes first.

    >>> from matcher.examples import example_arrays
    >>> arrays, policy = example_arrays(), ScoringPolicy()
    >>> benefit = candidate_matrix(arrays, policy=policy)
    >>> pairing = pair_mentors(benefit, arrays.mentor_capacity, arrays.mentee_capacity)
    >>> options = round_options(arrays, pairing, benefit, np.array([2]), policy=policy)[2]
    >>> [verify_option(arrays, o, policy=policy, seed=7) for o in options]
    [True, True]
    """
    index = {member: k for k, member in enumerate(arrays.ids)}
    i, t = index[option.member], index[option.best]
    benefit = candidate_matrix(arrays, policy=policy, include=locked)
    base_benefit, mcap, changed_locks = benefit, arrays.mentor_capacity.copy(), locked
    if option.kind in ("extra_slot", "mentor_slot"):
        mcap[t] += 1
        changed_locks = (*locked, (i, t))
        if option.kind == "mentor_slot":  # a member with no slot is no column of the matrix
            benefit = add_pairs(arrays, benefit, [i], [t], policy=policy)
    elif option.kind == "accept_language":
        lang = arrays.languages.index(option.language)
        apart = ~(arrays.speaks & arrays.speaks[i]).any(axis=1)
        allowed = apart & ~arrays.excluded[i].toarray().ravel()
        benefit = _add_strong(arrays, benefit, i, arrays.speaks[:, lang] & allowed, policy)
    else:
        if _could_mentor(arrays, BlockScorer(arrays, policy=policy), mentor=i, mentee=t):
            return False
        benefit = _add_strong(arrays, benefit, i, _only(arrays.n, t), policy)
    ecap = arrays.mentee_capacity
    base = pair_mentors(
        base_benefit, arrays.mentor_capacity, ecap,
        locked=locked, coverage_first=coverage_first, seed=seed,
    )  # fmt: skip
    after = pair_mentors(
        benefit, mcap, ecap, locked=changed_locks, coverage_first=coverage_first, seed=seed
    )
    if i not in after.pairs[:, 0]:
        return False
    try:
        welfare_certificate(after, benefit, mcap, ecap, locked=changed_locks)
    except ValueError:
        return False
    if option.kind in ("extra_slot", "mentor_slot"):
        slack = after.resolution + base.resolution + GAIN_TOLERANCE
        # Without coverage first, optima of equal total may cover different
        # numbers of mentees: only the total is pinned down.
        covered = not coverage_first or after.n_covered == base.n_covered + 1
        return covered and math.isclose(
            after.total_benefit, base.total_benefit + option.score, rel_tol=0, abs_tol=slack
        )
    return True


def _add_strong(arrays, benefit, i, mask, policy) -> sp.csr_matrix:
    """``benefit`` with the pairs (i, t), t in ``mask``, of mentors stronger
    on i's needs (pairs absent from it: i shares no language with them or is
    excluded with them)."""
    mentors = np.flatnonzero(mask & (arrays.mentor_capacity > 0))
    mentors = mentors[mentors != i]
    _, theme, _ = BlockScorer(arrays, policy=policy).block(np.array([i]), mentors)
    mentors = mentors[theme[0] > 1e-6]
    return add_pairs(arrays, benefit, np.full(mentors.size, i), mentors, policy=policy)
