"""Mentor pairing: exact welfare optimum (min-cost flow) or a stable pairing.

Every public function takes the same problem description:

``benefit``
    Shape ``(n_mentees, n_mentors)``. A dense array where ``nan`` marks a
    forbidden pair, or a ``scipy.sparse`` matrix/array whose *stored* entries are
    the allowed pairs (a stored ``0`` is an allowed pair of benefit 0). Benefits
    may be negative.
``mentor_capacity``
    Integers ``>= 0``, shape ``(n_mentors,)``: most mentees per mentor.
``mentee_capacity``
    An integer, or integers of shape ``(n_mentees,)``: most mentors per mentee.

Internally both input kinds become one edge list (:mod:`matcher.problem`),
solved as a min-cost flow (:mod:`matcher.welfare`, proven optimal by
:mod:`matcher.certificate`) or by deferred acceptance (:mod:`matcher.stable`).
"""

import math
from dataclasses import dataclass

import numpy as np

from matcher.certificate import WelfareCertificate, welfare_certificate
from matcher.problem import index_pairs, pairing_problem
from matcher.stable import blocking_edges, deferred_acceptance
from matcher.validation import check_seed
from matcher.welfare import max_welfare

__all__ = [
    "Pairing",
    "WelfareCertificate",
    "blocking_pairs",
    "is_valid_pairing",
    "pair_mentors",
    "welfare_certificate",
]

OBJECTIVES = ("welfare", "stable")


@dataclass(frozen=True, eq=False)  # generated == would compare arrays ambiguously
class Pairing:
    """Result of :func:`pair_mentors`.

    Attributes
    ----------
    pairs : ndarray of int64, shape (k, 2)
        ``(mentee, mentor)`` rows sorted by mentee then mentor; read-only.
    total_benefit : float
        Sum of the original benefits of ``pairs``, recomputed in float64.
    optimal : bool
        True when the solver proved ``pairs`` a welfare optimum (always False for
        ``objective="stable"``).
    objective : str
        ``"welfare"`` or ``"stable"``.
    coverage_first : bool
        The option the pairing was computed with.
    resolution : float
        Worst-case gap, in benefit units, between ``total_benefit`` and the
        real-valued optimum caused by rounding benefits to integers for the
        solver; 0.0 when no rounding happened; ``nan`` for ``"stable"``.
    n_covered : int
        Number of mentees with at least one mentor.

    Examples
    --------
    >>> p = pair_mentors(np.array([[1.0, 2.0]]), [1, 1])
    >>> p.pairs.tolist(), p.mentors_of(0).tolist(), p.mentees_of(1).tolist()
    ([[0, 1]], [1], [0])
    """

    pairs: np.ndarray
    total_benefit: float
    optimal: bool
    objective: str
    coverage_first: bool
    resolution: float
    n_covered: int

    def mentors_of(self, mentee: int) -> np.ndarray:
        """Mentor indices paired with ``mentee``, ascending; O(log k).

        >>> pair_mentors(np.ones((1, 3)), [1, 1, 1], 2).mentors_of(0).tolist()
        [0, 1]
        """
        lo, hi = np.searchsorted(self.pairs[:, 0], [mentee, mentee + 1])
        return self.pairs[lo:hi, 1]

    def mentees_of(self, mentor: int) -> np.ndarray:
        """Mentee indices paired with ``mentor``, ascending; O(k).

        >>> pair_mentors(np.ones((3, 1)), [2]).mentees_of(0).tolist()
        [0, 1]
        """
        return self.pairs[self.pairs[:, 1] == mentor, 0]


