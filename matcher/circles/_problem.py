"""One run's problem: roles, viable pools and the lookups the search reads."""

from __future__ import annotations

import numpy as np

from matcher.circles.model import ANCHOR_LEVEL
from matcher.vectors import NetworkArrays


class Problem:
    """Roles, pools and lookups of one run, over the chosen themes only:
    ``t`` indexes ``themes``, ``i`` the members (``arrays`` rows), ``lang``
    ``arrays.languages``.

    Two views of the same facts: numpy arrays (``anchor_mask``,
    ``learner_mask``: (n, k) bool; ``expertise_matrix``, ``need_matrix``:
    (n, k) int; ``viable_pools``: (k, n_languages) bool) for whole-network
    computations, and nested lists (``is_anchor[i][t]``, ``expertise[i][t]``,
    ``speaks[i][lang]``, ...) for the search, which reads single cells.
    ``excluded`` and ``met_before`` map a member to the members it is
    excluded with, or met in an earlier round (either direction).
    """

    def __init__(self, arrays: NetworkArrays, themes: list[int], size, max_per_member: int):
        self.arrays, self.themes = arrays, themes
        self.size_min, self.size_max = size
        self.max_per_member = max_per_member
        self.anchor_mask, self.learner_mask, self.viable_pools = roles_and_viable_pools(
            arrays, themes, self.size_min
        )
        cols = np.array(themes, dtype=np.int64)
        self.expertise_matrix = arrays.expertise[:, cols].astype(np.int64)
        self.need_matrix = arrays.needs[:, cols].astype(np.int64)
        # Lists, not arrays: indexing a numpy array cell by cell costs far
        # more, and the search reads single cells millions of times.
        self.expertise = self.expertise_matrix.tolist()
        self.need = self.need_matrix.tolist()
        self.is_anchor = self.anchor_mask.tolist()
        self.is_learner = self.learner_mask.tolist()
        self.speaks = arrays.speaks.tolist()
        self.languages_of = [np.flatnonzero(row).tolist() for row in arrays.speaks]
        self.region = arrays.region.tolist()
        self.is_south = arrays.south.tolist()
        self.is_coalition = [k == "national_coalition" for k in arrays.kind]
        self.excluded = neighbour_sets(arrays.excluded)
        self.met_before = neighbour_sets(arrays.history + arrays.history.T)


def roles_and_viable_pools(arrays: NetworkArrays, themes: list[int], size_min: int):
    """Roles on ``themes`` (anchor, learner: (n, k) bool) and which (theme,
    language) pools are viable ((k, n_languages) bool): a pool can hold a
    circle only with an anchor, a learner and ``size_min`` members who could meet
    in it."""
    cols = np.array(themes, dtype=np.int64)
    anchor = (arrays.expertise[:, cols] >= ANCHOR_LEVEL) & (arrays.mentor_capacity > 0)[:, None]
    learner = (arrays.needs[:, cols] > 0) & (arrays.mentee_capacity > 0)[:, None] & ~anchor
    speaks = arrays.speaks.astype(np.int64)
    n_anchor = anchor.T.astype(np.int64) @ speaks
    n_learner = learner.T.astype(np.int64) @ speaks
    viable = (n_anchor > 0) & (n_learner > 0) & (n_anchor + n_learner >= size_min)
    return anchor, learner, viable


def neighbour_sets(matrix) -> dict[int, set[int]]:
    """Row → set of stored columns, for the (few) rows that have any."""
    matrix = matrix.tocsr()
    rows = np.flatnonzero(np.diff(matrix.indptr))
    return {
        int(i): set(matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]].tolist()) for i in rows
    }
