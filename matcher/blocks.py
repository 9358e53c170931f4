"""Scoring blocks of (mentee × mentor) pairs at once, with matrix products.

:class:`BlockScorer` gives float32 scores of whole blocks, for ranking
mentors, counting allowed pairs and pricing; exact float64 scores of the pairs
kept come from :func:`matcher.terms.pair_scores`. Also importable from
:mod:`matcher.scoring`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from matcher.geo import REGIONS
from matcher.terms import THEME_SCALE, ScoringPolicy, side_terms
from matcher.vectors import MAX_EXPERTISE, NetworkArrays, distinct_rows

__all__ = ["BlockScorer", "Columns", "stored_pairs"]


@dataclass(frozen=True, eq=False)
class Columns:
    """Mentor columns prepared for :meth:`BlockScorer.allowed_scores`.

    ``spans[s]`` are the (start, stop) column ranges that hold every mentor
    sharing a language with language set ``s`` (filled on first use).

    >>> from matcher.examples import example_arrays
    >>> scorer = BlockScorer(example_arrays(), policy=ScoringPolicy())
    >>> columns = scorer.columns(scorer.column_order(np.arange(4)))
    >>> columns.cols.tolist(), columns.position.tolist()  # mentor order, member -> column
    ([0, 3, 1, 2], [0, 2, 3, 1])
    """

    cols: np.ndarray
    position: np.ndarray
    mentor_side: np.ndarray
    levels: np.ndarray
    soft: np.ndarray
    closed: np.ndarray
    shares: np.ndarray
    spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def spans_of(self, lang_set: int) -> list[tuple[int, int]]:
        """The column ranges of the mentors sharing a language with
        ``lang_set``.

        >>> from matcher.examples import example_arrays
        >>> scorer = BlockScorer(example_arrays(), policy=ScoringPolicy())
        >>> columns = scorer.columns(scorer.column_order(np.arange(4)))
        >>> columns.spans_of(0)  # set 0 is Spanish alone (sets are ordered by their bits)
        [(3, 4)]
        """
        if lang_set not in self.spans:
            self.spans[lang_set] = _spans(self.shares[lang_set])
        return self.spans[lang_set]


_SPAN_GAP = 512
"""Runs of compatible columns closer than this are scored as one span: a few
wasted pairs cost less than another small matrix product."""


def _spans(compatible: np.ndarray) -> list[tuple[int, int]]:
    """Column ranges covering the ``True`` entries of ``compatible``."""
    edges = np.flatnonzero(np.diff(compatible.astype(np.int8), prepend=0, append=0))
    starts, stops = edges[::2], edges[1::2]
    if len(starts) == 0:
        return []
    keep = np.flatnonzero(starts[1:] - stops[:-1] >= _SPAN_GAP)
    starts = np.concatenate([starts[:1], starts[1:][keep]])
    stops = np.concatenate([stops[:-1][keep], stops[-1:]])
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


class BlockScorer:
    """Scores blocks of (mentee rows × mentor columns) with matrix products.

    The theme part is exact: with level indicators ``need[i,t]/12·[l > exp[i,t]]``
    on the mentee side and ``[exp[j,t] >= l]`` on the mentor side (l = 1..4),
    their product summed over (t, l) is ``need/12 · max(0, exp_j - exp_i)``.
    Values are float32, for ranking; exact float64 scores come from
    :func:`pair_scores`.

    >>> from matcher.examples import example_arrays
    >>> scorer = BlockScorer(example_arrays(), policy=ScoringPolicy())
    >>> score, theme, shares = scorer.block(np.array([1]), np.arange(4))  # ke's mentors
    >>> score.astype(float).round(2).tolist()  # fr-ngo 0.85, sn-coalition 1.2, others not allowed
    [[0.85, -inf, -inf, 1.2]]
    """

    def __init__(self, arrays: NetworkArrays, *, policy: ScoringPolicy) -> None:
        self.arrays, self.policy = arrays, policy
        scale = np.float32(policy.theme_weight * THEME_SCALE)
        # block(): the level indicators of the class docstring.
        self._mentee_side = _need_levels(arrays.needs, arrays.expertise, scale, np.greater)
        levels = np.arange(1, MAX_EXPERTISE + 1, dtype=np.int8)
        self._mentor_side = np.ascontiguousarray(
            (arrays.expertise[:, :, None] >= levels)
            .reshape(arrays.n, levels.size * len(arrays.themes))
            .astype(np.float32)
        )
        # allowed_scores(): a mentee's theme term is need/12 * max(0, exp_j -
        # exp_i) per theme, = need/12 * exp_j - need/12 * min(exp_i, exp_j).
        # The first part is one product over the themes, 4x smaller than over
        # (theme, level); the second is zero for the 99% of mentees at level 0
        # on all their needs, and a few (theme, level) indicators for the others.
        self._need_side = arrays.needs * scale
        knows = ((arrays.needs > 0) & (arrays.expertise > 0)).any(axis=1)
        self._known_row = np.where(knows, np.cumsum(knows) - 1, -1)
        self._known_side = _need_levels(
            arrays.needs[knows], arrays.expertise[knows], scale, np.less_equal
        )
        # Language sharing and the region / North-South terms depend only on a
        # member's (language set, region, side): one small group-by-group table
        # of them, gathered per block, replaces two matrix products and a mask.
        first_of_set, self._lang_set = distinct_rows(arrays.speaks)
        as_float = arrays.speaks[first_of_set].astype(np.float32)
        self._sets_share = (as_float @ as_float.T) > 0
        self._group, self._group_table = _group_table(arrays, policy, self._lang_set)

    def group_order(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` reordered so that members sharing a (languages, region,
        side) group are adjacent, which :meth:`allowed_scores` is fastest on.

        >>> from matcher.examples import example_arrays
        >>> scorer = BlockScorer(example_arrays(), policy=ScoringPolicy())
        >>> scorer.group_order(np.array([0, 1, 2, 3])).tolist()
        [2, 1, 3, 0]
        """
        return rows[np.argsort(self._group[rows], kind="stable")]

    def column_order(self, cols: np.ndarray) -> np.ndarray:
        """``cols`` reordered so that the speakers of each language form few
        runs (the most spoken language one run, the next two, ...): then
        :meth:`allowed_scores` only scores the spans of mentors a block of
        mentees shares a language with.

        >>> from matcher.examples import example_arrays
        >>> scorer = BlockScorer(example_arrays(), policy=ScoringPolicy())
        >>> scorer.column_order(np.array([0, 1, 2, 3])).tolist()  # English speakers first
        [0, 3, 1, 2]
        """
        speaks = self.arrays.speaks[cols]
        if speaks.shape[1] == 0:  # an empty network: no language at all
            return cols
        by_use = np.argsort(-speaks.sum(axis=0), kind="stable")
        return cols[np.lexsort([~speaks[:, lang] for lang in by_use[::-1]])]

    def columns(self, cols: np.ndarray) -> Columns:
        """The column side of :meth:`allowed_scores` for mentors ``cols``,
        gathered once and reused by every block of rows.

        >>> from matcher.examples import example_arrays
        >>> scorer = BlockScorer(example_arrays(), policy=ScoringPolicy())
        >>> scorer.columns(np.array([0, 3])).closed.tolist()  # both have mentor capacity
        []
        """
        position = np.full(self.arrays.n, -1, dtype=np.int64)
        position[cols] = np.arange(len(cols))
        return Columns(
            cols=cols,
            position=position,
            mentor_side=np.ascontiguousarray(self._mentor_side[cols].T),
            levels=np.ascontiguousarray(self.arrays.expertise[cols].T.astype(np.float32)),
            # The 1 that allowed_scores takes from every theme term.
            soft=np.ascontiguousarray(self._group_table[:, self._group[cols]] + np.float32(1)),
            closed=np.flatnonzero(self.arrays.mentor_capacity[cols] == 0),
            shares=self._sets_share[:, self._lang_set[cols]],
        )

    def allowed_scores(
        self,
        rows: np.ndarray,
        columns: Columns,
        *,
        out: np.ndarray | None = None,
        allowed: np.ndarray | None = None,
    ) -> np.ndarray:
        """``block(rows, columns.cols)[0]``, written into ``out`` if given;
        ``allowed``, if given, receives each row's number of allowed pairs.

        Rows sharing a language set (see :meth:`group_order`) are scored
        only over the spans of columns that share one of their languages
        (:meth:`column_order` keeps those few); the rest is ``-inf``. Within a
        span: one matrix product, then one broadcast row of soft terms per run
        of rows in the same group instead of a gather of the whole block.

        >>> from matcher.examples import example_arrays
        >>> scorer = BlockScorer(example_arrays(), policy=ScoringPolicy())
        >>> columns = scorer.columns(np.array([0, 3, 1]))  # fr-ngo, sn, ke as mentors
        >>> allowed = np.zeros(2, np.int64)
        >>> score = scorer.allowed_scores(np.array([1, 3]), columns, allowed=allowed)
        >>> score.astype(float).round(2).tolist()  # float32: 0.8500000238418579
        [[0.85, 1.2, -inf], [-inf, -inf, 0.87]]
        >>> allowed.tolist()
        [2, 1]
        """
        a = self.arrays
        shape = (len(rows), len(columns.cols))
        score = out if out is not None else np.empty(shape, np.float32)
        group, lang = self._group[rows], self._lang_set[rows]
        counts = np.zeros(len(rows), np.int64)
        for r0, r1 in _runs(lang):
            found = columns.spans_of(int(lang[r0]))
            if found != [(0, shape[1])]:
                score[r0:r1] = -np.inf
            needs = self._need_side[rows[r0:r1]]
            known = self._known_row[rows[r0:r1]]
            knows = np.flatnonzero(known >= 0)
            if len(knows):
                overlap = self._known_side[known[knows]]
                dims = np.flatnonzero(overlap.any(axis=0))
                overlap = overlap[:, dims]
            for c0, c1 in found:
                whole = (c0, c1) == (0, shape[1])
                part = np.matmul(
                    needs, columns.levels[:, c0:c1], out=score[r0:r1] if whole else None
                )
                if len(knows):
                    part[knows] -= overlap @ columns.mentor_side[dims, c0:c1]
                # A pair without a theme term becomes -inf: 1 / [theme > 0] is 1
                # or inf, subtracted, and the 1 given back with the soft terms.
                # Branch-free: faster than a masked assignment or a lookup.
                ones = np.greater(part, np.float32(1e-6), out=np.empty_like(part))
                with np.errstate(divide="ignore"):
                    part -= np.reciprocal(ones, out=ones)
                for g0, g1 in _runs(group[r0:r1]):
                    part[g0:g1] += columns.soft[group[r0 + g0], c0:c1]
                # Counted while the span is in cache; _pair_terms corrects it.
                counts[r0:r1] += np.count_nonzero(part > -np.inf, axis=1)
                if not whole:
                    score[r0:r1, c0:c1] = part
        self._pair_terms(score, rows, columns.position, allowed=counts)
        closed = a.mentee_capacity[rows] == 0
        score[closed] = -np.inf
        counts[closed] = 0
        if len(columns.closed):
            counts -= np.count_nonzero(score[:, columns.closed] > -np.inf, axis=1)
            score[:, columns.closed] = -np.inf
        if allowed is not None:
            allowed[:] = counts
        return score

    def _pair_terms(
        self,
        score: np.ndarray,
        rows: np.ndarray,
        pos: np.ndarray,
        *,
        allowed: np.ndarray | None = None,
    ) -> None:
        """The terms of single pairs, in place: history penalty, exclusions and
        self-pairs (``pos`` maps member index to block column, -1 if absent).
        ``allowed``, per row, loses the pairs this forbids."""
        a = self.arrays
        r, c = stored_pairs(a.history, rows, pos)
        score[r, c] -= np.float32(self.policy.history_penalty)
        self_rows = np.flatnonzero(pos[rows] >= 0)
        excluded = stored_pairs(a.excluded, rows, pos)
        for r, c in (excluded, (self_rows, pos[rows[self_rows]])):
            if allowed is not None:
                np.subtract.at(allowed, r[np.isfinite(score[r, c])], 1)
            score[r, c] = -np.inf

    def partners(self, member: int, *, mentors: bool) -> np.ndarray:
        """The members allowed as mentors of ``member`` (``mentors=True``) or
        as its mentees, ascending.

        >>> from matcher.examples import example_arrays
        >>> scorer = BlockScorer(example_arrays(), policy=ScoringPolicy())
        >>> scorer.partners(1, mentors=True).tolist(), scorer.partners(1, mentors=False).tolist()
        ([0, 3], [3])
        """
        everyone = np.arange(self.arrays.n)
        if mentors:
            score, _, _ = self.block(np.array([member]), everyone)
            return np.flatnonzero(np.isfinite(score[0]))
        score, _, _ = self.block(everyone, np.array([member]))
        return np.flatnonzero(np.isfinite(score[:, 0]))

    def block(
        self, rows: np.ndarray, cols: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(score, theme, shares_language)`` for ``rows × cols``.

        ``score`` is float32 with ``-inf`` where the pair is not allowed; the
        other two are the unmasked theme part and the language test.

        >>> from matcher.examples import example_arrays
        >>> scorer = BlockScorer(example_arrays(), policy=ScoringPolicy())
        >>> score, theme, shares = scorer.block(np.array([2]), np.arange(4))  # pe-coalition
        >>> bool(np.isfinite(score).any()), theme.astype(float).round(2).tolist(), shares.tolist()
        (False, [[1.0, 0.0, 0.0, 0.0]], [[False, False, True, False]])
        """
        a = self.arrays
        theme = self._mentee_side[rows] @ self._mentor_side[cols].T
        score = self._group_table[self._group[rows]][:, self._group[cols]]
        shares = np.isfinite(score)
        score += theme
        score[theme <= 1e-6] = -np.inf
        pos = np.full(a.n, -1, dtype=np.int64)
        pos[cols] = np.arange(len(cols))
        self._pair_terms(score, rows, pos)
        if not (a.mentee_capacity[rows] > 0).all():
            score[a.mentee_capacity[rows] == 0] = -np.inf
        if not (a.mentor_capacity[cols] > 0).all():
            score[:, a.mentor_capacity[cols] == 0] = -np.inf
        return score, theme, shares


def _need_levels(needs: np.ndarray, expertise: np.ndarray, scale, compare) -> np.ndarray:
    """(members, themes × levels) float32: ``scale * need[t]`` at each level
    l = 1..4 where ``compare(l, expertise[t])`` holds."""
    levels = np.arange(1, MAX_EXPERTISE + 1, dtype=np.int8)
    marks = compare(levels, expertise[:, :, None])
    width = levels.size * expertise.shape[1]
    return ((needs[:, :, None] * marks).reshape(len(needs), width) * scale).astype(np.float32)


def _group_table(
    arrays: NetworkArrays, policy: ScoringPolicy, lang_set: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each member's (language set, region, side) group, and the float32
    table of the side terms between groups, ``-inf`` where they share no
    language."""
    key = (lang_set * (len(REGIONS) + 1) + arrays.region) * 2 + arrays.south
    _, reps, group = np.unique(key, return_index=True, return_inverse=True)
    south, region = arrays.south[reps], arrays.region[reps]
    terms = side_terms(policy, south[:, None], south[None, :], region[:, None], region[None, :])
    table = sum(terms.values()).astype(np.float32)
    speaks = arrays.speaks[reps].astype(np.float32)
    table[(speaks @ speaks.T) == 0] = -np.inf
    return group.ravel(), table


def _runs(values: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of the runs of equal adjacent ``values``."""
    if len(values) == 0:
        return []
    starts = np.flatnonzero(np.diff(values, prepend=values[:1] - 1)).tolist()
    return list(zip(starts, [*starts[1:], len(values)], strict=True))


def stored_pairs(matrix: sp.csr_matrix, rows: np.ndarray, pos: np.ndarray):
    """Stored entries of ``matrix`` in ``rows``, as (row in rows, position in
    the block's columns) index arrays; entries outside the columns dropped.
    ``pos`` maps a column of ``matrix`` to its position (-1: not in the block).

    >>> m = sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [0, 0, 1]]))
    >>> r, c = stored_pairs(m, np.array([2, 0]), np.array([-1, 0, 1]))  # block columns 1, 2
    >>> r.tolist(), c.tolist()  # row 2's column 2, row 0's columns 1 and 2
    ([0, 1, 1], [1, 0, 1])
    """
    starts, counts = matrix.indptr[rows], np.diff(matrix.indptr)[rows]
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    cols = pos[matrix.indices[np.arange(total) + offsets]]
    local = np.repeat(np.arange(len(rows)), counts)
    keep = cols >= 0
    return local[keep], cols[keep]
