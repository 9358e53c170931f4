"""The help graph: who can help whom, on what, and how much.

One directed edge mentor → mentee per allowed pair (the same scores and hard
constraints as a mentoring round), weighted by the score. The capacity map,
the learning circles and the notebooks read the network through it.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from matcher.candidates import candidate_matrix
from matcher.geo import REGIONS
from matcher.network import INTERNATIONAL
from matcher.scoring import ScoringPolicy, theme_gains
from matcher.vectors import NetworkArrays

DENSE_EDGE_LIMIT = 2_000_000
"""Up to this many possible (mentee × mentor) pairs the graph has every
allowed pair; beyond, each mentee keeps its ``SPARSE_IN_DEGREE`` best mentors."""
SPARSE_IN_DEGREE = 20


def help_graph(
    arrays: NetworkArrays,
    *,
    policy: ScoringPolicy | None = None,
    max_in_degree: int | None | str = "auto",
) -> nx.DiGraph:
    """The help graph of a network.

    Nodes are member ids with attributes ``region``, ``global_south`` and
    ``kind``. Each edge ``mentor → mentee`` has ``weight`` (the score, > 0 for
    almost every pair) and ``themes`` (the theme keys the mentor can help on,
    largest contribution first). ``max_in_degree="auto"`` keeps every allowed
    pair on networks of up to :data:`DENSE_EDGE_LIMIT` possible pairs and each
    mentee's :data:`SPARSE_IN_DEGREE` best mentors beyond, so the graph stays
    sparse at scale; an int or ``None`` (all) forces it.

    >>> from matcher.examples import example_arrays
    >>> g = help_graph(example_arrays())
    >>> sorted(g.edges())
    [('fr-ngo', 'ke-coalition'), ('ke-coalition', 'sn-coalition'), ('sn-coalition', 'ke-coalition')]
    >>> g["fr-ngo"]["ke-coalition"]
    {'weight': 0.85, 'themes': ('budget_tracking',)}
    >>> g.nodes["pe-coalition"]
    {'region': 'latin_america_caribbean', 'global_south': True, 'kind': 'national_coalition'}
    """
    policy = policy or ScoringPolicy()
    if max_in_degree == "auto":
        possible = int(arrays.wanting.sum()) * int((arrays.mentor_capacity > 0).sum())
        max_in_degree = None if possible <= DENSE_EDGE_LIMIT else SPARSE_IN_DEGREE
    benefit = candidate_matrix(arrays, policy=policy, max_candidates=max_in_degree).tocoo()
    order = np.lexsort((benefit.col, benefit.row))
    mentees, mentors, scores = benefit.row[order], benefit.col[order], benefit.data[order]

    graph = nx.DiGraph()
    regions = (*REGIONS, INTERNATIONAL)
    graph.add_nodes_from(
        (
            member,
            {
                "region": regions[arrays.region[k]],
                "global_south": bool(arrays.south[k]),
                "kind": arrays.kind[k],
            },
        )
        for k, member in enumerate(arrays.ids)
    )
    gain = theme_gains(arrays, mentees, mentors)
    # Themes per edge, largest gain first (ties by taxonomy order), vectorised:
    # the per-edge work left is slicing one row.
    ranked = np.argsort(-gain, axis=1, kind="stable")
    helped = (gain > 0).sum(axis=1)
    keys = np.array(arrays.themes, dtype=object)
    ids = arrays.ids
    graph.add_edges_from(
        (ids[j], ids[i], {"weight": score, "themes": tuple(keys[row[:count]])})
        for i, j, score, row, count in zip(
            mentees.tolist(),
            mentors.tolist(),
            scores.tolist(),
            ranked,
            helped.tolist(),
            strict=True,
        )
    )
    return graph
