"""The candidate graph of a round: which (mentee, mentor) pairs the pairing
sees, and the pricing that proves the pairs left out could not do better.

Every allowed pair is a candidate while the network is small. Beyond that each
mentee starts with its best mentors, and :func:`price_pairs` (in
:mod:`matcher.pricing`, importable from here) then scans every
allowed pair against the dual potentials of the pairing found
(:func:`matcher.pairing.welfare_certificate`): pairs that could improve it are
added and the pairing solved again, until none is left — column generation, so
the round stays provably optimal over all allowed pairs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from matcher.blocks import BlockScorer
from matcher.pricing import price_pairs, prune_pairs, score_bound
from matcher.ranking import nonzero_2d, rank_in_runs, sorted_member, top_k_columns
from matcher.terms import ScoringPolicy, pair_scores, text_similarity
from matcher.vectors import NetworkArrays

__all__ = [
    "BLOCK_ELEMENTS",
    "CACHE_BYTES",
    "CACHE_ELEMENTS",
    "AllowedBlock",
    "PairScores",
    "add_pairs",
    "candidate_matrix",
    "price_pairs",
    "prune_pairs",
    "rank_in_runs",
    "score_bound",
    "sorted_member",
    "top_k_columns",
]

BLOCK_ELEMENTS = 1 << 22
"""Dense work area of one block, in float32 elements (16 MiB): bounds memory."""


CACHE_ELEMENTS = 600_000_000
"""Up to this many (mentee × mentor) pairs (about 28,000 members in the
generated networks), the allowed pairs' block scores stay in memory, which
makes each pricing pass cheap and the round provable; beyond it a round keeps
its first candidates and reports optimality over them only. The bound is
where proving the round still fits the time and memory targets (figures:
bench/RESULTS.md, "Why the engine's shortcuts")."""


CACHE_BYTES = 1 << 30
"""The cache is dropped (the round then cannot price) if the allowed pairs
take more than this: 8 bytes each, 0.8 GiB at CACHE_ELEMENTS with 17 %
of pairs allowed, but a network where most pairs are allowed would need
several times that."""


class AllowedBlock(NamedTuple):
    """The allowed pairs of a block of mentee ``rows``, row by row (CSR):
    row ``r``'s are ``cols[indptr[r]:indptr[r + 1]]`` (positions in
    :attr:`PairScores.mentors`, ascending) with float32 ``score`` s.

    >>> from matcher.examples import example_arrays
    >>> scores = PairScores(example_arrays(), policy=ScoringPolicy())
    >>> block = next(scores.allowed_blocks())
    >>> block.rows.tolist(), block.indptr.tolist(), block.cols.tolist()
    ([2, 1, 3], [0, 0, 2, 3], [0, 1, 2])
    """

    rows: np.ndarray
    indptr: np.ndarray
    cols: np.ndarray
    score: np.ndarray


def _allowed_block(rows: np.ndarray, score: np.ndarray) -> AllowedBlock:
    flat = np.flatnonzero(score > -np.inf)
    r, c = np.divmod(flat, score.shape[1])
    indptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(np.bincount(r, minlength=len(rows)), out=indptr[1:])
    return AllowedBlock(rows, indptr, c.astype(np.int32), score.ravel()[flat])


class PairScores:
    """Float32 block scores of every (wanting mentee × open mentor) pair, for
    ranking and pricing; the allowed ones are kept in memory when the
    (mentees × mentors) grid has at most ``cache_elements`` pairs.

    ``mentees`` are the members with needs and mentee capacity (in the
    scorer's group order, which scores fastest), ``mentors`` those with mentor
    capacity. Iterating gives dense ``(rows, score)`` blocks, scored afresh:
    ``rows`` member indices, ``score`` of shape (len(rows), len(mentors)) with
    ``-inf`` for pairs that are not allowed; blocks share one buffer, so each
    is valid until the next. The first whole pass also fills the cache, which
    :meth:`allowed_blocks` then reads.

    >>> from matcher.examples import example_arrays
    >>> scores = PairScores(example_arrays(), policy=ScoringPolicy())
    >>> scores.mentees.tolist(), scores.mentors.tolist()  # member indices, scoring order
    ([2, 1, 3], [0, 3, 1, 2])
    >>> for rows, score in scores:
    ...     print(rows.tolist(), score.astype(float).round(2).tolist())
    [2, 1, 3] [[-inf, -inf, -inf, -inf], [0.85, 1.2, -inf, -inf], [-inf, -inf, 0.87, -inf]]
    >>> scores.allowed.tolist()  # allowed mentors per member, counted by that pass
    [0, 2, 0, 1]
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
        self._scorer = BlockScorer(arrays, policy=policy)
        self.mentees = self._scorer.group_order(np.flatnonzero(arrays.wanting))
        self.mentors = self._scorer.column_order(np.flatnonzero(arrays.mentor_capacity > 0))
        self._columns = self._scorer.columns(self.mentors)
        self._step = max(1, block_elements // max(1, len(self.mentors)))
        size = len(self.mentees) * len(self.mentors)
        if cache_elements is None:
            cache_elements = CACHE_ELEMENTS
        # Only the allowed pairs are kept (17 % of the grid at 10,000 members),
        # row by row like CSR: a pricing pass reads a third of the bytes a
        # dense cache would hold, and no large array is faulted in.
        self._blocks: list[AllowedBlock] | None = [] if size <= cache_elements else None
        self._buffer = None
        self._filled = False
        self._text: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.allowed = np.zeros(arrays.n, dtype=np.int64)
        """Allowed mentors per member, counted by the first pass over the blocks."""

    def text_similarity(
        self, rows: np.ndarray, mentees: np.ndarray, mentors: np.ndarray
    ) -> np.ndarray:
        """:func:`~matcher.scoring.text_similarity` of aligned pairs from the
        block of ``rows``, each pair computed once: successive pricing passes
        check many of the same near-tight pairs (40 % of them at 10,000
        members). Kept per block, so each merge stays small.

        >>> from matcher.examples import example_arrays
        >>> scores = PairScores(example_arrays(), policy=ScoringPolicy())
        >>> scores.text_similarity(scores.mentees, np.array([1]), np.array([3])).tolist()
        [0.0]
        """
        keys = mentees * self.arrays.n + mentors
        empty = (np.zeros(0, np.int64), np.zeros(0))
        known_keys, known_values = self._text.get(int(rows[0]), empty)
        known = sorted_member(known_keys, keys)
        out = np.empty(len(keys))
        out[known] = known_values[np.searchsorted(known_keys, keys[known])]
        new = ~known
        out[new] = text_similarity(self.arrays, mentees[new], mentors[new])
        merged = np.concatenate([known_keys, keys[new]])
        order = np.argsort(merged, kind="stable")
        values = np.concatenate([known_values, out[new]])
        self._text[int(rows[0])] = (merged[order], values[order])
        return out

    def best_pairs(
        self, rows: np.ndarray, cols: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each mentee of ``rows``' ``k`` best allowed mentors among ``cols``,
        as aligned (mentees, mentors) index arrays, scored block by block.
        ``rows`` and ``cols`` are subsets of :attr:`mentees` and
        :attr:`mentors` in their order (which scores fastest).

        >>> from matcher.examples import example_arrays
        >>> scores = PairScores(example_arrays(), policy=ScoringPolicy())
        >>> i, j = scores.best_pairs(scores.mentees, scores.mentors, 1)
        >>> i.tolist(), j.tolist()  # ke-coalition's best is sn-coalition, and back
        ([1, 3], [3, 1])
        """
        columns = self._scorer.columns(cols)
        step = max(1, BLOCK_ELEMENTS // max(1, len(cols)))
        found_i, found_j = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for start in range(0, len(rows), step):
            block = rows[start : start + step]
            score = self._scorer.allowed_scores(block, columns)
            i, j = _best_in_block(score, block, cols, k)
            found_i.append(i)
            found_j.append(j)
        return np.concatenate(found_i), np.concatenate(found_j)

    @property
    def positions(self) -> np.ndarray:
        """Member index -> its position in :attr:`mentors` (-1 if not one).

        >>> from matcher.examples import example_arrays
        >>> PairScores(example_arrays(), policy=ScoringPolicy()).positions.tolist()
        [0, 2, 3, 1]
        """
        return self._columns.position

    @property
    def cached(self) -> bool:
        """Whether the scores are held in memory (so pricing costs one pass).

        >>> from matcher.examples import example_arrays
        >>> arrays, policy = example_arrays(), ScoringPolicy()
        >>> PairScores(arrays, policy=policy).cached, PairScores(arrays, policy=policy,
        ...                                                      cache_elements=0).cached
        (True, False)
        """
        return self._blocks is not None

    def __iter__(self):
        filling = self._blocks is not None and not self._filled
        held = 0
        if filling:
            self._blocks.clear()
        if self._buffer is None:
            self._buffer = np.empty(
                (min(self._step, len(self.mentees)), len(self.mentors)), np.float32
            )
        for start in range(0, len(self.mentees), self._step):
            rows = self.mentees[start : start + self._step]
            allowed = np.empty(len(rows), np.int64)
            score = self._scorer.allowed_scores(
                rows, self._columns, out=self._buffer[: len(rows)], allowed=allowed
            )
            self.allowed[rows] = allowed
            if filling:
                self._blocks.append(_allowed_block(rows, score))
                held += self._blocks[-1].score.nbytes + self._blocks[-1].cols.nbytes
                if held > CACHE_BYTES:
                    self._blocks = None
                    filling = False
            yield rows, score
        self._filled = filling or self._filled

    def allowed_blocks(self):
        """The blocks' allowed pairs, as :class:`AllowedBlock` s: from the
        cache (filled first if need be), or scored afresh when uncached.

        >>> from matcher.examples import example_arrays
        >>> scores = PairScores(example_arrays(), policy=ScoringPolicy())
        >>> [block.score.astype(float).round(2).tolist() for block in scores.allowed_blocks()]
        [[0.85, 1.2, 0.87]]
        """
        if self._blocks is not None and not self._filled:
            for _ in self:  # fills the cache, or drops it if over budget
                pass
        if self._blocks is None:
            for rows, score in self:
                yield _allowed_block(rows, score)
            return
        yield from self._blocks


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

    >>> from matcher.examples import example_arrays
    >>> arrays, policy = example_arrays(), ScoringPolicy()
    >>> candidate_matrix(arrays, policy=policy).toarray().round(2).tolist()
    [[0.0, 0.0, 0.0, 0.0], [0.85, 0.0, 0.0, 1.2], [0.0, 0.0, 0.0, 0.0], [0.0, 0.87, 0.0, 0.0]]
    >>> candidate_matrix(arrays, policy=policy, max_candidates=1).nnz  # ke keeps sn only
    2
    """
    n = arrays.n
    scores = scores if scores is not None else PairScores(arrays, policy=policy, cache_elements=0)
    mentors = scores.mentors
    found_rows = [np.zeros(0, dtype=np.int64)]
    found_cols = [np.zeros(0, dtype=np.int64)]
    for rows, score in scores:
        i, j = _best_in_block(score, rows, mentors, max_candidates)
        found_rows.append(i)
        found_cols.append(j)
    i, j = np.concatenate(found_rows), np.concatenate(found_cols)
    if include:
        extra = np.array(include, dtype=np.int64).reshape(-1, 2)
        # Looking the few extra pairs up in the many found ones, not the reverse,
        # avoids sorting the found ones.
        wanted = extra[:, 0] * n + extra[:, 1]
        found = i * n + j
        present = np.sort(found[sorted_member(np.sort(wanted), found)])
        missing = ~sorted_member(present, wanted)
        i, j = np.concatenate([i, extra[missing, 0]]), np.concatenate([j, extra[missing, 1]])
    values = pair_scores(arrays, i, j, policy=policy)
    return sp.coo_matrix((values, (i, j)), shape=(n, n)).tocsr()


def add_pairs(
    arrays: NetworkArrays,
    benefit: sp.csr_matrix,
    mentees: np.ndarray,
    mentors: np.ndarray,
    *,
    policy: ScoringPolicy,
    scores: np.ndarray | None = None,
) -> sp.csr_matrix:
    """``benefit`` with new, absent allowed pairs stored at their exact score
    (``scores``, if :func:`price_pairs` computed them already).

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()
    >>> benefit = add_pairs(arrays, sp.csr_matrix((4, 4)), [1], [3], policy=ScoringPolicy())
    >>> benefit.nnz, float(benefit[1, 3])
    (1, 1.2)
    """
    if scores is None:
        scores = pair_scores(arrays, mentees, mentors, policy=policy)
    extra = sp.coo_matrix((scores, (mentees, mentors)), shape=benefit.shape)
    coo = benefit.tocoo()
    return sp.coo_matrix(
        (
            np.concatenate([coo.data, extra.data]),
            (np.concatenate([coo.row, extra.row]), np.concatenate([coo.col, extra.col])),
        ),
        shape=benefit.shape,
    ).tocsr()


def _best_in_block(
    score: np.ndarray, rows: np.ndarray, cols: np.ndarray, k: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """(mentees, mentors) of each row's ``k`` best allowed pairs in a block
    of scores over ``rows × cols`` (every allowed pair when ``k`` is None or
    not below the number of columns)."""
    if k is not None and k < len(cols):
        top, values = top_k_columns(score, k)
        r, c = nonzero_2d(np.isfinite(values))
        return rows[r], cols[top[r, c]]
    r, c = nonzero_2d(np.isfinite(score))
    return rows[r], cols[c]
