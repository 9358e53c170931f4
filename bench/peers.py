"""Sections 2 and 3: ``pair_mentors`` against other solvers on the same
candidate graphs (every mentee takes at most one mentor in these comparisons;
mentor capacities are the network's)."""

from __future__ import annotations

import gc
import statistics
import sys
import threading
import time
import warnings

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

from bench.common import (
    NONE,
    Table,
    candidate_graph,
    fmt_mb,
    fmt_ratio,
    fmt_time,
    mark,
    measure,
    mismatch,
    positive_edges,
    same_total,
)
from matcher import pair_mentors

# ------------------------------------------------------------------ 2. welfare

PAIRING_SIZES = (100, 200, 300, 500, 1_000, 3_000, 10_000)
NX_CALL_LIMIT = 10.0
"""networkx runs at the next size only while its last single call took at most
this many seconds (and its cubic extrapolation stays below 6x this)."""
DENSE_LIMIT = 1.5e9
"""SciPy runs while its dense float64 (mentees x mentor slots) matrix fits in this many bytes."""
NX_TARGET = (300, 500.0)
"""(members, ratio): pairing must be this many times faster than networkx there."""


def _slots(cols: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Slots per mentor: its capacity, clipped to its number of candidate pairs
    (a mentor never fills more slots than it has pairs; same optimum, smaller
    problems for the peers)."""
    return np.minimum(capacity, np.bincount(cols, minlength=capacity.size))


def networkx_graph(rows, cols, vals, slots) -> nx.Graph:
    """Bipartite graph: mentee ``i`` = node ``i``; mentor ``j`` = ``slots[j]``
    copies, nodes ``n_mentees + offset[j] + s``."""
    offset = np.concatenate([[0], np.cumsum(slots)[:-1]])
    base = int(rows.max()) + 1 if rows.size else 0
    graph = nx.Graph()
    for s in range(int(slots.max()) if slots.size else 0):
        keep = slots[cols] > s
        graph.add_weighted_edges_from(
            zip(
                rows[keep].tolist(),
                (base + offset[cols[keep]] + s).tolist(),
                vals[keep].tolist(),
                strict=True,
            )
        )
    return graph


def networkx_total(graph: nx.Graph, matching) -> float:
    return float(sum(graph[u][v]["weight"] for u, v in matching))


def dense_cost(rows, cols, vals, slots) -> np.ndarray:
    """(mentees with a pair) x (mentor slots) cost matrix, cost = -benefit,
    0 for a forbidden pair (so it is never better than leaving a slot empty)."""
    mentees, r = np.unique(rows, return_inverse=True)
    offset = np.concatenate([[0], np.cumsum(slots)[:-1]])
    cost = np.zeros((mentees.size, int(slots.sum())))
    for s in range(int(slots.max()) if slots.size else 0):
        keep = slots[cols] > s
        cost[r[keep], offset[cols[keep]] + s] = -vals[keep]
    return cost


def dense_total(cost: np.ndarray, assignment) -> float:
    picked = cost[assignment]
    return float(-picked[picked < 0].sum())  # zero-benefit assignments dropped


def pairing_table(
    sizes=PAIRING_SIZES,
    *,
    repeats: int = 5,
    peer_repeats: int = 3,
    peer_budget: float = 25.0,
    nx_limit: float = NX_CALL_LIMIT,
    dense_limit: float = DENSE_LIMIT,
    log=None,
) -> Table:
    table = Table(
        "2. Pairing peers: maximum total benefit, one mentor per mentee (median wall time, runs)",
        [
            "members",
            "pairs > 0",
            "mentees",
            "mentor slots",
            "ours",
            "networkx",
            "nx / ours",
            "SciPy LSA",
            "LSA / ours",
            "dense matrix",
            "optimum (ours)",
            "peers equal",
            "target",
            "met",
        ],
    )
    nx_last: tuple[int, float] | None = None
    for n in sizes:
        if log:
            log(f"pairing peers: {n:,} members")
        g = candidate_graph(n)
        capacity = g.arrays.mentor_capacity
        t_ours = measure(
            lambda g=g, capacity=capacity: pair_mentors(
                g.benefit, capacity, 1, coverage_first=False
            ),
            repeats,
        )
        ours = t_ours.value.total_benefit
        t_ours.value = None
        rows, cols, vals = positive_edges(g.benefit)
        slots = _slots(cols, capacity)
        equal: list[str] = []

        t_nx = None
        run_nx = nx_last is None or (
            nx_last[1] <= nx_limit and nx_last[1] * (n / nx_last[0]) ** 3 <= 6 * nx_limit
        )
        if run_nx and rows.size:
            graph = networkx_graph(rows, cols, vals, slots)
            t_nx = measure(
                lambda graph=graph: nx.max_weight_matching(graph), peer_repeats, peer_budget
            )
            nx_last = (n, min(t_nx.times))
            total = networkx_total(graph, t_nx.value)
            equal.append(_check("networkx", n, total, ours))
            del graph
        elif nx_last is not None:
            nx_last = (n, float("inf"))

        t_lsa = None
        n_bytes = 8 * np.unique(rows).size * int(slots.sum())
        if n_bytes <= dense_limit and rows.size:
            cost = dense_cost(rows, cols, vals, slots)
            t_lsa = measure(
                lambda cost=cost: linear_sum_assignment(cost), peer_repeats, peer_budget
            )
            equal.append(_check("SciPy", n, dense_total(cost, t_lsa.value), ours))
            del cost

        ratio_nx = t_nx.median / t_ours.median if t_nx else None
        target = NX_TARGET[1] if n == NX_TARGET[0] else None
        table.rows.append(
            [
                f"{n:,}",
                f"{rows.size:,}",
                f"{np.unique(rows).size:,}",
                f"{int(slots.sum()):,}",
                fmt_time(t_ours.median),
                _timed(t_nx, "stopped"),
                fmt_ratio(t_nx.median if t_nx else None, t_ours.median),
                _timed(t_lsa, "too big"),
                fmt_ratio(t_lsa.median if t_lsa else None, t_ours.median),
                fmt_mb(n_bytes),
                f"{ours:.6f}",
                " ".join(equal) or NONE,
                f"nx ≥ {target:.0f}×" if target else NONE,
                mark(None if target is None or ratio_nx is None else ratio_nx >= target),
            ]
        )
    table.notes += [
        "Candidate graphs = the round's auto candidates on generate_network(n, seed=1); "
        "ours = pair_mentors(benefit, mentor capacities, 1, coverage_first=False).",
        "networkx = max_weight_matching on a bipartite graph with each mentor replicated "
        f"by its slots; run while its previous call took ≤ {nx_limit:g} s. SciPy = "
        "linear_sum_assignment on the dense (mentees × slots) cost matrix, forbidden = 0, "
        f"zero-benefit assignments dropped; run while that matrix is ≤ {dense_limit / 1e9:g} GB.",
        "Peer times are the solver call alone (building their graph/matrix is not counted); "
        "slots = capacity clipped to the mentor's number of pairs (same optimum). "
        "Equal = same total within 1e-6 relative.",
    ]
    return table


def _timed(t, missing: str) -> str:
    return missing if t is None else f"{fmt_time(t.median)} ({t.runs})"


def _check(peer: str, n: int, total: float, ours: float) -> str:
    if same_total(total, ours):
        return f"{peer} ✓"
    mismatch(f"pairing, {n} members: {peer} total {total!r} != ours {ours!r}")
    return f"{peer} ✗ ({total:.6f})"


# ------------------------------------------------------------------- 3. stable

STABLE_SIZES = (300, 1_000, 3_000)
STABLE_TARGET = (3_000, 50.0)


def preference_lists(benefit) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    """Mentee and mentor preference lists as ``matching`` takes them: benefit
    descending, ties to the lower index (the order ``objective="stable"`` uses)."""
    coo = benefit.tocoo()
    rows, cols, vals = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    by_mentee = np.lexsort((cols, -vals, rows))
    by_mentor = np.lexsort((rows, -vals, cols))
    mentee_prefs: dict[int, list[int]] = {}
    for i, j in zip(rows[by_mentee].tolist(), cols[by_mentee].tolist(), strict=True):
        mentee_prefs.setdefault(i, []).append(j)
    mentor_prefs: dict[int, list[int]] = {}
    for i, j in zip(rows[by_mentor].tolist(), cols[by_mentor].tolist(), strict=True):
        mentor_prefs.setdefault(j, []).append(i)
    return mentee_prefs, mentor_prefs, rows, cols


def run_hospital_resident(mentee_prefs, mentor_prefs, capacity, repeats, budget):
    """(build times, solve times, pairs) of ``matching``'s resident-optimal HR."""
    from matching.games import HospitalResident

    capacities = {j: int(capacity[j]) for j in mentor_prefs}
    builds, solves, pairs = [], [], None
    for _ in range(max(1, repeats)):
        game = None
        gc.collect()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            game = HospitalResident.create_from_dictionaries(mentee_prefs, mentor_prefs, capacities)
            built = time.perf_counter()
            found = game.solve(optimal="resident")
            done = time.perf_counter()
        builds.append(built - start)
        solves.append(done - built)
        pairs = sorted((r.name, h.name) for h, rs in found.items() for r in rs)
        if sum(builds) + sum(solves) >= budget:
            break
    return builds, solves, pairs


def _in_big_stack(fn, *args):
    """Run ``fn`` in a thread with a 512 MiB stack and a high recursion limit:
    ``matching`` deep-copies its players recursively."""
    out: dict = {}

    def target():
        try:
            out["value"] = fn(*args)
        except BaseException as exc:  # re-raised in the caller's thread
            out["error"] = exc

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 1_000_000))
    old_size = threading.stack_size(1 << 29)
    try:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    if "error" in out:
        raise out["error"]
    return out["value"]


