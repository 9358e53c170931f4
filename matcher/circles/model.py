"""What a run of :func:`~matcher.circles.form_circles` returns, and its constants."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.scoring import Reason

ANCHOR_LEVEL = 3
"""Expertise from which a member anchors a circle on a theme."""
DEFAULT_MAX_PER_MEMBER = 2
"""Most circles one member joins, unless a run says otherwise."""
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


@dataclass(frozen=True)
class CircleMember:
    """One member of a circle. ``credit`` is the need covered for it here
    (0 for anchors, and for a learner already credited in a stronger circle
    on the theme): ``need × best anchor level in the circle / 4``.

    >>> CircleMember(id="ke", role="learner", need=3, expertise=0, credit=3 * 3 / 4)
    CircleMember(id='ke', role='learner', need=3, expertise=0, credit=2.25)
    """

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

    >>> anchor = CircleMember("ph", "anchor", need=0, expertise=4, credit=0.0)
    >>> learner = CircleMember("ke", "learner", need=3, expertise=0, credit=3.0)
    >>> circle = Circle("budget_tracking", "en", (anchor, learner), need_covered=3.0,
    ...                 soft=0.05, score=3.05, reasons=())
    >>> circle.ids
    ('ph', 'ke')
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
        """Member ids, in order."""
        return tuple(m.id for m in self.members)


@dataclass(frozen=True)
class LeftOut:
    """A learner with a need on a chosen theme and no circle on it. ``code``:
    ``no_anchor``, ``no_shared_language``, ``excluded`` or ``circle_limits``.

    >>> LeftOut("ml", "budget_tracking", "no_shared_language",
    ...         "no anchor on budget_tracking speaks fr").code
    'no_shared_language'
    """

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

    >>> from matcher.examples import circle_arrays
    >>> arrays = circle_arrays()  # one anchor (ph), four learners
    >>> from matcher.circles import form_circles
    >>> res = form_circles(arrays, themes=["budget_tracking", "fundraising"])
    >>> res.themes, res.skipped_themes, res.demand, res.need_covered, res.gap
    (('budget_tracking',), ('fundraising',), 8.0, 6.0, 0.0)
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
