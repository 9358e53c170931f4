"""Vectorised ranking helpers: the top k of each row, ranks within runs,
the k-th largest per group, membership in sorted keys, best-first order."""

from __future__ import annotations

import numpy as np

from matcher.vectors import NetworkArrays

__all__ = [
    "best_first",
    "descending_bits",
    "kth_largest",
    "nonzero_2d",
    "rank_in_runs",
    "sorted_member",
    "top_k_columns",
]

_CHUNKS_PER_SLOT = 8
""":func:`top_k_columns` bars each row at the k-th largest maximum of
``8 * k`` column chunks (when the chunks are at least 2 columns wide)."""


def top_k_columns(score: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices of the ``k`` largest entries of each row and their
    values, both of shape (rows, k), in no particular order; a value of
    ``-inf`` marks a slot the row could not fill. Ties are broken arbitrarily
    but deterministically, and not by column order.

    >>> score = np.array([[1, 5, 3, 2], [0, -np.inf, -np.inf, -np.inf]], np.float32)
    >>> top, values = top_k_columns(score, 2)
    >>> top.tolist(), values.tolist()  # the second row has one entry to give
    ([[1, 2], [0, 1]], [[5.0, 3.0], [0.0, -inf]])
    """
    n_rows, n_cols = score.shape
    n_chunks = _CHUNKS_PER_SLOT * k
    width = n_cols // n_chunks
    if width < 2:
        top = np.argpartition(-score, k - 1, axis=1)[:, :k]
        return top, np.take_along_axis(score, top, axis=1)
    # The maxima of k different chunks are k different entries, so the k-th
    # largest chunk maximum is at most the row's k-th largest entry: the top k
    # are among the few entries at or above it. One reduction pass instead of
    # partitioning whole rows.
    chunk_max = score[:, : width * n_chunks].reshape(n_rows, n_chunks, width).max(axis=2)
    if width * n_chunks < n_cols:
        rest = score[:, width * n_chunks :].max(axis=1, keepdims=True)
        chunk_max = np.concatenate([chunk_max, rest], axis=1)
    bar = -np.partition(-chunk_max, k - 1, axis=1)[:, k - 1]
    bar = np.maximum(bar, np.finfo(score.dtype).min)
    r, c = nonzero_2d(score >= bar[:, None])
    values = score[r, c]
    # Ties (scores take few distinct values) go to a per-row scrambled column
    # order: always to the lowest index would pile every row onto the same
    # few mentors and leave others unreachable.
    scrambled = (c * 0x9E3779B1 + r * 0x85EBCA77) & 0xFFFFFFFF
    if n_rows < 1 << 11:
        # One int64 key (row, value descending, 20 scrambled bits) sorts
        # faster than a three-key lexsort.
        key = (r << 52) | (descending_bits(values) << 20) | (scrambled >> 12)
        order = np.argsort(key, kind="stable")
    else:
        order = np.lexsort((scrambled, -values, r))
    r, c, values = r[order], c[order], values[order]
    rank = rank_in_runs(r)
    kept = rank < k
    top = np.zeros((n_rows, k), dtype=np.int64)
    best = np.full((n_rows, k), -np.inf, dtype=score.dtype)
    top[r[kept], rank[kept]] = c[kept]
    best[r[kept], rank[kept]] = values[kept]
    return top, best


def rank_in_runs(keys: np.ndarray) -> np.ndarray:
    """Each element's position within its run of equal ``keys`` (sorted).

    >>> rank_in_runs(np.array([3, 3, 5, 7, 7, 7])).tolist()
    [0, 1, 0, 0, 1, 2]
    """
    return np.arange(len(keys)) - np.searchsorted(keys, keys, side="left")


def sorted_member(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is in ``sorted_keys`` (ascending): one binary
    search each, where np.isin hashes both (slower on these sizes).

    >>> sorted_member(np.array([2, 5, 9]), np.array([5, 6, 9, 0])).tolist()
    [True, False, True, False]
    """
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def kth_largest(groups: np.ndarray, values: np.ndarray, k: int, n_groups: int) -> np.ndarray:
    """Per group in ``range(n_groups)``, its ``k``-th largest value (``-inf``
    when it has fewer than ``k``).

    >>> kth_largest(np.array([0, 0, 0, 2]), np.array([4.0, 9.0, 6.0, 1.0]), 2, 3).tolist()
    [6.0, -inf, -inf]
    """
    out = np.full(n_groups, -np.inf)
    order = np.lexsort((-values, groups))
    groups, values = groups[order], values[order]
    rank = rank_in_runs(groups)
    out[groups[rank == k - 1]] = values[rank == k - 1]
    return out


def descending_bits(values: np.ndarray) -> np.ndarray:
    """32-bit int64 keys that sort finite float32 ``values`` largest first.

    >>> values = np.array([0.5, -2.0, 3.0, 0.0], np.float32)
    >>> np.argsort(descending_bits(values)).tolist()
    [2, 0, 3, 1]
    """
    bits = values.view(np.uint32).astype(np.int64)
    ascending = np.where(bits & 0x80000000, bits ^ 0xFFFFFFFF, bits | 0x80000000)
    return 0xFFFFFFFF - ascending


def nonzero_2d(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-D C-contiguous mask, through the flat indices
    (faster than ``np.nonzero`` on 2-D masks).

    >>> r, c = nonzero_2d(np.array([[False, True], [True, True]]))
    >>> r.tolist(), c.tolist()
    ([0, 1, 1], [1, 0, 1])
    """
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


def best_first(arrays: NetworkArrays, peers: np.ndarray, values: np.ndarray, k: int) -> list[int]:
    """Positions in ``peers`` (member indices) of the ``k`` largest
    ``values``, largest first, ties by member id.

    >>> from matcher.examples import example_arrays
    >>> arrays = example_arrays()
    >>> peers = np.array([3, 0, 1])  # sn-coalition, fr-ngo, ke-coalition
    >>> best_first(arrays, peers, np.array([0.5, 0.9, 0.5]), 2)  # fr-ngo, then ke before sn
    [1, 2]
    """
    return sorted(range(len(peers)), key=lambda p: (-values[p], arrays.ids[peers[p]]))[:k]