def stable_table(
    sizes=STABLE_SIZES,
    *,
    repeats: int = 5,
    peer_repeats: int = 3,
    peer_budget: float = 40.0,
    log=None,
) -> Table:
    table = Table(
        "3. Stable mode vs matching.games.HospitalResident (median wall time, runs)",
        [
            "members",
            "pairs",
            "mentees",
            "ours",
            "matching build + solve",
            "ratio",
            "matching solve only",
            "ratio (solve)",
            "pairs made",
            "identical",
            "target",
            "met",
        ],
    )
    for n in sizes:
        if log:
            log(f"stable vs matching: {n:,} members")
        g = candidate_graph(n)
        capacity = g.arrays.mentor_capacity
        t_ours = measure(
            lambda g=g, capacity=capacity: pair_mentors(g.benefit, capacity, 1, objective="stable"),
            repeats,
        )
        ours = [tuple(p) for p in t_ours.value.pairs.tolist()]
        t_ours.value = None
        mentee_prefs, mentor_prefs, _, _ = preference_lists(g.benefit)
        builds, solves, theirs = _in_big_stack(
            run_hospital_resident, mentee_prefs, mentor_prefs, capacity, peer_repeats, peer_budget
        )
        whole = statistics.median([b + s for b, s in zip(builds, solves, strict=True)])
        solve = statistics.median(solves)
        identical = theirs == ours
        if not identical:
            mismatch(f"stable, {n} members: matching's pairs differ from ours")
        target = STABLE_TARGET[1] if n == STABLE_TARGET[0] else None
        table.rows.append(
            [
                f"{n:,}",
                f"{g.benefit.nnz:,}",
                f"{len(mentee_prefs):,}",
                fmt_time(t_ours.median),
                f"{fmt_time(whole)} ({len(builds)})",
                fmt_ratio(whole, t_ours.median),
                fmt_time(solve),
                fmt_ratio(solve, t_ours.median),
                f"{len(ours):,}",
                mark(identical),
                f"≥ {target:.0f}×" if target else NONE,
                mark(None if target is None else whole / t_ours.median >= target),
            ]
        )
    table.notes += [
        "Same auto candidate graphs as section 2; ours = pair_mentors(..., 1, objective="
        "'stable') (mentee-proposing deferred acceptance).",
        "matching: residents = mentees, hospitals = mentors with their capacities, preferences "
        "= benefit descending, ties to the lower index; solve(optimal='resident').",
        "build = HospitalResident.create_from_dictionaries (deep copy + input checks); "
        "turning the benefit matrix into preference dicts is not counted. The target is "
        "judged on build + solve.",
    ]
    return table
