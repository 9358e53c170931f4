"""Step (4): a seeded local search for the soft goals, then co-anchors."""

from __future__ import annotations

from matcher.circles._builder import Builder
from matcher.circles._soft import (
    W_REPEAT,
    mix_after_move,
    mix_summary,
    penalised_members,
    repeat_pairs_change,
    soft_score_of_mix,
)
from matcher.circles.model import SOFT_PASSES, SOFT_TRIES


def improve_soft_score(builder: Builder) -> None:
    """Seeded local search for the soft goals: move or swap members
    between two circles of a theme and language when need covered does
    not fall and the soft score rises. A pass visits, in random order, the
    circles with a penalised member (see :func:`penalised_members`) and tries up to
    :data:`SOFT_TRIES` random circles of the same pool against each.
    Spare anchors then join circles as co-anchors where that helps."""
    p = builder.p
    for _ in range(SOFT_PASSES):
        improved = False
        for c in builder.rng.permutation(len(builder.members)).tolist():
            penalised = penalised_members(p, builder.members[c]) if builder.members[c] else []
            if not penalised:
                continue
            pool = builder.pool_circles[(builder.theme_of[c], builder.language_of[c])]
            others = [d for d in pool if d != c and builder.members[d]]
            picks = builder.rng.permutation(len(others))[:SOFT_TRIES].tolist()
            for d in (others[k] for k in picks):
                if exchange_if_better(builder, c, d, penalised):
                    improved = True
                    break
        if not improved:
            break
    add_co_anchors(builder, soft=True)


def add_co_anchors(builder: Builder, *, soft: bool) -> bool:
    """Anchors with a free slot join circles with room as co-anchors when
    that raises the circle's anchor level or (``soft``) its soft score,
    typically a second Northern member beside a Northern anchor otherwise
    alone among Southern learners. Only spare slots are used, so no
    circle is lost; up to :data:`SOFT_TRIES` candidates per circle, those
    that could fix a penalty, strongest first."""
    p, changed = builder.p, False
    spare: dict[tuple[int, int], list[int]] = {}
    for t, lang in builder.pool_circles:
        spare[(t, lang)] = sorted(
            (
                a
                for a in builder.anchors_of[t]
                if builder.slots_used[a] < p.max_per_member and p.speaks[a][lang]
            ),
            key=lambda a, t=t: (-p.expertise[a][t], builder.tie_rank[a]),
        )
    for c in builder.live_circles():
        t = builder.theme_of[c]
        free = spare[(t, builder.language_of[c])]
        if len(builder.members[c]) >= p.size_max or not free:
            continue
        best = _best_co_anchor(builder, c, free, soft)
        if best is not None:
            builder.add(c, best)
            if builder.slots_used[best] >= p.max_per_member:
                for lang in p.languages_of[best]:
                    if best in spare.get((t, lang), ()):
                        spare[(t, lang)].remove(best)
            changed = True
    return changed


def _best_co_anchor(builder: Builder, c: int, free: list[int], soft: bool) -> int | None:
    """The spare anchor whose joining ``c`` raises (need covered, soft score
    if ``soft``) most, if any does."""
    p, members, t = builder.p, builder.members[c], builder.theme_of[c]
    level = builder.anchor_level(t, members)
    alone = penalised_members(p, members) if soft else []
    sides = {p.is_south[i] for i in alone}
    regions = {p.region[i] for i in alone}
    tries = []
    for a in free[: 4 * SOFT_TRIES]:
        if len(tries) == SOFT_TRIES:
            break
        if (
            builder.slots_used[a] < p.max_per_member
            and (p.expertise[a][t] > level or p.is_south[a] in sides or p.region[a] in regions)
            and not builder.clashes(a, members)
        ):
            tries.append(a)
    summary = mix_summary(p, members)
    best, best_key = None, (builder.coverage(t, members, c), soft_score_of_mix(*summary))
    for a in tries:
        met = p.met_before.get(a, ())
        repeats = sum(j in met for j in members) * W_REPEAT
        key = (
            builder.coverage(t, [*members, a], c),
            soft_score_of_mix(*mix_after_move(p, summary, None, a)) + repeats
            if soft
            else best_key[1],
        )
        if key > best_key:
            best, best_key = a, key
    return best


