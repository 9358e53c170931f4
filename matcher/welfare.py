"""The welfare optimum of a pairing problem as a min-cost flow (OR-Tools).

One network serves both the solver (:func:`max_welfare`) and the certificate
that proves its result optimal (:func:`matcher.certificate.welfare_certificate`):
:func:`flow_network` builds it, :meth:`FlowNetwork.solve` solves it, and
:meth:`FlowNetwork.residual` gives the residual graph of a pairing's flow.

OR-Tools wants integer costs, so benefits are put on an integer grid first:
``c = rint(b * 2**e)`` with the largest ``e`` that keeps the solver within its
cost budget (:func:`integer_costs`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.problem import PairingProblem

__all__ = [
    "COST_BUDGET",
    "FlowNetwork",
    "budget_exponent",
    "flow_network",
    "integer_costs",
    "max_welfare",
    "scale_exponent",
    "to_units",
]

COST_BUDGET = 2**62
"""Bound on ``max|cost| * (nodes + 1)**2`` of the networks given to OR-Tools.

OR-Tools multiplies every unit cost by (nodes + 1), and the textbook bound for
cost scaling lets a node potential fall by 3 * nodes * eps per refine, eps
shrinking 5x from the largest multiplied cost: 0.75 * nodes * (nodes + 1) *
max|cost| in all. |cost| * (nodes + 1)**2 <= 2**62 keeps that below 2**63 / 2.6
for any graph shape, so BAD_COST_RANGE should never come back (still checked)."""


# ----------------------------------------------------------------- integer grid


def integer_costs(vals: np.ndarray, n_nodes: int) -> tuple[np.ndarray, float]:
    """Benefits as int64 ``c ~ vals * 2**e`` within the OR-Tools budget
    (``e`` from :func:`scale_exponent`), and ``err = max|vals - c * 2**-e|``
    (0.0 when exact).

    >>> integer_costs(np.array([3.0, -2.0]), 10)  # integers stay as they are
    (array([ 3, -2]), 0.0)
    >>> c, err = integer_costs(np.array([1e-20, 1.0]), 10)  # 2**55 steps per unit
    >>> c.tolist() == [1, 2**55], 0 < err < 2**-55
    (True, True)
    """
    if vals.size == 0:
        return np.zeros(0, dtype=np.int64), 0.0
    e = scale_exponent(vals, n_nodes)
    # Keep signs: otherwise a tiny negative pair looks free and a tiny positive
    # one worthless, which the caller would see as an unexplained choice.
    c = to_units(vals, e)
    err = float(np.max(np.abs(vals - np.ldexp(c, -e))))
    return c.astype(np.int64), err


def scale_exponent(vals: np.ndarray, n_nodes: int) -> int:
    """The exponent ``e`` that :func:`integer_costs` uses for these values: 0
    when they are integers within the budget, else :func:`budget_exponent`.

    >>> scale_exponent(np.array([3.0, 4.0]), 10), scale_exponent(np.array([0.5]), 10)
    (0, 56)
    """
    if vals.size == 0:
        return 0
    top = float(np.max(np.abs(vals)))
    limit = COST_BUDGET // (n_nodes + 1) ** 2
    if top == 0.0 or (top <= limit and bool((vals == np.rint(vals)).all())):
        return 0
    return budget_exponent(top, n_nodes)


def budget_exponent(top: float, n_nodes: int) -> int:
    """The largest ``e`` with ``top * 2**e`` within :data:`COST_BUDGET` for a
    network of ``n_nodes`` nodes.

    >>> budget_exponent(1.0, 10), budget_exponent(1000.0, 10_000)
    (55, 25)
    """
    limit = COST_BUDGET // (n_nodes + 1) ** 2
    # log2 can be off by one either way; the two loops settle it exactly.
    e = math.floor(math.log2(limit) - math.log2(top))
    while math.ldexp(top, e) > limit:
        e -= 1
    while math.ldexp(top, e + 1) <= limit:
        e += 1
    return e


def to_units(vals: np.ndarray, e: int, *, dtype=np.int64) -> np.ndarray:
    """``rint(vals * 2**e)`` as integers, a nonzero value that would round to
    0 keeping its sign as +-1; ``dtype=object`` gives exact Python ints.

    >>> to_units(np.array([1.25, -0.1, 0.0]), 1).tolist()
    [2, -1, 0]
    """
    c = np.rint(np.ldexp(vals, e))
    c = np.where((c == 0) & (vals != 0), np.sign(vals), c)
    if np.dtype(dtype) == object:  # integral floats convert to Python ints exactly
        return np.array([int(x) for x in c], dtype=object)
    return c.astype(np.int64)


# ---------------------------------------------------------------------- network


@dataclass(frozen=True, eq=False)
class FlowNetwork:
    """Arcs of the welfare flow of a :class:`~matcher.problem.PairingProblem`.

    Nodes: mentees ``0..n-1``, mentors ``n..n+m-1``, then ``src``, ``hub``
    and ``sink``. Arcs, in this order: one per pair (mentee -> mentor,
    capacity 1, cost -benefit in grid units; the first ``n_edges``), hub ->
    each mentee of ``first`` (its first unit, capacity 1), mentor -> sink
    (capacity = its slots), src -> each mentee with ``extra`` slots, the
    bypass src -> sink and, when the hub arcs carry a bonus, the bypass hub ->
    sink. Arcs of capacity 0 are left out. ``supply`` is per node.

    >>> from matcher.problem import pairing_problem
    >>> p = pairing_problem(np.array([[2.0, 1.0]]), [1, 1])
    >>> net = flow_network(p, p.open_edges(True), np.array([2, 1]), coverage_first=True)
    >>> net.n_edges, net.first.tolist(), net.extra.tolist(), net.slots.tolist()
    (2, [True], [0], [0, 1])
    """

    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    supply: np.ndarray
    n_edges: int
    first: np.ndarray
    extra: np.ndarray
    slots: np.ndarray
    hub_bypass: bool

    def solve(self, seed: int | None = None) -> np.ndarray:
        """Flow on each arc of a max flow of min cost (OR-Tools), which
        pushes the most hub units it can, then minimises cost.

        ``seed``: None gives the arcs to the solver in their order; an int in
        a ``numpy.random.default_rng(seed)`` permutation, which may pick
        another optimum among ties (never another optimal value).

        >>> from matcher.problem import pairing_problem
        >>> p = pairing_problem(np.eye(2), [1, 1])  # benefit 1 on the diagonal, else 0
        >>> net = flow_network(p, p.open_edges(True), np.array([1, 0, 0, 1]), coverage_first=True)
        >>> net.solve()[: net.n_edges].tolist()  # mentee i takes mentor i
        [1, 0, 0, 1]
        """
        order = np.arange(self.tails.size)
        if seed is not None:
            order = np.random.default_rng(seed).permutation(self.tails.size)
        arc_of = np.empty(self.tails.size, dtype=np.int32)
        arc_of[order] = np.arange(self.tails.size, dtype=np.int32)
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            self.tails[order].astype(np.int32),
            self.heads[order].astype(np.int32),
            self.caps[order].astype(np.int64),
            self.costs[order].astype(np.int64),
        )
        flow.set_nodes_supplies(np.arange(self.supply.size, dtype=np.int32), self.supply)
        status = flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"OR-Tools min-cost flow ended with status {status.name}")
        return flow.flows(arc_of)

    def flows(self, used: np.ndarray, mentee_load: np.ndarray, mentor_load: np.ndarray):
        """The flow on each arc of a pairing: ``used`` per pair arc, and the
        pairs each mentee and mentor has (a covered mentee's first pair
        comes through the hub).

        >>> from matcher.problem import pairing_problem
        >>> p = pairing_problem(np.eye(2), [1, 1])
        >>> net = flow_network(p, p.open_edges(True), np.array([1, 0, 0, 1]), coverage_first=True)
        >>> ones = np.array([1, 1])
        >>> net.flows(np.array([1, 0, 0, 1]), ones, ones).tolist()  # pairs, hub, mentors, bypass
        [1, 0, 0, 1, 1, 1, 1, 1, 0]
        """
        hub_flow = (self.first & (mentee_load > 0)).astype(np.int64)
        feed = mentee_load - hub_flow
        parts = [
            used.astype(np.int64),
            hub_flow[self.first],
            mentor_load[self.slots],
            feed[self.extra > 0],
            [self.extra.sum() - feed.sum()],
        ]
        if self.hub_bypass:
            parts.append([self.first.sum() - hub_flow.sum()])
        return np.concatenate(parts)

    def residual(self, flows: np.ndarray):
        """The residual graph of ``flows``, as ``(tails, heads, costs)``:
        forward arcs with room left, and reversed arcs (cost negated) that
        carry flow.

        >>> from matcher.problem import pairing_problem
        >>> p = pairing_problem(np.eye(1), [1])
        >>> net = flow_network(p, p.open_edges(False), np.array([1]), coverage_first=False)
        >>> one = np.array([1])
        >>> [arcs.tolist() for arcs in net.residual(net.flows(one, one, one))]
        [[2, 1, 4, 0], [4, 0, 1, 2], [0, 1, 0, 0]]
        """
        forward, backward = flows < self.caps, flows > 0
        return (
            np.concatenate([self.tails[forward], self.heads[backward]]),
            np.concatenate([self.heads[forward], self.tails[backward]]),
            np.concatenate([self.costs[forward], -self.costs[backward]]),
        )


def flow_network(
    problem: PairingProblem,
    edge: np.ndarray,
    units: np.ndarray,
    *,
    coverage_first: bool,
    ecap: np.ndarray | None = None,
    mcap: np.ndarray | None = None,
    bonus=None,
) -> FlowNetwork:
    """The :class:`FlowNetwork` of ``problem`` over the pairs ``edge`` (edge
    ids) with integer benefits ``units``.

    ``src`` feeds any unit and may bypass straight to the sink, so how many
    pairs to make is free. With ``coverage_first``, ``hub`` feeds the first
    unit of each uncovered mentee with a slot. Without ``bonus``, the hub has
    no bypass: a max flow of min cost pushes the most hub units it can (= the
    most coverable mentees) and, among those flows, minimises cost, the
    lexicographic optimum without a big-M bonus arc, which would cost
    log2(2 * pairs) bits of benefit precision (~18 at 10**5 mentees) and
    solve time. With ``bonus`` (the certificate's view of the same optimum),
    each hub arc costs ``-bonus`` and the hub may bypass. ``ecap`` and
    ``mcap`` default to the problem's slots; ``units``' dtype (int64 or
    object) is the costs'.

    One mentee (node 0), two mentors (1, 2), then src 3, hub 4, sink 5:

    >>> from matcher.problem import pairing_problem
    >>> p = pairing_problem(np.array([[2.0, 1.0]]), [1, 1])
    >>> net = flow_network(p, p.open_edges(True), np.array([2, 1]), coverage_first=True)
    >>> net.tails.tolist(), net.heads.tolist(), net.costs.tolist()
    ([0, 0, 4, 1, 2, 3], [1, 2, 0, 5, 5, 5], [-2, -1, 0, 0, 0, 0])
    >>> net.caps.tolist(), net.supply.tolist()  # the hub sends the mentee's first unit
    ([1, 1, 1, 1, 1, 0], [0, 0, 0, 0, 1, -1])
    """
    n, m = problem.n, problem.m
    ecap = problem.ecap if ecap is None else ecap
    mcap = problem.mcap if mcap is None else mcap
    src, hub, sink = n + m, n + m + 1, n + m + 2
    first = (ecap > 0) & ~problem.covered if coverage_first else np.zeros(n, dtype=bool)
    extra = ecap - first
    fed, hubbed, slots = np.flatnonzero(extra), np.flatnonzero(first), np.flatnonzero(mcap)
    arcs = [  # (tails, heads, capacities) of each kind of arc, in order
        (problem.rows[edge], n + problem.cols[edge], np.ones(edge.size, np.int64)),
        (np.full(hubbed.size, hub), hubbed, np.ones(hubbed.size, np.int64)),
        (n + slots, np.full(slots.size, sink), mcap[slots]),
        (np.full(fed.size, src), fed, extra[fed]),
        ([src], [sink], [extra.sum()]),
    ]
    if bonus is not None:
        arcs.append(([hub], [sink], [first.sum()]))
    tails, heads, caps = (np.concatenate(kind).astype(np.int64) for kind in zip(*arcs, strict=True))
    hub_cost = 0 if bonus is None else -bonus
    costs = np.concatenate(
        [
            -units,
            np.full(hubbed.size, hub_cost, dtype=units.dtype),
            np.zeros(tails.size - edge.size - hubbed.size, units.dtype),
        ]
    )
    supply = np.zeros(n + m + 3, dtype=np.int64)
    supply[hub], supply[src] = hubbed.size, extra.sum()
    supply[sink] = -(hubbed.size + extra.sum())
    return FlowNetwork(
        tails=tails,
        heads=heads,
        caps=caps,
        costs=costs,
        supply=supply,
        n_edges=edge.size,
        first=first,
        extra=extra,
        slots=slots,
        hub_bypass=bonus is not None,
    )


# ---------------------------------------------------------------------- solver


def max_welfare(
    problem: PairingProblem, *, coverage_first: bool, seed: int | None = None
) -> tuple[np.ndarray, float]:
    """Edge ids of a welfare optimum of ``problem`` (locked pairs excluded)
    and its rounding ``resolution`` (see :func:`~matcher.pairing.pair_mentors`).

    >>> from matcher.problem import pairing_problem
    >>> p = pairing_problem(np.array([[10.0, 9.0], [8.0, 1.0]]), [1, 1])
    >>> chosen, resolution = max_welfare(p, coverage_first=True)
    >>> p.rows[chosen].tolist(), p.cols[chosen].tolist(), resolution
    ([0, 1], [1, 0], 0.0)
    """
    n, m = problem.n, problem.m
    edge = problem.open_edges(coverage_first)
    # A node never uses more slots than it has arcs; clipping keeps sums small.
    ecap = np.minimum(problem.ecap, np.bincount(problem.rows[edge], minlength=n))
    mcap = np.minimum(problem.mcap, np.bincount(problem.cols[edge], minlength=m))
    n_pairs_bound = int(min(edge.size, ecap.sum(), mcap.sum()))
    if n_pairs_bound == 0:
        return np.zeros(0, dtype=np.int64), 0.0
    units, err = integer_costs(problem.vals[edge], problem.solver_nodes)
    network = flow_network(
        problem, edge, units, coverage_first=coverage_first, ecap=ecap, mcap=mcap
    )
    used = network.solve(seed)[: edge.size] > 0
    return edge[used], 2.0 * n_pairs_bound * err
