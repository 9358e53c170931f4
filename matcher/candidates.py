"""The candidate graph of a round: which (mentee, mentor) pairs the pairing
sees, and the pricing that proves the pairs left out could not do better.

Every allowed pair is a candidate while the network is small. Beyond that each
mentee starts with its best mentors, and :func:`price_pairs` then scans every
allowed pair against the dual potentials of the pairing found
(:func:`matcher.pairing.welfare_certificate`): pairs that could improve it are
added and the pairing solved again, until none is left — column generation, so
the round stays provably optimal over all allowed pairs.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from matcher.pairing import WelfareCertificate
from matcher.scoring import BlockScorer, ScoringPolicy, _stored_pairs, pair_scores
from matcher.vectors import MAX_NEED, NetworkArrays

BLOCK_ELEMENTS = 1 << 22
"""Dense work area of one block, in float32 elements (16 MiB): bounds memory."""
CACHE_ELEMENTS = 1 << 27
"""Block scores of up to this many pairs (512 MiB of float32) stay in memory,
which makes each pricing pass cheap; beyond it a round keeps its first
candidates and reports optimality over them only."""
_FLOAT32_SLACK = 1e-3
"""Score units by which a float32 block score may miss the exact one."""


def top_k_columns(score: np.ndarray, k: int, *, chunk: int = 16) -> np.ndarray:
    """Column indices of the ``k`` largest entries of each row, shape (rows, k).

    The top ``k`` of a row lie in the ``k`` column chunks with the largest
    maxima, so only those chunks are partitioned: ~4x faster than
    ``argpartition`` over whole rows. Ties are broken arbitrarily but
    deterministically.
    """
    n_rows, n_cols = score.shape
    if n_cols <= k * chunk:
        return np.argpartition(-score, k - 1, axis=1)[:, :k]
    n_chunks = -(-n_cols // chunk)
    padded = np.full((n_rows, n_chunks * chunk), -np.inf, dtype=score.dtype)
    padded[:, :n_cols] = score
    chunks = padded.reshape(n_rows, n_chunks, chunk)
    best_chunks = np.argpartition(-chunks.max(axis=2), k - 1, axis=1)[:, :k]
    candidates = (best_chunks[:, :, None] * chunk + np.arange(chunk)).reshape(n_rows, -1)
    values = np.take_along_axis(padded, candidates, axis=1)
    best = np.argpartition(-values, k - 1, axis=1)[:, :k]
    return np.take_along_axis(candidates, best, axis=1)


class PairScores:
    """Float32 block scores of every (wanting mentee × open mentor) pair, for
    ranking and pricing; kept in memory when they fit in ``cache_elements``.

    ``mentees`` are the members with needs and mentee capacity, ``mentors``
    those with mentor capacity. Iterating gives ``(rows, score)`` blocks:
    ``rows`` member indices, ``score`` of shape (len(rows), len(mentors)) with
    ``-inf`` for pairs that are not allowed. Cached blocks are read-only views.
    """

    def __init__(
        self,
        arrays: NetworkArrays,
        *,
        policy: ScoringPolicy,
        cache_elements: int | None = None,
        block_elements: int = BLOCK_ELEMENTS,
    ) -> None:
        self.arrays, self.policy = arrays, policy
        self.mentees = np.flatnonzero((arrays.needs > 0).any(axis=1) & (arrays.mentee_capacity > 0))
        self.mentors = np.flatnonzero(arrays.mentor_capacity > 0)
        self._scorer = BlockScorer(arrays, policy=policy)
        self._step = max(1, block_elements // max(1, len(self.mentors)))
        size = len(self.mentees) * len(self.mentors)
        if cache_elements is None:
            cache_elements = CACHE_ELEMENTS
        self._cache = (
            np.empty((len(self.mentees), len(self.mentors)), np.float32)
            if (size <= cache_elements)
            else None
        )
        self._filled = False

    @property
    def cached(self) -> bool:
        """Whether the scores are held in memory (so pricing costs one pass)."""
        return self._cache is not None

    def __iter__(self):
        for start in range(0, len(self.mentees), self._step):
            rows = self.mentees[start : start + self._step]
            if self._filled:
                block = self._cache[start : start + len(rows)]
                yield rows, block
                continue
            score, _, _ = self._scorer.block(rows, self.mentors)
            if self._cache is not None:
                self._cache[start : start + len(rows)] = score
            yield rows, score
        self._filled = self._cache is not None


def candidate_matrix(
    arrays: NetworkArrays,
    *,
    policy: ScoringPolicy,
    max_candidates: int | None = None,
    include: tuple[tuple[int, int], ...] = (),
    scores: PairScores | None = None,
) -> sp.csr_matrix:
    """The allowed (mentee, mentor) pairs and their exact scores.

    Returns an (n, n) CSR float64 matrix: row = mentee, column = mentor, a
    stored entry = an allowed pair (a stored 0 is allowed, score 0). With
    ``max_candidates=k`` only each mentee's ``k`` best mentors are kept
    (ranked without the text term, which is added afterwards); ``None`` keeps
    every allowed pair. ``include`` lists (mentee, mentor) pairs kept whatever
    their rank (locked pairs; they must be allowed). Pass ``scores`` to reuse
    (and fill) a :class:`PairScores` cache.
    """
    n = arrays.n
    scores = scores if scores is not None else PairScores(arrays, policy=policy, cache_elements=0)
    mentors = scores.mentors
    found_rows = [np.zeros(0, dtype=np.int64)]
    found_cols = [np.zeros(0, dtype=np.int64)]
    for rows, score in scores:
        if max_candidates is not None and max_candidates < len(mentors):
            top = top_k_columns(score, max_candidates)
            keep = np.isfinite(np.take_along_axis(score, top, axis=1))
            r, c = np.nonzero(keep)
            found_rows.append(rows[r])
            found_cols.append(mentors[top[r, c]])
        else:
            r, c = np.nonzero(np.isfinite(score))
            found_rows.append(rows[r])
            found_cols.append(mentors[c])
    i, j = np.concatenate(found_rows), np.concatenate(found_cols)
    if include:
        extra = np.array(include, dtype=np.int64).reshape(-1, 2)
        missing = ~np.isin(extra[:, 0] * n + extra[:, 1], i * n + j)
        i, j = np.concatenate([i, extra[missing, 0]]), np.concatenate([j, extra[missing, 1]])
    values = pair_scores(arrays, i, j, policy=policy)
    return sp.coo_matrix((values, (i, j)), shape=(n, n)).tocsr()


def score_bound(arrays: NetworkArrays, *, policy: ScoringPolicy) -> float:
    """An upper bound on |score| of any pair of the network."""
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
) -> tuple[np.ndarray, np.ndarray]:
    """Allowed pairs absent from ``benefit`` that could improve its welfare
    pairing, at most ``per_mentee`` per mentee (the most promising first).

    Returns aligned (mentees, mentors) index arrays; empty arrays prove the
    pairing optimal over every allowed pair (up to the certificate's grid).
    """
    arrays, policy, mentors = scores.arrays, scores.policy, scores.mentors
    # Closed mentees and mentors (no room, or no way to pass flow) get an
    # infinite threshold: nothing through them can improve the pairing.
    u = np.where(certificate.mentee_open, certificate.mentee_potential, np.inf)
    v = np.where(certificate.mentor_open, certificate.mentor_potential, np.inf)[mentors]
    # The block leaves out the text term (at most text_weight): add it as slack.
    slack = np.float32(policy.text_weight + _FLOAT32_SLACK)
    pos = np.full(arrays.n, -1, dtype=np.int64)
    pos[mentors] = np.arange(len(mentors))
    found_i, found_j = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for rows, score in scores:
        gap = score - (u[rows][:, None] + v[None, :]).astype(np.float32)
        r, c = _stored_pairs(benefit, rows, pos)
        gap[r, c] = -np.inf
        r, c = np.nonzero(gap > -slack)
        if len(r) == 0:
            continue
        # Every flagged pair is checked exactly (the text term and float32 can
        # reorder them), then each mentee keeps its largest exact violations:
        # a shortlist cut before the exact check could hide the one that counts.
        i, j = rows[r], mentors[c]
        exact = pair_scores(arrays, i, j, policy=policy)
        better = certificate.improving(i, j, exact)
        i, j, r = i[better], j[better], r[better]
        excess = exact[better] - (u[i] + certificate.mentor_potential[j])
        order = np.lexsort((-excess, r))
        i, j, r = i[order], j[order], r[order]
        keep = (np.arange(len(r)) - np.searchsorted(r, r, side="left")) < per_mentee
        found_i.append(i[keep])
        found_j.append(j[keep])
    return np.concatenate(found_i), np.concatenate(found_j)


def add_pairs(
    arrays: NetworkArrays,
    benefit: sp.csr_matrix,
    mentees: np.ndarray,
    mentors: np.ndarray,
    *,
    policy: ScoringPolicy,
) -> sp.csr_matrix:
    """``benefit`` with new, absent allowed pairs stored at their exact score."""
    extra = sp.coo_matrix(
        (pair_scores(arrays, mentees, mentors, policy=policy), (mentees, mentors)),
        shape=benefit.shape,
    )
    coo = benefit.tocoo()
    return sp.coo_matrix(
        (
            np.concatenate([coo.data, extra.data]),
            (np.concatenate([coo.row, extra.row]), np.concatenate([coo.col, extra.col])),
        ),
        shape=benefit.shape,
    ).tocsr()
