"""Brokers: the members on the most shortest who-can-help-whom chains of the
help graph (directed betweenness), for the capacity map. Also importable
from :mod:`matcher.capacity_map`."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import networkx as nx
import numpy as np
import scipy.sparse as sp

from matcher.graph import help_graph
from matcher.scoring import ScoringPolicy
from matcher.vectors import NetworkArrays

__all__ = [
    "BROKER_SEED",
    "BROKER_SOURCES",
    "EXACT_BETWEENNESS_NODES",
    "TOP_BROKERS",
    "Broker",
    "adjacency_matrix",
    "broker_scores",
    "help_adjacency",
    "top_brokers",
]

EXACT_BETWEENNESS_NODES = 2_000
"""Up to this many members broker scores are exact; beyond, they are estimated
from :data:`BROKER_SOURCES` sampled sources (seeded: same network, same scores)."""


BROKER_SOURCES = 256


BROKER_SEED = 0


TOP_BROKERS = 10


_BATCH = 128
"""Sources searched at once in the betweenness: bounds the (n, batch) arrays."""


@dataclass(frozen=True)
class Broker:
    """A member central in the help graph: its betweenness ``score`` and how
    many members it can help (out-edges) or be helped by (in-edges).

    >>> from matcher.capacity_map import capacity_map
    >>> from matcher.examples import example_arrays
    >>> cmap = capacity_map(example_arrays())
    >>> cmap.brokers  # fr-ngo -> ke-coalition -> sn-coalition
    (Broker(member='ke-coalition', score=0.16666666666666666, can_help=1, helped_by=2),)
    """

    member: str
    score: float
    can_help: int
    helped_by: int


def broker_scores(
    adjacency: sp.csr_matrix, *, exact_up_to: int = EXACT_BETWEENNESS_NODES
) -> tuple[np.ndarray, int | None]:
    """Normalised directed betweenness of every node of a 0/1 adjacency
    matrix (row → column), and ``None`` or the number of sampled sources.

    Betweenness measures brokerage itself: the share of shortest
    who-can-help-whom chains that pass through a member (a member who links a
    francophone and an anglophone group scores high). PageRank would rank the
    best-connected instead. Paths are counted in hops, not scores: the scores
    already chose the edges (and at scale each mentee's best mentors), and
    hop counts let Brandes' algorithm run as sparse matrix products over many
    sources at once. Exact (equal to ``networkx.betweenness_centrality``) up
    to ``exact_up_to`` nodes; beyond, :data:`BROKER_SOURCES` sources drawn
    with :data:`BROKER_SEED` among the nodes with out-edges (the others add
    nothing) give an unbiased estimate, at a small part of the exact cost.
    It ranks clear brokers well but not close ones: on the generated
    10,000-member network, whose top scores are within a factor of two of
    each other, 4 of its top ten are in the exact top ten. Why not networkx:
    this is faster on the capacity map (figures: bench/RESULTS.md, "Why the
    engine's shortcuts").

    >>> chain = sp.csr_matrix(np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]]))
    >>> scores, sources = broker_scores(chain)
    >>> scores.tolist(), sources
    ([0.0, 0.5, 0.0], None)
    """
    n = adjacency.shape[0]
    adjacency = sp.csr_matrix(adjacency, dtype=np.float64)
    starts = np.flatnonzero(np.diff(adjacency.indptr) > 0)
    sampled = None
    if n > exact_up_to and len(starts) > BROKER_SOURCES:
        rng = np.random.default_rng(BROKER_SEED)
        weight = len(starts) / BROKER_SOURCES
        starts = np.sort(rng.choice(starts, size=BROKER_SOURCES, replace=False))
        sampled = BROKER_SOURCES
    else:
        weight = 1.0
    total = np.zeros(n)
    incoming = adjacency.T.tocsr()
    for first in range(0, len(starts), _BATCH):
        total += _dependencies(adjacency, incoming, starts[first : first + _BATCH])
    scale = weight / ((n - 1) * (n - 2)) if n > 2 else 0.0
    return total * scale, sampled


def _dependencies(adjacency: sp.csr_matrix, incoming: sp.csr_matrix, src: np.ndarray) -> np.ndarray:
    """Σ over ``src`` of Brandes' dependencies δ_s(v), one column per source."""
    n, cols = adjacency.shape[0], np.arange(len(src))
    depth = np.full((n, len(src)), -1, dtype=np.int32)
    depth[src, cols] = 0
    sigma = np.zeros((n, len(src)))  # shortest paths from the source
    sigma[src, cols] = 1.0
    frontier, level = sigma.copy(), 0
    while True:  # breadth-first, one level of every source per product
        paths = incoming @ frontier
        new = (paths > 0) & (depth < 0)
        if not new.any():
            break
        level += 1
        depth[new] = level
        frontier = np.where(new, paths, 0.0)
        sigma += frontier
    delta = np.zeros_like(sigma)
    safe_sigma = np.where(sigma > 0, sigma, 1.0)
    for d in range(level, 0, -1):  # dependencies flow back one level at a time
        back = adjacency @ np.where(depth == d, (1.0 + delta) / safe_sigma, 0.0)
        delta += np.where(depth == d - 1, sigma * back, 0.0)
    delta[src, cols] = 0.0  # a source is no broker of its own paths
    return delta.sum(axis=1)


