"""Circles under construction, and the moves every phase makes on them."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from matcher.circles._problem import Problem


class Builder:
    """Circles under construction, numbered ``c`` in order of opening.

    Per circle: ``members`` (empty once dissolved), ``theme_of``,
    ``language_of``; per (theme, language) pool and per theme, the circles
    opened in it (``pool_circles``, ``theme_circles``). Per member:
    ``slots_used`` (circles it is in, at most ``max_per_member``) and
    ``circles_of``. ``credited_in[(learner, theme)]`` is the circle that
    credits the learner on the theme; a learner in a circle only to bring it
    to ``size_min`` is a *filler* and earns nothing there.
    """

    def __init__(self, p: Problem, rng: np.random.Generator) -> None:
        self.p = p
        self.members: list[list[int]] = []
        self.theme_of: list[int] = []
        self.language_of: list[int] = []
        self.slots_used = [0] * p.arrays.n
        self.circles_of: list[list[int]] = [[] for _ in range(p.arrays.n)]
        self.pool_circles: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.theme_circles: dict[int, list[int]] = defaultdict(list)
        self.credited_in: dict[tuple[int, int], int] = {}
        # (circle, learner) memberships that only bring a circle to size_min:
        # the learner is credited on the theme in another circle.
        self.fillers: set[tuple[int, int]] = set()
        # Ties are broken by a seeded rank, not by id, so the seed varies them.
        self.tie_rank = rng.permutation(p.arrays.n).tolist()
        self.rng = rng
        self.anchors_of = [
            np.flatnonzero(p.anchor_mask[:, t]).tolist() for t in range(len(p.themes))
        ]
        # Pools each anchor could serve, counted by the seeding: less
        # contested anchors are taken first, leaving the others free.
        self.contested = [0] * p.arrays.n
        # (learner, theme) pairs with a viable pool in a language the learner
        # speaks, largest need first: the ones a circle could credit.
        reach = (p.arrays.speaks.astype(np.int64) @ p.viable_pools.T.astype(np.int64)) > 0
        learners, themes = np.nonzero(p.learner_mask & reach)
        self.creditable = sorted(
            zip(learners.tolist(), themes.tolist(), strict=True),
            key=lambda x: (-p.need[x[0]][x[1]], self.tie_rank[x[0]], x[1]),
        )

    def anchor_level(self, t: int, members: list[int]) -> int:
        """The strongest anchor's expertise on ``t`` among ``members`` (0: none)."""
        expertise, is_anchor = self.p.expertise, self.p.is_anchor
        return max((expertise[i][t] for i in members if is_anchor[i][t]), default=0)

    def coverage(self, t: int, members: list[int], c: int | None = None) -> int:
        """Need covered by circle ``c`` (or a new one) with ``members``, in
        quarter levels; ``c``'s fillers earn nothing."""
        need, is_anchor, fillers = self.p.need, self.p.is_anchor, self.fillers
        return self.anchor_level(t, members) * sum(
            need[i][t] for i in members if not is_anchor[i][t] and (c, i) not in fillers
        )

    def new_circle(self, t: int, lang: int, members: list[int]) -> int:
        """Open a circle on (``t``, ``lang``) with ``members``; its number."""
        c = len(self.members)
        self.members.append([])
        self.theme_of.append(t)
        self.language_of.append(lang)
        self.pool_circles[(t, lang)].append(c)
        self.theme_circles[t].append(c)
        for i in members:
            self.add(c, i)
        return c

    def add(self, c: int, i: int, *, filler: bool = False) -> None:
        """``i`` joins ``c`` (as a filler: without credit)."""
        self.members[c].append(i)
        self.slots_used[i] += 1
        self.circles_of[i].append(c)
        if filler:
            self.fillers.add((c, i))
        elif not self.p.is_anchor[i][self.theme_of[c]]:
            self.credited_in[(i, self.theme_of[c])] = c

    def remove(self, c: int, i: int) -> None:
        """``i`` leaves ``c``, with its credit or filler place there."""
        self.members[c].remove(i)
        self.slots_used[i] -= 1
        self.circles_of[i].remove(c)
        if (c, i) in self.fillers:
            self.fillers.remove((c, i))
        elif not self.p.is_anchor[i][self.theme_of[c]]:
            del self.credited_in[(i, self.theme_of[c])]

    def dissolve(self, c: int) -> None:
        for i in list(self.members[c]):
            self.remove(c, i)

    def clashes(self, i: int, members: list[int]) -> bool:
        """Whether ``i`` is in, or excluded with someone in, ``members``."""
        if i in members:
            return True
        excluded = self.p.excluded.get(i)
        return bool(excluded) and any(j in excluded for j in members)

    def can_join(self, i: int, c: int, *, reserved: int = 0) -> bool:
        """Whether ``i`` may join ``c`` under every hard constraint, keeping
        ``reserved`` of its slots free, and be credited there if a learner."""
        p, t, members = self.p, self.theme_of[c], self.members[c]
        return (
            0 < len(members) < p.size_max
            and self.slots_used[i] + reserved < p.max_per_member
            and p.speaks[i][self.language_of[c]]
            and (p.is_anchor[i][t] or (p.is_learner[i][t] and (i, t) not in self.credited_in))
            and not self.clashes(i, members)
        )

    def can_leave(self, i: int, c: int) -> bool:
        """Whether ``c`` stays a circle without ``i``."""
        members, t, is_anchor = self.members[c], self.theme_of[c], self.p.is_anchor
        if len(members) <= self.p.size_min:
            return False
        return not is_anchor[i][t] or any(is_anchor[j][t] for j in members if j != i)

    def live_circles(self) -> list[int]:
        """The circles not dissolved, in order of opening."""
        return [c for c, members in enumerate(self.members) if members]

    def circles(self) -> list[tuple[int, int, list[int]]]:
        """(theme, language, members) of every live circle."""
        return [
            (self.theme_of[c], self.language_of[c], self.members[c]) for c in self.live_circles()
        ]

    def anchor_order(self, t: int):
        """Sort key of anchors on ``t``: strongest, then least contested."""
        expertise, contested, tie_rank = self.p.expertise, self.contested, self.tie_rank
        return lambda a: (-expertise[a][t], contested[a], tie_rank[a])
