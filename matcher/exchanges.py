"""Reciprocal exchanges: pairs of members who can each teach the other.

A pair {a, b} is *reciprocal* when a may mentor b and b may mentor a — both
directions are allowed pairs with a positive score, under the same scores and
hard constraints as a mentoring round (``candidate_matrix`` with every allowed
pair). Its reciprocal score is the harmonic mean ``2xy / (x + y)`` of the two
directional scores, as in the RECON reciprocal recommender (Pizzato et al.,
2010): an exchange is only as good as its weaker direction lets it be. Its
reasons sum to it (:func:`reciprocal_reasons`).

:func:`exchange_pairs` picks disjoint exchanges (each member in at most one)
of the largest total reciprocal score. Small connected components of the
reciprocal graph go to networkx's blossom algorithm; large ones are first cut
down by LP duality and solved as a MILP (see :func:`exchange_pairs`), so the
optimum stays exact on 10,000-member networks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.candidates import BLOCK_ELEMENTS
from matcher.matching import BLOSSOM_NODES, MAX_EXACT_EDGES, best_matching
from matcher.ranking import best_first
from matcher.scoring import (
    SOFT_TERMS,
    BlockScorer,
    Reason,
    ScoringPolicy,
    explain_pairs,
    pair_scores,
)
from matcher.vectors import NetworkArrays


@dataclass(frozen=True)
class Exchange:
    """Two members who help each other: ``a`` teaches ``b`` (``a_to_b``, score
    of ``a`` as mentor of ``b``, and its reasons, which sum to it) and ``b``
    teaches ``a``. ``score`` is the harmonic mean of the two directions and
    ``reasons`` its reasons, which sum to it (:func:`reciprocal_reasons`).

    >>> from matcher.examples import example_arrays
    >>> e = exchange_pairs(example_arrays()).pairs[0]
    >>> e.a, e.b, round(e.a_to_b, 4), e.b_to_a, round(e.score, 4), e.languages
    ('ke-coalition', 'sn-coalition', 0.8667, 1.2, 1.0065, ('en',))
    >>> e.a_to_b_reasons[0]  # ke teaches sn campaigning
    Reason(kind='theme', key='campaigning_mobilisation', contribution=0.6666666666666666)
    >>> [(r.key, round(r.contribution, 4)) for r in e.reasons]
    [('budget_tracking', 0.4194), ('campaigning_mobilisation', 0.3871),
     ('south_south', 0.15), ('same_region', 0.05)]
    """

    a: str
    b: str
    score: float
    a_to_b: float
    b_to_a: float
    languages: tuple[str, ...]
    a_to_b_reasons: tuple[Reason, ...]
    b_to_a_reasons: tuple[Reason, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class ExchangeResult:
    """Disjoint exchanges, best first (ties by ids).

    ``total`` is the sum of their scores; ``upper_bound`` is a proven bound on
    the best possible total, and is ``total`` itself when ``optimal``.
    ``method``: ``"exact"`` (a maximum-weight set, of at most ``k`` pairs when
    ``k`` is given; exact up to the MILP's absolute gap of 1e-6 score units
    when one was needed), ``"lp_rounding"`` (too large to prove: the best
    matching found, a rounding of the LP optimum improved by MILPs) or
    ``"best_k_found"`` (too large to prove for ``k``: the better of the ``k``
    best pairs of the full matching and the greedy ``k`` pairs, improved by
    MILPs). ``members`` are the members in an exchange, ``eligible`` those
    with at least one reciprocal partner, ``reciprocal_pairs`` the edges of
    the reciprocal graph.

    >>> from matcher.examples import example_arrays
    >>> r = exchange_pairs(example_arrays())
    >>> len(r.pairs), r.optimal, r.method, r.members, r.eligible, r.reciprocal_pairs
    (1, True, 'exact', 2, 2, 1)
    >>> r.total == r.upper_bound
    True
    """

    pairs: tuple[Exchange, ...]
    total: float
    upper_bound: float
    optimal: bool
    method: str
    k: int | None
    members: int
    eligible: int
    reciprocal_pairs: int


def reciprocal_scores(
    arrays: NetworkArrays, *, policy: ScoringPolicy | None = None
) -> sp.csr_matrix:
    """The reciprocal graph: an (n, n) symmetric CSR float64 matrix with an
    entry at (a, b) and (b, a) exactly when a→b and b→a are both allowed with a
    positive score; its value is the harmonic mean of the two scores.

    Exact at any size, nothing is truncated: a pair can be reciprocal only if
    both members have needs and both capacities, so only those members are
    scanned, in blocks of the upper triangle (both directions' float32 block
    scores, whose allowed-pair masks are exactly ``candidate_matrix``'s); the
    pairs allowed both ways are then scored exactly in float64. Memory is one
    block plus the result (at 10,000 members: 6,858 scanned, 1.34 million
    reciprocal pairs).

    ke-coalition (1) and sn-coalition (3) each teach the other: 0.8667 one
    way, 1.2 the other, 2 * 0.8667 * 1.2 / (0.8667 + 1.2) = 1.0065:

    >>> from matcher.examples import example_arrays
    >>> r = reciprocal_scores(example_arrays())
    >>> r.nnz, round(float(r[1, 3]), 4), bool(r[1, 3] == r[3, 1])
    (2, 1.0065, True)
    """
    policy = policy or ScoringPolicy()
    a, b, a_to_b, b_to_a = _reciprocal_edges(arrays, policy)
    score = _harmonic(a_to_b, b_to_a)
    n = arrays.n
    return sp.coo_matrix(
        (np.concatenate([score, score]), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n, n),
    ).tocsr()


def is_exchange_set(pairs, reciprocal: sp.spmatrix) -> bool:
    """Whether ``pairs`` ((a, b) member indices) are disjoint reciprocal pairs.

    >>> r = sp.csr_matrix(np.array([[0, 1.0, 0], [1.0, 0, 2.0], [0, 2.0, 0]]))
    >>> is_exchange_set([(0, 1)], r), is_exchange_set([(0, 1), (1, 2)], r)
    (True, False)
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(pairs) == 0:
        return True
    n = reciprocal.shape[0]
    if ((pairs < 0) | (pairs >= n)).any() or (pairs[:, 0] == pairs[:, 1]).any():
        return False
    if len(np.unique(pairs)) != pairs.size:
        return False
    stored = sp.csr_matrix(reciprocal, copy=True)
    stored.data[:] = 1
    return bool((np.asarray(stored[pairs[:, 0], pairs[:, 1]]).ravel() == 1).all())


def exchange_pairs(
    arrays: NetworkArrays,
    *,
    policy: ScoringPolicy | None = None,
    k: int | None = None,
    blossom_nodes: int = BLOSSOM_NODES,
    max_exact_edges: int = MAX_EXACT_EDGES,
) -> ExchangeResult:
    """Disjoint reciprocal exchanges of the largest total score (at most ``k``
    of them when ``k`` is given), each with both directions explained.

    How it stays exact:

    - connected components of the reciprocal graph are independent (no
      exchange joins two), so each is solved alone;
    - a component of at most ``blossom_nodes`` members goes to
      ``networkx.max_weight_matching`` (Edmonds' blossom algorithm, O(V³));
    - a larger one is reduced by LP duality: the fractional matching LP is
      solved on the bipartite double cover (OR-Tools min-cost flow; half its
      value is the LP optimum D) and its dual potentials ``y ≥ 0``, made
      exactly feasible (``y[a] + y[b] ≥ w``), give each edge a reduced cost
      ``rc = y[a] + y[b] − w``. A matching containing an edge weighs at most
      ``D − rc``, so once a matching of weight W is known, no edge with
      ``rc > D − W`` is in a better one. Starting from a rounding of the LP,
      a MILP (HiGHS, gap 0; binary edge variables, so no odd-set constraints
      are needed) is solved on the edges with ``rc ≤ τ``, τ = 1e-6 and ×8 a
      pass, until ``D − W ≤ τ``: then W is the optimum. A pass that would give
      the MILP more than ``max_exact_edges`` edges is not run; the best
      matching found is returned (``method="lp_rounding"``, not optimal);
    - with ``k``, when the optimum has more than ``k`` pairs: some optimal set
      of at most ``k`` uses only edges among the ``2k − 1`` heaviest at both
      their ends (an edge that is not can be swapped for one of its end's top
      edges, at most ``2k − 2`` of whose other ends the others take). The
      Lagrangian dual — every edge penalised by the greedy matching's
      (k+1)-th weight, dual potentials of that LP, ``rc = y[a] + y[b] +
      penalty − w``, bound ``Σy + k·penalty`` — prunes as above, and the same
      passes solve the MILP with a cardinality row ``Σx ≤ k`` on those edges,
      from the better of the greedy ``k`` pairs and the ``k`` best of the full
      optimum. A start that reaches the sum of the ``k`` heaviest weights is
      optimal at once. Past ``max_exact_edges``: ``method="best_k_found"``.

    On the generated networks up to 10,000 members every result, with or
    without ``k``, has been proven optimal (timings: bench/RESULTS.md).

    >>> from matcher.examples import example_arrays
    >>> result = exchange_pairs(example_arrays(), k=3)
    >>> [(e.a, e.b) for e in result.pairs], result.optimal
    ([('ke-coalition', 'sn-coalition')], True)
    >>> [r.key for r in result.pairs[0].a_to_b_reasons]  # what a teaches b
    ['campaigning_mobilisation', 'south_south', 'same_region']
    """
    if k is not None and k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    policy = policy or ScoringPolicy()
    a, b, a_to_b, b_to_a = _reciprocal_edges(arrays, policy)
    w = _harmonic(a_to_b, b_to_a)
    chosen, optimal, bound, method = best_matching(
        arrays.n, a, b, w, k=k, blossom_nodes=blossom_nodes, max_exact_edges=max_exact_edges
    )
    pairs = _exchanges(arrays, a[chosen], b[chosen], policy=policy)
    pairs = tuple(sorted(pairs, key=lambda e: (-e.score, e.a, e.b)))
    return ExchangeResult(
        pairs=pairs,
        total=math.fsum(e.score for e in pairs),
        upper_bound=bound,
        optimal=optimal,
        method=method,
        k=k,
        members=2 * len(pairs),
        eligible=len(np.union1d(a, b)),
        reciprocal_pairs=len(w),
    )


def recommend_exchanges(
    arrays: NetworkArrays, member: str, *, k: int = 5, policy: ScoringPolicy | None = None
) -> tuple[Exchange, ...]:
    """The ``k`` best reciprocal partners of ``member`` (as ``b``; ``member`` is
    ``a``), best first, ties by id: the row of :func:`reciprocal_scores`.

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()
    >>> [e.b for e in recommend_exchanges(arrays, "ke-coalition", k=3)]
    ['sn-coalition']
    >>> recommend_exchanges(arrays, "ke-coalition")[0].b_to_a_reasons[0]  # what ke learns
    Reason(kind='theme', key='budget_tracking', contribution=1.0)
    >>> recommend_exchanges(arrays, "fr-ngo")  # needs nothing: no exchange
    ()
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    policy = policy or ScoringPolicy()
    me = arrays.ids.index(member)
    scorer = BlockScorer(arrays, policy=policy)
    peers = np.intersect1d(scorer.partners(me, mentors=True), scorer.partners(me, mentors=False))
    mine = np.full(len(peers), me)
    gives = pair_scores(arrays, peers, mine, policy=policy)
    receives = pair_scores(arrays, mine, peers, policy=policy)
    keep = (gives > 0) & (receives > 0)
    peers, score = peers[keep], _harmonic(gives[keep], receives[keep])
    order = best_first(arrays, peers, score, k)
    return _exchanges(arrays, np.full(len(order), me), peers[order], policy=policy)


def reciprocal_reasons(
    a_to_b: float, a_to_b_reasons, b_to_a: float, b_to_a_reasons
) -> tuple[Reason, ...]:
    """The reasons of a reciprocal score, summing to it: each direction's
    reasons weighted by the other direction's share of the two scores.

    With x = ``a_to_b`` and y = ``b_to_a`` (each the sum of its reasons), the
    harmonic mean is ``2xy / (x + y) = x · y/(x + y) + y · x/(x + y)``: every
    reason of a→b counts ``y/(x + y)`` of its contribution and every reason of
    b→a ``x/(x + y)``, so each direction makes up half of the score and the
    weaker direction's reasons weigh more. A reason both directions have (a
    soft term such as ``south_south``) is listed once, with the sum; a
    symmetric term (same value both ways) thus counts in full. A theme is never
    in both (one member cannot be the stronger of the two both ways). Order as
    for a pair's reasons: themes by contribution (largest first) then key,
    then the soft terms in ``SOFT_TERMS`` order.

    >>> from matcher.terms import Reason
    >>> region = Reason("same_region", "same_region", 0.15)
    >>> why = reciprocal_reasons(
    ...     1.0, [Reason("theme", "tax_justice", 0.85), region],
    ...     0.25, [Reason("theme", "legal_action", 0.1), region],
    ... )
    >>> [(r.key, round(r.contribution, 4)) for r in why]
    [('tax_justice', 0.17), ('legal_action', 0.08), ('same_region', 0.15)]
    >>> round(sum(r.contribution for r in why), 12), 2 * 1.0 * 0.25 / 1.25
    (0.4, 0.4)
    """
    weights = (b_to_a / (a_to_b + b_to_a), a_to_b / (a_to_b + b_to_a))
    merged: dict[tuple[str, str], float] = {}
    for weight, reasons in zip(weights, (a_to_b_reasons, b_to_a_reasons), strict=True):
        for r in reasons:
            merged[r.kind, r.key] = merged.get((r.kind, r.key), 0.0) + weight * r.contribution
    soft = {kind: rank for rank, kind in enumerate(SOFT_TERMS)}
    order = sorted(
        merged.items(),
        key=lambda item: (
            (0, -item[1], item[0][1]) if item[0][0] == "theme" else (1, soft[item[0][0]], "")
        ),
    )
    return tuple(Reason(kind, key, contribution) for (kind, key), contribution in order)


def _harmonic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 2 * x * y / (x + y)


def _reciprocal_edges(arrays: NetworkArrays, policy: ScoringPolicy):
    """Reciprocal pairs as aligned arrays ``(a, b, a_to_b, b_to_a)``, a < b,
    sorted by (a, b); the scores are exact (float64)."""
    both = np.flatnonzero(arrays.wanting & (arrays.mentor_capacity > 0))
    scorer = BlockScorer(arrays, policy=policy)
    step = max(1, BLOCK_ELEMENTS // max(1, len(both)))
    found_a, found_b = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for start in range(0, len(both), step):
        rows, cols = both[start : start + step], both[start:]
        helped, _, _ = scorer.block(rows, cols)  # cols mentor rows
        helping, _, _ = scorer.block(cols, rows)  # rows mentor cols
        r, c = np.nonzero(np.isfinite(helped) & np.isfinite(helping.T))
        upper = cols[c] > rows[r]
        found_a.append(rows[r[upper]])
        found_b.append(cols[c[upper]])
    a, b = np.concatenate(found_a), np.concatenate(found_b)
    # A mentee's score can be <= 0 only through the history penalty; such a
    # direction is no benefit to exchange.
    a_to_b = pair_scores(arrays, b, a, policy=policy)
    b_to_a = pair_scores(arrays, a, b, policy=policy)
    keep = (a_to_b > 0) & (b_to_a > 0)
    return a[keep], b[keep], a_to_b[keep], b_to_a[keep]


def _exchanges(
    arrays: NetworkArrays, a: np.ndarray, b: np.ndarray, *, policy: ScoringPolicy
) -> tuple[Exchange, ...]:
    a_to_b = pair_scores(arrays, b, a, policy=policy)
    b_to_a = pair_scores(arrays, a, b, policy=policy)
    teaches = explain_pairs(arrays, b, a, policy=policy)
    learns = explain_pairs(arrays, a, b, policy=policy)
    return tuple(
        Exchange(
            a=arrays.ids[i],
            b=arrays.ids[j],
            score=float(_harmonic(x, y)),
            a_to_b=float(x),
            b_to_a=float(y),
            languages=arrays.shared_languages(int(i), int(j)),
            a_to_b_reasons=gives,
            b_to_a_reasons=gets,
            reasons=reciprocal_reasons(float(x), gives, float(y), gets),
        )
        for i, j, x, y, gives, gets in zip(a, b, a_to_b, b_to_a, teaches, learns, strict=True)
    )
