"""Benchmark baselines for learning circles: random feasible circles and
Louvain communities cut into circles, scored like :func:`form_circles`."""

from __future__ import annotations

import networkx as nx
import numpy as np

from matcher.circles._bound import bound_flow
from matcher.circles._builder import Builder
from matcher.circles._options import check_options
from matcher.circles._problem import Problem
from matcher.circles._result import assemble_result
from matcher.circles.model import DEFAULT_MAX_PER_MEMBER, DEFAULT_SIZE, CirclesResult
from matcher.circles.themes import resolve_themes
from matcher.validation import check_seed
from matcher.vectors import NetworkArrays


def random_circles(
    arrays: NetworkArrays,
    *,
    themes,
    size: tuple[int, int] = DEFAULT_SIZE,
    max_per_member: int = DEFAULT_MAX_PER_MEMBER,
    seed: int | None = None,
) -> CirclesResult:
    """Baseline: random feasible circles. Each (anchor, theme) in random order
    opens a circle in a random shared language of a viable pool and draws
    members at random (a learner joins one circle per theme), up to a random
    size; it is kept if it reaches ``size_min``. Scored like :func:`form_circles`.

    >>> from matcher.examples import circle_arrays
    >>> arrays = circle_arrays()  # one anchor (ph), four learners
    >>> res = random_circles(arrays, themes=["budget_tracking"], size=(3, 5), seed=1)
    >>> [c.ids for c in res.circles], res.need_covered, res.bound
    ([('ph', 'ke', 'sn')], 5.0, 6.0)
    """
    size, max_per_member = check_options(size, max_per_member)
    rng = np.random.default_rng(check_seed(seed, default=0))
    chosen, skipped = resolve_themes(arrays, themes, None, size)
    p = Problem(arrays, chosen + skipped, size, max_per_member)
    builder = Builder(p, rng)
    pools: dict[tuple[int, int], list[int]] = {}  # shuffled once, pruned as members fill up
    anchor_rows, anchor_themes = np.nonzero(p.anchor_mask)
    for k in rng.permutation(anchor_rows.size).tolist():
        a, t = int(anchor_rows[k]), int(anchor_themes[k])
        langs = [lang for lang in p.languages_of[a] if p.viable_pools[t, lang]]
        if builder.slots_used[a] >= max_per_member or not langs:
            continue
        lang = langs[int(rng.integers(len(langs)))]
        if (t, lang) not in pools:
            eligible = (p.anchor_mask[:, t] | p.learner_mask[:, t]) & arrays.speaks[:, lang]
            pools[(t, lang)] = rng.permutation(np.flatnonzero(eligible)).tolist()
        pool = pools[(t, lang)]
        c = builder.new_circle(t, lang, [a])
        target = int(rng.integers(p.size_min, p.size_max + 1))
        start = int(rng.integers(len(pool)))
        for i in pool[start:] + pool[:start]:
            if len(builder.members[c]) >= target:
                break
            if builder.can_join(i, c):
                builder.add(c, i)
        if len(builder.members[c]) < p.size_min:
            builder.dissolve(c)
        pool[:] = [
            i
            for i in pool
            if builder.slots_used[i] < max_per_member
            and (p.is_anchor[i][t] or (i, t) not in builder.credited_in)
        ]
    return assemble_result(p, "random", builder.circles(), bound_flow(p)[0], skipped, seed)


