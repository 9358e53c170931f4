"""Stable pairings: mentee-proposing deferred acceptance, and the pairs that
block a pairing.

Every allowed pair is acceptable to both sides; each side ranks its partners
by benefit descending, ties to the lower index.
"""

from __future__ import annotations

from heapq import heappush, heapreplace

import numpy as np

from matcher.problem import PairingProblem

__all__ = ["blocking_edges", "deferred_acceptance", "preference_orders"]


def preference_orders(rows, cols, vals) -> tuple[np.ndarray, np.ndarray]:
    """Edge ids in each mentee's, and each mentor's, order of preference
    (higher benefit first, ties to the lower index): the edges sorted by
    (mentee, rank) and by (mentor, rank).

    >>> by_mentee, by_mentor = preference_orders(
    ...     np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([1.0, 2.0, 5.0]))
    >>> by_mentee.tolist(), by_mentor.tolist()
    ([1, 0, 2], [2, 0, 1])
    """
    by_mentee = np.lexsort((cols, -vals, rows))
    by_mentor = np.lexsort((rows, -vals, cols))
    return by_mentee, by_mentor


def deferred_acceptance(problem: PairingProblem) -> np.ndarray:
    """Edge ids held at the end of mentee-proposing deferred acceptance over
    the free edges of ``problem`` (the mentee-optimal stable pairing).

    A mentee with a free slot proposes down its list; a mentor keeps its best
    ``mcap`` proposals in a heap keyed by rank, so displacing the worst is
    O(log capacity). Python lists, not numpy, in the loop: a per-item numpy
    call costs more than the whole proposal step.

    >>> from matcher.problem import pairing_problem
    >>> p = pairing_problem(np.array([[10.0, 9.0], [8.0, 1.0]]), [1, 1])
    >>> held = deferred_acceptance(p)
    >>> p.rows[held].tolist(), p.cols[held].tolist()
    ([0, 1], [0, 1])
    """
    n, m = problem.n, problem.m
    edge = np.flatnonzero(problem.free)
    rows, cols = problem.rows[edge], problem.cols[edge]
    by_mentee, by_mentor = preference_orders(rows, cols, problem.vals[edge])
    rank = np.empty(edge.size, dtype=np.int64)
    rank[by_mentor] = np.arange(edge.size)
    target = cols[by_mentee].tolist()
    target_rank = rank[by_mentee].tolist()
    mentee_at_rank = rows[by_mentor].tolist()
    bounds = np.searchsorted(rows[by_mentee], np.arange(n + 1)).tolist()
    next_prop, stop = bounds[:-1], bounds[1:]
    quota, room = problem.ecap.tolist(), problem.mcap.tolist()
    held = [0] * n
    heaps = [[] for _ in range(m)]  # -rank, so heap[0] is the worst kept
    todo = [i for i in range(n - 1, -1, -1) if quota[i] > 0 and next_prop[i] < stop[i]]
    while todo:
        i = todo.pop()
        p, end, h, q = next_prop[i], stop[i], held[i], quota[i]
        while h < q and p < end:
            j, k = target[p], target_rank[p]
            p += 1
            heap = heaps[j]
            if len(heap) < room[j]:
                heappush(heap, -k)
                h += 1
            elif heap and -heap[0] > k:
                loser = mentee_at_rank[-heapreplace(heap, -k)]
                h += 1
                held[loser] -= 1  # loser != i: i proposes to j only once
                todo.append(loser)
        next_prop[i], held[i] = p, h
    kept = np.fromiter((-k for heap in heaps for k in heap), dtype=np.int64)
    return edge[by_mentor[kept]]


def blocking_edges(problem: PairingProblem, pairs: np.ndarray, locked: np.ndarray) -> np.ndarray:
    """Per edge, whether it blocks the feasible pairing ``pairs`` (whose
    ``locked`` rows cannot be dropped); see
    :func:`~matcher.pairing.blocking_pairs`.

    >>> from matcher.problem import pairing_problem
    >>> p = pairing_problem(np.array([[10.0, 9.0], [8.0, 1.0]]), [1, 1])
    >>> blocking_edges(p, np.array([[0, 1], [1, 0]]), np.zeros((0, 2), np.int64)).tolist()
    [True, False, False, False]
    """
    n, m, rows, cols = problem.n, problem.m, problem.rows, problem.cols
    matched = np.zeros(rows.size, dtype=bool)
    matched[problem.edge_ids(pairs)[0]] = True
    fixed = np.zeros(rows.size, dtype=bool)
    fixed[problem.edge_ids(locked)[0]] = True

    by_mentee, by_mentor = preference_orders(rows, cols, problem.vals)
    # A global position in a side's preference order compares correctly within
    # one mentee's (mentor's) block, which is all the comparisons below need.
    rank_e = np.empty(rows.size, dtype=np.int64)
    rank_e[by_mentee] = np.arange(rows.size)
    rank_m = np.empty(rows.size, dtype=np.int64)
    rank_m[by_mentor] = np.arange(rows.size)
    droppable = matched & ~fixed
    worst_e = np.full(n, -1, dtype=np.int64)
    np.maximum.at(worst_e, rows[droppable], rank_e[droppable])
    worst_m = np.full(m, -1, dtype=np.int64)
    np.maximum.at(worst_m, cols[droppable], rank_m[droppable])
    load_e = np.bincount(pairs[:, 0], minlength=n)
    load_m = np.bincount(pairs[:, 1], minlength=m)
    mentee_wants = (load_e[rows] < problem.ecap[rows]) | (rank_e < worst_e[rows])
    mentor_wants = (load_m[cols] < problem.mcap[cols]) | (rank_m < worst_m[cols])
    return ~matched & mentee_wants & mentor_wants
