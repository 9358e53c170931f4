"""The benefit of a mentor for a mentee, and the reasons that make it up.

For mentee ``i`` and mentor ``j`` (see ``docs/scoring.md``)::

    score = sum_t  w_theme * need[i,t]/3 * max(0, exp[j,t] - exp[i,t])/4   (theme terms)
          + south_south_bonus  if both are in the Global South
          + north_south_bonus  if the mentor is Northern and the mentee Southern
          + same_region_bonus  if both are in the same region
          - history_penalty    if the pair met in an earlier round
          + text_weight * cosine(TF-IDF(description_i), TF-IDF(description_j))

A pair is *allowed* only when the theme terms are positive and the hard
constraints hold: different members, a shared working language, not an
excluded pair, mentor capacity > 0 and mentee capacity > 0. Every score
decomposes into :class:`Reason` objects that sum to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from itertools import islice

import numpy as np
import scipy.sparse as sp

from matcher.geo import REGIONS
from matcher.vectors import MAX_EXPERTISE, MAX_NEED, NetworkArrays, distinct_rows

_THEME_SCALE = 1.0 / (MAX_NEED * MAX_EXPERTISE)
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
    terms = _side_terms(policy, south[mentees], south[mentors], region[mentees], region[mentors])
    terms["history"] = -policy.history_penalty * seen
    if text:
        if similarity is None:
            similarity = text_similarity(arrays, mentees, mentors)
        terms["text"] = policy.text_weight * similarity
    return terms


def _side_terms(policy: ScoringPolicy, south_i, south_j, region_i, region_j) -> dict:
    """The soft terms that depend only on each side's South flag and region
    (mentee ``i``, mentor ``j``; any broadcastable shapes)."""
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
    theme *= policy.theme_weight * _THEME_SCALE
    soft = soft_terms(arrays, mentees, mentors, policy=policy, text=text, similarity=similarity)
    return theme + sum(soft.values())


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
    values = policy.theme_weight * _THEME_SCALE * np.arange(MAX_NEED * MAX_EXPERTISE + 1)
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
        scale = np.float32(policy.theme_weight * _THEME_SCALE)
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
        r, c = _stored_pairs(a.history, rows, pos)
        score[r, c] -= np.float32(self.policy.history_penalty)
        self_rows = np.flatnonzero(pos[rows] >= 0)
        excluded = _stored_pairs(a.excluded, rows, pos)
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
    terms = _side_terms(policy, south[:, None], south[None, :], region[:, None], region[None, :])
    table = sum(terms.values()).astype(np.float32)
    speaks = arrays.speaks[reps].astype(np.float32)
    table[(speaks @ speaks.T) == 0] = -np.inf
    return group.ravel(), table


def best_first(arrays: NetworkArrays, peers: np.ndarray, values: np.ndarray, k: int) -> list[int]:
    """Positions in ``peers`` (member indices) of the ``k`` largest
    ``values``, largest first, ties by member id.

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()
    >>> peers = np.array([3, 0, 1])  # sn-coalition, fr-ngo, ke-coalition
    >>> best_first(arrays, peers, np.array([0.5, 0.9, 0.5]), 2)  # fr-ngo, then ke before sn
    [1, 2]
    """
    return sorted(range(len(peers)), key=lambda p: (-values[p], arrays.ids[peers[p]]))[:k]


def _runs(values: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of the runs of equal adjacent ``values``."""
    if len(values) == 0:
        return []
    starts = np.flatnonzero(np.diff(values, prepend=values[:1] - 1)).tolist()
    return list(zip(starts, [*starts[1:], len(values)], strict=True))


def _stored_pairs(matrix: sp.csr_matrix, rows: np.ndarray, pos: np.ndarray):
    """Stored entries of ``matrix`` in ``rows``, as (row in rows, position in
    the block's columns) index arrays; entries outside the columns dropped."""
    starts, counts = matrix.indptr[rows], np.diff(matrix.indptr)[rows]
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    cols = pos[matrix.indices[np.arange(total) + offsets]]
    local = np.repeat(np.arange(len(rows)), counts)
    keep = cols >= 0
    return local[keep], cols[keep]


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
