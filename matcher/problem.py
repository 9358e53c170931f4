"""The checked input of a pairing, as one edge list.

:func:`pairing_problem` turns what :func:`matcher.pairing.pair_mentors` is given
(a dense or sparse benefit matrix, capacities and locked pairs) into a
:class:`PairingProblem`: the allowed pairs as an edge list ``(rows, cols,
vals)`` sorted by mentee then mentor, so memory and time stay linear in the
number of allowed pairs, with the locked pairs taken out of the optimisation.
The welfare solver (:mod:`matcher.welfare`), its certificate
(:mod:`matcher.certificate`) and the stable pairing (:mod:`matcher.stable`) all
read this one description.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from matcher.errors import PairingError

__all__ = ["PairingProblem", "index_pairs", "pairing_problem"]

# Integral float capacities are accepted (pandas turns int columns with gaps into
# float); beyond 2**53 a float no longer pins down one integer, so refuse those.
_EXACT_FLOAT_INT = 2**53


@dataclass(frozen=True, eq=False)  # generated == would compare arrays ambiguously
class PairingProblem:
    """A checked pairing problem with its locked pairs taken out: those leave
    the optimisation, spend their slots and cover their mentee.

    Attributes
    ----------
    n, m : int
        Numbers of mentees and mentors.
    rows, cols, vals : ndarray, shape (k,)
        The allowed pairs (edges): mentee, mentor and benefit, sorted by
        (mentee, mentor). An edge id is a position in these arrays.
    locked : ndarray of int64
        Edge ids of the locked pairs.
    free : ndarray of bool, shape (k,)
        The edges left to choose (not locked).
    ecap, mcap : ndarray of int64, shapes (n,) and (m,)
        Slots each mentee and mentor has left after the locked pairs.
    covered : ndarray of bool, shape (n,)
        Mentees that a locked pair already covers.

    Examples
    --------
    >>> p = pairing_problem(np.array([[1.0, np.nan], [2.0, 3.0]]), [1, 2], 1, [(1, 1)])
    >>> p.rows.tolist(), p.cols.tolist(), p.locked.tolist(), p.free.tolist()
    ([0, 1, 1], [0, 0, 1], [2], [True, True, False])
    >>> p.ecap.tolist(), p.mcap.tolist(), p.covered.tolist()
    ([1, 0], [1, 1], [False, True])
    """

    n: int
    m: int
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    locked: np.ndarray
    free: np.ndarray
    ecap: np.ndarray
    mcap: np.ndarray
    covered: np.ndarray

    @property
    def solver_nodes(self) -> int:
        """Nodes of the min-cost flow OR-Tools solves: mentees, mentors, a
        source, a hub and a sink, plus the super source and sink it adds.

        >>> pairing_problem(np.ones((2, 3)), [1, 1, 1]).solver_nodes
        10
        """
        return self.n + self.m + 5

    def open_edges(self, coverage_first: bool) -> np.ndarray:
        """Ids of the edges a welfare flow can use: not locked, with a slot
        left on both sides and, unless ``coverage_first``, a benefit ``>= 0``
        (a negative pair never raises the total: leaving it out makes "never
        chosen" hold by construction, not via costs, and shrinks the graph).

        >>> p = pairing_problem(np.array([[-1.0, 2.0]]), [1, 0])
        >>> p.open_edges(True).tolist(), p.open_edges(False).tolist()
        ([0], [])
        """
        free = self.free if coverage_first else self.free & (self.vals >= 0)
        return np.flatnonzero(free & (self.ecap[self.rows] > 0) & (self.mcap[self.cols] > 0))

    def edge_ids(self, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Edge ids of in-range ``(mentee, mentor)`` rows ``pairs`` and whether
        each is an allowed pair (where it is not, the id is meaningless).

        >>> p = pairing_problem(np.array([[1.0, np.nan], [2.0, 3.0]]), [1, 1])
        >>> idx, found = p.edge_ids(np.array([[1, 1], [0, 1]]))
        >>> idx[found].tolist(), found.tolist()
        ([2], [True, False])
        """
        keys = self.rows * self.m + self.cols  # increasing: edges are sorted row-major
        want = pairs[:, 0] * self.m + pairs[:, 1]
        idx = np.minimum(np.searchsorted(keys, want), max(keys.size - 1, 0))
        found = keys[idx] == want if keys.size else np.zeros(want.size, dtype=bool)
        return idx, found

    def admits(self, pairs: np.ndarray, locked: np.ndarray) -> bool:
        """Whether ``pairs`` is feasible (in range, allowed, no repeats, within
        the slots) and contains every pair of ``locked``.

        >>> p = pairing_problem(np.array([[1.0, np.nan], [2.0, 3.0]]), [1, 1])
        >>> p.admits(np.array([[0, 0], [1, 1]]), np.array([[1, 1]]))
        True
        >>> p.admits(np.array([[0, 0], [1, 0]]), np.zeros((0, 2), np.int64))  # mentor 0 twice
        False
        """
        n, m = self.n, self.m
        if not _in_range(pairs, n, m).all():
            return False
        idx, found = self.edge_ids(pairs)
        if not found.all() or np.unique(idx).size != idx.size:
            return False
        if (np.bincount(pairs[:, 0], minlength=n) > self.ecap).any():
            return False
        if (np.bincount(pairs[:, 1], minlength=m) > self.mcap).any():
            return False
        present = np.isin(locked[:, 0] * m + locked[:, 1], pairs[:, 0] * m + pairs[:, 1])
        return bool(_in_range(locked, n, m).all() and present.all())


def pairing_problem(benefit, mentor_capacity, mentee_capacity=1, locked=()) -> PairingProblem:
    """Check the input of :func:`~matcher.pairing.pair_mentors` (same
    parameters and errors) and describe it as a :class:`PairingProblem`.

    >>> p = pairing_problem(sp.csr_array(np.array([[0.0, 5.0]])), [1, 1])
    >>> p.rows.tolist(), p.cols.tolist(), p.vals.tolist()  # a sparse matrix stores only 5.0
    ([0], [1], [5.0])
    >>> pairing_problem(np.ones((1, 2)), [1, -1])
    Traceback (most recent call last):
        ...
    ValueError: mentor_capacity[1] = -1 is negative
    """
    n, m, rows, cols, vals = _allowed_edges(benefit)
    mcap = _capacities(mentor_capacity, m, "mentor_capacity", scalar_ok=False)
    ecap = _capacities(mentee_capacity, n, "mentee_capacity", scalar_ok=True)
    problem = PairingProblem(
        n=n,
        m=m,
        rows=rows,
        cols=cols,
        vals=vals,
        locked=np.zeros(0, dtype=np.int64),
        free=np.ones(rows.size, dtype=bool),
        ecap=ecap,
        mcap=mcap,
        covered=np.zeros(n, dtype=bool),
    )
    lock_idx = _locked_edges(problem, locked)
    free, covered = problem.free.copy(), problem.covered.copy()
    free[lock_idx] = False
    covered[rows[lock_idx]] = True
    return replace(
        problem,
        locked=lock_idx,
        free=free,
        ecap=ecap - np.bincount(rows[lock_idx], minlength=n),
        mcap=mcap - np.bincount(cols[lock_idx], minlength=m),
        covered=covered,
    )


def index_pairs(value, name: str) -> np.ndarray:
    """``value`` as an int64 array of ``(mentee, mentor)`` rows, shape (k, 2).

    >>> index_pairs([(0, 1), (2, 0)], "pairs").tolist(), index_pairs((), "locked").shape
    ([[0, 1], [2, 0]], (0, 2))
    >>> index_pairs([0, 1], "pairs")
    Traceback (most recent call last):
        ...
    ValueError: pairs must be integer (mentee, mentor) pairs of shape (k, 2), got shape (2,)...
    """
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


def _allowed_edges(benefit):
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
            # (CSR, not COO: its per-row sort is much faster than COO's lexsort.)
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


def _in_range(p, n, m):
    return (p[:, 0] >= 0) & (p[:, 0] < n) & (p[:, 1] >= 0) & (p[:, 1] < m)


def _locked_edges(problem: PairingProblem, locked) -> np.ndarray:
    """Edge ids of the locked pairs, after checking each can be honoured."""
    n, m = problem.n, problem.m
    try:
        lk = index_pairs(locked, "locked")
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
    idx, found = problem.edge_ids(lk)
    if not found.all():
        t = int(np.argmin(found))
        i, j = lk[t].tolist()
        raise PairingError(f"locked[{t}] = ({i}, {j}) is a forbidden pair (no allowed benefit)")
    sides = ((0, "mentee", problem.ecap, "mentors"), (1, "mentor", problem.mcap, "mentees"))
    for side, col, cap, label in sides:
        load = np.bincount(lk[:, side], minlength=cap.size)
        over = np.flatnonzero(load > cap)
        if over.size:
            k = int(over[0])
            raise PairingError(
                f"locked pairs give {col} {k} {load[k]} {label} but {col}_capacity[{k}] is {cap[k]}"
            )
    return idx
