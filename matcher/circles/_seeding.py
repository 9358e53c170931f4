"""Steps (1)–(2): open circles in the pools the bound's flow routed learners to."""

from __future__ import annotations

import math

from matcher.circles._builder import Builder


def seed_circles(builder: Builder, routes: dict[tuple[int, int], list[int]]) -> None:
    """Open circles in every pool the flow routed learners to, scarcest
    pools (fewest anchors per circle needed) first."""
    p = builder.p
    reserved = [0] * p.arrays.n  # learner slots promised by the routes
    for (t, lang), learners in routes.items():
        for i in learners:
            reserved[i] += 1
        for a in builder.anchors_of[t]:
            builder.contested[a] += p.speaks[a][lang]

    def scarcity(key):
        t, lang = key
        anchors = sum(p.speaks[a][lang] for a in builder.anchors_of[t])
        return (anchors / math.ceil(len(routes[key]) / (p.size_max - 1)), key)

    for t, lang in sorted(routes, key=scarcity):
        learners = sorted(routes[(t, lang)], key=lambda i: (-p.need[i][t], builder.tie_rank[i]))
        for i in learners:
            reserved[i] -= 1
        anchors = _choose_anchors(builder, t, lang, len(learners), reserved)
        circles = [builder.new_circle(t, lang, [a]) for a in anchors]
        if not circles:
            continue
        _deal_learners(builder, circles, learners, reserved)
        for c in circles:
            complete_or_dissolve(builder, c, reserved)


def _choose_anchors(
    builder: Builder, t: int, lang: int, n_learners: int, reserved: list[int]
) -> list[int]:
    """One anchor per circle the pool's learners need, strongest and least
    contested first; an anchor takes a second circle only when they run short."""
    p = builder.p
    wanted = max(
        1,
        min(
            math.ceil(n_learners / (p.size_max - 1)),
            n_learners // (p.size_min - 1),
        ),
    )
    free = sorted(
        (a for a in builder.anchors_of[t] if p.speaks[a][lang]),
        key=builder.anchor_order(t),
    )
    chosen: list[int] = []
    for _ in range(p.max_per_member):
        for a in free:
            slots = builder.slots_used[a] + reserved[a] + chosen.count(a)
            if len(chosen) < wanted and slots < p.max_per_member:
                chosen.append(a)
    return chosen


def _deal_learners(
    builder: Builder, circles: list[int], learners: list[int], reserved: list[int]
) -> None:
    """Deal learners region by region, two at a time, so that each circle
    mixes regions and nobody is alone from its own."""
    p = builder.p
    seats = len(circles) * (p.size_max - 1)
    placed = sorted(learners[:seats], key=lambda i: (p.region[i], builder.tie_rank[i]))
    for k, i in enumerate(placed):
        start = (k // 2) % len(circles)
        for step in range(len(circles)):
            c = circles[(start + step) % len(circles)]
            if builder.can_join(i, c, reserved=reserved[i]):
                builder.add(c, i)
                break


def complete_or_dissolve(builder: Builder, c: int, reserved: list[int]) -> None:
    """Bring an undersized circle to ``size_min`` with spare anchors of its
    pool, or dissolve it (its learners move to a circle of the pool with
    room when they can)."""
    p, t, lang = builder.p, builder.theme_of[c], builder.language_of[c]
    if len(builder.members[c]) >= p.size_min:
        return
    for a in sorted(builder.anchors_of[t], key=builder.anchor_order(t)):
        if len(builder.members[c]) >= p.size_min:
            return
        if builder.can_join(a, c, reserved=reserved[a]):
            builder.add(c, a)
    if len(builder.members[c]) >= p.size_min:
        return
    members = list(builder.members[c])
    builder.dissolve(c)
    for i in members:
        if p.is_anchor[i][t]:
            continue
        for d in builder.pool_circles[(t, lang)]:
            if builder.can_join(i, d, reserved=reserved[i]):
                builder.add(d, i)
                break
