"""Step (3): objective moves, round after round, until none covers more need."""

from __future__ import annotations

from collections import defaultdict

from matcher.circles._builder import Builder
from matcher.circles._soft_search import add_co_anchors
from matcher.circles.model import GROW_TRIES, IMPROVE_ROUNDS
from matcher.vectors import MAX_EXPERTISE


def improve_coverage(builder: Builder) -> None:
    """Objective moves, round after round, until none applies."""
    for _ in range(IMPROVE_ROUNDS):
        pending = [x for x in builder.creditable if x not in builder.credited_in]
        changed = join_circles_with_room(builder, pending)
        changed |= trade_memberships(builder, pending)
        changed |= open_from_leftovers(builder, pending)
        changed |= move_needier_to_stronger(builder)
        changed |= add_co_anchors(builder, soft=False)
        if not changed:
            return


def circles_with_room(builder: Builder) -> dict[tuple[int, int], list[int]]:
    """(theme, language) → the live circles of that pool below ``size_max``."""
    rooms: dict[tuple[int, int], list[int]] = defaultdict(list)
    for c in builder.live_circles():
        if len(builder.members[c]) < builder.p.size_max:
            rooms[(builder.theme_of[c], builder.language_of[c])].append(c)
    return rooms


def best_circle_with_room(builder: Builder, i: int, t: int, rooms) -> int | None:
    """The circle on ``t`` with room that ``i`` could join (slots aside):
    strongest anchor, then smallest."""
    best, best_key = None, None
    for lang in builder.p.languages_of[i]:
        for c in rooms.get((t, lang), ()):
            members = builder.members[c]
            if len(members) >= builder.p.size_max or builder.clashes(i, members):
                continue
            key = (-builder.anchor_level(t, members), len(members), c)
            if best_key is None or key < best_key:
                best, best_key = c, key
    return best


def join_circles_with_room(builder: Builder, pending: list[tuple[int, int]]) -> bool:
    """Learners with a free slot join the strongest circle with room."""
    rooms, changed = circles_with_room(builder), False
    for i, t in pending:
        if builder.slots_used[i] < builder.p.max_per_member and (i, t) not in builder.credited_in:
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
        if builder.slots_used[i] < p.max_per_member or (i, t) in builder.credited_in:
            continue
        cheapest = cheapest_circle_to_leave(builder, i)
        if cheapest is None:
            continue
        loss, worst = cheapest
        if loss >= p.need[i][t] * MAX_EXPERTISE:
            continue  # not even the strongest circle would be worth it
        c = best_circle_with_room(builder, i, t, rooms)
        if c is not None and p.need[i][t] * builder.anchor_level(t, builder.members[c]) > loss:
            builder.remove(worst, i)
            builder.add(c, i)
            changed = True
    return changed


def move_needier_to_stronger(builder: Builder) -> bool:
    """Within each pool, needier learners go to circles with stronger
    anchors: they move to a stronger circle with room, or swap with a
    less needy learner of a stronger circle (each gains need × level gap)."""
    changed = False
    for (t, _), circles in sorted(builder.pool_circles.items()):
        levels = {
            c: builder.anchor_level(t, builder.members[c]) for c in circles if builder.members[c]
        }
        if len(set(levels.values())) < 2:
            continue
        top = max(levels.values())
        strong = [c for c in levels if levels[c] == top]
        weak = [c for c in levels if levels[c] < top]
        changed |= _move_up(builder, t, weak, strong)
        changed |= _swap_up(builder, t, weak, strong)
    return changed


def _move_up(builder: Builder, t: int, weak: list[int], strong: list[int]) -> bool:
    """Learners of ``weak`` circles, neediest first, move to a ``strong`` one with room."""
    changed = False
    for _, _, i, c in learners_by_need(builder, t, weak, -1):
        if not builder.can_leave(i, c):
            continue
        for d in strong:
            members = builder.members[d]
            if len(members) < builder.p.size_max and not builder.clashes(i, members):
                builder.remove(c, i)
                builder.add(d, i)
                changed = True
                break
    return changed


def _swap_up(builder: Builder, t: int, weak: list[int], strong: list[int]) -> bool:
    """Learners of ``weak`` circles, neediest first, swap with less needy
    learners of ``strong`` ones, least needy first."""
    changed = False
    downs = learners_by_need(builder, t, strong, 1)
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
    """(sign × need, tie rank, learner, circle) of the learners credited in
    ``circles``, sorted: neediest first with ``sign`` −1, least needy with 1."""
    p = builder.p
    return sorted(
        (sign * p.need[i][t], builder.tie_rank[i], i, c)
        for c in circles
        for i in builder.members[c]
        if builder.credited_in.get((i, t)) == c
    )


