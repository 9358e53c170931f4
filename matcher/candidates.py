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

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from matcher.certificate import WelfareCertificate
from matcher.scoring import (
    BlockScorer,
    ScoringPolicy,
    _stored_pairs,
    pair_scores,
    text_similarity,
)
from matcher.vectors import MAX_NEED, NetworkArrays

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
_FLOAT32_SLACK = 1e-3
"""Score units by which a float32 block score may miss the exact one."""
_CHUNKS_PER_SLOT = 8
""":func:`top_k_columns` bars each row at the k-th largest maximum of
``8 * k`` column chunks (when the chunks are at least 2 columns wide)."""
_FLOAT32_POTENTIALS = 256.0
"""Largest |mentee potential| (and score bound) for which pricing compares in
float32; beyond it, float64."""


def top_k_columns(score: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices of the ``k`` largest entries of each row and their
    values, both of shape (rows, k), in no particular order; a value of
    ``-inf`` marks a slot the row could not fill. Ties are broken arbitrarily
    but deterministically, and not by column order.

    >>> score = np.array([[1, 5, 3, 2], [0, -np.inf, -np.inf, -np.inf]], np.float32)
    >>> top, values = top_k_columns(score, 2)
    >>> top.tolist(), values.tolist()  # the second row has one entry to give
    ([[1, 2], [0, 1]], [[5.0, 3.0], [0.0, -inf]])
    """
    n_rows, n_cols = score.shape
    n_chunks = _CHUNKS_PER_SLOT * k
    width = n_cols // n_chunks
    if width < 2:
        top = np.argpartition(-score, k - 1, axis=1)[:, :k]
        return top, np.take_along_axis(score, top, axis=1)
    # The maxima of k different chunks are k different entries, so the k-th
    # largest chunk maximum is at most the row's k-th largest entry: the top k
    # are among the few entries at or above it. One reduction pass instead of
    # partitioning whole rows.
    chunk_max = score[:, : width * n_chunks].reshape(n_rows, n_chunks, width).max(axis=2)
    if width * n_chunks < n_cols:
        rest = score[:, width * n_chunks :].max(axis=1, keepdims=True)
        chunk_max = np.concatenate([chunk_max, rest], axis=1)
    bar = -np.partition(-chunk_max, k - 1, axis=1)[:, k - 1]
    bar = np.maximum(bar, np.finfo(score.dtype).min)
    r, c = _nonzero(score >= bar[:, None])
    values = score[r, c]
    # Ties (scores take few distinct values) go to a per-row scrambled column
    # order: always to the lowest index would pile every row onto the same
    # few mentors and leave others unreachable.
    scrambled = (c * 0x9E3779B1 + r * 0x85EBCA77) & 0xFFFFFFFF
    if n_rows < 1 << 11:
        # One int64 key (row, value descending, 20 scrambled bits) sorts
        # faster than a three-key lexsort.
        key = (r << 52) | (_descending_bits(values) << 20) | (scrambled >> 12)
        order = np.argsort(key, kind="stable")
    else:
        order = np.lexsort((scrambled, -values, r))
    r, c, values = r[order], c[order], values[order]
    rank = rank_in_runs(r)
    kept = rank < k
    top = np.zeros((n_rows, k), dtype=np.int64)
    best = np.full((n_rows, k), -np.inf, dtype=score.dtype)
    top[r[kept], rank[kept]] = c[kept]
    best[r[kept], rank[kept]] = values[kept]
    return top, best


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

    >>> from matcher.certificate import welfare_certificate
    >>> from matcher.pairing import pair_mentors
    >>> from matcher.examples import example_arrays
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
    stored_r, stored_c = _stored_pairs(benefit, rows, positions)
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
    cut = _kth_largest(r[sure], lower[sure] - price[sure], per_mentee, len(rows))
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
        order = np.argsort((r[inside] << 32) | _descending_bits(reduced[inside]))
    else:
        order = np.lexsort((-reduced[inside], r[inside]))
    ranked_r, ranked = r[inside][order], reduced[inside][order]
    rank = rank_in_runs(ranked_r)
    kth = np.zeros(len(threshold), dtype=reduced.dtype)
    kth[ranked_r[rank == per_mentee - 1]] = ranked[rank == per_mentee - 1]
    clear = crowded & (kth - (threshold + slack) > 2 * _FLOAT32_SLACK)
    keep[clear[r]] = reduced[clear[r]] >= (kth - slack - _FLOAT32_SLACK)[r[clear[r]]]
    return keep


def _descending_bits(values: np.ndarray) -> np.ndarray:
    """32-bit int64 keys that sort finite float32 ``values`` largest first."""
    bits = values.view(np.uint32).astype(np.int64)
    ascending = np.where(bits & 0x80000000, bits ^ 0xFFFFFFFF, bits | 0x80000000)
    return 0xFFFFFFFF - ascending


def _best_in_block(
    score: np.ndarray, rows: np.ndarray, cols: np.ndarray, k: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """(mentees, mentors) of each row's ``k`` best allowed pairs in a block
    of scores over ``rows × cols`` (every allowed pair when ``k`` is None or
    not below the number of columns)."""
    if k is not None and k < len(cols):
        top, values = top_k_columns(score, k)
        r, c = _nonzero(np.isfinite(values))
        return rows[r], cols[top[r, c]]
    r, c = _nonzero(np.isfinite(score))
    return rows[r], cols[c]


def rank_in_runs(keys: np.ndarray) -> np.ndarray:
    """Each element's position within its run of equal ``keys`` (sorted).

    >>> rank_in_runs(np.array([3, 3, 5, 7, 7, 7])).tolist()
    [0, 1, 0, 0, 1, 2]
    """
    return np.arange(len(keys)) - np.searchsorted(keys, keys, side="left")


def sorted_member(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is in ``sorted_keys`` (ascending): one binary
    search each, where np.isin hashes both (slower on these sizes).

    >>> sorted_member(np.array([2, 5, 9]), np.array([5, 6, 9, 0])).tolist()
    [True, False, True, False]
    """
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def _nonzero(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-D C-contiguous mask, through the flat indices
    (faster than ``np.nonzero`` on 2-D masks)."""
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


def _kth_largest(groups: np.ndarray, values: np.ndarray, k: int, n_groups: int) -> np.ndarray:
    """Per group in ``range(n_groups)``, its ``k``-th largest value (``-inf``
    when it has fewer than ``k``)."""
    out = np.full(n_groups, -np.inf)
    order = np.lexsort((-values, groups))
    groups, values = groups[order], values[order]
    rank = rank_in_runs(groups)
    out[groups[rank == k - 1]] = values[rank == k - 1]
    return out


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
