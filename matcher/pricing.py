"""Pricing: the allowed pairs left out of a round's candidates that could
improve its welfare pairing.

:func:`price_pairs` scans every allowed pair against the dual potentials of
the pairing found (:func:`matcher.certificate.welfare_certificate`); the
round adds the pairs it returns and solves again, until none is left, which
proves the pairing optimal over all allowed pairs (column generation).
:func:`prune_pairs` drops candidates far from improving between passes. Also
importable from :mod:`matcher.candidates`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import scipy.sparse as sp

from matcher.blocks import stored_pairs
from matcher.certificate import WelfareCertificate
from matcher.ranking import descending_bits, kth_largest, rank_in_runs, sorted_member
from matcher.terms import ScoringPolicy, pair_scores
from matcher.vectors import MAX_NEED, NetworkArrays

if TYPE_CHECKING:
    from matcher.candidates import AllowedBlock, PairScores

__all__ = ["price_pairs", "prune_pairs", "score_bound"]

_FLOAT32_SLACK = 1e-3
"""Score units by which a float32 block score may miss the exact one."""


_FLOAT32_POTENTIALS = 256.0
"""Largest |mentee potential| (and score bound) for which pricing compares in
float32; beyond it, float64."""


def score_bound(arrays: NetworkArrays, *, policy: ScoringPolicy) -> float:
    """An upper bound on |score| of any pair of the network.

    >>> from matcher.examples import example_arrays
    >>> score_bound(example_arrays(), policy=ScoringPolicy())  # need 3 of 3, + 0.15 + 0.05 + 0.1
    1.3
    """
    theme = policy.theme_weight * float(arrays.needs.sum(axis=1).max(initial=0)) / MAX_NEED
    bonus = max(policy.south_south_bonus, policy.north_south_bonus) + policy.same_region_bonus
    top = theme + bonus + policy.text_weight
    return max(top, policy.history_penalty)


def price_pairs(
    scores: PairScores,
    benefit: sp.csr_matrix,
    certificate: WelfareCertificate,
    *,
    per_mentee: int,
    return_scores: bool = False,
) -> tuple[np.ndarray, ...]:
    """Allowed pairs absent from ``benefit`` that could improve its welfare
    pairing, at most ``per_mentee`` per mentee (the most promising first).

    Returns aligned (mentees, mentors) index arrays, and their exact scores
    with ``return_scores=True`` (for :func:`add_pairs`); empty arrays prove
    the pairing optimal over every allowed pair (up to the certificate's grid).

    Mentee ke-coalition (index 1) starts with one candidate, mentor fr-ngo
    (0); pricing finds the two pairs that beat it:

    >>> from matcher.candidates import PairScores, add_pairs
    >>> from matcher.certificate import welfare_certificate
    >>> from matcher.examples import example_arrays
    >>> from matcher.pairing import pair_mentors
    >>> arrays, policy = example_arrays(), ScoringPolicy()
    >>> scores = PairScores(arrays, policy=policy)
    >>> caps = arrays.mentor_capacity, arrays.mentee_capacity
    >>> benefit = add_pairs(arrays, sp.csr_matrix((4, 4)), [1], [0], policy=policy)
    >>> cert = welfare_certificate(pair_mentors(benefit, *caps), benefit, *caps,
    ...                            max_benefit=score_bound(arrays, policy=policy))
    >>> i, j = price_pairs(scores, benefit, cert, per_mentee=5)
    >>> [(arrays.ids[a], arrays.ids[b]) for a, b in zip(i.tolist(), j.tolist())]
    [('ke-coalition', 'sn-coalition'), ('sn-coalition', 'ke-coalition')]
    """
    bars = _bars(certificate, scores)
    found_i, found_j, found_score = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0)]
    for block in scores.allowed_blocks():
        r, c = _flagged(block, bars, benefit, scores.positions, per_mentee=per_mentee)
        i, j, exact = _exactly_improving(scores, certificate, bars, block.rows, r, c, per_mentee)
        found_i.append(i)
        found_j.append(j)
        found_score.append(exact)
    found = np.concatenate(found_i), np.concatenate(found_j)
    return (*found, np.concatenate(found_score)) if return_scores else found


class _Bars(NamedTuple):
    """What pricing compares an allowed pair's float32 block score ``s`` with:
    the pair is flagged when ``s - v[mentor] > bar[mentee]``.

    ``u``: mentee potentials, ``inf`` where closed (no room, or no way to
    pass flow: nothing through them can improve the pairing); ``bar``: ``u``
    shifted, less the slack; ``v``: mentor potentials by position in
    :attr:`PairScores.mentors`, shifted, ``inf`` where closed, and ``v32`` the
    same in float32; ``small``: rows compared in float32.
    """

    u: np.ndarray
    bar: np.ndarray
    v: np.ndarray
    v32: np.ndarray
    small: np.ndarray
    slack: float


def _bars(certificate: WelfareCertificate, scores: PairScores) -> _Bars:
    u = np.where(certificate.mentee_open, certificate.mentee_potential, np.inf)
    v = np.where(certificate.mentor_open, certificate.mentor_potential, np.inf)[scores.mentors]
    # Only u + v counts. After a coverage-first solve every covered mentee's
    # potential is about -B and every mentor's about +B (B, the coverage
    # bonus, ~1e5 score units at 10,000 members): moved by the mentors' median,
    # both are back near the scores, where float32 can compare them.
    finite = v[np.isfinite(v)]
    shift = float(np.median(finite)) if len(finite) else 0.0
    u_block, v = u + shift, v - shift
    # The block leaves out the text term (at most text_weight): add it as slack.
    slack = scores.policy.text_weight + _FLOAT32_SLACK
    # float32 keeps the pass over the block scores cheap and is exact enough
    # (errors ~1e-4 score units at most, well inside the slack) while scores
    # and potentials stay small. A row with a small potential can never flag a
    # mentor priced above every score plus that bound, so such mentors count
    # as closed there; rows that still carry a coverage bonus (uncovered
    # mentees, after a first solve) are compared in float64.
    limit = _FLOAT32_POTENTIALS
    small = (np.abs(u_block) <= limit) & (certificate.max_benefit <= limit)
    if v.min(initial=np.inf) < -limit:
        small[:] = False
    v32 = np.where(v > 2 * limit + slack, np.inf, v).astype(np.float32)
    return _Bars(u=u, bar=u_block - slack, v=v, v32=v32, small=small, slack=slack)


def _flagged(
    block: AllowedBlock,
    bars: _Bars,
    benefit: sp.csr_matrix,
    positions: np.ndarray,
    *,
    per_mentee: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of a block that pricing must check exactly, as (block row,
    mentor position) arrays: flagged by their block scores, absent from
    ``benefit``, and not crowded out of their row (see :func:`_crowd_cut`)."""
    rows, indptr, cols, score = block
    counts = np.diff(indptr)
    threshold = bars.bar[rows].astype(np.float32)
    reduced = score - bars.v32[cols]
    flagged = reduced > np.repeat(threshold, counts)
    fast = bars.small[rows]
    if not fast.all():
        slow = np.flatnonzero(np.repeat(~fast, counts))
        flagged[slow] = score[slow] - bars.v[cols[slow]] > np.repeat(bars.bar[rows], counts)[slow]
    at = np.flatnonzero(flagged)
    r, c = np.searchsorted(indptr, at, side="right") - 1, cols[at].astype(np.int64)
    stored_r, stored_c = stored_pairs(benefit, rows, positions)
    if len(stored_r):
        width = len(bars.v)
        fresh = ~sorted_member(np.sort(stored_r * width + stored_c), r * width + c)
        at, r, c = at[fresh], r[fresh], c[fresh]
    keep = _crowd_cut(r, reduced[at], threshold, fast, per_mentee=per_mentee, slack=bars.slack)
    if not fast.all():
        # Rows that carry a coverage bonus flag nearly every mentor at first:
        # cut them too, on their float64 values.
        at_slow = np.flatnonzero(~fast[r])
        keep[at_slow] = _crowd_cut(
            r[at_slow],
            score[at[at_slow]] - bars.v[c[at_slow]],
            bars.bar[rows],
            ~fast,
            per_mentee=per_mentee,
            slack=bars.slack,
        )
    return r[keep], c[keep]


def _exactly_improving(
    scores: PairScores,
    certificate: WelfareCertificate,
    bars: _Bars,
    rows: np.ndarray,
    r: np.ndarray,
    c: np.ndarray,
    per_mentee: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The flagged pairs of a block of ``rows`` (block rows ``r`` ascending,
    mentor positions ``c``) that improve the pairing at their exact score,
    at most ``per_mentee`` per mentee, the largest violations first, as
    (mentees, mentors, exact scores).

    Every flagged pair is checked exactly (the text term and float32 can
    reorder them), then each mentee keeps its largest exact violations: a
    shortlist cut before the exact check could hide the one that counts.
    """
    arrays, policy = scores.arrays, scores.policy
    i, j = rows[r], scores.mentors[c]
    price = bars.u[i] + certificate.mentor_potential[j]
    lower = pair_scores(arrays, i, j, policy=policy, text=False)
    # The text term lies in [0, text_weight]. Only pairs that may improve
    # with its largest value, and that per_mentee sure improvements do not
    # all beat, pay for the text similarity.
    sure = certificate.improving(i, j, lower)
    cut = kth_largest(r[sure], lower[sure] - price[sure], per_mentee, len(rows))
    upper = lower + policy.text_weight
    maybe = certificate.improving(i, j, upper) & (upper - price >= cut[r])
    i, j, r, price = i[maybe], j[maybe], r[maybe], price[maybe]
    similarity = scores.text_similarity(rows, i, j)
    exact = pair_scores(arrays, i, j, policy=policy, similarity=similarity)
    better = certificate.improving(i, j, exact)
    i, j, r, exact, excess = i[better], j[better], r[better], exact[better], (exact - price)[better]
    order = np.lexsort((-excess, r))
    keep = rank_in_runs(r[order]) < per_mentee
    return i[order][keep], j[order][keep], exact[order][keep]


def _crowd_cut(
    r: np.ndarray,
    reduced: np.ndarray,
    threshold: np.ndarray,
    cut_rows: np.ndarray,
    *,
    per_mentee: int,
    slack: float,
) -> np.ndarray:
    """Which flagged pairs (block row ``r``, ``reduced`` score, rows
    ascending) pricing must still check exactly; only rows where
    ``cut_rows`` is true are cut.

    Where a row's per_mentee-th best pair already improves by a clear
    margin, pairs more than the slack below it cannot be among its
    per_mentee largest exact violations: they are dropped here, before any
    exact scoring (early passes flag millions of pairs otherwise).
    """
    keep = np.ones(len(r), dtype=bool)
    crowded = (np.bincount(r, minlength=len(threshold)) > per_mentee) & cut_rows
    inside = np.flatnonzero(crowded[r])
    if len(inside) == 0:
        return keep
    if reduced.dtype == np.float32:
        order = np.argsort((r[inside] << 32) | descending_bits(reduced[inside]))
    else:
        order = np.lexsort((-reduced[inside], r[inside]))
    ranked_r, ranked = r[inside][order], reduced[inside][order]
    rank = rank_in_runs(ranked_r)
    kth = np.zeros(len(threshold), dtype=reduced.dtype)
    kth[ranked_r[rank == per_mentee - 1]] = ranked[rank == per_mentee - 1]
    clear = crowded & (kth - (threshold + slack) > 2 * _FLOAT32_SLACK)
    keep[clear[r]] = reduced[clear[r]] >= (kth - slack - _FLOAT32_SLACK)[r[clear[r]]]
    return keep


def prune_pairs(
    benefit: sp.csr_matrix,
    certificate: WelfareCertificate,
    *,
    keep: np.ndarray,
    margin: float,
) -> sp.csr_matrix:
    """``benefit`` without the pairs more than ``margin`` below their mentee's
    and mentor's potentials, except the (mentee, mentor) rows of ``keep``.

    Unused pairs that far from improving leave the pairing optimal and the
    certificate valid, so dropping them changes neither; they only cost
    solver and certificate time. Pricing still checks them like any pair
    outside the candidates, and brings them back if they start to count.

    >>> from matcher.candidates import candidate_matrix
    >>> from matcher.certificate import welfare_certificate
    >>> from matcher.examples import example_arrays
    >>> from matcher.pairing import pair_mentors
    >>> arrays, policy = example_arrays(), ScoringPolicy()
    >>> benefit, caps = candidate_matrix(arrays, policy=policy), arrays.mentor_capacity
    >>> cert = welfare_certificate(pair_mentors(benefit, caps), benefit, caps, max_benefit=1.3)
    >>> none = np.zeros((0, 2), np.int64)
    >>> prune_pairs(benefit, cert, keep=none, margin=0.1).nnz  # fr-ngo -> ke, 0.35 below, goes
    2
    """
    coo = benefit.tocoo()
    row, col = coo.row.astype(np.int64), coo.col.astype(np.int64)
    excess = coo.data - (certificate.mentee_potential[row] + certificate.mentor_potential[col])
    kept = (excess >= -margin) | ~certificate.mentee_open[row] | ~certificate.mentor_open[col]
    n = benefit.shape[1]
    kept |= sorted_member(np.sort(keep[:, 0] * n + keep[:, 1]), row * n + col)
    return sp.csr_matrix((coo.data[kept], (row[kept], col[kept])), shape=benefit.shape)
