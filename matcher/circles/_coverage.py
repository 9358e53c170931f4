"""Phase 2: objective moves, round after round, until none covers more need."""

from __future__ import annotations

from collections import defaultdict

from matcher.circles._builder import Builder
from matcher.circles._soft_search import add_co_anchors
from matcher.circles.model import GROW_TRIES, IMPROVE_ROUNDS
from matcher.vectors import MAX_EXPERTISE


def improve_coverage(builder: Builder) -> None:
    """Objective moves, round after round, until none applies."""
    for _ in range(IMPROVE_ROUNDS):
        pending = [x for x in builder.reachable if x not in builder.cover]
        changed = join_circles_with_room(builder, pending)
        changed |= trade_memberships(builder, pending)
        changed |= open_from_leftovers(builder, pending)
        changed |= move_needier_to_stronger(builder)
        changed |= add_co_anchors(builder, soft=False)
        if not changed:
            return


def circles_with_room(builder: Builder) -> dict[tuple[int, int], list[int]]:
    rooms: dict[tuple[int, int], list[int]] = defaultdict(list)
    for c in builder.live():
        if len(builder.members[c]) < builder.p.smax:
            rooms[(builder.theme[c], builder.lang[c])].append(c)
    return rooms


def best_circle_with_room(builder: Builder, i: int, t: int, rooms) -> int | None:
    """The circle on ``t`` with room that ``i`` could join (slots aside):
    strongest anchor, then smallest."""
    best, best_key = None, None
    for lang in builder.p.langs_of[i]:
        for c in rooms.get((t, lang), ()):
            members = builder.members[c]
            if len(members) >= builder.p.smax or builder.clashes(i, members):
                continue
            key = (-builder.level(t, members), len(members), c)
            if best_key is None or key < best_key:
                best, best_key = c, key
    return best


def join_circles_with_room(builder: Builder, pending: list[tuple[int, int]]) -> bool:
    """Learners with a free slot join the strongest circle with room."""
    rooms, changed = circles_with_room(builder), False
    for i, t in pending:
        if builder.slots[i] < builder.p.m and (i, t) not in builder.cover:
            c = best_circle_with_room(builder, i, t, rooms)
            if c is not None:
                builder.add(c, i)
                changed = True
    return changed


def trade_memberships(builder: Builder, pending: list[tuple[int, int]]) -> bool:
    """A member with no free slot leaves the circle where it is worth
    least for a circle with room on a theme it is not credited on, when
    that covers more need."""
    p, rooms, changed = builder.p, circles_with_room(builder), False
    for i, t in pending:
        if builder.slots[i] < p.m or (i, t) in builder.cover:
            continue
        costs = [
            (cost_of_leaving(builder, i, d), d)
            for d in builder.circles_of[i]
            if builder.can_leave(i, d)
        ]
        if not costs:
            continue
        loss, worst = min(costs)
        if loss >= p.need_l[i][t] * MAX_EXPERTISE:
            continue  # not even the strongest circle would be worth it
        c = best_circle_with_room(builder, i, t, rooms)
        if c is not None and p.need_l[i][t] * builder.level(t, builder.members[c]) > loss:
            builder.remove(worst, i)
            builder.add(c, i)
            changed = True
    return changed


def move_needier_to_stronger(builder: Builder) -> bool:
    """Within each pool, needier learners go to circles with stronger
    anchors: they move to a stronger circle with room, or swap with a
    less needy learner of a stronger circle (each gains need × level gap)."""
    p, changed = builder.p, False
    for (t, _), circles in sorted(builder.pools.items()):
        levels = {c: builder.level(t, builder.members[c]) for c in circles if builder.members[c]}
        if len(set(levels.values())) < 2:
            continue
        top = max(levels.values())
        strong = [c for c in levels if levels[c] == top]
        weak = [c for c in levels if levels[c] < top]
        ups = learners_by_need(builder, t, weak, -1)  # neediest first
        for _, _, i, c in ups:
            if not builder.can_leave(i, c):
                continue
            for d in strong:
                if len(builder.members[d]) < p.smax and not builder.clashes(i, builder.members[d]):
                    builder.remove(c, i)
                    builder.add(d, i)
                    changed = True
                    break
        downs = learners_by_need(builder, t, strong, 1)  # least needy first
        for up, _, i, c in learners_by_need(builder, t, weak, -1):
            for k, (down, _, j, d) in enumerate(downs):
                if down >= -up:
                    break
                rest_c = [x for x in builder.members[c] if x != i]
                rest_d = [x for x in builder.members[d] if x != j]
                if not (builder.clashes(i, rest_d) or builder.clashes(j, rest_c)):
                    builder.remove(c, i)
                    builder.remove(d, j)
                    builder.add(c, j)
                    builder.add(d, i)
                    del downs[k]
                    changed = True
                    break
    return changed