def louvain_circles(
    arrays: NetworkArrays,
    *,
    themes,
    size: tuple[int, int] = DEFAULT_SIZE,
    max_per_member: int = DEFAULT_MAX_PER_MEMBER,
    seed: int | None = None,
    neighbours: int = 20,
) -> CirclesResult:
    """Baseline: ``networkx.community.louvain_communities`` on a similarity
    graph, communities cut into feasible circles.

    Members with a role on a theme are nodes; an edge joins two who share a
    language, weighted by the cosine of their engagement profiles (need if a
    learner, expertise if an anchor, per theme), each keeping its
    ``neighbours`` most similar. In each community, per theme and language,
    circles are cut greedily: the strongest free anchor, then learners by
    need, up to ``size_max``; those that cannot reach ``size_min`` are dropped.
    Scored like :func:`form_circles`.

    >>> from matcher.examples import circle_arrays
    >>> arrays = circle_arrays()  # one anchor (ph), four learners
    >>> res = louvain_circles(arrays, themes=["budget_tracking"], size=(3, 5), seed=1)
    >>> [c.ids for c in res.circles], res.need_covered, res.bound
    ([('ph', 'ke', 'ug')], 4.0, 6.0)
    """
    size, max_per_member = check_options(size, max_per_member)
    seed = check_seed(seed, default=0)
    chosen, skipped = resolve_themes(arrays, themes, None, size)
    p = Problem(arrays, chosen + skipped, size, max_per_member)
    builder = Builder(p, np.random.default_rng(seed))
    graph = _similarity_graph(p, neighbours)
    communities = nx.community.louvain_communities(graph, seed=seed)
    for community in sorted(communities, key=min):
        group = sorted(community)
        for t in range(len(p.themes)):
            for lang in range(len(arrays.languages)):
                if not p.viable_pools[t, lang]:
                    continue
                while _cut_greedy_circle(builder, group, t, lang):
                    pass
    return assemble_result(p, "louvain", builder.circles(), bound_flow(p)[0], skipped, seed)


def _similarity_graph(p: Problem, neighbours: int) -> nx.Graph:
    """Members with a role on a theme, each joined to its ``neighbours`` most
    similar (cosine of engagement profiles) among those sharing a language."""
    profile = np.where(p.anchor_mask, p.expertise_matrix, 0) + np.where(
        p.learner_mask, p.need_matrix, 0
    )
    nodes = np.flatnonzero(profile.any(axis=1))
    unit = profile[nodes] / np.linalg.norm(profile[nodes], axis=1, keepdims=True)
    speaks = p.arrays.speaks[nodes].astype(np.float32)
    graph = nx.Graph()
    graph.add_nodes_from(nodes.tolist())
    for start in range(0, nodes.size, 1024):  # blocks of rows bound the memory
        rows = slice(start, start + 1024)
        sim = unit[rows] @ unit.T
        sim[(speaks[rows] @ speaks.T) == 0] = 0
        sim[np.arange(sim.shape[0]), np.arange(start, start + sim.shape[0])] = 0
        keep = min(neighbours, nodes.size - 1)
        if keep <= 0:
            break
        top = np.argpartition(-sim, keep - 1, axis=1)[:, :keep].ravel()
        local = np.repeat(np.arange(sim.shape[0]), keep)
        weight = sim[local, top]
        ok = weight > 0
        graph.add_weighted_edges_from(
            zip(
                nodes[start + local[ok]].tolist(),
                nodes[top[ok]].tolist(),
                weight[ok].tolist(),
                strict=True,
            )
        )
    return graph


def _cut_greedy_circle(builder: Builder, group: list[int], t: int, lang: int) -> bool:
    """One greedy circle on (t, lang) from a community's free members."""
    p = builder.p
    anchors = [
        a
        for a in group
        if p.is_anchor[a][t] and p.speaks[a][lang] and builder.slots_used[a] < p.max_per_member
    ]
    if not anchors:
        return False
    anchors.sort(key=lambda a: -p.expertise[a][t])
    learners = [i for i in group if p.is_learner[i][t] and p.speaks[i][lang]]
    learners.sort(key=lambda i: -p.need[i][t])
    c = builder.new_circle(t, lang, [anchors[0]])
    for i in learners:
        if builder.can_join(i, c):
            builder.add(c, i)
    for a in anchors[1:]:  # extra anchors only to reach size_min
        if len(builder.members[c]) < p.size_min and builder.can_join(a, c):
            builder.add(c, a)
    if len(builder.members[c]) >= p.size_min and builder.coverage(t, builder.members[c]) > 0:
        return True
    builder.dissolve(c)
    return False