def open_from_leftovers(builder: Builder, pending: list[tuple[int, int]]) -> bool:
    """Open circles from learners left without one: around a free anchor,
    or one taken from a circle that can spare it."""
    p, changed = builder.p, False
    waiting: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, t in pending:
        if builder.slots_used[i] < p.max_per_member and (i, t) not in builder.credited_in:
            for lang in p.languages_of[i]:
                if p.viable_pools[t, lang]:
                    waiting[(t, lang)].append(i)
    for t, lang in sorted(waiting):
        while open_one_from_leftovers(builder, t, lang, waiting[(t, lang)]):
            changed = True
    return changed


def open_one_from_leftovers(builder: Builder, t: int, lang: int, waiting: list[int]) -> bool:
    """Open one circle on (t, lang) from ``waiting`` learners if it covers
    more need than it costs elsewhere (an anchor taken from another
    circle, learners moved from other circles of the theme)."""
    p = builder.p
    waiting[:] = [
        i
        for i in waiting
        if (i, t) not in builder.credited_in and builder.slots_used[i] < p.max_per_member
    ]
    if not waiting:
        return False
    speakers = [a for a in builder.anchors_of[t] if p.speaks[a][lang]]
    order = builder.anchor_order(t)
    speakers.sort(key=lambda a: (builder.slots_used[a] >= p.max_per_member, *order(a)))
    for a in speakers[:GROW_TRIES]:
        members = [a]
        for i in waiting:
            if len(members) < p.size_max and not builder.clashes(i, members):
                members.append(i)
        undo: list[tuple[int, int]] = []  # (circle, member) to restore on failure
        loss = 0
        if builder.slots_used[a] >= p.max_per_member:  # take the anchor from its cheapest circle
            cheapest = cheapest_circle_to_leave(builder, a)
            if cheapest is None or cheapest[0] >= builder.coverage(t, members):
                continue
            loss, spare = cheapest
            builder.remove(spare, a)
            undo.append((spare, a))
        c = builder.new_circle(t, lang, members)
        loss += top_up(builder, c, undo)
        if (
            len(builder.members[c]) >= p.size_min
            and builder.coverage(t, builder.members[c], c) > loss
        ):
            return True
        builder.dissolve(c)
        for d, i in undo:
            builder.add(d, i)
    return False


def cheapest_circle_to_leave(builder: Builder, i: int) -> tuple[int, int] | None:
    """(need covered lost, circle) for the circle that loses least without
    ``i``, among those that stay circles; None if none does."""
    costs = [
        (cost_of_leaving(builder, i, d), d)
        for d in builder.circles_of[i]
        if builder.can_leave(i, d)
    ]
    return min(costs) if costs else None


def cost_of_leaving(builder: Builder, i: int, d: int) -> int:
    """Need covered that circle ``d`` loses without ``i``."""
    members, t = builder.members[d], builder.theme_of[d]
    if not builder.p.is_anchor[i][t]:  # a learner: its own credit, if it earns here
        return (
            builder.p.need[i][t] * builder.anchor_level(t, members)
            if builder.credited_in.get((i, t)) == d
            else 0
        )
    return builder.coverage(t, members, d) - builder.coverage(t, [j for j in members if j != i], d)


def top_up(builder: Builder, c: int, undo: list[tuple[int, int]]) -> int:
    """Top a new circle up to ``size_min``, cheapest first: spare anchors
    of its pool; learners with a free slot credited on the theme
    elsewhere, as fillers; learners moved from other circles of the theme
    that can spare them. Returns the need covered the moves cost, and
    records them in ``undo``."""
    p, t = builder.p, builder.theme_of[c]
    for a in sorted(builder.anchors_of[t], key=builder.anchor_order(t)):
        if len(builder.members[c]) >= p.size_min:
            return 0
        if builder.can_join(a, c):
            builder.add(c, a)
    others = sorted(
        (builder.tie_rank[i], i)
        for d, i in _credited_elsewhere(builder, c)
        if builder.slots_used[i] < p.max_per_member
    )
    for _, i in others:
        if len(builder.members[c]) >= p.size_min:
            return 0
        if len(builder.members[c]) < p.size_max and not builder.clashes(i, builder.members[c]):
            builder.add(c, i, filler=True)
    if len(builder.members[c]) >= p.size_min:
        return 0
    movable = sorted(
        (p.need[i][t] * builder.anchor_level(t, builder.members[d]), builder.tie_rank[i], i, d)
        for d, i in _credited_elsewhere(builder, c)
    )
    loss = 0
    for cost, _, i, d in movable:
        if len(builder.members[c]) >= p.size_min:
            break
        if builder.can_leave(i, d) and not builder.clashes(i, builder.members[c]):
            builder.remove(d, i)
            builder.add(c, i)
            undo.append((d, i))
            loss += cost
    return loss


def _credited_elsewhere(builder: Builder, c: int):
    """(circle, learner) for the learners credited on ``c``'s theme in
    another circle who speak ``c``'s language."""
    p, t, lang = builder.p, builder.theme_of[c], builder.language_of[c]
    return [
        (d, i)
        for d in builder.theme_circles[t]
        if d != c
        for i in builder.members[d]
        if builder.credited_in.get((i, t)) == d and p.speaks[i][lang]
    ]
