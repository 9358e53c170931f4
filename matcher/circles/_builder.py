"""Circles under construction, and the moves every phase makes on them."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from matcher.circles._problem import Problem


class Builder:
    """Circles under construction: member lists (empty = dissolved), slots
    used per member, and which circle credits each (learner, theme)."""

    def __init__(self, p: Problem, rng: np.random.Generator) -> None:
        self.p = p
        self.members: list[list[int]] = []
        self.theme: list[int] = []
        self.lang: list[int] = []
        self.slots = [0] * p.arrays.n
        self.circles_of: list[list[int]] = [[] for _ in range(p.arrays.n)]
        self.pools: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.theme_circles: dict[int, list[int]] = defaultdict(list)
        self.cover: dict[tuple[int, int], int] = {}
        # (circle, learner) memberships that only bring a circle to size_min:
        # the learner is credited on the theme in another circle.
        self.fillers: set[tuple[int, int]] = set()
        # Ties are broken by a seeded rank, not by id, so the seed varies them.
        self.rank = rng.permutation(p.arrays.n).tolist()
        self.rng = rng
        self.anchors_of = [np.flatnonzero(p.anchor[:, t]).tolist() for t in range(len(p.themes))]
        self.contested = [0] * p.arrays.n  # pools an anchor could serve (set by seed)
        # (learner, theme) pairs with a viable pool in a language the learner
        # speaks, largest need first: the ones a circle could credit.
        reach = (p.arrays.speaks.astype(np.int64) @ p.viable.T.astype(np.int64)) > 0
        li, lt = np.nonzero(p.learner & reach)
        self.reachable = sorted(
            zip(li.tolist(), lt.tolist(), strict=True),
            key=lambda x: (-p.need_l[x[0]][x[1]], self.rank[x[0]], x[1]),
        )

    # -- circle bookkeeping

    def level(self, t: int, members: list[int]) -> int:
        exp, anchor = self.p.exp_l, self.p.anchor_l
        return max((exp[i][t] for i in members if anchor[i][t]), default=0)

    def value(self, t: int, members: list[int], c: int | None = None) -> int:
        """Need covered by circle ``c`` (or a new one) with ``members``, in
        quarter levels; ``c``'s fillers earn nothing."""
        need, anchor, fillers = self.p.need_l, self.p.anchor_l, self.fillers
        return self.level(t, members) * sum(
            need[i][t] for i in members if not anchor[i][t] and (c, i) not in fillers
        )

    def new_circle(self, t: int, lang: int, members: list[int]) -> int:
        c = len(self.members)
        self.members.append([])
        self.theme.append(t)
        self.lang.append(lang)
        self.pools[(t, lang)].append(c)
        self.theme_circles[t].append(c)
        for i in members:
            self.add(c, i)
        return c

    def add(self, c: int, i: int, *, filler: bool = False) -> None:
        self.members[c].append(i)
        self.slots[i] += 1
        self.circles_of[i].append(c)
        if filler:
            self.fillers.add((c, i))
        elif not self.p.anchor_l[i][self.theme[c]]:
            self.cover[(i, self.theme[c])] = c

    def remove(self, c: int, i: int) -> None:
        self.members[c].remove(i)
        self.slots[i] -= 1
        self.circles_of[i].remove(c)
        if (c, i) in self.fillers:
            self.fillers.remove((c, i))
        elif not self.p.anchor_l[i][self.theme[c]]:
            del self.cover[(i, self.theme[c])]

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
        p, t, members = self.p, self.theme[c], self.members[c]
        return (
            0 < len(members) < p.smax
            and self.slots[i] + reserved < p.m
            and p.speaks_l[i][self.lang[c]]
            and (p.anchor_l[i][t] or (p.learner_l[i][t] and (i, t) not in self.cover))
            and not self.clashes(i, members)
        )

    def can_leave(self, i: int, c: int) -> bool:
        """Whether ``c`` stays a circle without ``i``."""
        members, t, anchor = self.members[c], self.theme[c], self.p.anchor_l
        if len(members) <= self.p.smin:
            return False
        return not anchor[i][t] or any(anchor[j][t] for j in members if j != i)

    def live(self) -> list[int]:
        return [c for c, members in enumerate(self.members) if members]

    def anchor_key(self, t: int, contested: list[int]):
        exp, rank = self.p.exp_l, self.rank
        return lambda a: (-exp[a][t], contested[a], rank[a])
