"""Dual potentials that prove a welfare pairing optimal, also against pairs
the solver never saw (the pricing of :mod:`matcher.candidates` reads them).

The certificate is the welfare flow of the pairing (the network of
:func:`matcher.welfare.flow_network`, with a bonus per covered mentee in place
of the solver's max-flow-first order) and shortest-path distances in its
residual graph: they exist only when the flow is optimal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matcher.problem import PairingProblem, pairing_problem
from matcher.welfare import budget_exponent, flow_network, integer_costs, scale_exponent, to_units

if TYPE_CHECKING:
    from matcher.pairing import Pairing

__all__ = ["WelfareCertificate", "solver_grid", "welfare_certificate"]


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

    Examples
    --------
    >>> from matcher.pairing import pair_mentors
    >>> b = np.array([[3.0, 1.0]])
    >>> cert = welfare_certificate(pair_mentors(b, [1, 1], coverage_first=False), b, [1, 1])
    >>> u, v = cert.mentee_potential, cert.mentor_potential
    >>> u.tolist(), v.tolist()  # u[i] + v[j] >= benefit, with = on the chosen pair (0, 0)
    ([2.0], [1.0, 1.0])
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

        >>> from matcher.pairing import pair_mentors
        >>> b = np.array([[3.0, np.nan]])  # mentor 1 unused; mentee 0 has 3
        >>> p = pair_mentors(b, [1, 1], coverage_first=False)
        >>> cert = welfare_certificate(p, b, [1, 1], max_benefit=10.0)
        >>> cert.improving([0, 0], [1, 1], [2.0, 4.0]).tolist()  # worth more than 3?
        [False, True]
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
        units = to_units(benefit, self.scale_exponent, dtype=self._pi_mentee.dtype)
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

    >>> from matcher.pairing import pair_mentors
    >>> b = np.array([[10.0, np.nan], [8.0, np.nan]])
    >>> p = pair_mentors(b, [1, 1], coverage_first=False)
    >>> cert = welfare_certificate(p, b, [1, 1])
    >>> cert.improving([1, 0, 0], [1, 1, 1], [0.5, 1.0, 3.0]).tolist()
    [True, False, True]

    (mentee 1 and mentor 1 are both free; 1 + 8 < 10 but 3 + 8 > 10.)
    """
    if pairing.objective != "welfare":
        raise ValueError("a certificate exists only for objective='welfare'")
    problem = pairing_problem(benefit, mentor_capacity, mentee_capacity, locked)
    n, m, n_nodes = problem.n, problem.m, problem.n + problem.m + 3
    if max_benefit is None:
        max_benefit = float(np.abs(problem.vals).max(initial=0.0))
    edge = problem.open_edges(pairing.coverage_first)
    units, exponent, top_units = solver_grid(problem.vals[edge], problem.solver_nodes, max_benefit)
    # Large enough that no exchange of pairs, present or priced later, is
    # worth one covered mentee.
    bonus = 1 + 2 * int(min(problem.ecap.sum(), problem.mcap.sum())) * top_units
    # Potentials stay within int64 unless max_benefit dwarfs the pairs the
    # solver saw (its grid was fitted to those); then Python ints keep them exact.
    exact = 4 * bonus + (n + m + 4) * top_units >= 2**62
    dtype = object if exact else np.int64
    network = flow_network(
        problem, edge, units.astype(dtype), coverage_first=pairing.coverage_first, bonus=bonus
    )
    used = _chosen_edges(problem, pairing)[edge]
    r, c = problem.rows[edge][used], problem.cols[edge][used]
    flows = network.flows(used, np.bincount(r, minlength=n), np.bincount(c, minlength=m))
    arcs = network.residual(flows)
    start = _warm_start(warm_start, n_nodes, exponent) if dtype is np.int64 else None
    pi = _potentials(n_nodes, *arcs, dtype=dtype, start=start)
    pi, can_send, can_take = _tighten(pi, n, m, *arcs)
    return WelfareCertificate(
        mentee_potential=np.ldexp(pi[:n].astype(np.float64), -exponent),
        mentor_potential=np.ldexp(-pi[n : n + m].astype(np.float64), -exponent),
        scale_exponent=exponent,
        max_benefit=float(max_benefit),
        coverage_first=pairing.coverage_first,
        mentee_open=(problem.ecap > 0) & can_send,
        mentor_open=(problem.mcap > 0) & can_take,
        _pi_mentee=pi[:n],
        _pi_mentor=pi[n : n + m],
        _pi=pi,
    )


def solver_grid(vals: np.ndarray, n_nodes: int, max_benefit: float) -> tuple[np.ndarray, int, int]:
    """The solver's integer benefits of ``vals``, the grid's exponent, and
    the largest |benefit| in grid units that a pair may have (given or
    priced later, up to ``max_benefit``). The solver's optimum stays optimal
    on this grid: it is the solver's own, or a finer one when the solver's
    was exact.

    >>> units, exponent, top = solver_grid(np.array([1.0, 2.0]), 10, 4.0)  # exact: finer
    >>> units.tolist() == [2**exponent, 2**(exponent + 1)], top == 4 * 2**exponent
    (True, True)
    """
    units, rounding = integer_costs(vals, n_nodes)
    exponent = scale_exponent(vals, n_nodes)
    top = max(float(np.abs(vals).max(initial=0.0)), max_benefit)
    if rounding == 0.0 and top > 0.0 and budget_exponent(top, n_nodes) > exponent:
        # The solver's costs were exact, so they stay exact on a finer grid, on
        # which new, fractional pairs are judged without rounding them away.
        exponent = budget_exponent(top, n_nodes)
        units = to_units(vals, exponent)
    top_units = max(int(np.abs(units).max(initial=0)), math.ceil(math.ldexp(max_benefit, exponent)))
    return units, exponent, top_units


def _chosen_edges(problem: PairingProblem, pairing: Pairing) -> np.ndarray:
    """Per edge, whether ``pairing`` chose it (locked pairs excluded)."""
    chosen = np.zeros(problem.rows.size, dtype=bool)
    chosen[problem.edge_ids(pairing.pairs)[0]] = True
    chosen[problem.locked] = False
    return chosen


def _warm_start(previous: WelfareCertificate | None, n_nodes: int, exponent: int):
    """The integer potentials of ``previous`` on this grid, if they fit."""
    if previous is None or previous._pi.shape != (n_nodes,) or previous._pi.dtype != np.int64:
        return None
    return _rescale(previous._pi, exponent - previous.scale_exponent)


def _tighten(pi, n, m, tails, heads, costs):
    """Potentials as tight as they can be around each mentee and mentor, and
    which mentees can send (mentors take) more flow.

    Any feasible potentials prove optimality, but the tighter they are around
    a new pair, the fewer pairs look improving without being so. No arc joins
    two mentees or two mentors, so each mentee can rise to its incoming bound
    and then each mentor fall to its outgoing bound without breaking another.
    """
    into_mentee = heads < n
    pi_e, can_send = _bound(n, heads[into_mentee], pi[tails[into_mentee]] + costs[into_mentee])
    pi[:n] = np.where(can_send, pi_e, pi[:n])
    out_mentor = (tails >= n) & (tails < n + m)
    pi_m, can_take = _bound(m, tails[out_mentor] - n, -(pi[heads[out_mentor]] - costs[out_mentor]))
    pi[n : n + m] = np.where(can_take, -pi_m, pi[n : n + m])
    return pi, can_send, can_take


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
