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

    Min-cost flow: source → learner (capacity ``max_per_member``) → (learner,
    theme) (capacity 1: a theme counts once) → pool (theme, language, anchor
    level v) (cost ``−need × v``; only if the learner speaks the language, the
    pool is viable and some level-v anchor there is not excluded with it) →
    anchor (of level v on the theme, speaking the language) → sink
    (``max_per_member × (size_max − 1)`` seats: as many circles of at most
    ``size_max − 1`` others), plus a free source → sink bypass. Any feasible
    set of circles is such a flow (route each credited (learner, theme) to its
    strongest circle's best anchor) of the same value, so the optimum bounds
    them all.
    """
    pair_learner, pair_theme = np.nonzero(p.learner_mask)
    arc_pair, arc_lang, arc_level = _pair_pool_arcs(p, pair_learner, pair_theme)
    if arc_pair.size == 0:
        return 0, {}
    network = _FlowNetwork(p, pair_learner, pair_theme, arc_pair, arc_lang, arc_level)
    bound, routed = network.solve()
    routes: dict[tuple[int, int], list[int]] = defaultdict(list)
    for arc in routed.tolist():
        pair = arc_pair[arc]
        routes[(int(pair_theme[pair]), int(arc_lang[arc]))].append(int(pair_learner[pair]))
    return bound, dict(routes)


def _anchor_pool_rows(p: Problem):
    """(anchor, theme, language, level − :data:`ANCHOR_LEVEL`) for every
    anchor, theme it anchors and language it speaks."""
    anchor_row, anchor_theme = np.nonzero(p.anchor_mask)
    row, lang = np.nonzero(p.arrays.speaks[anchor_row])
    anchor, theme = anchor_row[row], anchor_theme[row]
    return anchor, theme, lang, p.expertise_matrix[anchor, theme] - ANCHOR_LEVEL


def _pair_pool_arcs(p: Problem, pair_learner, pair_theme):
    """The (learner, theme) → (theme, language, level) pool arcs, as (pair
    index, language, level − :data:`ANCHOR_LEVEL`): the learner speaks the
    language, the pool is viable and some anchor of that level there is not
    excluded with the learner."""
    n_themes, n_languages = p.viable_pools.shape
    arc_pair, arc_lang = np.nonzero(p.arrays.speaks[pair_learner] & p.viable_pools[pair_theme])
    anchor, theme, lang, level = _anchor_pool_rows(p)
    by_level = np.zeros((n_themes, n_languages, 2), dtype=np.int64)
    np.add.at(by_level, (theme, lang, level), 1)
    arc_pair, arc_lang = np.repeat(arc_pair, 2), np.repeat(arc_lang, 2)
    arc_level = np.tile([0, 1], arc_pair.size // 2)
    open_anchors = by_level[pair_theme[arc_pair], arc_lang, arc_level]
    excluded = np.isin(pair_learner[arc_pair], list(p.excluded))
    for arc in np.flatnonzero(excluded).tolist():
        i, t = int(pair_learner[arc_pair[arc]]), int(pair_theme[arc_pair[arc]])
        lang, level = int(arc_lang[arc]), int(arc_level[arc])
        open_anchors[arc] -= sum(
            1
            for j in p.excluded[i]
            if p.is_anchor[j][t] and p.speaks[j][lang] and p.expertise[j][t] - ANCHOR_LEVEL == level
        )
    keep = open_anchors > 0
    return arc_pair[keep], arc_lang[keep], arc_level[keep]


class _FlowNetwork:
    """The min-cost flow of :func:`bound_flow`. Nodes, in order: learners,
    (learner, theme) pairs, pools (theme, language, level), anchors, source,
    sink; arcs in the order of the docstring, the pair → pool arcs third."""

    def __init__(self, p: Problem, pair_learner, pair_theme, arc_pair, arc_lang, arc_level):
        n_themes, n_languages = p.viable_pools.shape
        seats = p.max_per_member * (p.size_max - 1)
        anchor, theme, lang, level = _anchor_pool_rows(p)
        viable = p.viable_pools[theme, lang]
        anchor, theme, lang, level = anchor[viable], theme[viable], lang[viable], level[viable]

        learners, pair_node = np.unique(pair_learner, return_inverse=True)
        anchors, anchor_node = np.unique(anchor, return_inverse=True)
        n_learners, n_pairs, n_anchors = learners.size, pair_learner.size, anchors.size
        first_pool = n_learners + n_pairs
        first_anchor = first_pool + n_themes * n_languages * 2
        source, sink = first_anchor + n_anchors, first_anchor + n_anchors + 1
        per_learner = np.minimum(np.bincount(pair_node, minlength=n_learners), p.max_per_member)
        supply = int(per_learner.sum())
        pair_theme_of_arc = pair_theme[arc_pair]
        arcs = [  # (tails, heads, capacities, costs)
            (np.full(n_learners, source), np.arange(n_learners), per_learner, 0),
            (pair_node, n_learners + np.arange(n_pairs), 1, 0),
            (
                n_learners + arc_pair,
                first_pool + (pair_theme_of_arc * n_languages + arc_lang) * 2 + arc_level,
                1,
                -p.need_matrix[pair_learner[arc_pair], pair_theme_of_arc]
                * (arc_level + ANCHOR_LEVEL),
            ),
            (
                first_pool + (theme * n_languages + lang) * 2 + level,
                first_anchor + anchor_node,
                seats,
                0,
            ),
            (first_anchor + np.arange(n_anchors), np.full(n_anchors, sink), seats, 0),
            (np.array([source]), np.array([sink]), supply, 0),
        ]
        self.arcs = arcs
        self.source, self.sink, self.supply = source, sink, supply
        self.first_pair_arc, self.n_pair_arcs = n_learners + n_pairs, arc_pair.size

    def solve(self):
        """(the optimum as a bound, in quarter levels; the pair → pool arcs it uses)."""
        arcs = self.arcs
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.concatenate([a[0] for a in arcs]).astype(np.int32),
            np.concatenate([a[1] for a in arcs]).astype(np.int32),
            np.concatenate([np.broadcast_to(a[2], a[0].shape) for a in arcs]).astype(np.int64),
            np.concatenate([np.broadcast_to(a[3], a[0].shape) for a in arcs]).astype(np.int64),
        )
        flow.set_node_supply(self.source, self.supply)
        flow.set_node_supply(self.sink, -self.supply)
        status = flow.solve()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"OR-Tools min-cost flow ended with status {status.name}")
        first = self.first_pair_arc
        used = flow.flows(np.arange(first, first + self.n_pair_arcs, dtype=np.int32)) > 0
        return -int(flow.optimal_cost()), np.flatnonzero(used)