def exchange_if_better(builder: Builder, c: int, d: int, penalised: list[int]) -> bool:
    """Apply the first exchange between ``c`` and ``d`` (same theme and
    language) that raises (need covered, soft score): a penalised member of
    ``c`` moves to ``d`` or swaps with a member of ``d``, or a member of
    ``d`` moves to ``c``. Exclusions are checked against the whole other
    circle (conservative)."""
    p, t = builder.p, builder.theme_of[c]
    members_c, members_d = builder.members[c], builder.members[d]
    mix_c, mix_d = mix_summary(p, members_c), mix_summary(p, members_d)
    soft_before = soft_score_of_mix(*mix_c) + soft_score_of_mix(*mix_d)
    # The objective of a circle is (best anchor level) x (learners' need):
    # both are updated per move from these, without rescanning members.
    expertise, need, credited_in = p.expertise, p.need, builder.credited_in
    levels_c = [expertise[i][t] for i in members_c if p.is_anchor[i][t]]
    levels_d = [expertise[i][t] for i in members_d if p.is_anchor[i][t]]
    need_c = sum(need[i][t] for i in members_c if credited_in.get((i, t)) == c)
    need_d = sum(need[i][t] for i in members_d if credited_in.get((i, t)) == d)
    before = max(levels_c) * need_c + max(levels_d) * need_d
    for i, j in _exchanges(builder, c, d, penalised):
        new_levels_c, new_levels_d = list(levels_c), list(levels_d)
        new_need_c, new_need_d = need_c, need_d
        for member, levels_out, levels_in, sign in (
            (i, new_levels_c, new_levels_d, -1),
            (j, new_levels_d, new_levels_c, 1),
        ):
            if member is None:
                continue
            if p.is_anchor[member][t]:
                levels_out.remove(expertise[member][t])
                levels_in.append(expertise[member][t])
            else:
                new_need_c += sign * need[member][t]
                new_need_d -= sign * need[member][t]
        if not (new_levels_c and new_levels_d):
            continue
        gain = max(new_levels_c) * new_need_c + max(new_levels_d) * new_need_d - before
        if gain < 0:
            continue
        soft = soft_score_of_mix(*mix_after_move(p, mix_c, i, j))
        soft += soft_score_of_mix(*mix_after_move(p, mix_d, j, i))
        soft += W_REPEAT * repeat_pairs_change(p, members_c, members_d, i, j) - soft_before
        if gain > 0 or soft > 0:
            _exchange(builder, c, d, i, j)
            return True
    return False


def _exchanges(builder: Builder, c: int, d: int, penalised: list[int]):
    """Candidate ``(i, j)`` exchanges, in the order they are tried: ``i``
    (penalised, in ``c``) goes to ``d``, ``j`` (in ``d``) comes to ``c``;
    ``None`` for no one. Fillers stay put: they are credited in another
    circle of the theme."""
    p, fillers = builder.p, builder.fillers
    members_c, members_d = builder.members[c], builder.members[d]
    penalised = [i for i in penalised if (c, i) not in fillers]
    incoming = [j for j in members_d if (d, j) not in fillers and not builder.clashes(j, members_c)]
    c_can_give = len(members_c) > p.size_min and len(members_d) < p.size_max
    d_can_give = len(members_d) > p.size_min and len(members_c) < p.size_max
    moves = [
        (i, j)
        for i in penalised
        if not builder.clashes(i, members_d)
        for j in ([None] if c_can_give else []) + incoming
    ]
    moves += [(None, j) for j in incoming] if d_can_give else []
    return moves


def _exchange(builder: Builder, c: int, d: int, i: int | None, j: int | None) -> None:
    if i is not None:
        builder.remove(c, i)
    if j is not None:
        builder.remove(d, j)
        builder.add(c, j)
    if i is not None:
        builder.add(d, i)
