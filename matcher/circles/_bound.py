"""The upper bound on need covered: a min-cost flow that relaxes the problem."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.circles._problem import Problem
from matcher.circles.model import ANCHOR_LEVEL


def bound_flow(p: Problem) -> tuple[int, dict[tuple[int, int], list[int]]]:
    """The bound, in quarter need levels, and the learners its optimum routes
    to each (theme, language) pool.

    Min-cost flow: source → learner (capacity ``m``) → (learner, theme)
    (capacity 1: a theme counts once) → pool (theme, language, anchor level v)
    (cost ``−need × v``; only if the learner speaks the language, the pool is
    viable and some level-v anchor there is not excluded with it) → anchor (of
    level v on the theme, speaking the language) → sink (``m × (size_max − 1)``
    seats: ``m`` circles of at most ``size_max − 1`` others), plus a free
    source → sink bypass. Any feasible set of circles is such a flow (route
    each credited (learner, theme) to its strongest circle's best anchor) of
    the same value, so the optimum bounds them all.
    """
    k, n_lang = p.viable_pools.shape
    seats = p.max_per_member * (p.size_max - 1)
    speaks = p.arrays.speaks
    # (learner, theme) pairs, and the pools each may use.
    pi, pt = np.nonzero(p.learner_mask)
    q, lang = np.nonzero(speaks[pi] & p.viable_pools[pt])
    ai, at = np.nonzero(p.anchor_mask)
    a_row, a_lang = np.nonzero(speaks[ai])
    a_i, a_t = ai[a_row], at[a_row]
    a_v = p.expertise_matrix[a_i, a_t] - ANCHOR_LEVEL
    by_level = np.zeros((k, n_lang, 2), dtype=np.int64)
    np.add.at(by_level, (a_t, a_lang, a_v), 1)
    q, lang, v = np.repeat(q, 2), np.repeat(lang, 2), np.tile([0, 1], q.size)
    left = by_level[pt[q], lang, v]
    for arc in np.flatnonzero(np.isin(pi[q], list(p.excluded))).tolist():
        i, t, lg, lv = int(pi[q[arc]]), int(pt[q[arc]]), int(lang[arc]), int(v[arc])
        left[arc] -= sum(
            1
            for j in p.excluded[i]
            if p.is_anchor[j][t] and p.speaks[j][lg] and p.expertise[j][t] - ANCHOR_LEVEL == lv
        )
    keep = left > 0
    q, lang, v = q[keep], lang[keep], v[keep]
    if q.size == 0:
        return 0, {}
    keep_a = p.viable_pools[a_t, a_lang]
    a_i, a_t, a_lang, a_v = a_i[keep_a], a_t[keep_a], a_lang[keep_a], a_v[keep_a]

    learners, l_node = np.unique(pi, return_inverse=True)
    anchors, anc_node = np.unique(a_i, return_inverse=True)
    n_l, n_p, n_a = learners.size, pi.size, anchors.size
    pool0 = n_l + n_p
    anchor0 = pool0 + k * n_lang * 2
    source, sink = anchor0 + n_a, anchor0 + n_a + 1
    per_learner = np.minimum(np.bincount(l_node, minlength=n_l), p.max_per_member)
    supply = int(per_learner.sum())
    arcs = [  # (tails, heads, capacities, costs)
        (np.full(n_l, source), np.arange(n_l), per_learner, 0),
        (l_node, n_l + np.arange(n_p), 1, 0),
        (
            n_l + q,
            pool0 + (pt[q] * n_lang + lang) * 2 + v,
            1,
            -p.need_matrix[pi[q], pt[q]] * (v + ANCHOR_LEVEL),
        ),
        (pool0 + (a_t * n_lang + a_lang) * 2 + a_v, anchor0 + anc_node, seats, 0),
        (anchor0 + np.arange(n_a), np.full(n_a, sink), seats, 0),
        (np.array([source]), np.array([sink]), supply, 0),
    ]
    tails = np.concatenate([a[0] for a in arcs])
    heads = np.concatenate([a[1] for a in arcs])
    caps = np.concatenate([np.broadcast_to(a[2], a[0].shape) for a in arcs])
    costs = np.concatenate([np.broadcast_to(a[3], a[0].shape) for a in arcs])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        caps.astype(np.int64),
        costs.astype(np.int64),
    )
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow ended with status {status.name}")
    first = n_l + n_p
    routed = np.flatnonzero(flow.flows(np.arange(first, first + q.size, dtype=np.int32)) > 0)
    routes: dict[tuple[int, int], list[int]] = defaultdict(list)
    for arc in routed.tolist():
        routes[(int(pt[q[arc]]), int(lang[arc]))].append(int(pi[q[arc]]))
    return -int(flow.optimal_cost()), dict(routes)