def pair_mentors(
    benefit,
    mentor_capacity,
    mentee_capacity=1,
    *,
    objective="welfare",
    locked=(),
    coverage_first=True,
    seed=None,
) -> Pairing:
    """Pair mentees with mentors under capacities on both sides.

    Parameters
    ----------
    benefit : ndarray or scipy.sparse matrix/array, shape (n_mentees, n_mentors)
        Benefit of each pair, any real sign. Dense: ``nan`` = forbidden pair.
        Sparse: stored entries are the allowed pairs, explicit zeros included;
        a stored ``nan`` is forbidden too. Infinite values are rejected.
    mentor_capacity : array_like of int, shape (n_mentors,)
        Most mentees per mentor, ``>= 0``.
    mentee_capacity : int or array_like of int, shape (n_mentees,), default 1
        Most mentors per mentee, ``>= 0``.
    objective : {"welfare", "stable"}, keyword-only
        ``"welfare"``: exact optimum of a min-cost flow (OR-Tools).
        ``"stable"``: mentee-proposing deferred acceptance; every allowed pair
        is acceptable to both sides, each side ranks partners by benefit
        descending, ties to the lower index. The result is the mentee-optimal
        pairing with no blocking pair (see :func:`blocking_pairs`).
    locked : iterable of (mentee, mentor), keyword-only
        Pairs that must be in the result. They are fixed first, use one unit of
        capacity on each side and count their mentee as covered.
    coverage_first : bool, keyword-only, default True
        Welfare only. True: maximise the number of mentees with >= 1 mentor,
        then total benefit (lexicographic, exact). False: maximise total
        benefit alone, so a negative-benefit pair is never chosen.
    seed : int or None, keyword-only
        Welfare only. None: ties between equally good pairings are resolved by
        the fixed index order of the solver's arcs. An int feeds the arcs to
        the solver in a ``numpy.random.default_rng(seed)`` permutation, so
        another optimum among ties may come back. The optimal value never
        depends on the seed; same input and seed give identical output.

    Returns
    -------
    Pairing
        ``pairs`` of shape (k, 2) sorted by mentee then mentor, plus totals.
        For welfare, ``resolution`` bounds the rounding error: benefits are
        solved as integers ``c = rint(b * 2**e)`` (a nonzero ``b`` that would
        round to 0 keeps its sign as ``c = +-1``), with ``e = 0`` when all
        benefits are integers small enough, otherwise the largest ``e`` with
        ``max|c| * (nodes + 1)**2 <= 2**62`` (nodes = n_mentees + n_mentors +
        5). Then ``resolution = 2 * P * max|b - c * 2**-e|`` where ``P`` bounds
        the number of non-locked pairs (free allowed pairs, mentee slots and
        mentor slots, whichever is smallest): the returned pairing and the true
        optimum each lose at most ``P * max|b - c * 2**-e|`` to rounding.

    Raises
    ------
    ValueError
        Malformed ``benefit``, capacities, ``objective``, ``coverage_first``
        or ``seed``.
    PairingError
        A locked pair is malformed, out of range, duplicated, forbidden, or
        exceeds a capacity (a ``ValueError`` subclass).
    RuntimeError
        OR-Tools did not report OPTIMAL (not expected within the cost budget).

    Examples
    --------
    Greedy would take the 10 and leave mentee 1 with 1; the optimum is 9 + 8:

    >>> b = np.array([[10.0, 9.0], [8.0, 1.0]])
    >>> p = pair_mentors(b, [1, 1])
    >>> p.pairs.tolist(), p.total_benefit, p.optimal, p.resolution
    ([[0, 1], [1, 0]], 17.0, True, 0.0)

    >>> pair_mentors(b, [1, 1], objective="stable").pairs.tolist()
    [[0, 0], [1, 1]]
    """
    if not isinstance(objective, str) or objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if not isinstance(coverage_first, bool | np.bool_):
        raise ValueError(f"coverage_first must be True or False, got {coverage_first!r}")
    seed = check_seed(seed)
    coverage_first = bool(coverage_first)
    problem = pairing_problem(benefit, mentor_capacity, mentee_capacity, locked)
    if objective == "stable":
        chosen = deferred_acceptance(problem)
        optimal, resolution = False, math.nan
    else:
        chosen, resolution = max_welfare(problem, coverage_first=coverage_first, seed=seed)
        optimal = True
    chosen = np.union1d(chosen, problem.locked)  # sorted edge ids = sorted by mentee, mentor
    pairs = np.column_stack((problem.rows[chosen], problem.cols[chosen])).astype(np.int64)
    pairs.setflags(write=False)
    return Pairing(
        pairs=pairs,
        # fsum is order-free, so the same pair set always gives the same bits.
        total_benefit=math.fsum(problem.vals[chosen].tolist()),
        optimal=optimal,
        objective=objective,
        coverage_first=coverage_first,
        resolution=resolution,
        n_covered=int(np.unique(pairs[:, 0]).size),
    )


