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
``_bound.bound_flow``): each learner credits at most ``max_per_member`` themes,
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

**Modules**: :mod:`~matcher.circles.model` (results, constants),
:mod:`~matcher.circles.themes`, :mod:`~matcher.circles.form`
(:func:`form_circles`), :mod:`~matcher.circles.violations` and
:mod:`~matcher.circles.baselines` (the benchmark's random and Louvain
circles). Underscored modules are the algorithm's internals, in the order of
a run: ``_options``, ``_problem`` (roles, pools, lookups), ``_bound``,
``_builder`` (circles under construction), ``_seeding`` (1–2),
``_coverage`` (3), ``_soft`` and ``_soft_search`` (4), ``_result``.
"""

from matcher.circles.baselines import louvain_circles, random_circles
from matcher.circles.form import form_circles
from matcher.circles.model import (
    ANCHOR_LEVEL,
    DEFAULT_MAX_PER_MEMBER,
    DEFAULT_SIZE,
    DEFAULT_THEMES,
    GROW_TRIES,
    IMPROVE_ROUNDS,
    MAX_SIZE,
    SOFT_PASSES,
    SOFT_TRIES,
    SOFT_WEIGHTS,
    Circle,
    CircleMember,
    CirclesResult,
    LeftOut,
)
from matcher.circles.themes import default_themes
from matcher.circles.violations import circle_violations

__all__ = [
    "ANCHOR_LEVEL",
    "DEFAULT_MAX_PER_MEMBER",
    "DEFAULT_SIZE",
    "DEFAULT_THEMES",
    "GROW_TRIES",
    "IMPROVE_ROUNDS",
    "MAX_SIZE",
    "SOFT_PASSES",
    "SOFT_TRIES",
    "SOFT_WEIGHTS",
    "Circle",
    "CircleMember",
    "CirclesResult",
    "LeftOut",
    "circle_violations",
    "default_themes",
    "form_circles",
    "louvain_circles",
    "random_circles",
]
