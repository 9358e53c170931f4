"""The hard constraints of learning circles, checked from the arrays alone."""

from __future__ import annotations

from collections import defaultdict

from matcher.circles._problem import neighbour_sets
from matcher.circles.model import ANCHOR_LEVEL, DEFAULT_MAX_PER_MEMBER, DEFAULT_SIZE
from matcher.vectors import NetworkArrays


def circle_violations(
    arrays: NetworkArrays,
    circles,
    *,
    size: tuple[int, int] = DEFAULT_SIZE,
    max_per_member: int = DEFAULT_MAX_PER_MEMBER,
) -> list[str]:
    """Every hard constraint the circles break, in words (empty when none).

    ``circles``: :class:`Circle` objects, or anything with ``theme``,
    ``language`` and ``members`` (member ids, or objects with ``id`` and
    optionally ``role``, which is then checked too).

    >>> from matcher.examples import circle_arrays
    >>> arrays = circle_arrays()  # one anchor (ph), four learners
    >>> from types import SimpleNamespace
    >>> circle = SimpleNamespace(theme="budget_tracking", language="en", members=["ke", "sn"])
    >>> for problem in circle_violations(arrays, [circle]):
    ...     print(problem)
    circle 0 (budget_tracking, en): 2 members, outside 4-8
    circle 0 (budget_tracking, en): no anchor
    >>> circle.members += ["ph", "ug"]
    >>> circle_violations(arrays, [circle])
    []
    """
    check = _CircleCheck(arrays, size)
    problems = []
    for k, circle in enumerate(circles):
        where = f"circle {k} ({circle.theme}, {circle.language})"
        problems += [f"{where}: {problem}" for problem in check.problems(circle)]
    problems += [
        f"{x} is in {c} circles (max_per_member {max_per_member})"
        for x, c in sorted(check.count.items())
        if c > max_per_member
    ]
    return problems


class _CircleCheck:
    """The lookups the checks need, and how many circles each member is in so far."""

    def __init__(self, arrays: NetworkArrays, size: tuple[int, int]) -> None:
        self.arrays = arrays
        self.size_min, self.size_max = size
        self.index = {key: i for i, key in enumerate(arrays.ids)}
        self.theme_index = {key: t for t, key in enumerate(arrays.themes)}
        self.lang_index = {lang: k for k, lang in enumerate(arrays.languages)}
        self.excluded = neighbour_sets(arrays.excluded)
        self.count: dict[str, int] = defaultdict(int)

    def problems(self, circle) -> list[str]:
        """The constraints ``circle`` breaks, in words; counts its members."""
        arrays, index = self.arrays, self.index
        t, lang = self.theme_index.get(circle.theme), self.lang_index.get(circle.language)
        ids = [getattr(x, "id", x) for x in circle.members]
        roles = [getattr(x, "role", None) for x in circle.members]
        if t is None:
            return ["unknown theme"]
        problems = []
        if len(set(ids)) != len(ids):
            problems.append("a member appears twice")
        if not self.size_min <= len(ids) <= self.size_max:
            problems.append(f"{len(ids)} members, outside {self.size_min}-{self.size_max}")
        unknown = [x for x in ids if x not in index]
        if unknown:
            return [*problems, f"unknown members {unknown}"]
        rows = [index[x] for x in ids]
        n_anchors = 0
        for x, i, role in zip(ids, rows, roles, strict=True):
            self.count[x] += 1
            if lang is None or not arrays.speaks[i, lang]:
                problems.append(f"{x} does not speak {circle.language}")
            anchor = arrays.expertise[i, t] >= ANCHOR_LEVEL and arrays.mentor_capacity[i] > 0
            learner = arrays.needs[i, t] > 0 and arrays.mentee_capacity[i] > 0
            n_anchors += bool(anchor)
            if not anchor and not learner:
                problems.append(f"{x} is neither an anchor nor a learner")
            if role is not None and role != ("anchor" if anchor else "learner"):
                problems.append(f"{x} is listed as {role}")
        if n_anchors == 0:
            problems.append("no anchor")
        for a, i in enumerate(rows):
            for j in rows[a + 1 :]:
                if j in self.excluded.get(i, ()):
                    problems.append(f"{arrays.ids[i]} and {arrays.ids[j]} are excluded")
        return problems
