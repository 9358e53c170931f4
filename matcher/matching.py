"""Maximum-weight matchings of a general graph, exact at scale: the
engine behind :func:`matcher.exchanges.exchange_pairs` (see its docstring for
the method: blossom on small components, LP reduction and MILP on large ones,
and a Lagrangian bound for at most ``k`` edges).

Edges are aligned arrays ``a``, ``b`` (endpoints, ``a < b``) and ``w``
(weights > 0) over ``n`` nodes; results are edge ids.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from matcher.certificate import welfare_certificate
from matcher.pairing import pair_mentors
from matcher.ranking import rank_in_runs

__all__ = ["BLOSSOM_NODES", "MAX_EXACT_EDGES", "best_matching"]

BLOSSOM_NODES = 200
"""Components of the reciprocal graph with up to this many members are solved
by networkx's blossom algorithm (pure Python, O(V³): quick on small
components, far too slow on large ones); larger ones by the LP-reduced MILP."""


MAX_EXACT_EDGES = 200_000
"""Most edges one MILP is given; a larger one is not attempted and the result
falls back to a bounded matching that is not proven optimal."""


_FIRST_SLACK = 1e-6
"""Reduced cost (score units) of the first edge set the MILP sees; ×8 per pass."""


def best_matching(n, a, b, w, *, k, blossom_nodes, max_exact_edges):
    """Edge ids of a maximum-weight matching of at most ``k`` edges (edges a–b
    with a < b, weights w > 0), whether it is proven, an upper bound on the
    optimum and the method (see :func:`matcher.exchanges.exchange_pairs`).

    A path 0–1–2–3: the two end edges (3 + 3) beat the middle one (5), which
    alone is the best single edge:

    >>> a, b, w = np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([3.0, 5.0, 3.0])
    >>> best_matching(4, a, b, w, k=None, blossom_nodes=200, max_exact_edges=100)
    (array([0, 2]), True, 6.0, 'exact')
    >>> best_matching(4, a, b, w, k=1, blossom_nodes=200, max_exact_edges=100)
    (array([1]), True, 5.0, 'exact')
    """
    chosen, optimal, bound = _max_matching(
        n, a, b, w, blossom_nodes=blossom_nodes, max_exact_edges=max_exact_edges
    )
    method = "exact" if optimal else "lp_rounding"
    if k is None or len(chosen) <= k:
        return chosen, optimal, bound, method
    ranked = chosen[np.lexsort((b[chosen], a[chosen], -w[chosen]))]
    greedy = _greedy(n, a, b, w, most=k + 1)
    start = max(ranked[:k], greedy[:k], key=lambda e: math.fsum(w[e].tolist()))
    # Penalising every pair by the greedy's next gain makes about k pairs worth
    # taking, where the Lagrangian bound is tightest.
    penalty = w[greedy[k]] if len(greedy) > k else 0.0
    reduced, k_bound = _k_dual(n, a, b, w, k=k, penalty=penalty)
    # Any k pairs weigh at most the k heaviest, and at most the full optimum.
    bound = min(bound, k_bound, math.fsum(np.sort(w)[-k:].tolist()))
    if math.fsum(w[start].tolist()) >= bound - 1e-9 * max(1.0, bound):
        return np.sort(start), True, math.fsum(w[start].tolist()), "exact"
    chosen, proven = _prove(
        n, a, b, w, reduced=reduced, bound=k_bound, best=np.sort(start), k=k,
        among=_top_at_both_ends(a, b, w, top=2 * k - 1), max_exact_edges=max_exact_edges,
    )  # fmt: skip
    if proven:
        return chosen, True, math.fsum(w[chosen].tolist()), "exact"
    return chosen, False, bound, "best_k_found"


def _max_matching(n, a, b, w, *, blossom_nodes, max_exact_edges):
    """Edge ids of a maximum-weight matching (edges a–b, weights w > 0), whether
    it is proven, and an upper bound on the optimum; component by component."""
    graph = sp.coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    by_component = np.argsort(label[a], kind="stable")
    starts = np.flatnonzero(np.diff(label[a][by_component], prepend=-1))
    chosen, bounds, optimal = [np.zeros(0, np.int64)], [], True
    for edges in np.split(by_component, starts[1:]):
        if len(edges) == 0:
            continue
        nodes, local = np.unique(np.concatenate([a[edges], b[edges]]), return_inverse=True)
        la, lb = local[: len(edges)], local[len(edges) :]
        if len(nodes) <= blossom_nodes:
            picked = _blossom(la, lb, w[edges])
            proven, bound = True, math.fsum(w[edges[picked]].tolist())
        else:
            picked, proven, bound = _lp_matching(
                len(nodes), la, lb, w[edges], max_exact_edges=max_exact_edges
            )
        chosen.append(edges[picked])
        bounds.append(bound)
        optimal &= proven
    return np.sort(np.concatenate(chosen)), optimal, math.fsum(bounds)


def _blossom(a, b, w) -> np.ndarray:
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist(), strict=True))
    edge_id = {(u, v): e for e, (u, v) in enumerate(zip(a.tolist(), b.tolist(), strict=True))}
    mates = nx.max_weight_matching(graph)
    return np.sort(np.array([edge_id[min(u, v), max(u, v)] for u, v in mates], dtype=np.int64))


def _lp_matching(n, a, b, w, *, max_exact_edges):
    """:func:`_max_matching` of one connected graph by LP reduction + MILP."""
    y, cover = _dual(n, a, b, w)
    reduced = y[a] + y[b] - w
    bound = math.fsum(y.tolist())
    best, proven = _prove(
        n, a, b, w, reduced=reduced, bound=bound, best=_rounding(n, a, b, w, cover), k=None,
        among=np.ones(len(w), dtype=bool), max_exact_edges=max_exact_edges,
    )  # fmt: skip
    return best, proven, math.fsum(w[best].tolist()) if proven else bound


def _prove(n, a, b, w, *, reduced, bound, best, k, among, max_exact_edges):
    """Improve the matching ``best`` (edge ids, at most ``k``) until proven
    optimal, by MILPs on the edges ``among`` those of reduced cost ≤ τ, τ
    growing ×8 from 1e-6: a matching containing an edge weighs at most
    ``bound − rc``, so once ``bound − W ≤ τ`` no edge left out is in a better
    one. Returns (edge ids, proven); gives up beyond ``max_exact_edges``."""
    value = math.fsum(w[best].tolist())
    slack = 1e-9 * max(1.0, bound)  # float error of reduced costs and sums
    tau, seen = _FIRST_SLACK, -1
    while bound - value > slack:
        tight = np.flatnonzero(among & (reduced <= tau + slack))
        if len(tight) > max_exact_edges:
            return best, False
        if len(tight) > seen:  # a larger edge set can give a better matching
            picked = tight[_milp_matching(n, a[tight], b[tight], w[tight], k=k)]
            seen = len(tight)
            if math.fsum(w[picked].tolist()) > value:
                best, value = picked, math.fsum(w[picked].tolist())
        if bound - value <= tau:
            break
        tau = min(tau * 8, bound - value)
    return best, True


def _dual(n, a, b, w) -> tuple[np.ndarray, np.ndarray]:
    """Dual potentials ``y >= 0`` of the fractional matching LP with
    ``y[a] + y[b] >= w`` on every edge, and the (row, column) pairs of the
    optimal assignment on the bipartite double cover they come from."""
    double = sp.coo_matrix(
        (np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n)
    ).tocsr()
    ones = np.ones(n, dtype=np.int64)
    cover = pair_mentors(double, ones, 1, coverage_first=False)
    cert = welfare_certificate(cover, double, ones, 1)
    # Both arcs of edge ab give u[a] + v[b] >= w and u[b] + v[a] >= w, so half
    # of u + v is dual feasible for the general graph, up to the solver's
    # integer grid: the lift below makes it exactly feasible whatever that is.
    y = np.maximum((cert.mentee_potential + cert.mentor_potential) / 2, 0.0)
    short = np.maximum(w - y[a] - y[b], 0.0)
    lift = np.zeros(n)
    np.maximum.at(lift, a, short)
    np.maximum.at(lift, b, short)
    return y + lift, cover.pairs


def _rounding(n, a, b, w, cover_pairs) -> np.ndarray:
    """A matching from the double cover's optimum: its 2-cycles (both arcs of
    an edge: the integral part of the LP), then the heaviest edges that fit."""
    arcs = cover_pairs[:, 0] * n + cover_pairs[:, 1]
    chosen = np.flatnonzero(np.isin(a * n + b, arcs) & np.isin(b * n + a, arcs)).tolist()
    taken = np.zeros(n, dtype=bool)
    taken[a[chosen]] = taken[b[chosen]] = True
    free = np.flatnonzero(~taken[a] & ~taken[b])
    for e in free[np.lexsort((free, -w[free]))].tolist():
        if not taken[a[e]] and not taken[b[e]]:
            taken[a[e]] = taken[b[e]] = True
            chosen.append(e)
    return np.sort(np.array(chosen, dtype=np.int64))


def _milp_matching(n, a, b, w, *, k) -> np.ndarray:
    """Edge ids of a maximum-weight matching of at most ``k`` edges (any number
    when ``k`` is None): HiGHS branch and cut on binary edge variables."""
    m = len(w)
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    incidence = sp.csr_matrix(
        (np.ones(2 * m), (np.concatenate([a, b]), np.tile(np.arange(m), 2))), shape=(n, m)
    )
    constraints = [LinearConstraint(incidence, ub=1)]
    if k is not None:
        constraints.append(LinearConstraint(sp.csr_matrix(np.ones((1, m))), ub=k))
    result = milp(
        -w,
        constraints=constraints,
        integrality=np.ones(m),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0},
    )
    if result.status != 0:
        raise RuntimeError(f"HiGHS MILP ended with status {result.status}: {result.message}")
    return np.flatnonzero(result.x > 0.5)


def _k_dual(n, a, b, w, *, k, penalty) -> tuple[np.ndarray, float]:
    """Reduced costs and bound of the Lagrangian dual for at most ``k`` edges:
    with potentials ``y`` of the LP with every edge penalised by ``penalty``,
    ``rc = y[a] + y[b] + penalty − w ≥ 0`` and ``w(M) ≤ Σy + k·penalty − Σ_M rc``
    for any matching M of at most k edges."""
    # Edges at or below the penalty stay out of the LP: y >= 0 already covers
    # them (their rc is at least penalty - w >= 0).
    gain = w > penalty
    y, _ = _dual(n, a[gain], b[gain], w[gain] - penalty)
    return y[a] + y[b] + penalty - w, math.fsum(y.tolist()) + k * penalty


def _top_at_both_ends(a, b, w, *, top) -> np.ndarray:
    """Whether each edge is among the ``top`` heaviest (ties by edge id) at both
    its ends. An optimal set of at most k disjoint edges exists among those
    with ``top = 2k − 1``: an edge that is not can be swapped for one of its
    end's top edges, at most 2k − 2 of whose other ends the rest can take."""
    ends = np.concatenate([a, b])
    edge = np.tile(np.arange(len(w)), 2)
    order = np.lexsort((edge, -w[edge], ends))
    rank = np.empty(len(ends), dtype=np.int64)
    rank[order] = rank_in_runs(ends[order])
    return (rank[: len(w)] < top) & (rank[len(w) :] < top)


def _greedy(n, a, b, w, *, most) -> np.ndarray:
    """The first ``most`` edges of the greedy matching (heaviest first, ties by
    edge id), in the order taken."""
    taken = np.zeros(n, dtype=bool)
    chosen = []
    for e in np.lexsort((np.arange(len(w)), -w)).tolist():
        if len(chosen) == most:
            break
        if not taken[a[e]] and not taken[b[e]]:
            taken[a[e]] = taken[b[e]] = True
            chosen.append(e)
    return np.array(chosen, dtype=np.int64)
