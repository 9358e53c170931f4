"""The hard constraints of learning circles, checked from the arrays alone."""

from __future__ import annotations

from collections import defaultdict

from matcher.circles._problem import neighbour_sets
from matcher.circles.model import ANCHOR_LEVEL, DEFAULT_SIZE
from matcher.vectors import NetworkArrays


def circle_violations(
    arrays: NetworkArrays,
    circles,
    *,
    size: tuple[int, int] = DEFAULT_SIZE,
    max_per_member: int = 2,
) -> list[str]:
    """Every hard constraint the circles break, in words (empty when none).

    ``circles``: :class:`Circle` objects, or anything with ``theme``,
    ``language`` and ``members`` (member ids, or objects with ``id`` and
    optionally ``role``, which is then checked too).

    >>> # circle_violations(arrays, result.circles, size=(4, 8), max_per_member=2)
    >>> # []
    """
    size_min, size_max = size
    index = {key: i for i, key in enumerate(arrays.ids)}
    theme_index = {key: t for t, key in enumerate(arrays.themes)}
    lang_index = {lang: k for k, lang in enumerate(arrays.languages)}
    excluded = neighbour_sets(arrays.excluded)
    count: dict[str, int] = defaultdict(int)
    problems = []
    for k, circle in enumerate(circles):
        where = f"circle {k} ({circle.theme}, {circle.language})"
        t, lang = theme_index.get(circle.theme), lang_index.get(circle.language)
        ids = [getattr(x, "id", x) for x in circle.members]
        roles = [getattr(x, "role", None) for x in circle.members]
        if t is None:
            problems.append(f"{where}: unknown theme")
            continue
        if len(set(ids)) != len(ids):
            problems.append(f"{where}: a member appears twice")
        if not size_min <= len(ids) <= size_max:
            problems.append(f"{where}: {len(ids)} members, outside {size_min}-{size_max}")
        unknown = [x for x in ids if x not in index]
        if unknown:
            problems.append(f"{where}: unknown members {unknown}")
            continue
        rows = [index[x] for x in ids]
        n_anchors = 0
        for x, i, role in zip(ids, rows, roles, strict=True):
            count[x] += 1
            if lang is None or not arrays.speaks[i, lang]:
                problems.append(f"{where}: {x} does not speak {circle.language}")
            anchor = arrays.expertise[i, t] >= ANCHOR_LEVEL and arrays.mentor_capacity[i] > 0
            learner = arrays.needs[i, t] > 0 and arrays.mentee_capacity[i] > 0
            n_anchors += bool(anchor)
            if not anchor and not learner:
                problems.append(f"{where}: {x} is neither an anchor nor a learner")
            if role is not None and role != ("anchor" if anchor else "learner"):
                problems.append(f"{where}: {x} is listed as {role}")
        if n_anchors == 0:
            problems.append(f"{where}: no anchor")
        for a, i in enumerate(rows):
            for j in rows[a + 1 :]:
                if j in excluded.get(i, ()):
                    problems.append(f"{where}: {arrays.ids[i]} and {arrays.ids[j]} are excluded")
    problems += [
        f"{x} is in {c} circles (max_per_member {max_per_member})"
        for x, c in sorted(count.items())
        if c > max_per_member
    ]
    return problems
