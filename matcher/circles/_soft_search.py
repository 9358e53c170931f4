"""Phase 3: a seeded local search for the soft goals, then co-anchors."""

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
            unhappy = penalised_members(p, builder.members[c]) if builder.members[c] else []
            if not unhappy:
                continue
            pool = builder.pools[(builder.theme[c], builder.lang[c])]
            others = [d for d in pool if d != c and builder.members[d]]
            picks = builder.rng.permutation(len(others))[:SOFT_TRIES].tolist()
            for d in (others[k] for k in picks):
                if exchange_if_better(builder, c, d, unhappy):
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
    for t, lang in builder.pools:
        spare[(t, lang)] = sorted(
            (a for a in builder.anchors_of[t] if builder.slots[a] < p.m and p.speaks_l[a][lang]),
            key=lambda a, t=t: (-p.exp_l[a][t], builder.rank[a]),
        )
    for c in builder.live():
        members, t = builder.members[c], builder.theme[c]
        free = spare[(t, builder.lang[c])]
        if len(members) >= p.smax or not free:
            continue
        level = builder.level(t, members)
        alone = penalised_members(p, builder.members[c]) if soft else []
        sides = {p.south[i] for i in alone}
        regions = {p.region[i] for i in alone}
        tries = []
        for a in free[: 4 * SOFT_TRIES]:
            if len(tries) == SOFT_TRIES:
                break
            if (
                builder.slots[a] < p.m
                and (p.exp_l[a][t] > level or p.south[a] in sides or p.region[a] in regions)
                and not builder.clashes(a, members)
            ):
                tries.append(a)
        summary = mix_summary(p, members)
        best, best_key = None, (builder.value(t, members, c), soft_score_of_mix(*summary))
        for a in tries:
            met = p.met.get(a, ())
            repeats = sum(j in met for j in members) * W_REPEAT
            key = (
                builder.value(t, [*members, a], c),
                soft_score_of_mix(*mix_after_move(p, summary, None, a)) + repeats
                if soft
                else best_key[1],
            )
            if key > best_key:
                best, best_key = a, key
        if best is not None:
            builder.add(c, best)
            if builder.slots[best] >= p.m:
                for lang in p.langs_of[best]:
                    if best in spare.get((t, lang), ()):
                        spare[(t, lang)].remove(best)
            changed = True
    return changed


def exchange_if_better(builder: Builder, c: int, d: int, unhappy: list[int]) -> bool:
    """Apply the first exchange between ``c`` and ``d`` (same theme and
    language) that raises (need covered, soft score): an unhappy member of
    ``c`` moves to ``d`` or swaps with a member of ``d``, or a member of
    ``d`` moves to ``c``. Exclusions are checked against the whole other
    circle (conservative)."""
    p, t = builder.p, builder.theme[c]
    mc, md = builder.members[c], builder.members[d]
    sum_c, sum_d = mix_summary(p, mc), mix_summary(p, md)
    base = soft_score_of_mix(*sum_c) + soft_score_of_mix(*sum_d)
    # The objective of a circle is (best anchor level) x (learners' need):
    # both are updated per move from these, without rescanning members.
    anchor, exp, need = p.anchor_l, p.exp_l, p.need_l
    levels_c = [exp[i][t] for i in mc if anchor[i][t]]
    levels_d = [exp[i][t] for i in md if anchor[i][t]]
    cover, fillers = builder.cover, builder.fillers
    need_c = sum(need[i][t] for i in mc if cover.get((i, t)) == c)
    need_d = sum(need[i][t] for i in md if cover.get((i, t)) == d)
    before = max(levels_c) * need_c + max(levels_d) * need_d
    # Fillers stay put: they are credited in another circle of the theme.
    unhappy = [i for i in unhappy if (c, i) not in fillers]
    incoming = [j for j in md if (d, j) not in fillers and not builder.clashes(j, mc)]
    out_ok = len(mc) > p.smin and len(md) < p.smax
    in_ok = len(md) > p.smin and len(mc) < p.smax
    moves = [
        (i, j)
        for i in unhappy
        if not builder.clashes(i, md)
        for j in ([None] if out_ok else []) + incoming
    ]
    moves += [(None, j) for j in incoming] if in_ok else []
    for i, j in moves:
        lc, ld, nc, nd = list(levels_c), list(levels_d), need_c, need_d
        if i is not None:
            if anchor[i][t]:
                lc.remove(exp[i][t])
                ld.append(exp[i][t])
            else:
                nc, nd = nc - need[i][t], nd + need[i][t]
        if j is not None:
            if anchor[j][t]:
                ld.remove(exp[j][t])
                lc.append(exp[j][t])
            else:
                nc, nd = nc + need[j][t], nd - need[j][t]
        if not (lc and ld):
            continue
        gain = max(lc) * nc + max(ld) * nd - before
        if gain < 0:
            continue
        soft = soft_score_of_mix(*mix_after_move(p, sum_c, i, j)) + soft_score_of_mix(
            *mix_after_move(p, sum_d, j, i)
        )
        soft += W_REPEAT * repeat_pairs_change(p, mc, md, i, j) - base
        if gain > 0 or soft > 0:
            if i is not None:
                builder.remove(c, i)
            if j is not None:
                builder.remove(d, j)
                builder.add(c, j)
            if i is not None:
                builder.add(d, i)
            return True
    return False