def help_adjacency(
    arrays: NetworkArrays, policy: ScoringPolicy | None, graph: nx.DiGraph | None, brokers: bool
) -> sp.csr_matrix:
    """The adjacency matrix (:func:`adjacency_matrix`) of ``graph``, or of
    the help graph built with ``policy`` when ``graph`` is None; an edgeless
    one when ``brokers`` is false.

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()
    >>> help_adjacency(arrays, None, None, True).nnz, help_adjacency(arrays, None, None, False).nnz
    (3, 0)
    """
    if not brokers:
        graph = nx.DiGraph()
        graph.add_nodes_from(arrays.ids)
    elif graph is None:
        # An empty network has an empty help graph (which the scorer cannot build).
        graph = help_graph(arrays, policy=policy) if arrays.n else nx.DiGraph()
    return adjacency_matrix(graph, arrays.ids)


def adjacency_matrix(graph: nx.DiGraph, ids: tuple[str, ...]) -> sp.csr_matrix:
    """The help graph as a 0/1 CSR matrix over ``ids`` (mentor row → mentee column).

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()
    >>> adjacency_matrix(help_graph(arrays), arrays.ids).toarray().tolist()
    [[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 1, 0, 0]]
    """
    if graph.number_of_nodes() != len(ids) or not all(graph.has_node(m) for m in ids):
        raise ValueError("graph is not the help graph of this network: its members differ")
    index = {m: k for k, m in enumerate(ids)}
    ends = chain.from_iterable((index[a], index[b]) for a, b in graph.edges())
    edges = np.fromiter(ends, dtype=np.int64, count=2 * graph.number_of_edges()).reshape(-1, 2)
    ones = np.ones(len(edges), dtype=np.int8)
    return sp.csr_matrix((ones, (edges[:, 0], edges[:, 1])), shape=(len(ids), len(ids)))


def top_brokers(
    ids: tuple[str, ...], adjacency: sp.csr_matrix, scores: np.ndarray
) -> tuple[Broker, ...]:
    """The :data:`TOP_BROKERS` members of highest ``scores`` above 0, ties
    by id, with their degrees in ``adjacency``.

    >>> chain = sp.csr_matrix(np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]]))
    >>> top_brokers(("a", "b", "c"), chain, broker_scores(chain)[0])
    (Broker(member='b', score=0.5, can_help=1, helped_by=1),)
    """
    out_degree = np.diff(adjacency.indptr)
    in_degree = np.bincount(adjacency.indices, minlength=len(ids))
    # Equal betweenness summed in another order may differ in the last bits:
    # rounded, ties stay ties, and the stable sort breaks them by id (ids are sorted).
    rounded = np.round(scores, 12)
    order = np.argsort(-rounded, kind="stable")[:TOP_BROKERS]
    return tuple(
        Broker(ids[k], float(scores[k]), int(out_degree[k]), int(in_degree[k]))
        for k in order
        if rounded[k] > 0
    )