def is_valid_pairing(pairs, benefit, mentor_capacity, mentee_capacity=1, *, locked=()) -> bool:
    """Check that ``pairs`` is a feasible pairing, like ``networkx.is_matching``.

    Parameters
    ----------
    pairs : array_like of int, shape (k, 2)
        ``(mentee, mentor)`` rows, any order.
    benefit, mentor_capacity, mentee_capacity
        As in :func:`pair_mentors`.
    locked : iterable of (mentee, mentor), keyword-only
        Pairs that must be present.

    Returns
    -------
    bool
        True iff every pair is in range and allowed, no pair repeats, no
        capacity is exceeded and every locked pair is present.

    Raises
    ------
    ValueError
        ``pairs`` or ``locked`` is not a (k, 2) integer array, or ``benefit`` /
        capacities are malformed.

    Examples
    --------
    >>> b = np.array([[1.0, np.nan], [2.0, 3.0]])
    >>> is_valid_pairing([[0, 0], [1, 1]], b, [1, 1])
    True
    >>> is_valid_pairing([[0, 1]], b, [1, 1])  # forbidden pair
    False
    """
    problem, p, lk = _given(pairs, benefit, mentor_capacity, mentee_capacity, locked)
    return problem.admits(p, lk)


def blocking_pairs(pairs, benefit, mentor_capacity, mentee_capacity=1, *, locked=()) -> np.ndarray:
    """Pairs that block ``pairs``, under the ranking of ``objective="stable"``.

    An allowed pair ``(i, j)`` not in ``pairs`` blocks when mentee ``i`` has a
    free slot or prefers ``j`` to its worst droppable mentor, and mentor ``j``
    has a free slot or prefers ``i`` to its worst droppable mentee. Both sides
    prefer higher benefit, ties to the lower index. Partners in ``locked`` are
    not droppable (a lock cannot be undone to make room).

    Parameters
    ----------
    pairs : array_like of int, shape (k, 2)
        A feasible pairing (see :func:`is_valid_pairing`).
    benefit, mentor_capacity, mentee_capacity
        As in :func:`pair_mentors`.
    locked : iterable of (mentee, mentor), keyword-only
        Pairs of ``pairs`` that are fixed.

    Returns
    -------
    ndarray of int64, shape (b, 2)
        Blocking ``(mentee, mentor)`` pairs sorted by mentee then mentor;
        empty when ``pairs`` is stable.

    Raises
    ------
    ValueError
        ``pairs`` is not a feasible pairing or a locked pair is not in it.

    Examples
    --------
    >>> b = np.array([[10.0, 9.0], [8.0, 1.0]])
    >>> blocking_pairs([[0, 1], [1, 0]], b, [1, 1]).tolist()  # 0 and 0 prefer each other
    [[0, 0]]
    """
    problem, p, lk = _given(pairs, benefit, mentor_capacity, mentee_capacity, locked)
    if not problem.admits(p, lk):
        raise ValueError("pairs is not a feasible pairing (or misses a locked pair)")
    block = blocking_edges(problem, p, lk)
    return np.column_stack((problem.rows[block], problem.cols[block])).astype(np.int64)


def _given(pairs, benefit, mentor_capacity, mentee_capacity, locked):
    """The problem (no pair locked in it) and ``pairs`` and ``locked`` as
    (k, 2) index arrays, checked in that order."""
    problem = pairing_problem(benefit, mentor_capacity, mentee_capacity)
    return problem, index_pairs(pairs, "pairs"), index_pairs(locked, "locked")
