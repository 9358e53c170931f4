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

Internally both input kinds become one edge list ``(rows, cols, vals)`` sorted
by mentee then mentor, so memory and time stay linear in the number of allowed
pairs.
"""

import math
from dataclasses import dataclass
from heapq import heappush, heapreplace

import numpy as np
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow

from matcher.errors import PairingError

__all__ = [
    "Pairing",
    "WelfareCertificate",
    "blocking_pairs",
    "is_valid_pairing",
    "pair_mentors",
    "welfare_certificate",
]

OBJECTIVES = ("welfare", "stable")

# OR-Tools multiplies every unit cost by (nodes + 1), and the textbook bound for
# cost scaling lets a node potential fall by 3 * nodes * eps per refine, eps
# shrinking 5x from the largest multiplied cost: 0.75 * nodes * (nodes + 1) *
# max|cost| in all. |cost| * (nodes + 1)**2 <= 2**62 keeps that below 2**63 / 2.6
# for any graph shape, so BAD_COST_RANGE should never come back (still checked).
_COST_BUDGET = 2**62

# Integral float capacities are accepted (pandas turns int columns with gaps into
# float); beyond 2**53 a float no longer pins down one integer, so refuse those.
_EXACT_FLOAT_INT = 2**53


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
        """Mentor indices paired with ``mentee``, ascending; O(log k)."""
        lo, hi = np.searchsorted(self.pairs[:, 0], [mentee, mentee + 1])
        return self.pairs[lo:hi, 1]

    def mentees_of(self, mentor: int) -> np.ndarray:
        """Mentee indices paired with ``mentor``, ascending; O(k)."""
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
    if seed is not None and (
        isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer)
    ):
        raise ValueError(f"seed must be None or an int, got {seed!r}")
    coverage_first = bool(coverage_first)
    n, m, rows, cols, vals, lock_idx, free, ecap, mcap, covered = _problem(
        benefit, mentor_capacity, mentee_capacity, locked
    )

    if objective == "stable":
        chosen = _deferred_acceptance(n, m, rows, cols, vals, free, ecap, mcap)
        optimal, resolution = False, math.nan
    else:
        if not coverage_first:
            # A negative pair never raises the total: dropping it makes "never
            # chosen" hold by construction, not via costs, and shrinks the graph.
            free &= vals >= 0
        chosen, resolution = _max_welfare(
            n, m, rows, cols, vals, free, ecap, mcap, covered, coverage_first, seed
        )
        optimal = True
    chosen = np.union1d(chosen, lock_idx)  # sorted edge ids = sorted by mentee, mentor
    pairs = np.column_stack((rows[chosen], cols[chosen])).astype(np.int64)
    pairs.setflags(write=False)
    return Pairing(
        pairs=pairs,
        # fsum is order-free, so the same pair set always gives the same bits.
        total_benefit=math.fsum(vals[chosen].tolist()),
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
    n, m, rows, cols, _ = _edges(benefit)
    mcap = _capacities(mentor_capacity, m, "mentor_capacity", scalar_ok=False)
    ecap = _capacities(mentee_capacity, n, "mentee_capacity", scalar_ok=True)
    p, lk = _as_pairs(pairs, "pairs"), _as_pairs(locked, "locked")
    return _feasible(p, lk, n, m, rows, cols, mcap, ecap)


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
    n, m, rows, cols, vals = _edges(benefit)
    mcap = _capacities(mentor_capacity, m, "mentor_capacity", scalar_ok=False)
    ecap = _capacities(mentee_capacity, n, "mentee_capacity", scalar_ok=True)
    p, lk = _as_pairs(pairs, "pairs"), _as_pairs(locked, "locked")
    if not _feasible(p, lk, n, m, rows, cols, mcap, ecap):
        raise ValueError("pairs is not a feasible pairing (or misses a locked pair)")
    matched = np.zeros(rows.size, dtype=bool)
    matched[_find_edges(rows, cols, m, p)[0]] = True
    fixed = np.zeros(rows.size, dtype=bool)
    fixed[_find_edges(rows, cols, m, lk)[0]] = True

    by_mentee, by_mentor = _preference_orders(rows, cols, vals)
    # A global position in a side's preference order compares correctly within
    # one mentee's (mentor's) block, which is all the comparisons below need.
    rank_e = np.empty(rows.size, dtype=np.int64)
    rank_e[by_mentee] = np.arange(rows.size)
    rank_m = np.empty(rows.size, dtype=np.int64)
    rank_m[by_mentor] = np.arange(rows.size)
    droppable = matched & ~fixed
    worst_e = np.full(n, -1, dtype=np.int64)
    np.maximum.at(worst_e, rows[droppable], rank_e[droppable])
    worst_m = np.full(m, -1, dtype=np.int64)
    np.maximum.at(worst_m, cols[droppable], rank_m[droppable])
    load_e = np.bincount(p[:, 0], minlength=n)
    load_m = np.bincount(p[:, 1], minlength=m)
    mentee_wants = (load_e[rows] < ecap[rows]) | (rank_e < worst_e[rows])
    mentor_wants = (load_m[cols] < mcap[cols]) | (rank_m < worst_m[cols])
    block = ~matched & mentee_wants & mentor_wants
    return np.column_stack((rows[block], cols[block])).astype(np.int64)


# --------------------------------------------------------------------------- input


def _edges(benefit):
    """Allowed pairs as ``(n, m, rows, cols, vals)``, sorted by (row, col)."""
    if sp.issparse(benefit):
        if benefit.ndim != 2:
            raise ValueError(f"benefit must be 2-D, got shape {benefit.shape}")
        csr = sp.csr_array(benefit)
        if not np.issubdtype(csr.dtype, np.number) or np.iscomplexobj(csr.data):
            raise ValueError(f"benefit must hold real numbers, got dtype {csr.dtype}")
        if not csr.has_canonical_format:
            # csr_array may share the caller's buffers and sum_duplicates works
            # in place. It sums duplicates and sorts columns but, unlike
            # eliminate_zeros, keeps stored zeros, which are allowed pairs.
            # (CSR, not COO: its per-row sort is ~10x faster than COO's lexsort.)
            csr = csr.copy()
            csr.sum_duplicates()
        n, m = csr.shape
        rows = np.repeat(np.arange(n), np.diff(csr.indptr))
        cols = csr.indices
        vals = csr.data.astype(np.float64)
        keep = ~np.isnan(vals)
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
    else:
        try:
            dense = np.asarray(benefit, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"benefit must be a real 2-D array or scipy.sparse: {exc}") from None
        if dense.ndim != 2:
            raise ValueError(f"benefit must be 2-D, got shape {dense.shape}")
        n, m = dense.shape
        rows, cols = np.nonzero(~np.isnan(dense))
        vals = dense[rows, cols]
    if np.isinf(vals).any():
        raise ValueError("benefit has infinite values; use nan (dense) or no entry to forbid")
    return n, m, rows.astype(np.int64), cols.astype(np.int64), vals


def _problem(benefit, mentor_capacity, mentee_capacity, locked):
    """The checked problem with its locked pairs taken out: those leave the
    optimisation, spend their slots and cover their mentee."""
    n, m, rows, cols, vals = _edges(benefit)
    mcap = _capacities(mentor_capacity, m, "mentor_capacity", scalar_ok=False)
    ecap = _capacities(mentee_capacity, n, "mentee_capacity", scalar_ok=True)
    lock_idx = _locked_edges(locked, n, m, rows, cols, mcap, ecap)
    free = np.ones(rows.size, dtype=bool)
    free[lock_idx] = False
    ecap = ecap - np.bincount(rows[lock_idx], minlength=n)
    mcap = mcap - np.bincount(cols[lock_idx], minlength=m)
    covered = np.zeros(n, dtype=bool)
    covered[rows[lock_idx]] = True
    return n, m, rows, cols, vals, lock_idx, free, ecap, mcap, covered


def _capacities(value, size, name, *, scalar_ok):
    arr = np.asarray(value)
    if arr.ndim == 0 and scalar_ok:
        arr = np.full(size, arr)
    if arr.shape != (size,):
        want = f"an int or shape ({size},)" if scalar_ok else f"shape ({size},)"
        raise ValueError(f"{name} must be {want}, got shape {arr.shape}")
    integral = arr.dtype.kind in "iu" or (
        arr.dtype.kind == "f"
        and bool(np.isfinite(arr).all())
        and bool((arr == np.round(arr)).all())
        and bool((np.abs(arr) <= _EXACT_FLOAT_INT).all())
    )
    if not integral:
        raise ValueError(f"{name} must hold integers, got {arr.dtype} values")
    if arr.size and arr.min() < 0:
        at = int(np.argmin(arr))
        raise ValueError(f"{name}[{at}] = {arr[at]} is negative")
    if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} has values too large for int64")
    return arr.astype(np.int64)


def _as_pairs(value, name):
    if isinstance(value, np.ndarray):
        arr = value
    else:
        try:
            arr = np.asarray(list(value))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be (mentee, mentor) index pairs: {exc}") from None
    if arr.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must be integer (mentee, mentor) pairs of shape (k, 2), "
            f"got shape {arr.shape} of {arr.dtype}"
        )
    return arr.astype(np.int64)


def _in_range(p, n, m):
    return (p[:, 0] >= 0) & (p[:, 0] < n) & (p[:, 1] >= 0) & (p[:, 1] < m)


def _feasible(p, lk, n, m, rows, cols, mcap, ecap):
    if not _in_range(p, n, m).all():
        return False
    idx, found = _find_edges(rows, cols, m, p)
    if not found.all() or np.unique(idx).size != idx.size:
        return False
    if (np.bincount(p[:, 0], minlength=n) > ecap).any():
        return False
    if (np.bincount(p[:, 1], minlength=m) > mcap).any():
        return False
    present = np.isin(lk[:, 0] * m + lk[:, 1], p[:, 0] * m + p[:, 1])
    return bool(_in_range(lk, n, m).all() and present.all())


def _find_edges(rows, cols, m, p):
    """Edge ids of in-range pairs ``p`` and whether each is an allowed pair."""
    keys = rows * m + cols  # increasing, since edges are sorted row-major
    want = p[:, 0] * m + p[:, 1]
    idx = np.minimum(np.searchsorted(keys, want), max(keys.size - 1, 0))
    found = keys[idx] == want if keys.size else np.zeros(want.size, dtype=bool)
    return idx, found


def _locked_edges(locked, n, m, rows, cols, mcap, ecap):
    """Edge ids of the locked pairs, after checking each can be honoured."""
    try:
        lk = _as_pairs(locked, "locked")
    except ValueError as exc:
        raise PairingError(str(exc)) from None
    for t, (i, j) in enumerate(lk.tolist()):
        if not (0 <= i < n and 0 <= j < m):
            raise PairingError(
                f"locked[{t}] = ({i}, {j}) is out of range for {n} mentees x {m} mentors"
            )
    keys = lk[:, 0] * m + lk[:, 1]
    uniq, first, counts = np.unique(keys, return_index=True, return_counts=True)
    if (counts > 1).any():
        i, j = lk[first[np.argmax(counts > 1)]].tolist()
        raise PairingError(f"locked pair ({i}, {j}) appears more than once")
    idx, found = _find_edges(rows, cols, m, lk)
    if not found.all():
        t = int(np.argmin(found))
        i, j = lk[t].tolist()
        raise PairingError(f"locked[{t}] = ({i}, {j}) is a forbidden pair (no allowed benefit)")
    for side, col, cap, label in ((0, "mentee", ecap, "mentors"), (1, "mentor", mcap, "mentees")):
        load = np.bincount(lk[:, side], minlength=cap.size)
        over = np.flatnonzero(load > cap)
        if over.size:
            k = int(over[0])
            raise PairingError(
                f"locked pairs give {col} {k} {load[k]} {label} but {col}_capacity[{k}] is {cap[k]}"
            )
    return idx


# ------------------------------------------------------------------------- welfare


def _integer_costs(vals, n_nodes):
    """Benefits as int64 ``c ~ vals * 2**e`` within the OR-Tools budget.

    Returns ``(c, err)`` with ``err = max|vals - c * 2**-e|`` (0.0 when exact).
    """
    if vals.size == 0:
        return np.zeros(0, dtype=np.int64), 0.0
    e = _scale_exponent(vals, n_nodes)
    # Keep signs: otherwise a tiny negative pair looks free and a tiny positive
    # one worthless, which the caller would see as an unexplained choice.
    c = _to_units(vals, e)
    err = float(np.max(np.abs(vals - np.ldexp(c, -e))))
    return c.astype(np.int64), err


def _max_welfare(n, m, rows, cols, vals, free, ecap, mcap, covered, coverage_first, seed):
    """Chosen edge ids and the rounding ``resolution`` of a welfare optimum.

    Network: mentee -> mentor arcs (capacity 1, cost -benefit), mentor -> sink
    (capacity = slots) and two feeders into mentees. ``src`` feeds any unit and
    may bypass straight to the sink, so how many pairs to make is free. With
    ``coverage_first``, ``hub`` feeds the first unit of each uncovered mentee and
    has no bypass; OR-Tools' max-flow-then-min-cost pushes the most hub units
    it can (= the most coverable mentees) and, among those flows, minimises
    cost. That is the lexicographic optimum without a big-M bonus arc, which
    would cost log2(2 * pairs) bits of benefit precision (~18 at 10**5 mentees)
    and, measured, doubles the solve time.
    """
    edge = np.flatnonzero(free & (ecap[rows] > 0) & (mcap[cols] > 0))
    r, c = rows[edge], cols[edge]
    # A node never uses more slots than it has arcs; clipping keeps sums small.
    ecap = np.minimum(ecap, np.bincount(r, minlength=n))
    mcap = np.minimum(mcap, np.bincount(c, minlength=m))
    n_pairs_bound = int(min(edge.size, ecap.sum(), mcap.sum()))
    if n_pairs_bound == 0:
        return np.zeros(0, dtype=np.int64), 0.0

    src, hub, sink = n + m, n + m + 1, n + m + 2
    # SimpleMinCostFlow adds its own super source and sink.
    units, err = _integer_costs(vals[edge], n + m + 5)
    first = (ecap > 0) & ~covered if coverage_first else np.zeros(n, dtype=bool)
    extra = ecap - first
    fed = np.flatnonzero(extra)
    hubbed = np.flatnonzero(first)
    slots = np.flatnonzero(mcap)
    one = np.ones(edge.size + hubbed.size, dtype=np.int64)
    tails = np.concatenate([r, np.full(hubbed.size, hub), n + slots, np.full(fed.size, src), [src]])
    heads = np.concatenate([n + c, hubbed, np.full(slots.size, sink), fed, [sink]])
    caps = np.concatenate([one, mcap[slots], extra[fed], [extra.sum()]])
    costs = np.concatenate([-units, np.zeros(tails.size - edge.size, np.int64)])
    supply = np.zeros(n + m + 3, dtype=np.int64)
    supply[hub], supply[src] = hubbed.size, extra.sum()
    supply[sink] = -(hubbed.size + extra.sum())

    order = np.arange(tails.size)
    if seed is not None:
        order = np.random.default_rng(seed).permutation(tails.size)
    arc_of = np.empty(tails.size, dtype=np.int32)
    arc_of[order] = np.arange(tails.size, dtype=np.int32)

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails[order].astype(np.int32),
        heads[order].astype(np.int32),
        caps[order].astype(np.int64),
        costs[order].astype(np.int64),
    )
    flow.set_nodes_supplies(np.arange(supply.size, dtype=np.int32), supply)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow ended with status {status.name}")
    used = flow.flows(arc_of[: edge.size]) > 0
    return edge[used], 2.0 * n_pairs_bound * err


# -------------------------------------------------------------------------- stable


def _preference_orders(rows, cols, vals):
    """Edge ids in each mentee's, and each mentor's, order of preference."""
    by_mentee = np.lexsort((cols, -vals, rows))
    by_mentor = np.lexsort((rows, -vals, cols))
    return by_mentee, by_mentor


def _deferred_acceptance(n, m, rows, cols, vals, free, ecap, mcap):
    """Mentee-proposing deferred acceptance; returns the held edge ids.

    A mentee with a free slot proposes down its list; a mentor keeps its best
    ``mcap`` proposals in a heap keyed by rank, so displacing the worst is
    O(log capacity). Python lists, not numpy, in the loop: per-item numpy
    calls would cost ~1 us each, more than the whole proposal step.
    """
    edge = np.flatnonzero(free)
    by_mentee, by_mentor = _preference_orders(rows[edge], cols[edge], vals[edge])
    rank = np.empty(edge.size, dtype=np.int64)
    rank[by_mentor] = np.arange(edge.size)
    target = cols[edge][by_mentee].tolist()
    target_rank = rank[by_mentee].tolist()
    mentee_at_rank = rows[edge][by_mentor].tolist()
    bounds = np.searchsorted(rows[edge][by_mentee], np.arange(n + 1)).tolist()
    next_prop, stop = bounds[:-1], bounds[1:]
    quota, room = ecap.tolist(), mcap.tolist()
    held = [0] * n
    heaps = [[] for _ in range(m)]  # -rank, so heap[0] is the worst kept
    todo = [i for i in range(n - 1, -1, -1) if quota[i] > 0 and next_prop[i] < stop[i]]
    while todo:
        i = todo.pop()
        p, end, h, q = next_prop[i], stop[i], held[i], quota[i]
        while h < q and p < end:
            j, k = target[p], target_rank[p]
            p += 1
            heap = heaps[j]
            if len(heap) < room[j]:
                heappush(heap, -k)
                h += 1
            elif heap and -heap[0] > k:
                loser = mentee_at_rank[-heapreplace(heap, -k)]
                h += 1
                held[loser] -= 1  # loser != i: i proposes to j only once
                todo.append(loser)
        next_prop[i], held[i] = p, h
    kept = np.fromiter((-k for heap in heaps for k in heap), dtype=np.int64)
    return edge[by_mentor[kept]]


# -------------------------------------------------------------------- certificate


@dataclass(frozen=True, eq=False)
class WelfareCertificate:
    """Dual potentials that prove a welfare pairing optimal, also against pairs
    the solver never saw.

    A pair ``(i, j)`` outside the benefit matrix could improve the pairing only
    if :meth:`improving` says so: its benefit, rounded to the solver's integer
    grid, exceeds ``mentee_potential[i] + mentor_potential[j]`` (LP duality on
    the min-cost flow; coverage-first is the same flow with a large bonus per
    newly covered mentee). When no allowed pair is improving, the pairing is
    optimal over all of them.
    """

    mentee_potential: np.ndarray
    mentor_potential: np.ndarray
    scale_exponent: int
    max_benefit: float
    coverage_first: bool
    mentee_open: np.ndarray
    mentor_open: np.ndarray
    _pi_mentee: np.ndarray
    _pi_mentor: np.ndarray
    _pi: np.ndarray

    def improving(self, mentees, mentors, benefit) -> np.ndarray:
        """True for pairs, absent from the solved problem, that could raise its
        objective if they were added (False proves they cannot).

        ``mentees``, ``mentors``, ``benefit``: aligned arrays of shape (k,).
        """
        mentees, mentors = np.asarray(mentees, np.int64), np.asarray(mentors, np.int64)
        benefit = np.asarray(benefit, np.float64)
        if np.abs(benefit).max(initial=0.0) > self.max_benefit:
            raise ValueError(
                f"benefit above max_benefit={self.max_benefit}: make the certificate "
                "with a larger max_benefit"
            )
        usable = self.mentee_open[mentees] & self.mentor_open[mentors]
        if not self.coverage_first:
            usable &= benefit >= 0
        # On the solver's integer grid, like the pairs it saw: a gain smaller
        # than one grid step (2**-scale_exponent) is not reported.
        units = _to_units(benefit, self.scale_exponent, dtype=self._pi_mentee.dtype)
        return usable & (units > self._pi_mentee[mentees] - self._pi_mentor[mentors])


def welfare_certificate(
    pairing: Pairing,
    benefit,
    mentor_capacity,
    mentee_capacity=1,
    *,
    locked=(),
    max_benefit=None,
    warm_start=None,
) -> WelfareCertificate:
    """Dual potentials for a welfare ``pairing`` of the same problem.

    ``max_benefit`` bounds |benefit| of the pairs that will be asked about
    (default: the largest |benefit| given); with coverage-first, it sets how
    large the bonus for covering one more mentee must be. ``warm_start``: the
    certificate of a similar problem (same mentees and mentors, e.g. the
    previous pass of column generation); its potentials seed the search, which
    then takes a few sweeps instead of hundreds. Any seed gives valid
    potentials.

    Rebuilds the residual graph of the pairing's flow and takes shortest-path
    distances from a virtual root (label-correcting Bellman–Ford, vectorised
    over the nodes whose distance just changed). They exist only for an
    optimal flow; a negative cycle raises ``ValueError`` ("not optimal").

    Examples
    --------
    Only mentor 0 is allowed; mentee 0 gets it (10 beats 8):

    >>> b = np.array([[10.0, np.nan], [8.0, np.nan]])
    >>> p = pair_mentors(b, [1, 1], coverage_first=False)
    >>> cert = welfare_certificate(p, b, [1, 1])
    >>> cert.improving([1, 0, 0], [1, 1, 1], [0.5, 1.0, 3.0]).tolist()
    [True, False, True]

    (mentee 1 and mentor 1 are both free; 1 + 8 < 10 but 3 + 8 > 10.)
    """
    if pairing.objective != "welfare":
        raise ValueError("a certificate exists only for objective='welfare'")
    n, m, rows, cols, vals, lock_idx, free, ecap, mcap, covered = _problem(
        benefit, mentor_capacity, mentee_capacity, locked
    )
    if not pairing.coverage_first:
        free &= vals >= 0
    edge = np.flatnonzero(free & (ecap[rows] > 0) & (mcap[cols] > 0))
    units, rounding = _integer_costs(vals[edge], n + m + 5)
    exponent = _scale_exponent(vals[edge], n + m + 5)
    if max_benefit is None:
        max_benefit = float(np.abs(vals).max(initial=0.0))
    top = max(float(np.abs(vals[edge]).max(initial=0.0)), max_benefit)
    if rounding == 0.0 and top > 0.0 and _budget_exponent(top, n + m + 5) > exponent:
        # The solver's costs were exact, so they stay exact on a finer grid, on
        # which new, fractional pairs are judged without rounding them away.
        exponent = _budget_exponent(top, n + m + 5)
        units = _to_units(vals[edge], exponent)
    top_units = max(int(np.abs(units).max(initial=0)), math.ceil(math.ldexp(max_benefit, exponent)))

    chosen = np.zeros(rows.size, dtype=bool)
    chosen[_find_edges(rows, cols, m, pairing.pairs)[0]] = True
    chosen[lock_idx] = False
    used = chosen[edge]
    load_e = np.bincount(rows[edge][used], minlength=n)
    load_m = np.bincount(cols[edge][used], minlength=m)

    src, hub, sink = n + m, n + m + 1, n + m + 2
    first = ((ecap > 0) & ~covered) if pairing.coverage_first else np.zeros(n, dtype=bool)
    hub_flow = (first & (load_e > 0)).astype(np.int64)
    extra = ecap - first
    # Large enough that no exchange of pairs, present or priced later, is
    # worth one covered mentee.
    bonus = 1 + 2 * int(min(ecap.sum(), mcap.sum())) * top_units
    everyone = np.arange(n)
    tails = np.concatenate(
        [rows[edge], np.full(n, hub), np.full(n, src), n + np.arange(m), [src, hub]]
    )
    heads = np.concatenate([n + cols[edge], everyone, everyone, np.full(m, sink), [sink, sink]])
    caps = np.concatenate(
        [
            np.ones(edge.size, np.int64),
            first.astype(np.int64),
            extra,
            mcap,
            [extra.sum(), first.sum()],
        ]
    )
    flows = np.concatenate(
        [
            used.astype(np.int64),
            hub_flow,
            load_e - hub_flow,
            load_m,
            [extra.sum() - (load_e - hub_flow).sum(), first.sum() - hub_flow.sum()],
        ]
    )
    # Potentials stay within int64 unless max_benefit dwarfs the pairs the
    # solver saw (its grid was fitted to those); then Python ints keep them exact.
    exact = 4 * bonus + (n + m + 4) * top_units >= 2**62
    dtype = object if exact else np.int64
    costs = np.concatenate(
        [-units.astype(dtype), np.full(n, -bonus, dtype=dtype), np.zeros(n + m + 2, dtype)]
    )
    forward, backward = flows < caps, flows > 0
    r_tail = np.concatenate([tails[forward], heads[backward]])
    r_head = np.concatenate([heads[forward], tails[backward]])
    r_cost = np.concatenate([costs[forward], -costs[backward]])
    start = None
    if warm_start is not None and warm_start._pi.shape == (n + m + 3,) and dtype is np.int64:
        if warm_start._pi.dtype == np.int64:
            start = _rescale(warm_start._pi, exponent - warm_start.scale_exponent)
    pi = _potentials(n + m + 3, r_tail, r_head, r_cost, dtype=dtype, start=start)
    # Any feasible potentials prove optimality, but the tighter they are around
    # a new pair, the fewer pairs look improving without being so. No arc joins
    # two mentees or two mentors, so each mentee can rise to its incoming bound
    # and then each mentor fall to its outgoing bound without breaking another.
    into_mentee = r_head < n
    pi_e, can_send = _bound(n, r_head[into_mentee], pi[r_tail[into_mentee]] + r_cost[into_mentee])
    pi[:n] = np.where(can_send, pi_e, pi[:n])
    out_mentor = (r_tail >= n) & (r_tail < n + m)
    pi_m, can_take = _bound(
        m, r_tail[out_mentor] - n, -(pi[r_head[out_mentor]] - r_cost[out_mentor])
    )
    pi[n : n + m] = np.where(can_take, -pi_m, pi[n : n + m])
    return WelfareCertificate(
        mentee_potential=np.ldexp(pi[:n].astype(np.float64), -exponent),
        mentor_potential=np.ldexp(-pi[n : n + m].astype(np.float64), -exponent),
        scale_exponent=exponent,
        max_benefit=float(max_benefit),
        coverage_first=pairing.coverage_first,
        mentee_open=(ecap > 0) & can_send,
        mentor_open=(mcap > 0) & can_take,
        _pi_mentee=pi[:n],
        _pi_mentor=pi[n : n + m],
        _pi=pi,
    )


def _bound(size, nodes, values):
    """Per node, the smallest of ``values`` (and whether it has any)."""
    has = np.zeros(size, dtype=bool)
    has[nodes] = True
    best = np.zeros(size, dtype=values.dtype)
    if values.size:
        best[:] = values.max()
        np.minimum.at(best, nodes, values)
    return best, has


def _potentials(n_nodes, tails, heads, costs, *, dtype, start=None):
    """Feasible potentials (no arc with negative reduced cost): shortest
    distances from a virtual root joined to every node by a 0 arc, or, from
    ``start`` labels, the labels that correcting them converges to."""
    order = np.argsort(tails, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    indptr = np.searchsorted(tails, np.arange(n_nodes + 1))
    dist = np.zeros(n_nodes, dtype=dtype) if start is None else start.astype(dtype)
    frontier = np.arange(n_nodes)
    for _ in range(n_nodes + 1):
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return dist
        arcs = np.arange(total) + np.repeat(starts - (np.cumsum(counts) - counts), counts)
        reach = dist[tails[arcs]] + costs[arcs]
        better = reach < dist[heads[arcs]]
        if not better.any():
            return dist
        changed = heads[arcs][better]
        np.minimum.at(dist, changed, reach[better])
        marked = np.zeros(n_nodes, dtype=bool)
        marked[changed] = True
        frontier = np.flatnonzero(marked)
    raise ValueError("the pairing is not optimal: its residual graph has a negative cycle")


def _rescale(units, shift):
    """Integer potentials moved ``shift`` binary digits finer (coarser if < 0)."""
    if shift >= 0:
        if np.abs(units).max(initial=0) >= 2**62 >> shift:
            return None
        return units << shift
    return units >> -shift


def _scale_exponent(vals, n_nodes):
    """The exponent ``e`` that :func:`_integer_costs` uses for these values."""
    if vals.size == 0:
        return 0
    top = float(np.max(np.abs(vals)))
    limit = _COST_BUDGET // (n_nodes + 1) ** 2
    if top == 0.0 or (top <= limit and bool((vals == np.rint(vals)).all())):
        return 0
    return _budget_exponent(top, n_nodes)


def _budget_exponent(top, n_nodes):
    """The largest ``e`` with ``top * 2**e`` within the OR-Tools cost budget."""
    limit = _COST_BUDGET // (n_nodes + 1) ** 2
    # log2 can be off by one either way; the two loops settle it exactly.
    e = math.floor(math.log2(limit) - math.log2(top))
    while math.ldexp(top, e) > limit:
        e -= 1
    while math.ldexp(top, e + 1) <= limit:
        e += 1
    return e


def _to_units(vals, e, *, dtype=np.int64):
    c = np.rint(np.ldexp(vals, e))
    c = np.where((c == 0) & (vals != 0), np.sign(vals), c)
    if np.dtype(dtype) == object:  # integral floats convert to Python ints exactly
        return np.array([int(x) for x in c], dtype=object)
    return c.astype(np.int64)
