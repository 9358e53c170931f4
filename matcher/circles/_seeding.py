"""Phase 1: open circles in the pools the bound's flow routed learners to."""

from __future__ import annotations

import math

from matcher.circles._builder import Builder


def seed_circles(builder: Builder, routes: dict[tuple[int, int], list[int]]) -> None:
    """Open circles in every pool the flow routed learners to."""
    p = builder.p
    reserved = [0] * p.arrays.n  # learner slots promised by the routes
    contested = builder.contested
    for (t, lang), learners in routes.items():
        for i in learners:
            reserved[i] += 1
        for a in builder.anchors_of[t]:
            contested[a] += p.speaks_l[a][lang]

    def scarcity(key):
        t, lang = key
        anchors = sum(p.speaks_l[a][lang] for a in builder.anchors_of[t])
        return (anchors / math.ceil(len(routes[key]) / (p.smax - 1)), key)

    for t, lang in sorted(routes, key=scarcity):
        learners = sorted(routes[(t, lang)], key=lambda i: (-p.need_l[i][t], builder.rank[i]))
        for i in learners:
            reserved[i] -= 1
        wanted = max(
            1,
            min(
                math.ceil(len(learners) / (p.smax - 1)),
                len(learners) // (p.smin - 1),
            ),
        )
        free = sorted(
            (a for a in builder.anchors_of[t] if p.speaks_l[a][lang]),
            key=builder.anchor_key(t, contested),
        )
        chosen: list[int] = []
        for _ in range(p.m):  # a second circle for an anchor only when short
            for a in free:
                if len(chosen) < wanted and builder.slots[a] + reserved[a] + chosen.count(a) < p.m:
                    chosen.append(a)
        circles = [builder.new_circle(t, lang, [a]) for a in chosen]
        if not circles:
            continue
        # Deal learners region by region, two at a time, so that each
        # circle mixes regions and nobody is alone from its own.
        seats = len(circles) * (p.smax - 1)
        placed = sorted(learners[:seats], key=lambda i: (p.region[i], builder.rank[i]))
        for k, i in enumerate(placed):
            start = (k // 2) % len(circles)
            for step in range(len(circles)):
                c = circles[(start + step) % len(circles)]
                if builder.can_join(i, c, reserved=reserved[i]):
                    builder.add(c, i)
                    break
        for c in circles:
            complete_or_dissolve(builder, c, reserved, contested)


def complete_or_dissolve(
    builder: Builder, c: int, reserved: list[int], contested: list[int]
) -> None:
    """Bring an undersized circle to ``size_min`` with spare anchors of its
    pool, or dissolve it (its learners move to a circle of the pool with
    room when they can)."""
    p, t, lang = builder.p, builder.theme[c], builder.lang[c]
    if len(builder.members[c]) >= p.smin:
        return
    for a in sorted(builder.anchors_of[t], key=builder.anchor_key(t, contested)):
        if len(builder.members[c]) >= p.smin:
            return
        if builder.can_join(a, c, reserved=reserved[a]):
            builder.add(c, a)
    if len(builder.members[c]) >= p.smin:
        return
    members = list(builder.members[c])
    builder.dissolve(c)
    for i in members:
        if p.anchor_l[i][t]:
            continue
        for d in builder.pools[(t, lang)]:
            if builder.can_join(i, d, reserved=reserved[i]):
                builder.add(d, i)
                break