def learners_by_need(builder: Builder, t: int, circles: list[int], sign: int):
    """(sign × need, rank, learner, circle) of the learners of ``circles``, sorted."""
    p = builder.p
    return sorted(
        (sign * p.need_l[i][t], builder.rank[i], i, c)
        for c in circles
        for i in builder.members[c]
        if builder.cover.get((i, t)) == c
    )


def open_from_leftovers(builder: Builder, pending: list[tuple[int, int]]) -> bool:
    """Open circles from learners left without one: around a free anchor,
    or one taken from a circle that can spare it."""
    p, changed, contested = builder.p, False, builder.contested
    waiting: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, t in pending:
        if builder.slots[i] < p.m and (i, t) not in builder.cover:
            for lang in p.langs_of[i]:
                if p.viable[t, lang]:
                    waiting[(t, lang)].append(i)
    for t, lang in sorted(waiting):
        while open_one_from_leftovers(builder, t, lang, waiting[(t, lang)], contested):
            changed = True
    return changed


def open_one_from_leftovers(
    builder: Builder, t: int, lang: int, waiting: list[int], contested: list[int]
) -> bool:
    """Open one circle on (t, lang) from ``waiting`` learners if it covers
    more need than it costs elsewhere (an anchor taken from another
    circle, learners moved from other circles of the theme)."""
    p = builder.p
    waiting[:] = [i for i in waiting if (i, t) not in builder.cover and builder.slots[i] < p.m]
    if not waiting:
        return False
    speakers = [a for a in builder.anchors_of[t] if p.speaks_l[a][lang]]
    key = builder.anchor_key(t, contested)
    speakers.sort(key=lambda a: (builder.slots[a] >= p.m, *key(a)))
    for a in speakers[:GROW_TRIES]:
        members = [a]
        for i in waiting:
            if len(members) < p.smax and not builder.clashes(i, members):
                members.append(i)
        gain = builder.value(t, members)
        undo: list[tuple[int, int]] = []  # (circle, member) to restore on failure
        loss = 0
        if builder.slots[a] >= p.m:  # take the anchor from its cheapest circle
            costs = [
                (cost_of_leaving(builder, a, d), d)
                for d in builder.circles_of[a]
                if builder.can_leave(a, d)
            ]
            if not costs or min(costs)[0] >= gain:
                continue
            loss, spare = min(costs)
            builder.remove(spare, a)
            undo.append((spare, a))
        c = builder.new_circle(t, lang, members)
        loss += top_up(builder, c, contested, undo)
        if len(builder.members[c]) >= p.smin and builder.value(t, builder.members[c], c) > loss:
            return True
        builder.dissolve(c)
        for d, i in undo:
            builder.add(d, i)
    return False


def cost_of_leaving(builder: Builder, i: int, d: int) -> int:
    """Need covered that circle ``d`` loses without ``i``."""
    members, t = builder.members[d], builder.theme[d]
    if not builder.p.anchor_l[i][t]:  # a learner: its own credit, if it earns here
        return (
            builder.p.need_l[i][t] * builder.level(t, members)
            if builder.cover.get((i, t)) == d
            else 0
        )
    return builder.value(t, members, d) - builder.value(t, [j for j in members if j != i], d)


def top_up(builder: Builder, c: int, contested: list[int], undo: list[tuple[int, int]]) -> int:
    """Top a new circle up to ``size_min``, cheapest first: spare anchors
    of its pool; learners with a free slot credited on the theme
    elsewhere, as fillers; learners moved from other circles of the theme
    that can spare them. Returns the need covered the moves cost, and
    records them in ``undo``."""
    p, t, lang = builder.p, builder.theme[c], builder.lang[c]
    for a in sorted(builder.anchors_of[t], key=builder.anchor_key(t, contested)):
        if len(builder.members[c]) >= p.smin:
            return 0
        if builder.can_join(a, c):
            builder.add(c, a)
    others = sorted(
        (builder.rank[i], i)
        for d in builder.theme_circles[t]
        if d != c
        for i in builder.members[d]
        if builder.cover.get((i, t)) == d and p.speaks_l[i][lang] and builder.slots[i] < p.m
    )
    for _, i in others:
        if len(builder.members[c]) >= p.smin:
            return 0
        if len(builder.members[c]) < p.smax and not builder.clashes(i, builder.members[c]):
            builder.add(c, i, filler=True)
    if len(builder.members[c]) >= p.smin:
        return 0
    movable = sorted(
        (p.need_l[i][t] * builder.level(t, builder.members[d]), builder.rank[i], i, d)
        for d in builder.theme_circles[t]
        if d != c
        for i in builder.members[d]
        if builder.cover.get((i, t)) == d and p.speaks_l[i][lang]
    )
    loss = 0
    for cost, _, i, d in movable:
        if len(builder.members[c]) >= p.smin:
            break
        if builder.can_leave(i, d) and not builder.clashes(i, builder.members[c]):
            builder.remove(d, i)
            builder.add(c, i)
            undo.append((d, i))
            loss += cost
    return loss
