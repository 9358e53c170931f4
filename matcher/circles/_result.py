"""Scoring raw circles into a :class:`~matcher.circles.CirclesResult`."""

from __future__ import annotations

import numpy as np

from matcher.circles._problem import Problem
from matcher.circles._soft import soft_terms
from matcher.circles.model import Circle, CircleMember, CirclesResult, LeftOut
from matcher.scoring import Reason
from matcher.vectors import MAX_EXPERTISE


def assemble_result(
    p: Problem,
    method: str,
    circles: list[tuple[int, int, list[int]]],
    bound: int,
    skipped: list[int],
    seed: int | None,
) -> CirclesResult:
    """Score raw ``(theme position, language, members)`` circles with the
    objective, explain them and list who was left out."""
    a = p.arrays
    # Credit each (learner, theme) once, at its strongest circle (first one on ties).
    level = [max(p.expertise[i][t] for i in ms if p.is_anchor[i][t]) for t, _, ms in circles]
    order = sorted(
        range(len(circles)),
        key=lambda c: (
            circles[c][0],
            a.languages[circles[c][1]],
            sorted(a.ids[i] for i in circles[c][2]),
        ),
    )
    credited: dict[tuple[int, int], int] = {}
    for c in order:
        t, _, members = circles[c]
        for i in members:
            if not p.is_anchor[i][t]:
                best = credited.get((i, t))
                if best is None or level[c] > level[best]:
                    credited[(i, t)] = c
    out = []
    for c in order:
        t, lang, members = circles[c]
        key = a.themes[p.themes[t]]
        rows, reasons, covered = [], [], 0.0
        for i in sorted(members, key=lambda i: (not p.is_anchor[i][t], a.ids[i])):
            anchor = p.is_anchor[i][t]
            credit = 0.0
            if not anchor and credited[(i, t)] == c:
                credit = p.need[i][t] * level[c] / MAX_EXPERTISE
                covered += credit
                reasons.append(Reason("learner", a.ids[i], credit))
            rows.append(
                CircleMember(
                    id=a.ids[i],
                    role="anchor" if anchor else "learner",
                    need=p.need[i][t],
                    expertise=p.expertise[i][t],
                    credit=credit,
                )
            )
        soft = {k: v for k, v in soft_terms(p, members).items() if v}
        reasons += [Reason(k, k, v / 100) for k, v in soft.items()]
        out.append(
            Circle(
                theme=key,
                language=a.languages[lang],
                members=tuple(rows),
                need_covered=covered,
                soft=sum(soft.values()) / 100,
                score=covered + sum(soft.values()) / 100,
                reasons=tuple(reasons),
            )
        )
    covered = float(sum(c.need_covered for c in out))
    upper = bound / MAX_EXPERTISE  # exact: the flow's optimum is an integer
    circles_of = [0] * a.n
    for _, _, members in circles:
        for i in members:
            circles_of[i] += 1
    return CirclesResult(
        method=method,
        circles=tuple(out),
        left_out=left_out_reasons(p, credited, circles_of),
        themes=tuple(a.themes[t] for t in p.themes if t not in skipped),
        skipped_themes=tuple(a.themes[t] for t in skipped),
        need_covered=covered,
        bound=upper,
        gap=(upper - covered) / upper if upper > 0 else 0.0,
        demand=float(p.need_matrix[p.learner_mask].sum()),
        size=(p.size_min, p.size_max),
        max_per_member=p.max_per_member,
        seed=seed,
    )


def left_out_reasons(
    p: Problem, credited: dict[tuple[int, int], int], circles_of: list[int]
) -> tuple[LeftOut, ...]:
    """Every (learner, theme) without a circle, with the first reason that applies."""
    a, out = p.arrays, []
    for t in range(len(p.themes)):
        key = a.themes[p.themes[t]]
        left = [i for i in np.flatnonzero(p.learner_mask[:, t]).tolist() if (i, t) not in credited]
        anchors = np.flatnonzero(p.anchor_mask[:, t])
        if not left:
            continue
        share = (a.speaks[left].astype(np.int64) @ a.speaks[anchors].T.astype(np.int64)) > 0
        for row, i in enumerate(left):
            mates = anchors[share[row]].tolist()
            langs = "/".join(a.languages[lang] for lang in p.languages_of[i])
            if not anchors.size:
                code, why = (
                    "no_anchor",
                    f"no member can anchor {key} (expertise >= 3, mentor_capacity > 0)",
                )
            elif not mates:
                code, why = "no_shared_language", f"no anchor on {key} speaks {langs}"
            elif all(j in p.excluded.get(i, ()) for j in mates):
                code, why = "excluded", f"it is excluded with every anchor on {key} in {langs}"
            elif not p.viable_pools[t, p.languages_of[i]].any():
                code = "circle_limits"
                why = f"fewer than {p.size_min} members can meet on {key} in {langs}"
            elif circles_of[i] >= p.max_per_member:
                code = "circle_limits"
                why = f"already in {circles_of[i]} circles (max_per_member {p.max_per_member})"
            else:
                code = "circle_limits"
                why = f"the circles on {key} in {langs} were full and no anchor had a slot left"
            out.append(LeftOut(a.ids[i], key, code, why))
    return tuple(sorted(out, key=lambda x: (x.member, x.theme)))
