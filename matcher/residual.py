"""What one new pair would be worth to a finished welfare round, read from
the residual graph of its optimal flow, with no new solve.

Adding pairs that all start at one mentee ``m`` that has no pair yet changes
the optimum exactly by the best negative cycle through one of them: the new
arc ``m -> t`` (cost ``-b``) closed by the cheapest residual path from mentor
``t`` back into ``m``, which enters ``m`` through the hub (``m`` becomes
covered) or the source (a further slot). One shortest-path search into the
hub and one into the source serve every unmatched mentee and every mentor.

Costs are lexicographic, (mentees covered, benefit): with ``coverage_first``
the hub arcs count -1 covered mentee each and the pair arcs count benefit
only, so the search needs no large bonus and stays exact in int64 on the
solver's integer grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.certificate import solver_grid
from matcher.pairing import Pairing
from matcher.problem import PairingProblem, pairing_problem
from matcher.welfare import flow_network, to_units

__all__ = ["ResidualGains", "residual_gains"]

_FAR = np.iinfo(np.int64).max // 4
"""Covered-count distance of a node the search has not reached."""


@dataclass(frozen=True, eq=False)
class ResidualGains:
    """Shortest residual paths from every mentor back into an unmatched
    mentee, for :meth:`gains` (see the module docstring).

    >>> from matcher.pairing import pair_mentors
    >>> b = np.array([[2.0, np.nan], [1.0, np.nan]])  # both want mentor 0, mentor 1 unused
    >>> rg = residual_gains(pair_mentors(b, [1, 1]), b, [1, 1], max_benefit=5.0)
    >>> covered, change = rg.gains(1, np.array([1, 0]), np.array([0.5, 3.0]))
    >>> covered.tolist(), change.tolist()  # a pair with free mentor 1; or mentor 0, over 2.0
    ([1, 0], [0.5, 1.0])
    """

    problem: PairingProblem
    exponent: int
    coverage_first: bool
    hub: tuple[np.ndarray, np.ndarray, np.ndarray]
    source: tuple[np.ndarray, np.ndarray, np.ndarray]
    extra: np.ndarray

    def gains(
        self, mentee: int, mentors: np.ndarray, benefit: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """For pairs ``(mentee, t)`` absent from the round, each added alone:
        how many more mentees the optimum would cover (at most 1; -1 for a
        pair no residual path closes) and by how much its total benefit
        would change (on the solver's grid). ``mentee`` must have no pair.

        The optimum strictly improves, so every optimum of the problem with
        the pair uses it, exactly when covered > 0, or covered == 0 and the
        change is > 0.
        """
        p = self.problem
        assert not p.covered[mentee], "the mentee has a pair"
        nodes = p.n + np.asarray(mentors, np.int64)
        units = to_units(np.asarray(benefit, np.float64), self.exponent)
        cov = np.full(nodes.size, _FAR)
        ben = np.zeros(nodes.size, np.int64)
        if self.coverage_first and p.ecap[mentee] > 0:
            c, b, ok = (part[nodes] for part in self.hub)
            cov, ben = np.where(ok, c - 1, cov), np.where(ok, b, ben)
        if self.extra[mentee] > 0:
            c, b, ok = (part[nodes] for part in self.source)
            better = ok & ((c < cov) | ((c == cov) & (b < ben)))
            cov, ben = np.where(better, c, cov), np.where(better, b, ben)
        reached = cov < _FAR
        covered = np.where(reached, -cov, -1)
        change = np.where(reached, np.ldexp((units - ben).astype(np.float64), -self.exponent), 0.0)
        return covered, change


def residual_gains(
    pairing: Pairing,
    benefit,
    mentor_capacity,
    mentee_capacity=1,
    *,
    locked=(),
    max_benefit: float | None = None,
) -> ResidualGains:
    """The residual graph of a welfare ``pairing`` of this problem (the
    arguments of :func:`~matcher.pairing.pair_mentors`) searched backwards
    from the hub and the source. ``max_benefit`` bounds the benefit of the
    pairs :meth:`ResidualGains.gains` will be asked about (it sets the grid).

    >>> from matcher.pairing import pair_mentors
    >>> b = np.array([[1.0]])
    >>> residual_gains(pair_mentors(b, [1]), b, [1]).exponent > 0
    True
    """
    if pairing.objective != "welfare":
        raise ValueError("residual gains exist only for objective='welfare'")
    problem = pairing_problem(benefit, mentor_capacity, mentee_capacity, locked)
    n, m, cf = problem.n, problem.m, pairing.coverage_first
    edge = problem.open_edges(cf)
    if max_benefit is None:
        max_benefit = float(np.abs(problem.vals).max(initial=0.0))
    # The solver's grid, on which its optimum has no negative cycle; paths
    # of up to all nodes stay within int64 (the budget leaves a factor of
    # nodes**2 for them).
    units, exponent, _ = solver_grid(problem.vals[edge], problem.solver_nodes, max_benefit)
    network = flow_network(problem, edge, units, coverage_first=cf, bonus=0)
    chosen = np.zeros(problem.rows.size, dtype=bool)
    chosen[problem.edge_ids(pairing.pairs)[0]] = True
    chosen[problem.locked] = False
    used = chosen[edge]
    r, c = problem.rows[edge][used], problem.cols[edge][used]
    flows = network.flows(used, np.bincount(r, minlength=n), np.bincount(c, minlength=m))
    tails, heads, costs = network.residual(flows)
    hub, src = n + m + 1, n + m
    # Hub arcs cover a mentee (-1) or uncover one (+1) and carry no benefit.
    cov = np.where((tails == hub) & (heads < n), -1, np.where((heads == hub) & (tails < n), 1, 0))
    ben = np.where(cov != 0, 0, costs).astype(np.int64)
    n_nodes = n + m + 3
    return ResidualGains(
        problem=problem,
        exponent=exponent,
        coverage_first=cf,
        hub=_distances_to(hub, n_nodes, tails, heads, cov, ben),
        source=_distances_to(src, n_nodes, tails, heads, cov, ben),
        extra=network.extra,
    )


def _distances_to(root, n_nodes, tails, heads, cov, ben):
    """Lexicographically shortest (covered, benefit) path lengths from every
    node to ``root``, and which nodes reach it: label correcting on the
    reversed arcs, vectorised over the nodes whose label just changed."""
    order = np.argsort(heads, kind="stable")
    start, end, cov, ben = heads[order], tails[order], cov[order], ben[order]
    indptr = np.searchsorted(start, np.arange(n_nodes + 1))
    dist_c = np.full(n_nodes, _FAR, np.int64)
    dist_b = np.zeros(n_nodes, np.int64)
    reached = np.zeros(n_nodes, dtype=bool)
    dist_c[root], reached[root] = 0, True
    frontier = np.array([root])
    for _ in range(n_nodes + 1):
        firsts = indptr[frontier]
        counts = indptr[frontier + 1] - firsts
        total = int(counts.sum())
        if total == 0:
            return dist_c, dist_b, reached
        arcs = np.arange(total) + np.repeat(firsts - (np.cumsum(counts) - counts), counts)
        to = end[arcs]
        rc, rb = dist_c[start[arcs]] + cov[arcs], dist_b[start[arcs]] + ben[arcs]
        better = ~reached[to] | (rc < dist_c[to]) | ((rc == dist_c[to]) & (rb < dist_b[to]))
        if not better.any():
            return dist_c, dist_b, reached
        to, rc, rb = to[better], rc[better], rb[better]
        pick = np.lexsort((rb, rc, to))
        to, rc, rb = to[pick], rc[pick], rb[pick]
        head = np.concatenate([[True], to[1:] != to[:-1]])
        frontier = to[head]
        dist_c[frontier], dist_b[frontier], reached[frontier] = rc[head], rb[head], True
    raise ValueError("the pairing is not optimal: its residual graph has a negative cycle")
