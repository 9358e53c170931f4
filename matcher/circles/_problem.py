"""One run's problem: roles, viable pools and the lookups the search reads."""

from __future__ import annotations

import numpy as np

from matcher.circles.model import ANCHOR_LEVEL
from matcher.vectors import NetworkArrays


class Problem:
    """Roles, pools and lookups of one run, over the chosen themes only
    (``t`` indexes ``themes``)."""

    def __init__(self, arrays: NetworkArrays, themes: list[int], size, m: int) -> None:
        self.arrays, self.themes = arrays, themes
        self.smin, self.smax = size
        self.m = m
        self.anchor, self.learner, self.viable = roles_and_viable_pools(arrays, themes, self.smin)
        cols = np.array(themes, dtype=np.int64)
        exp = arrays.expertise[:, cols].astype(np.int64)
        need = arrays.needs[:, cols].astype(np.int64)
        self.exp, self.need = exp, need
        # Python lists: the search reads single cells millions of times.
        self.exp_l, self.need_l = exp.tolist(), need.tolist()
        self.anchor_l, self.learner_l = self.anchor.tolist(), self.learner.tolist()
        self.speaks_l = arrays.speaks.tolist()
        self.langs_of = [np.flatnonzero(row).tolist() for row in arrays.speaks]
        self.region = arrays.region.tolist()
        self.south = arrays.south.tolist()
        self.coalition = [k == "national_coalition" for k in arrays.kind]
        self.excluded = neighbour_sets(arrays.excluded)
        history = arrays.history + arrays.history.T
        self.met = neighbour_sets(history)


def roles_and_viable_pools(arrays: NetworkArrays, themes: list[int], smin: int):
    """Roles on ``themes`` (anchor, learner: (n, k) bool) and which (theme,
    language) pools are viable ((k, n_languages) bool): a pool can hold a
    circle only with an anchor, a learner and ``smin`` members who could meet
    in it."""
    cols = np.array(themes, dtype=np.int64)
    anchor = (arrays.expertise[:, cols] >= ANCHOR_LEVEL) & (arrays.mentor_capacity > 0)[:, None]
    learner = (arrays.needs[:, cols] > 0) & (arrays.mentee_capacity > 0)[:, None] & ~anchor
    speaks = arrays.speaks.astype(np.int64)
    n_anchor = anchor.T.astype(np.int64) @ speaks
    n_learner = learner.T.astype(np.int64) @ speaks
    viable = (n_anchor > 0) & (n_learner > 0) & (n_anchor + n_learner >= smin)
    return anchor, learner, viable


def neighbour_sets(matrix) -> dict[int, set[int]]:
    """Row → set of stored columns, for the (few) rows that have any."""
    matrix = matrix.tocsr()
    rows = np.flatnonzero(np.diff(matrix.indptr))
    return {
        int(i): set(matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]].tolist()) for i in rows
    }
