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
    arrays = p.arrays
    levels = [max(p.expertise[i][t] for i in ms if p.is_anchor[i][t]) for t, _, ms in circles]
    order = sorted(
        range(len(circles)),
        key=lambda c: (
            circles[c][0],
            arrays.languages[circles[c][1]],
            sorted(arrays.ids[i] for i in circles[c][2]),
        ),
    )
    credited = _credited_circle(p, circles, order, levels)
    out = [_scored_circle(p, circles[c], c, levels[c], credited) for c in order]
    covered = float(sum(c.need_covered for c in out))
    upper = bound / MAX_EXPERTISE  # exact: the flow's optimum is an integer
    circles_of = [0] * arrays.n
    for _, _, members in circles:
        for i in members:
            circles_of[i] += 1
    return CirclesResult(
        method=method,
        circles=tuple(out),
        left_out=left_out_reasons(p, credited, circles_of),
        themes=tuple(arrays.themes[t] for t in p.themes if t not in skipped),
        skipped_themes=tuple(arrays.themes[t] for t in skipped),
        need_covered=covered,
        bound=upper,
        gap=(upper - covered) / upper if upper > 0 else 0.0,
        demand=float(p.need_matrix[p.learner_mask].sum()),
        size=(p.size_min, p.size_max),
        max_per_member=p.max_per_member,
        seed=seed,
    )


def _credited_circle(p: Problem, circles, order: list[int], levels: list[int]):
    """(learner, theme) → the circle that credits it: its strongest on the
    theme, the first in ``order`` on ties."""
    credited: dict[tuple[int, int], int] = {}
    for c in order:
        t, _, members = circles[c]
        for i in members:
            if not p.is_anchor[i][t]:
                best = credited.get((i, t))
                if best is None or levels[c] > levels[best]:
                    credited[(i, t)] = c
    return credited


def _scored_circle(p: Problem, circle, c: int, level: int, credited) -> Circle:
    """Circle ``c`` with its members' roles and credits and its reasons."""
    arrays, (t, lang, members) = p.arrays, circle
    rows, reasons, covered = [], [], 0.0
    for i in sorted(members, key=lambda i: (not p.is_anchor[i][t], arrays.ids[i])):
        is_anchor = p.is_anchor[i][t]
        credit = 0.0
        if not is_anchor and credited[(i, t)] == c:
            credit = p.need[i][t] * level / MAX_EXPERTISE
            covered += credit
            reasons.append(Reason("learner", arrays.ids[i], credit))
        rows.append(
            CircleMember(
                id=arrays.ids[i],
                role="anchor" if is_anchor else "learner",
                need=p.need[i][t],
                expertise=p.expertise[i][t],
                credit=credit,
            )
        )
    soft = {k: v for k, v in soft_terms(p, members).items() if v}
    reasons += [Reason(k, k, v / 100) for k, v in soft.items()]
    return Circle(
        theme=arrays.themes[p.themes[t]],
        language=arrays.languages[lang],
        members=tuple(rows),
        need_covered=covered,
        soft=sum(soft.values()) / 100,
        score=covered + sum(soft.values()) / 100,
        reasons=tuple(reasons),
    )


def left_out_reasons(
    p: Problem, credited: dict[tuple[int, int], int], circles_of: list[int]
) -> tuple[LeftOut, ...]:
    """Every (learner, theme) without a circle, with the first reason that applies."""
    arrays, out = p.arrays, []
    for t in range(len(p.themes)):
        key = arrays.themes[p.themes[t]]
        left = [i for i in np.flatnonzero(p.learner_mask[:, t]).tolist() if (i, t) not in credited]
        anchors = np.flatnonzero(p.anchor_mask[:, t])
        if not left:
            continue
        speaks = arrays.speaks
        share = (speaks[left].astype(np.int64) @ speaks[anchors].T.astype(np.int64)) > 0
        for row, i in enumerate(left):
            mates = anchors[share[row]].tolist()
            code, why = _why_left_out(p, i, t, anchors.size, mates, circles_of[i])
            out.append(LeftOut(arrays.ids[i], key, code, why))
    return tuple(sorted(out, key=lambda x: (x.member, x.theme)))


def _why_left_out(
    p: Problem, i: int, t: int, n_anchors: int, mates: list[int], n_circles: int
) -> tuple[str, str]:
    """(code, reason) for learner ``i`` without a circle on ``t``; ``mates``:
    the anchors on ``t`` that share a language with it."""
    key = p.arrays.themes[p.themes[t]]
    langs = "/".join(p.arrays.languages[lang] for lang in p.languages_of[i])
    if not n_anchors:
        return "no_anchor", f"no member can anchor {key} (expertise >= 3, mentor_capacity > 0)"
    if not mates:
        return "no_shared_language", f"no anchor on {key} speaks {langs}"
    if all(j in p.excluded.get(i, ()) for j in mates):
        return "excluded", f"it is excluded with every anchor on {key} in {langs}"
    if not p.viable_pools[t, p.languages_of[i]].any():
        return "circle_limits", f"fewer than {p.size_min} members can meet on {key} in {langs}"
    if n_circles >= p.max_per_member:
        return (
            "circle_limits",
            f"already in {n_circles} circles (max_per_member {p.max_per_member})",
        )
    return (
        "circle_limits",
        f"the circles on {key} in {langs} were full and no anchor had a slot left",
    )
