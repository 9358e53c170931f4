"""Learning circles: small groups that learn one theme together, in one language.

A circle is one theme, one working language and ``size`` (default 4–8)
members, each an **anchor** or a **learner** on the theme:

- anchor: expertise ≥ 3 (:data:`ANCHOR_LEVEL`) on the theme and
  ``mentor_capacity`` > 0 (a member that never mentors is never an anchor);
- learner: need ≥ 1 on the theme, ``mentee_capacity`` > 0, and not an anchor.

**Hard constraints** (every circle, asserted before returning; checked by
:func:`circle_violations`): size within bounds; every member speaks the
circle's language; at least one anchor; every other member is a learner; no
member in more than ``max_per_member`` circles; no exclusion pair in a circle;
nobody twice in a circle.

**Objective** (``need_covered``, in need levels): for every (learner, theme),
``need[learner, theme] × best anchor level in the circle / 4``, counted once
per (learner, theme) at its strongest circle on that theme. A level-3 need met
by a level-4 anchor covers 3; by a level-3 anchor, 2.25.

**Bound**: the optimum of a min-cost flow that relaxes the problem (see
:func:`_bound_flow`): each learner credits at most ``max_per_member`` themes,
each once, through a (theme, language, anchor level) pool it shares a language
with and where some anchor is not excluded with it; each anchor opens at most
``max_per_member`` circles of ``size_max − 1`` seats; a pool needs ``size_min``
members who could meet in it. Any feasible set of circles is such a flow, so
no set of circles covers more; ``gap`` is ``(bound − need_covered) / bound``.

**Soft goals**, in hundredths (:data:`SOFT_WEIGHTS`), are tie-breakers only: a
change is kept if it raises need covered, or keeps it and raises the soft
score. Per circle: +0.05 with two or more region groups (``international``
members count as a group of their own); −0.02 per member alone in its region
(international members exempt); −0.02 per member alone on its North/South
side; +0.02 when a national coalition meets a regional network or INGO; −0.05
per pair that met in an earlier round (``history``, either direction).

**Algorithm**: (1) the bound's flow routes each learner to its themes and
languages; (2) each (theme, language) pool opens ``⌈learners / (size_max −
1)⌉`` circles around its strongest, least contested free anchors and deals
learners region by region; undersized circles take extra anchors or dissolve;
(3) objective moves, round after round until none applies: join a circle with
room; trade a membership for a better one; open circles from leftovers, taking
an anchor from a circle that can spare it and topping up to ``size_min`` with
spare anchors, *fillers* (learners credited on the theme elsewhere, with a
free slot) or learners moved from other circles, if the net gain is positive;
move needier learners to circles with stronger anchors; add a stronger spare
anchor to a circle with room; (4) a seeded local search moves and swaps
members between circles of a pool to raise the soft score without losing need
covered, then spare anchors join as co-anchors where that helps. Everything
is driven by the arrays (members sorted by id) and the seed: same input and
seed, same circles.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.errors import MatcherError
from matcher.geo import REGIONS
from matcher.scoring import Reason, ScoringPolicy
from matcher.vectors import MAX_EXPERTISE, NetworkArrays

ANCHOR_LEVEL = 3
"""Expertise from which a member anchors a circle on a theme."""
DEFAULT_SIZE = (4, 8)
MAX_SIZE = 50
"""The largest circle the CLI and the HTTP service ask for."""
DEFAULT_THEMES = 8
"""Themes taken by default: the first ones by unmet demand that can hold a circle."""
SOFT_WEIGHTS = {
    "regions": 5,
    "lonely_region": -2,
    "lonely_side": -2,
    "kind_mix": 2,
    "repeat_pair": -5,
}
"""Soft terms in hundredths of a need level, per circle (per member / per pair
for ``lonely_*`` and ``repeat_pair``). Integers, so comparisons are exact."""
SOFT_PASSES = 3
"""Local-search passes over the circles for the soft goals (stops earlier when
a pass changes nothing)."""
SOFT_TRIES = 6
"""Other circles of the same theme and language a circle tries per pass."""
IMPROVE_ROUNDS = 20
"""Most rounds of objective moves (they stop as soon as a round changes nothing)."""
GROW_TRIES = 3
"""Anchors tried, best first, for each circle opened from leftovers."""

_INTERNATIONAL = len(REGIONS)
_W_REGIONS, _W_LONELY_REGION, _W_LONELY_SIDE, _W_KIND_MIX, _W_REPEAT = SOFT_WEIGHTS.values()
_SOFT_KINDS = tuple(SOFT_WEIGHTS)


@dataclass(frozen=True)
class CircleMember:
    """One member of a circle. ``credit`` is the need covered for it here
    (0 for anchors, and for a learner already credited in a stronger circle
    on the theme)."""

    id: str
    role: str
    need: int
    expertise: int
    credit: float


@dataclass(frozen=True)
class Circle:
    """A learning circle. Members: anchors first, then learners, each by id.

    ``reasons`` are one ``learner`` reason per credited learner (``key`` = its
    id) and one per non-zero soft term; they sum to ``score``, which is
    ``need_covered + soft``.
    """

    theme: str
    language: str
    members: tuple[CircleMember, ...]
    need_covered: float
    soft: float
    score: float
    reasons: tuple[Reason, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.members)


@dataclass(frozen=True)
class LeftOut:
    """A learner with a need on a chosen theme and no circle on it. ``code``:
    ``no_anchor``, ``no_shared_language``, ``excluded`` or ``circle_limits``."""

    member: str
    theme: str
    code: str
    reason: str


@dataclass(frozen=True)
class CirclesResult:
    """Circles of a run, who was left out and why, and how good it is.

    ``themes``: the themes circles were sought on (``skipped_themes``: those
    among the requested ones where no circle could form). ``demand``: the sum
    of learners' needs on ``themes`` + ``skipped_themes``. ``gap``:
    ``(bound − need_covered) / bound``, 0 when the bound is 0.
    """

    method: str
    circles: tuple[Circle, ...]
    left_out: tuple[LeftOut, ...]
    themes: tuple[str, ...]
    skipped_themes: tuple[str, ...]
    need_covered: float
    bound: float
    gap: float
    demand: float
    size: tuple[int, int]
    max_per_member: int
    seed: int | None


# ------------------------------------------------------------------ the problem


class _Problem:
    """Roles, pools and lookups of one run, over the chosen themes only
    (``tk`` indexes ``themes``)."""

    def __init__(self, arrays: NetworkArrays, themes: list[int], size, m: int) -> None:
        self.arrays, self.themes = arrays, themes
        self.smin, self.smax = size
        self.m = m
        self.anchor, self.learner, self.viable = _pools(arrays, themes, self.smin)
        cols = np.array(themes, dtype=np.int64)
        exp = arrays.expertise[:, cols].astype(np.int64)
        need = arrays.needs[:, cols].astype(np.int64)
        self.exp, self.need = exp, need
        # Python lists: the search reads single cells millions of times.
        self.exp_l, self.need_l = exp.tolist(), need.tolist()
        self.anchor_l, self.learner_l = self.anchor.tolist(), self.learner.tolist()
        self.speaks_l = arrays.speaks.tolist()
        self.langs_of = [np.flatnonzero(row).tolist() for row in arrays.speaks]
        self.region = arrays.region.tolist()
        self.south = arrays.south.tolist()
        self.coalition = [k == "national_coalition" for k in arrays.kind]
        self.excluded = _neighbours(arrays.excluded)
        history = arrays.history + arrays.history.T
        self.met = _neighbours(history)


def _pools(arrays: NetworkArrays, themes: list[int], smin: int):
    """Roles on ``themes`` (anchor, learner: (n, k) bool) and which (theme,
    language) pools are viable ((k, n_languages) bool): a pool can hold a
    circle only with an anchor, a learner and ``smin`` members who could meet
    in it."""
    cols = np.array(themes, dtype=np.int64)
    anchor = (arrays.expertise[:, cols] >= ANCHOR_LEVEL) & (arrays.mentor_capacity > 0)[:, None]
    learner = (arrays.needs[:, cols] > 0) & (arrays.mentee_capacity > 0)[:, None] & ~anchor
    speaks = arrays.speaks.astype(np.int64)
    n_anchor = anchor.T.astype(np.int64) @ speaks
    n_learner = learner.T.astype(np.int64) @ speaks
    viable = (n_anchor > 0) & (n_learner > 0) & (n_anchor + n_learner >= smin)
    return anchor, learner, viable


def _neighbours(matrix) -> dict[int, set[int]]:
    """Row → set of stored columns, for the (few) rows that have any."""
    matrix = matrix.tocsr()
    rows = np.flatnonzero(np.diff(matrix.indptr))
    return {
        int(i): set(matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]].tolist()) for i in rows
    }


def _summary(p: _Problem, members: list[int]) -> tuple[list[int], int, int, int]:
    """What the soft terms but ``repeat_pair`` depend on: members per region
    group (international last), Southern members, national coalitions, size."""
    counts = [0] * (len(REGIONS) + 1)
    south = coalitions = 0
    for i in members:
        counts[p.region[i]] += 1
        south += p.south[i]
        coalitions += p.coalition[i]
    return counts, south, coalitions, len(members)


def _terms_of(counts: list[int], south: int, coalitions: int, size: int) -> tuple[int, ...]:
    """The soft terms but ``repeat_pair``, in :data:`SOFT_WEIGHTS` order."""
    north = size - south
    # list.count runs in C: this is the local search's innermost function.
    groups = len(counts) - counts.count(0)
    lonely = counts.count(1) - (counts[-1] == 1)  # international members are never alone
    return (
        _W_REGIONS * (groups >= 2),
        _W_LONELY_REGION * lonely,
        _W_LONELY_SIDE * ((south == 1 and north > 0) + (north == 1 and south > 0)),
        _W_KIND_MIX * (0 < coalitions < size),
    )


def _soft_of(counts: list[int], south: int, coalitions: int, size: int) -> int:
    return sum(_terms_of(counts, south, coalitions, size))


def _soft_terms(p: _Problem, members: list[int]) -> dict[str, int]:
    """The soft terms of a circle, in hundredths (see :data:`SOFT_WEIGHTS`)."""
    met = p.met
    repeats = sum(
        1 for a, i in enumerate(members) if i in met for j in members[a + 1 :] if j in met[i]
    )
    terms = (*_terms_of(*_summary(p, members)), _W_REPEAT * repeats)
    return dict(zip(_SOFT_KINDS, terms, strict=True))


# ----------------------------------------------------------------------- themes


def default_themes(
    arrays: NetworkArrays,
    *,
    size: tuple[int, int] = DEFAULT_SIZE,
    policy: ScoringPolicy | None = None,
) -> tuple[str, ...]:
    """The themes :func:`form_circles` takes by default: the first
    :data:`DEFAULT_THEMES` by unmet demand (``matcher.capacity_map``) on which
    a circle of ``size`` can form.

    >>> # default_themes(arrays)[:2]
    >>> # ('climate_education', 'fundraising')
    """
    from matcher.capacity_map import capacity_map  # the map imports the help graph: lazily

    size, _ = _check_options(size, 1)
    index = {key: t for t, key in enumerate(arrays.themes)}
    ranked = [
        index[k]
        for k in capacity_map(arrays, policy=policy, brokers=False).themes_by_unmet_demand()
    ]
    viable = _pools(arrays, ranked, size[0])[2].any(axis=1)
    chosen = [t for t, ok in zip(ranked, viable, strict=True) if ok][:DEFAULT_THEMES]
    return tuple(arrays.themes[t] for t in chosen)


def _theme_indices(
    arrays: NetworkArrays, themes, policy: ScoringPolicy | None, size
) -> tuple[list[int], list[int]]:
    """(themes to form circles on, requested themes where none can form)."""
    if themes is None:
        themes = default_themes(arrays, size=size, policy=policy)
    if isinstance(themes, str):
        raise MatcherError("themes must be a sequence of theme keys, not one string")
    index = {key: t for t, key in enumerate(arrays.themes)}
    chosen: list[int] = []
    for key in themes:
        if key not in index:
            from matcher.taxonomy import default_taxonomy

            hint = default_taxonomy().suggest(key) if isinstance(key, str) else None
            extra = f"; did you mean {hint!r}?" if hint else ""
            raise MatcherError(f"unknown theme key {key!r}{extra}")
        if index[key] not in chosen:
            chosen.append(index[key])
    viable = _pools(arrays, chosen, size[0])[2].any(axis=1)
    return (
        [t for t, ok in zip(chosen, viable, strict=True) if ok],
        [t for t, ok in zip(chosen, viable, strict=True) if not ok],
    )


def _check_options(size, max_per_member) -> tuple[tuple[int, int], int]:
    try:
        smin, smax = (int(s) for s in size)
    except (TypeError, ValueError):
        raise MatcherError(f"size must be (min, max), got {size!r}") from None
    if not 2 <= smin <= smax:
        raise MatcherError(f"size must satisfy 2 <= min <= max, got {size!r}")
    if isinstance(max_per_member, bool) or not isinstance(max_per_member, int | np.integer):
        raise MatcherError(f"max_per_member must be an int, got {max_per_member!r}")
    if max_per_member < 1:
        raise MatcherError(f"max_per_member must be >= 1, got {max_per_member}")
    return (smin, smax), int(max_per_member)


def _check_seed(seed) -> int:
    if seed is not None and (
        isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer)
    ):
        raise MatcherError(f"seed must be None or an int, got {seed!r}")
    return 0 if seed is None else int(seed)


# ------------------------------------------------------------------------ bound


def _bound_flow(p: _Problem) -> tuple[int, dict[tuple[int, int], list[int]]]:
    """The bound, in quarter need levels, and the learners its optimum routes
    to each (theme, language) pool.

    Min-cost flow: source → learner (capacity ``m``) → (learner, theme)
    (capacity 1: a theme counts once) → pool (theme, language, anchor level v)
    (cost ``−need × v``; only if the learner speaks the language, the pool is
    viable and some level-v anchor there is not excluded with it) → anchor (of
    level v on the theme, speaking the language) → sink (``m × (size_max − 1)``
    seats: ``m`` circles of at most ``size_max − 1`` others), plus a free
    source → sink bypass. Any feasible set of circles is such a flow (route
    each credited (learner, theme) to its strongest circle's best anchor) of
    the same value, so the optimum bounds them all.
    """
    k, n_lang = p.viable.shape
    seats = p.m * (p.smax - 1)
    speaks = p.arrays.speaks
    # (learner, theme) pairs, and the pools each may use.
    pi, pt = np.nonzero(p.learner)
    q, lang = np.nonzero(speaks[pi] & p.viable[pt])
    ai, at = np.nonzero(p.anchor)
    a_row, a_lang = np.nonzero(speaks[ai])
    a_i, a_t = ai[a_row], at[a_row]
    a_v = p.exp[a_i, a_t] - ANCHOR_LEVEL
    by_level = np.zeros((k, n_lang, 2), dtype=np.int64)
    np.add.at(by_level, (a_t, a_lang, a_v), 1)
    q, lang, v = np.repeat(q, 2), np.repeat(lang, 2), np.tile([0, 1], q.size)
    left = by_level[pt[q], lang, v]
    for arc in np.flatnonzero(np.isin(pi[q], list(p.excluded))).tolist():
        i, t, lg, lv = int(pi[q[arc]]), int(pt[q[arc]]), int(lang[arc]), int(v[arc])
        left[arc] -= sum(
            1
            for j in p.excluded[i]
            if p.anchor_l[j][t] and p.speaks_l[j][lg] and p.exp_l[j][t] - ANCHOR_LEVEL == lv
        )
    keep = left > 0
    q, lang, v = q[keep], lang[keep], v[keep]
    if q.size == 0:
        return 0, {}
    keep_a = p.viable[a_t, a_lang]
    a_i, a_t, a_lang, a_v = a_i[keep_a], a_t[keep_a], a_lang[keep_a], a_v[keep_a]

    learners, l_node = np.unique(pi, return_inverse=True)
    anchors, anc_node = np.unique(a_i, return_inverse=True)
    n_l, n_p, n_a = learners.size, pi.size, anchors.size
    pool0 = n_l + n_p
    anchor0 = pool0 + k * n_lang * 2
    source, sink = anchor0 + n_a, anchor0 + n_a + 1
    per_learner = np.minimum(np.bincount(l_node, minlength=n_l), p.m)
    supply = int(per_learner.sum())
    arcs = [  # (tails, heads, capacities, costs)
        (np.full(n_l, source), np.arange(n_l), per_learner, 0),
        (l_node, n_l + np.arange(n_p), 1, 0),
        (
            n_l + q,
            pool0 + (pt[q] * n_lang + lang) * 2 + v,
            1,
            -p.need[pi[q], pt[q]] * (v + ANCHOR_LEVEL),
        ),
        (pool0 + (a_t * n_lang + a_lang) * 2 + a_v, anchor0 + anc_node, seats, 0),
        (anchor0 + np.arange(n_a), np.full(n_a, sink), seats, 0),
        (np.array([source]), np.array([sink]), supply, 0),
    ]
    tails = np.concatenate([a[0] for a in arcs])
    heads = np.concatenate([a[1] for a in arcs])
    caps = np.concatenate([np.broadcast_to(a[2], a[0].shape) for a in arcs])
    costs = np.concatenate([np.broadcast_to(a[3], a[0].shape) for a in arcs])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        caps.astype(np.int64),
        costs.astype(np.int64),
    )
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow ended with status {status.name}")
    first = n_l + n_p
    routed = np.flatnonzero(flow.flows(np.arange(first, first + q.size, dtype=np.int32)) > 0)
    routes: dict[tuple[int, int], list[int]] = defaultdict(list)
    for arc in routed.tolist():
        routes[(int(pt[q[arc]]), int(lang[arc]))].append(int(pi[q[arc]]))
    return -int(flow.optimal_cost()), dict(routes)


# ---------------------------------------------------------------------- builder


class _Builder:
    """Circles under construction: member lists (empty = dissolved), slots
    used per member, and which circle credits each (learner, theme)."""

    def __init__(self, p: _Problem, rng: np.random.Generator) -> None:
        self.p = p
        self.members: list[list[int]] = []
        self.theme: list[int] = []
        self.lang: list[int] = []
        self.slots = [0] * p.arrays.n
        self.circles_of: list[list[int]] = [[] for _ in range(p.arrays.n)]
        self.pools: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.theme_circles: dict[int, list[int]] = defaultdict(list)
        self.cover: dict[tuple[int, int], int] = {}
        # (circle, learner) memberships that only bring a circle to size_min:
        # the learner is credited on the theme in another circle.
        self.fillers: set[tuple[int, int]] = set()
        # Ties are broken by a seeded rank, not by id, so the seed varies them.
        self.rank = rng.permutation(p.arrays.n).tolist()
        self.rng = rng
        self.anchors_of = [np.flatnonzero(p.anchor[:, t]).tolist() for t in range(len(p.themes))]
        self.contested = [0] * p.arrays.n  # pools an anchor could serve (set by seed)
        # (learner, theme) pairs with a viable pool in a language the learner
        # speaks, largest need first: the ones a circle could credit.
        reach = (p.arrays.speaks.astype(np.int64) @ p.viable.T.astype(np.int64)) > 0
        li, lt = np.nonzero(p.learner & reach)
        self.reachable = sorted(
            zip(li.tolist(), lt.tolist(), strict=True),
            key=lambda x: (-p.need_l[x[0]][x[1]], self.rank[x[0]], x[1]),
        )

    # -- circle bookkeeping

    def level(self, t: int, members: list[int]) -> int:
        exp, anchor = self.p.exp_l, self.p.anchor_l
        return max((exp[i][t] for i in members if anchor[i][t]), default=0)

    def value(self, t: int, members: list[int], c: int | None = None) -> int:
        """Need covered by circle ``c`` (or a new one) with ``members``, in
        quarter levels; ``c``'s fillers earn nothing."""
        need, anchor, fillers = self.p.need_l, self.p.anchor_l, self.fillers
        return self.level(t, members) * sum(
            need[i][t] for i in members if not anchor[i][t] and (c, i) not in fillers
        )

    def new_circle(self, t: int, lang: int, members: list[int]) -> int:
        c = len(self.members)
        self.members.append([])
        self.theme.append(t)
        self.lang.append(lang)
        self.pools[(t, lang)].append(c)
        self.theme_circles[t].append(c)
        for i in members:
            self.add(c, i)
        return c

    def add(self, c: int, i: int, *, filler: bool = False) -> None:
        self.members[c].append(i)
        self.slots[i] += 1
        self.circles_of[i].append(c)
        if filler:
            self.fillers.add((c, i))
        elif not self.p.anchor_l[i][self.theme[c]]:
            self.cover[(i, self.theme[c])] = c

    def remove(self, c: int, i: int) -> None:
        self.members[c].remove(i)
        self.slots[i] -= 1
        self.circles_of[i].remove(c)
        if (c, i) in self.fillers:
            self.fillers.remove((c, i))
        elif not self.p.anchor_l[i][self.theme[c]]:
            del self.cover[(i, self.theme[c])]

    def dissolve(self, c: int) -> None:
        for i in list(self.members[c]):
            self.remove(c, i)

    def clashes(self, i: int, members: list[int]) -> bool:
        """Whether ``i`` is in, or excluded with someone in, ``members``."""
        if i in members:
            return True
        excluded = self.p.excluded.get(i)
        return bool(excluded) and any(j in excluded for j in members)

    def can_join(self, i: int, c: int, *, reserved: int = 0) -> bool:
        p, t, members = self.p, self.theme[c], self.members[c]
        return (
            0 < len(members) < p.smax
            and self.slots[i] + reserved < p.m
            and p.speaks_l[i][self.lang[c]]
            and (p.anchor_l[i][t] or (p.learner_l[i][t] and (i, t) not in self.cover))
            and not self.clashes(i, members)
        )

    def can_leave(self, i: int, c: int) -> bool:
        """Whether ``c`` stays a circle without ``i``."""
        members, t, anchor = self.members[c], self.theme[c], self.p.anchor_l
        if len(members) <= self.p.smin:
            return False
        return not anchor[i][t] or any(anchor[j][t] for j in members if j != i)

    def live(self) -> list[int]:
        return [c for c, members in enumerate(self.members) if members]

    def anchor_key(self, t: int, contested: list[int]):
        exp, rank = self.p.exp_l, self.rank
        return lambda a: (-exp[a][t], contested[a], rank[a])

    # -- (1) seed circles from the bound's routes

    def seed(self, routes: dict[tuple[int, int], list[int]]) -> None:
        """Open circles in every pool the flow routed learners to."""
        p = self.p
        reserved = [0] * p.arrays.n  # learner slots promised by the routes
        contested = self.contested
        for (t, lang), learners in routes.items():
            for i in learners:
                reserved[i] += 1
            for a in self.anchors_of[t]:
                contested[a] += p.speaks_l[a][lang]

        def scarcity(key):
            t, lang = key
            anchors = sum(p.speaks_l[a][lang] for a in self.anchors_of[t])
            return (anchors / math.ceil(len(routes[key]) / (p.smax - 1)), key)

        for t, lang in sorted(routes, key=scarcity):
            learners = sorted(routes[(t, lang)], key=lambda i: (-p.need_l[i][t], self.rank[i]))
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
                (a for a in self.anchors_of[t] if p.speaks_l[a][lang]),
                key=self.anchor_key(t, contested),
            )
            chosen: list[int] = []
            for _ in range(p.m):  # a second circle for an anchor only when short
                for a in free:
                    if len(chosen) < wanted and self.slots[a] + reserved[a] + chosen.count(a) < p.m:
                        chosen.append(a)
            circles = [self.new_circle(t, lang, [a]) for a in chosen]
            if not circles:
                continue
            # Deal learners region by region, two at a time, so that each
            # circle mixes regions and nobody is alone from its own.
            seats = len(circles) * (p.smax - 1)
            placed = sorted(learners[:seats], key=lambda i: (p.region[i], self.rank[i]))
            for k, i in enumerate(placed):
                start = (k // 2) % len(circles)
                for step in range(len(circles)):
                    c = circles[(start + step) % len(circles)]
                    if self.can_join(i, c, reserved=reserved[i]):
                        self.add(c, i)
                        break
            for c in circles:
                self.complete(c, reserved, contested)

    def complete(self, c: int, reserved: list[int], contested: list[int]) -> None:
        """Bring an undersized circle to ``size_min`` with spare anchors of its
        pool, or dissolve it (its learners move to a circle of the pool with
        room when they can)."""
        p, t, lang = self.p, self.theme[c], self.lang[c]
        if len(self.members[c]) >= p.smin:
            return
        for a in sorted(self.anchors_of[t], key=self.anchor_key(t, contested)):
            if len(self.members[c]) >= p.smin:
                return
            if self.can_join(a, c, reserved=reserved[a]):
                self.add(c, a)
        if len(self.members[c]) >= p.smin:
            return
        members = list(self.members[c])
        self.dissolve(c)
        for i in members:
            if p.anchor_l[i][t]:
                continue
            for d in self.pools[(t, lang)]:
                if self.can_join(i, d, reserved=reserved[i]):
                    self.add(d, i)
                    break

    # -- (2) objective moves

    def improve(self) -> None:
        """Objective moves, round after round, until none applies."""
        for _ in range(IMPROVE_ROUNDS):
            pending = [x for x in self.reachable if x not in self.cover]
            changed = self.join(pending)
            changed |= self.trade(pending)
            changed |= self.grow(pending)
            changed |= self.rebalance()
            changed |= self.co_anchor(soft=False)
            if not changed:
                return

    def open_circles(self) -> dict[tuple[int, int], list[int]]:
        rooms: dict[tuple[int, int], list[int]] = defaultdict(list)
        for c in self.live():
            if len(self.members[c]) < self.p.smax:
                rooms[(self.theme[c], self.lang[c])].append(c)
        return rooms

    def best_room(self, i: int, t: int, rooms) -> int | None:
        """The circle on ``t`` with room that ``i`` could join (slots aside):
        strongest anchor, then smallest."""
        best, best_key = None, None
        for lang in self.p.langs_of[i]:
            for c in rooms.get((t, lang), ()):
                members = self.members[c]
                if len(members) >= self.p.smax or self.clashes(i, members):
                    continue
                key = (-self.level(t, members), len(members), c)
                if best_key is None or key < best_key:
                    best, best_key = c, key
        return best

    def join(self, pending: list[tuple[int, int]]) -> bool:
        """Learners with a free slot join the strongest circle with room."""
        rooms, changed = self.open_circles(), False
        for i, t in pending:
            if self.slots[i] < self.p.m and (i, t) not in self.cover:
                c = self.best_room(i, t, rooms)
                if c is not None:
                    self.add(c, i)
                    changed = True
        return changed

    def trade(self, pending: list[tuple[int, int]]) -> bool:
        """A member with no free slot leaves the circle where it is worth
        least for a circle with room on a theme it is not credited on, when
        that covers more need."""
        p, rooms, changed = self.p, self.open_circles(), False
        for i, t in pending:
            if self.slots[i] < p.m or (i, t) in self.cover:
                continue
            costs = [
                (self.cost_of_leaving(i, d), d) for d in self.circles_of[i] if self.can_leave(i, d)
            ]
            if not costs:
                continue
            loss, worst = min(costs)
            if loss >= p.need_l[i][t] * MAX_EXPERTISE:
                continue  # not even the strongest circle would be worth it
            c = self.best_room(i, t, rooms)
            if c is not None and p.need_l[i][t] * self.level(t, self.members[c]) > loss:
                self.remove(worst, i)
                self.add(c, i)
                changed = True
        return changed

    def rebalance(self) -> bool:
        """Within each pool, needier learners go to circles with stronger
        anchors: they move to a stronger circle with room, or swap with a
        less needy learner of a stronger circle (each gains need × level gap)."""
        p, changed = self.p, False
        for (t, _), circles in sorted(self.pools.items()):
            levels = {c: self.level(t, self.members[c]) for c in circles if self.members[c]}
            if len(set(levels.values())) < 2:
                continue
            top = max(levels.values())
            strong = [c for c in levels if levels[c] == top]
            weak = [c for c in levels if levels[c] < top]
            ups = self.learners_by_need(t, weak, -1)  # neediest first
            for _, _, i, c in ups:
                if not self.can_leave(i, c):
                    continue
                for d in strong:
                    if len(self.members[d]) < p.smax and not self.clashes(i, self.members[d]):
                        self.remove(c, i)
                        self.add(d, i)
                        changed = True
                        break
            downs = self.learners_by_need(t, strong, 1)  # least needy first
            for up, _, i, c in self.learners_by_need(t, weak, -1):
                for k, (down, _, j, d) in enumerate(downs):
                    if down >= -up:
                        break
                    rest_c = [x for x in self.members[c] if x != i]
                    rest_d = [x for x in self.members[d] if x != j]
                    if not (self.clashes(i, rest_d) or self.clashes(j, rest_c)):
                        self.remove(c, i)
                        self.remove(d, j)
                        self.add(c, j)
                        self.add(d, i)
                        del downs[k]
                        changed = True
                        break
        return changed

    def learners_by_need(self, t: int, circles: list[int], sign: int):
        """(sign × need, rank, learner, circle) of the learners of ``circles``, sorted."""
        p = self.p
        return sorted(
            (sign * p.need_l[i][t], self.rank[i], i, c)
            for c in circles
            for i in self.members[c]
            if self.cover.get((i, t)) == c
        )

    def grow(self, pending: list[tuple[int, int]]) -> bool:
        """Open circles from learners left without one: around a free anchor,
        or one taken from a circle that can spare it."""
        p, changed, contested = self.p, False, self.contested
        waiting: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, t in pending:
            if self.slots[i] < p.m and (i, t) not in self.cover:
                for lang in p.langs_of[i]:
                    if p.viable[t, lang]:
                        waiting[(t, lang)].append(i)
        for t, lang in sorted(waiting):
            while self.grow_one(t, lang, waiting[(t, lang)], contested):
                changed = True
        return changed

    def grow_one(self, t: int, lang: int, waiting: list[int], contested: list[int]) -> bool:
        """Open one circle on (t, lang) from ``waiting`` learners if it covers
        more need than it costs elsewhere (an anchor taken from another
        circle, learners moved from other circles of the theme)."""
        p = self.p
        waiting[:] = [i for i in waiting if (i, t) not in self.cover and self.slots[i] < p.m]
        if not waiting:
            return False
        speakers = [a for a in self.anchors_of[t] if p.speaks_l[a][lang]]
        key = self.anchor_key(t, contested)
        speakers.sort(key=lambda a: (self.slots[a] >= p.m, *key(a)))
        for a in speakers[:GROW_TRIES]:
            members = [a]
            for i in waiting:
                if len(members) < p.smax and not self.clashes(i, members):
                    members.append(i)
            gain = self.value(t, members)
            undo: list[tuple[int, int]] = []  # (circle, member) to restore on failure
            loss = 0
            if self.slots[a] >= p.m:  # take the anchor from its cheapest circle
                costs = [
                    (self.cost_of_leaving(a, d), d)
                    for d in self.circles_of[a]
                    if self.can_leave(a, d)
                ]
                if not costs or min(costs)[0] >= gain:
                    continue
                loss, spare = min(costs)
                self.remove(spare, a)
                undo.append((spare, a))
            c = self.new_circle(t, lang, members)
            loss += self.fill(c, contested, undo)
            if len(self.members[c]) >= p.smin and self.value(t, self.members[c], c) > loss:
                return True
            self.dissolve(c)
            for d, i in undo:
                self.add(d, i)
        return False

    def cost_of_leaving(self, i: int, d: int) -> int:
        """Need covered that circle ``d`` loses without ``i``."""
        members, t = self.members[d], self.theme[d]
        if not self.p.anchor_l[i][t]:  # a learner: its own credit, if it earns here
            return (
                self.p.need_l[i][t] * self.level(t, members) if self.cover.get((i, t)) == d else 0
            )
        return self.value(t, members, d) - self.value(t, [j for j in members if j != i], d)

    def fill(self, c: int, contested: list[int], undo: list[tuple[int, int]]) -> int:
        """Top a new circle up to ``size_min``, cheapest first: spare anchors
        of its pool; learners with a free slot credited on the theme
        elsewhere, as fillers; learners moved from other circles of the theme
        that can spare them. Returns the need covered the moves cost, and
        records them in ``undo``."""
        p, t, lang = self.p, self.theme[c], self.lang[c]
        for a in sorted(self.anchors_of[t], key=self.anchor_key(t, contested)):
            if len(self.members[c]) >= p.smin:
                return 0
            if self.can_join(a, c):
                self.add(c, a)
        others = sorted(
            (self.rank[i], i)
            for d in self.theme_circles[t]
            if d != c
            for i in self.members[d]
            if self.cover.get((i, t)) == d and p.speaks_l[i][lang] and self.slots[i] < p.m
        )
        for _, i in others:
            if len(self.members[c]) >= p.smin:
                return 0
            if len(self.members[c]) < p.smax and not self.clashes(i, self.members[c]):
                self.add(c, i, filler=True)
        if len(self.members[c]) >= p.smin:
            return 0
        movable = sorted(
            (p.need_l[i][t] * self.level(t, self.members[d]), self.rank[i], i, d)
            for d in self.theme_circles[t]
            if d != c
            for i in self.members[d]
            if self.cover.get((i, t)) == d and p.speaks_l[i][lang]
        )
        loss = 0
        for cost, _, i, d in movable:
            if len(self.members[c]) >= p.smin:
                break
            if self.can_leave(i, d) and not self.clashes(i, self.members[c]):
                self.remove(d, i)
                self.add(c, i)
                undo.append((d, i))
                loss += cost
        return loss

    # -- (3) soft goals

    def polish(self) -> None:
        """Seeded local search for the soft goals: move or swap members
        between two circles of a theme and language when need covered does
        not fall and the soft score rises. A pass visits, in random order, the
        circles with a penalised member (see :meth:`unhappy`) and tries up to
        :data:`SOFT_TRIES` random circles of the same pool against each.
        Spare anchors then join circles as co-anchors where that helps."""
        for _ in range(SOFT_PASSES):
            improved = False
            for c in self.rng.permutation(len(self.members)).tolist():
                unhappy = self.unhappy(c) if self.members[c] else []
                if not unhappy:
                    continue
                pool = self.pools[(self.theme[c], self.lang[c])]
                others = [d for d in pool if d != c and self.members[d]]
                picks = self.rng.permutation(len(others))[:SOFT_TRIES].tolist()
                for d in (others[k] for k in picks):
                    if self.better(c, d, unhappy):
                        improved = True
                        break
            if not improved:
                break
        self.co_anchor(soft=True)

    def co_anchor(self, *, soft: bool) -> bool:
        """Anchors with a free slot join circles with room as co-anchors when
        that raises the circle's anchor level or (``soft``) its soft score,
        typically a second Northern member beside a Northern anchor otherwise
        alone among Southern learners. Only spare slots are used, so no
        circle is lost; up to :data:`SOFT_TRIES` candidates per circle, those
        that could fix a penalty, strongest first."""
        p, changed = self.p, False
        spare: dict[tuple[int, int], list[int]] = {}
        for t, lang in self.pools:
            spare[(t, lang)] = sorted(
                (a for a in self.anchors_of[t] if self.slots[a] < p.m and p.speaks_l[a][lang]),
                key=lambda a, t=t: (-p.exp_l[a][t], self.rank[a]),
            )
        for c in self.live():
            members, t = self.members[c], self.theme[c]
            free = spare[(t, self.lang[c])]
            if len(members) >= p.smax or not free:
                continue
            level = self.level(t, members)
            alone = self.unhappy(c) if soft else []
            sides = {p.south[i] for i in alone}
            regions = {p.region[i] for i in alone}
            tries = []
            for a in free[: 4 * SOFT_TRIES]:
                if len(tries) == SOFT_TRIES:
                    break
                if (
                    self.slots[a] < p.m
                    and (p.exp_l[a][t] > level or p.south[a] in sides or p.region[a] in regions)
                    and not self.clashes(a, members)
                ):
                    tries.append(a)
            summary = _summary(p, members)
            best, best_key = None, (self.value(t, members, c), _soft_of(*summary))
            for a in tries:
                met = p.met.get(a, ())
                repeats = sum(j in met for j in members) * _W_REPEAT
                key = (
                    self.value(t, [*members, a], c),
                    _soft_of(*self.shifted(summary, None, a)) + repeats if soft else best_key[1],
                )
                if key > best_key:
                    best, best_key = a, key
            if best is not None:
                self.add(c, best)
                if self.slots[best] >= p.m:
                    for lang in p.langs_of[best]:
                        if best in spare.get((t, lang), ()):
                            spare[(t, lang)].remove(best)
                changed = True
        return changed

    def unhappy(self, c: int) -> list[int]:
        """Members of ``c`` that a soft term penalises: alone in their region
        or on their side, in a repeated pair; everyone if the circle has one
        region group."""
        p, members = self.p, self.members[c]
        regions = [p.region[i] for i in members]
        if len(set(regions)) < 2:
            return list(members)
        n_south = sum(p.south[i] for i in members)
        mixed = 0 < n_south < len(members)
        out = []
        for i, r in zip(members, regions, strict=True):
            side = n_south if p.south[i] else len(members) - n_south
            met = p.met.get(i)
            if (
                (r != _INTERNATIONAL and regions.count(r) == 1)
                or (mixed and side == 1)
                or (met and any(j in met for j in members))
            ):
                out.append(i)
        return out

    def better(self, c: int, d: int, unhappy: list[int]) -> bool:
        """Apply the first exchange between ``c`` and ``d`` (same theme and
        language) that raises (need covered, soft score): an unhappy member of
        ``c`` moves to ``d`` or swaps with a member of ``d``, or a member of
        ``d`` moves to ``c``. Exclusions are checked against the whole other
        circle (conservative)."""
        p, t = self.p, self.theme[c]
        mc, md = self.members[c], self.members[d]
        sum_c, sum_d = _summary(p, mc), _summary(p, md)
        base = _soft_of(*sum_c) + _soft_of(*sum_d)
        # The objective of a circle is (best anchor level) x (learners' need):
        # both are updated per move from these, without rescanning members.
        anchor, exp, need = p.anchor_l, p.exp_l, p.need_l
        levels_c = [exp[i][t] for i in mc if anchor[i][t]]
        levels_d = [exp[i][t] for i in md if anchor[i][t]]
        cover, fillers = self.cover, self.fillers
        need_c = sum(need[i][t] for i in mc if cover.get((i, t)) == c)
        need_d = sum(need[i][t] for i in md if cover.get((i, t)) == d)
        before = max(levels_c) * need_c + max(levels_d) * need_d
        # Fillers stay put: they are credited in another circle of the theme.
        unhappy = [i for i in unhappy if (c, i) not in fillers]
        incoming = [j for j in md if (d, j) not in fillers and not self.clashes(j, mc)]
        out_ok = len(mc) > p.smin and len(md) < p.smax
        in_ok = len(md) > p.smin and len(mc) < p.smax
        moves = [
            (i, j)
            for i in unhappy
            if not self.clashes(i, md)
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
            soft = _soft_of(*self.shifted(sum_c, i, j)) + _soft_of(*self.shifted(sum_d, j, i))
            soft += _W_REPEAT * self.repeats_change(mc, md, i, j) - base
            if gain > 0 or soft > 0:
                if i is not None:
                    self.remove(c, i)
                if j is not None:
                    self.remove(d, j)
                    self.add(c, j)
                if i is not None:
                    self.add(d, i)
                return True
        return False

    def shifted(self, summary, out: int | None, into: int | None):
        """A circle's :func:`_summary` after ``out`` leaves and ``into`` joins."""
        p = self.p
        counts, south, coalitions, size = summary
        counts = list(counts)
        for i, sign in ((out, -1), (into, 1)):
            if i is not None:
                counts[p.region[i]] += sign
                south += sign * p.south[i]
                coalitions += sign * p.coalition[i]
                size += sign
        return counts, south, coalitions, size

    def repeats_change(self, mc: list[int], md: list[int], i: int | None, j: int | None) -> int:
        """Change in the number of history pairs inside the two circles."""
        met, change = self.p.met, 0
        if i is not None and i in met:
            change += sum(x in met[i] for x in md if x != j) - sum(x in met[i] for x in mc)
        if j is not None and j in met:
            change += sum(x in met[j] for x in mc if x != i) - sum(x in met[j] for x in md)
        return change


# ----------------------------------------------------------------------- result


def _result(
    p: _Problem,
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
    level = [max(p.exp_l[i][t] for i in ms if p.anchor_l[i][t]) for t, _, ms in circles]
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
            if not p.anchor_l[i][t]:
                best = credited.get((i, t))
                if best is None or level[c] > level[best]:
                    credited[(i, t)] = c
    out = []
    for c in order:
        t, lang, members = circles[c]
        key = a.themes[p.themes[t]]
        rows, reasons, covered = [], [], 0.0
        for i in sorted(members, key=lambda i: (not p.anchor_l[i][t], a.ids[i])):
            anchor = p.anchor_l[i][t]
            credit = 0.0
            if not anchor and credited[(i, t)] == c:
                credit = p.need_l[i][t] * level[c] / MAX_EXPERTISE
                covered += credit
                reasons.append(Reason("learner", a.ids[i], credit))
            rows.append(
                CircleMember(
                    id=a.ids[i],
                    role="anchor" if anchor else "learner",
                    need=p.need_l[i][t],
                    expertise=p.exp_l[i][t],
                    credit=credit,
                )
            )
        soft = {k: v for k, v in _soft_terms(p, members).items() if v}
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
        left_out=_left_out(p, credited, circles_of),
        themes=tuple(a.themes[t] for t in p.themes if t not in skipped),
        skipped_themes=tuple(a.themes[t] for t in skipped),
        need_covered=covered,
        bound=upper,
        gap=(upper - covered) / upper if upper > 0 else 0.0,
        demand=float(p.need[p.learner].sum()),
        size=(p.smin, p.smax),
        max_per_member=p.m,
        seed=seed,
    )


def _left_out(
    p: _Problem, credited: dict[tuple[int, int], int], circles_of: list[int]
) -> tuple[LeftOut, ...]:
    """Every (learner, theme) without a circle, with the first reason that applies."""
    a, out = p.arrays, []
    for t in range(len(p.themes)):
        key = a.themes[p.themes[t]]
        left = [i for i in np.flatnonzero(p.learner[:, t]).tolist() if (i, t) not in credited]
        anchors = np.flatnonzero(p.anchor[:, t])
        if not left:
            continue
        share = (a.speaks[left].astype(np.int64) @ a.speaks[anchors].T.astype(np.int64)) > 0
        for row, i in enumerate(left):
            mates = anchors[share[row]].tolist()
            langs = "/".join(a.languages[lang] for lang in p.langs_of[i])
            if not anchors.size:
                code, why = (
                    "no_anchor",
                    f"no member can anchor {key} (expertise >= 3, mentor_capacity > 0)",
                )
            elif not mates:
                code, why = "no_shared_language", f"no anchor on {key} speaks {langs}"
            elif all(j in p.excluded.get(i, ()) for j in mates):
                code, why = "excluded", f"it is excluded with every anchor on {key} in {langs}"
            elif not p.viable[t, p.langs_of[i]].any():
                code = "circle_limits"
                why = f"fewer than {p.smin} members can meet on {key} in {langs}"
            elif circles_of[i] >= p.m:
                code = "circle_limits"
                why = f"already in {circles_of[i]} circles (max_per_member {p.m})"
            else:
                code = "circle_limits"
                why = f"the circles on {key} in {langs} were full and no anchor had a slot left"
            out.append(LeftOut(a.ids[i], key, code, why))
    return tuple(sorted(out, key=lambda x: (x.member, x.theme)))


# ------------------------------------------------------------------- public API


def form_circles(
    arrays: NetworkArrays,
    *,
    themes=None,
    size: tuple[int, int] = DEFAULT_SIZE,
    max_per_member: int = 2,
    seed: int | None = None,
    policy: ScoringPolicy | None = None,
) -> CirclesResult:
    """Learning circles over ``themes`` (see the module docstring for the
    roles, constraints, objective, bound and algorithm).

    ``themes``: theme keys; by default the first :data:`DEFAULT_THEMES` themes
    by unmet demand (``matcher.capacity_map``, under ``policy``) that can hold
    a circle. Requested themes where no circle can form are reported in
    ``skipped_themes``. ``seed`` (``None`` acts as 0) breaks ties and drives
    the local search: same arrays and seed → same circles.

    >>> # res = form_circles(arrays, themes=["budget_tracking"], seed=1)
    >>> # res.circles[0].theme, [m.role for m in res.circles[0].members]
    >>> # ('budget_tracking', ['anchor', 'learner', 'learner', 'learner'])
    >>> # res.need_covered <= res.bound
    """
    size, m = _check_options(size, max_per_member)
    rng = np.random.default_rng(_check_seed(seed))
    chosen, skipped = _theme_indices(arrays, themes, policy, size)
    p = _Problem(arrays, chosen + skipped, size, m)
    bound, routes = _bound_flow(p)
    builder = _Builder(p, rng)
    builder.seed(routes)
    builder.improve()
    builder.polish()
    circles = [(builder.theme[c], builder.lang[c], builder.members[c]) for c in builder.live()]
    result = _result(p, "local_search", circles, bound, skipped, seed)
    problems = circle_violations(arrays, result.circles, size=size, max_per_member=m)
    assert not problems, problems
    assert result.need_covered <= result.bound + 1e-9, (result.need_covered, result.bound)
    return result


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
    smin, smax = size
    index = {key: i for i, key in enumerate(arrays.ids)}
    theme_index = {key: t for t, key in enumerate(arrays.themes)}
    lang_index = {lang: k for k, lang in enumerate(arrays.languages)}
    excluded = _neighbours(arrays.excluded)
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
        if not smin <= len(ids) <= smax:
            problems.append(f"{where}: {len(ids)} members, outside {smin}-{smax}")
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


def random_circles(
    arrays: NetworkArrays,
    *,
    themes,
    size: tuple[int, int] = DEFAULT_SIZE,
    max_per_member: int = 2,
    seed: int | None = None,
) -> CirclesResult:
    """Baseline: random feasible circles. Each (anchor, theme) in random order
    opens a circle in a random shared language of a viable pool and draws
    members at random (a learner joins one circle per theme), up to a random
    size; it is kept if it reaches ``size_min``. Scored like :func:`form_circles`.

    >>> # random_circles(arrays, themes=["budget_tracking"], seed=1).need_covered
    """
    size, m = _check_options(size, max_per_member)
    rng = np.random.default_rng(_check_seed(seed))
    chosen, skipped = _theme_indices(arrays, themes, None, size)
    p = _Problem(arrays, chosen + skipped, size, m)
    builder = _Builder(p, rng)
    pools: dict[tuple[int, int], list[int]] = {}  # shuffled once, pruned as members fill up
    ai, at = np.nonzero(p.anchor)
    for k in rng.permutation(ai.size).tolist():
        a, t = int(ai[k]), int(at[k])
        langs = [lang for lang in p.langs_of[a] if p.viable[t, lang]]
        if builder.slots[a] >= m or not langs:
            continue
        lang = langs[int(rng.integers(len(langs)))]
        if (t, lang) not in pools:
            eligible = (p.anchor[:, t] | p.learner[:, t]) & arrays.speaks[:, lang]
            pools[(t, lang)] = rng.permutation(np.flatnonzero(eligible)).tolist()
        pool = pools[(t, lang)]
        c = builder.new_circle(t, lang, [a])
        target = int(rng.integers(p.smin, p.smax + 1))
        start = int(rng.integers(len(pool)))
        for i in pool[start:] + pool[:start]:
            if len(builder.members[c]) >= target:
                break
            if builder.can_join(i, c):
                builder.add(c, i)
        if len(builder.members[c]) < p.smin:
            builder.dissolve(c)
        pool[:] = [
            i
            for i in pool
            if builder.slots[i] < m and (p.anchor_l[i][t] or (i, t) not in builder.cover)
        ]
    circles = [(builder.theme[c], builder.lang[c], builder.members[c]) for c in builder.live()]
    return _result(p, "random", circles, _bound_flow(p)[0], skipped, seed)


def louvain_circles(
    arrays: NetworkArrays,
    *,
    themes,
    size: tuple[int, int] = DEFAULT_SIZE,
    max_per_member: int = 2,
    seed: int | None = None,
    neighbours: int = 20,
) -> CirclesResult:
    """Baseline: ``networkx.community.louvain_communities`` on a similarity
    graph, communities cut into feasible circles.

    Members with a role on a theme are nodes; an edge joins two who share a
    language, weighted by the cosine of their engagement profiles (need if a
    learner, expertise if an anchor, per theme), each keeping its
    ``neighbours`` most similar. In each community, per theme and language,
    circles are cut greedily: the strongest free anchor, then learners by
    need, up to ``size_max``; those that cannot reach ``size_min`` are dropped.
    Scored like :func:`form_circles`.

    >>> # louvain_circles(arrays, themes=["budget_tracking"], seed=1).need_covered
    """
    size, m = _check_options(size, max_per_member)
    seed = _check_seed(seed)
    chosen, skipped = _theme_indices(arrays, themes, None, size)
    p = _Problem(arrays, chosen + skipped, size, m)
    builder = _Builder(p, np.random.default_rng(seed))
    profile = np.where(p.anchor, p.exp, 0) + np.where(p.learner, p.need, 0)
    nodes = np.flatnonzero(profile.any(axis=1))
    unit = profile[nodes] / np.linalg.norm(profile[nodes], axis=1, keepdims=True)
    speaks = arrays.speaks[nodes].astype(np.float32)
    graph = nx.Graph()
    graph.add_nodes_from(nodes.tolist())
    for start in range(0, nodes.size, 1024):
        rows = slice(start, start + 1024)
        sim = unit[rows] @ unit.T
        sim[(speaks[rows] @ speaks.T) == 0] = 0
        sim[np.arange(sim.shape[0]), np.arange(start, start + sim.shape[0])] = 0
        keep = min(neighbours, nodes.size - 1)
        if keep <= 0:
            break
        top = np.argpartition(-sim, keep - 1, axis=1)[:, :keep].ravel()
        local = np.repeat(np.arange(sim.shape[0]), keep)
        weight = sim[local, top]
        ok = weight > 0
        graph.add_weighted_edges_from(
            zip(
                nodes[start + local[ok]].tolist(),
                nodes[top[ok]].tolist(),
                weight[ok].tolist(),
                strict=True,
            )
        )
    communities = nx.community.louvain_communities(graph, seed=seed)
    for community in sorted(communities, key=min):
        group = sorted(community)
        for t in range(len(p.themes)):
            for lang in range(len(arrays.languages)):
                if not p.viable[t, lang]:
                    continue
                while _cut_circle(builder, group, t, lang):
                    pass
    circles = [(builder.theme[c], builder.lang[c], builder.members[c]) for c in builder.live()]
    return _result(p, "louvain", circles, _bound_flow(p)[0], skipped, seed)


def _cut_circle(builder: _Builder, group: list[int], t: int, lang: int) -> bool:
    """One greedy circle on (t, lang) from a community's free members."""
    p = builder.p
    anchors = [
        a for a in group if p.anchor_l[a][t] and p.speaks_l[a][lang] and builder.slots[a] < p.m
    ]
    if not anchors:
        return False
    anchors.sort(key=lambda a: -p.exp_l[a][t])
    learners = [i for i in group if p.learner_l[i][t] and p.speaks_l[i][lang]]
    learners.sort(key=lambda i: -p.need_l[i][t])
    c = builder.new_circle(t, lang, [anchors[0]])
    for i in learners:
        if builder.can_join(i, c):
            builder.add(c, i)
    for a in anchors[1:]:  # extra anchors only to reach size_min
        if len(builder.members[c]) < p.smin and builder.can_join(a, c):
            builder.add(c, a)
    if len(builder.members[c]) >= p.smin and builder.value(t, builder.members[c]) > 0:
        return True
    builder.dissolve(c)
    return False
